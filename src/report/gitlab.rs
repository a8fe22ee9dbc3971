//! `--format gitlab`: GitLab Code Quality JSON, the report a job names in
//! `artifacts:reports:codequality` so that findings show in merge requests. One JSON array,
//! one object per finding, in path order (streamed, like `--format json`):
//!
//! ```json
//! [
//! {"description":"HL502 miracle-cure-claim: the article promises a cure …",
//!  "check_name":"HL502","fingerprint":"ec390ed2…","severity":"minor",
//!  "location":{"path":"articles/back-pain.md","lines":{"begin":7,"end":7}}}
//! ]
//! ```
//!
//! - `check_name` is the rule's code; `description` is the code, the rule's name and the
//!   message, then `(related: path:line:col)` for each place in another file that a
//!   cross-document finding relies on (as `--format concise` writes them: GitLab has one
//!   location per finding, and each file of a conflicting pair has a finding of its own).
//! - `severity`: healthlint's `info` is GitLab's `info`, `warning` is `minor`, `error` is
//!   `major`. `critical` and `blocker` are not used: nothing healthlint finds stops a
//!   merge by itself; `fail-on` and the exit code decide that.
//! - `fingerprint` survives unrelated edits (see `fingerprint.rs`): the rule, the path and
//!   the flagged text, not line numbers; identical findings in one file differ by their
//!   occurrence.
//! - `location.path` is the path as reported: run healthlint from the repository's root so
//!   that GitLab can find the file. `lines.begin` and `lines.end` are 1-based, the lines
//!   where the flagged text starts and ends.
//!
//! Skipped files and the summary line have no place in the array: they go to standard
//! error (see `main.rs`), as for `github`.

use std::io::{self, Write};

use serde::Serialize;

use super::fingerprint::fingerprints;
use super::json::StreamedArray;
use super::{position, Reporter, Summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::FileReport;

#[derive(Default)]
pub struct Gitlab {
    array: StreamedArray,
}

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's severity for a finding's.
pub(crate) fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Warning => "minor",
        Severity::Error => "major",
    }
}

fn description(d: &Diagnostic) -> String {
    let mut description = format!("{} {}: {}", d.rule.code, d.rule.name, d.message);
    for related in &d.related {
        description.push_str(&format!(
            " (related: {}:{}:{})",
            related.path, related.start.line, related.start.column
        ));
    }
    description
}

impl Reporter for Gitlab {
    /// The file's issues, each on its own line, separated by commas.
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        let fingerprints = fingerprints(report);
        for (i, (d, fingerprint)) in report.diagnostics.iter().zip(fingerprints).enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            let issue = Issue {
                description: description(d),
                check_name: &d.rule.code,
                fingerprint,
                severity: severity(d.severity),
                location: Location {
                    path: &report.path,
                    lines: Lines {
                        begin: position(report, d.primary.range.start).line,
                        end: position(report, d.primary.range.end).line,
                    },
                },
            };
            serde_json::to_writer(&mut *out, &issue)?;
        }
        Ok(())
    }

    fn write_fragment(&mut self, fragment: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.array.push("[", fragment, out)
    }

    fn finish(&mut self, _summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.array.open("[", out)?;
        out.write_all(b"\n]\n")
    }
}
