//! Fingerprints of findings: an identity for a finding that survives unrelated edits, so
//! that a tool comparing two runs (GitLab's Code Quality widget, a baseline) sees the same
//! finding as the same, and a new one as new.
//!
//! A fingerprint is the SHA-256, in lowercase hex, of
//!
//! ```text
//! healthlint-fingerprint-v1 NUL code NUL path NUL flagged text NUL occurrence
//! ```
//!
//! - `code` is the rule's code (`HL502`), `path` the path as reported.
//! - The flagged text is the text of the finding's primary span with runs of whitespace
//!   made one space and trimmed, so that re-wrapping a paragraph does not change it. Line
//!   numbers and offsets are not part of it: adding a line above a finding keeps its
//!   fingerprint. File-level findings (an unreadable file) flag no text.
//! - `occurrence` counts, from 0, the earlier findings of the same file with the same code
//!   and flagged text, in output order (by position): two identical findings in one file get
//!   different fingerprints, and the first one keeps its fingerprint when a second is added
//!   below it.
//! - The message is not part of it, so rewording a message in a later release keeps the
//!   fingerprints.
//!
//! SHA-256 (not the standard library's hasher, which is keyed at random per process) gives
//! the same fingerprint on every machine, run and thread count.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::report::FileReport;

/// The fingerprints of a report's findings, in the order of `report.diagnostics`.
pub(crate) fn fingerprints(report: &FileReport) -> Vec<String> {
    fingerprints_as(report, &report.path)
}

/// The fingerprints of a report's findings with `path` in place of the path as reported
/// (a baseline's, relative to the baseline file).
pub(crate) fn fingerprints_as(report: &FileReport, path: &str) -> Vec<String> {
    let mut seen: HashMap<(&str, String), usize> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let text = flagged_text(report, d.primary.range.clone());
            let occurrence = seen.entry((&d.rule.code, text.clone())).or_insert(0);
            let fingerprint = fingerprint(&d.rule.code, path, &text, *occurrence);
            *occurrence += 1;
            fingerprint
        })
        .collect()
}

/// One fingerprint, from its parts (see the module docs).
pub(crate) fn fingerprint(code: &str, path: &str, text: &str, occurrence: usize) -> String {
    let mut hasher = Sha256::new();
    for part in [
        "healthlint-fingerprint-v1",
        code,
        path,
        text,
        &occurrence.to_string(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The text of a span, whitespace normalised; empty when the file has no text or the span
/// does not fall on character boundaries.
fn flagged_text(report: &FileReport, range: std::ops::Range<usize>) -> String {
    let text = report
        .source
        .as_ref()
        .and_then(|s| s.text.get(range))
        .unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash is fixed: a change here changes every fingerprint users have stored.
    #[test]
    fn the_fingerprint_of_known_parts_is_fixed() {
        let f = fingerprint("HL502", "a.md", "miracle cure", 0);
        assert_eq!(f.len(), 64);
        assert!(f
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(f, fingerprint("HL502", "a.md", "miracle cure", 0));
        for other in [
            fingerprint("HL501", "a.md", "miracle cure", 0),
            fingerprint("HL502", "b.md", "miracle cure", 0),
            fingerprint("HL502", "a.md", "miracle cure!", 0),
            fingerprint("HL502", "a.md", "miracle cure", 1),
            // Parts are separated, not just joined.
            fingerprint("HL502", "a.mdmiracle", " cure", 0),
        ] {
            assert_ne!(f, other);
        }
        // As `printf 'healthlint-fingerprint-v1\0HL502\0a.md\0miracle cure\0000\0' | sha256sum`.
        assert_eq!(
            f,
            "ec390ed2559cc69e8cb50923c5c49443919635edc89d9b04a1bb9164bd14c90b"
        );
    }
}
