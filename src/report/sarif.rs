//! `--format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers. One
//! JSON object with one run, its results in path order (streamed, like `--format json`):
//!
//! ```json
//! {"$schema":"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
//!  "version":"2.1.0","runs":[{
//!   "tool":{"driver":{"name":"healthlint","version":"0.1.0","rules":[
//!     {"id":"HL502","name":"miracle-cure-claim","shortDescription":{"text":"…"},
//!      "fullDescription":{"text":"…"},"help":{"text":"…"},
//!      "defaultConfiguration":{"enabled":true,"level":"warning"},
//!      "properties":{"category":"claims"}}, …]}},
//!   "columnKind":"unicodeCodePoints",
//!   "originalUriBaseIds":{"%SRCROOT%":{"uri":"file:///home/me/site/"}},
//!   "results":[
//!     {"ruleId":"HL502","ruleIndex":41,"level":"warning","message":{"text":"…"},
//!      "locations":[{"physicalLocation":{"artifactLocation":{"uri":"articles/a.md","uriBaseId":"%SRCROOT%"},
//!        "region":{"startLine":3,"startColumn":6,"endLine":3,"endColumn":18}}}],
//!      "relatedLocations":[{"id":1,"physicalLocation":{…},"message":{"text":"…"}}],
//!      "partialFingerprints":{"healthlint/v1":"ec390ed2…"}}
//!   ],
//!   "invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[…]}],
//!   "properties":{"summary":{…}}
//! }]}
//! ```
//!
//! - Object keys are written in alphabetical order (above, they are not).
//! - `tool.driver.rules` lists every loaded rule, the tool's own `HL0xx` codes first, as
//!   `healthlint rules` does: `shortDescription` is its one-line summary, `fullDescription`
//!   and `help` the text `healthlint explain` prints, `defaultConfiguration` whether this run
//!   checks it and at which level (severity overrides applied). `helpUri` and the driver's
//!   `informationUri` are given when the package names a homepage or repository (absolute
//!   URIs are required there, and none is invented).
//! - `level`: `error` is `error`, `warning` is `warning`, `info` is `note`.
//! - `message.text` is the finding's message, then `help: …` and `note: …` lines, as in the
//!   JUnit report: SARIF viewers show the message and nothing else of a result.
//! - Locations: `uri` is the path as reported, with forward slashes, percent-encoded; a
//!   relative path is relative to `%SRCROOT%`, the working directory (given in
//!   `originalUriBaseIds`), an absolute one is a `file:` URI. Lines are 1-based and end at a
//!   line feed (a CRLF is one line break: SARIF's default `newlineSequences`). Columns count
//!   Unicode code points (`columnKind` `unicodeCodePoints`), as healthlint's columns do, and
//!   `endColumn` is the column just past the flagged text. A finding about a whole file (an
//!   unreadable file, control characters) has no region.
//! - `relatedLocations`: the finding's secondary labels in the same file, then the places in
//!   other files that a cross-document finding (HL401) relies on; ids count from 1.
//! - `partialFingerprints["healthlint/v1"]` is the fingerprint of `fingerprint.rs` (the one
//!   `--format gitlab` writes and baselines store): it survives edits that do not touch the
//!   finding.
//! - With `--baseline`, every result has `baselineState` `new` (findings in the baseline are
//!   not reported) and `properties.baseline` holds how many were matched and how many
//!   baseline entries are gone.
//! - `invocations[0]`: `executionSuccessful` is false when a file could not be checked (the
//!   exit code is then 2); `toolExecutionNotifications` has an `error` for each such file
//!   and a `note` for each file skipped on purpose, in path order.
//! - `properties.summary` is the `summary` object of `--format json`.
//!
//! The summary line also goes to standard error (see `main.rs`), as for `gitlab`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{json, Value};

use super::fingerprint::fingerprints;
use super::json::StreamedArray;
use super::{position, Reporter, Summary};
use crate::check::RuleSet;
use crate::config::Settings;
use crate::diagnostic::{tool, Diagnostic, Severity};
use crate::report::FileReport;

/// The schema a log names: the OASIS standard's, with its errata.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of healthlint's fingerprint in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "healthlint/v1";

/// The base that relative `uri`s are resolved against.
const SRCROOT: &str = "%SRCROOT%";

/// Where healthlint is documented, from the package's `homepage` or `repository`; `None`
/// when the package names neither.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// One entry of `tool.driver.rules`.
pub(crate) struct RuleInfo {
    pub code: String,
    pub name: String,
    pub category: String,
    pub summary: String,
    pub explanation: String,
    pub level: Severity,
    pub enabled: bool,
}

impl RuleInfo {
    /// Every rule a run knows, in the order of `healthlint rules`.
    pub fn all(rules: &RuleSet, settings: &Settings) -> Vec<RuleInfo> {
        let tools = tool::ALL.iter().map(|t| RuleInfo {
            code: t.code.to_string(),
            name: t.name.to_string(),
            category: "input".to_string(),
            summary: t.summary.to_string(),
            explanation: crate::docs::explain_tool(t),
            level: settings.severity_for(t.code).unwrap_or(t.severity),
            enabled: settings.is_enabled(t.code),
        });
        let rules = rules.rules.iter().map(|r| RuleInfo {
            code: r.meta.id.code.to_string(),
            name: r.meta.id.name.to_string(),
            category: r.meta.id.category.to_string(),
            summary: crate::docs::first_sentence(&r.meta.docs.why),
            explanation: crate::docs::explain(&r.meta),
            level: settings
                .severity_for(&r.meta.id.code)
                .unwrap_or(r.meta.severity),
            enabled: r.check.is_some() && !r.compared_only,
        });
        tools.chain(rules).collect()
    }

    fn descriptor(&self) -> Value {
        let mut rule = json!({
            "id": self.code,
            "name": self.name,
            "shortDescription": { "text": self.summary },
            "fullDescription": { "text": self.explanation },
            "help": { "text": self.explanation },
            "defaultConfiguration": { "enabled": self.enabled, "level": level(self.level) },
            "properties": { "category": self.category },
        });
        if let Some(base) = information_uri() {
            // The README's rule table: the one place every rule is listed with a link target.
            rule["helpUri"] = Value::String(format!("{}#rules", base.trim_end_matches('/')));
        }
        rule
    }
}

pub struct Sarif {
    index: HashMap<String, usize>,
    /// Everything before the first result (the rule list is long: it is written once).
    opening: String,
    array: StreamedArray,
    /// Notifications for files that could not be checked, from their fragments (the
    /// summary counts them but does not keep them).
    failures: Vec<(String, Value)>,
    /// A baseline hides the known findings: every result is new.
    baseline: bool,
}

impl Sarif {
    /// A log of `rules`, relative paths resolved against `cwd`; `baseline` when a baseline
    /// hides the known findings.
    pub fn new(rules: Vec<RuleInfo>, cwd: Option<&std::path::Path>, baseline: bool) -> Sarif {
        let index = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        let root = cwd.and_then(|cwd| {
            let mut uri = absolute_uri(cwd)?;
            if !uri.ends_with('/') {
                uri.push('/');
            }
            Some(uri)
        });
        Sarif {
            opening: opening(&rules, root.as_deref()),
            index,
            array: StreamedArray::default(),
            failures: Vec::new(),
            baseline,
        }
    }
}

/// The log up to its first result: the tool and its rules, then the open `results` array.
fn opening(rules: &[RuleInfo], root: Option<&str>) -> String {
    let mut driver = json!({
        "name": "healthlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules.iter().map(RuleInfo::descriptor).collect::<Vec<_>>(),
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = Value::String(uri.to_string());
    }
    let mut head = json!({ "tool": { "driver": driver }, "columnKind": "unicodeCodePoints" });
    if let Some(root) = root {
        head["originalUriBaseIds"] = json!({ SRCROOT: { "uri": root } });
    }
    // The run object is written open: its `results` array follows, then the rest.
    let head = head.to_string();
    let head = head.strip_suffix('}').unwrap_or(&head);
    format!("{{\"$schema\":\"{SCHEMA}\",\"version\":\"2.1.0\",\"runs\":[{head},\"results\":[")
}

impl Sarif {
    fn result(&self, report: &FileReport, d: &Diagnostic, fingerprint: String) -> Value {
        let mut text = d.message.clone();
        for (word, value) in [("help", &d.help), ("note", &d.note)] {
            if let Some(value) = value {
                text.push_str(&format!("\n{word}: {value}"));
            }
        }
        let mut primary = self.location(report, d.primary.range.clone());
        if let Some(message) = &d.primary.message {
            primary["message"] = json!({ "text": message });
        }
        let mut result = json!({
            "ruleId": d.rule.code.as_ref(),
            "level": level(d.severity),
            "message": { "text": text },
            "locations": [primary],
            "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
        });
        if let Some(&i) = self.index.get(d.rule.code.as_ref()) {
            result["ruleIndex"] = json!(i);
        }
        if self.baseline {
            result["baselineState"] = json!("new");
        }
        let mut related = Vec::new();
        for label in &d.secondary {
            let mut location = self.location(report, label.range.clone());
            if let Some(message) = &label.message {
                location["message"] = json!({ "text": message });
            }
            related.push(location);
        }
        for r in &d.related {
            let region = json!({
                "startLine": r.start.line, "startColumn": r.start.column,
                "endLine": r.end.line, "endColumn": r.end.column,
            });
            related.push(json!({
                "physicalLocation": { "artifactLocation": artifact(&r.path), "region": region },
                "message": { "text": r.message },
            }));
        }
        if !related.is_empty() {
            for (i, location) in related.iter_mut().enumerate() {
                location["id"] = json!(i + 1);
            }
            result["relatedLocations"] = Value::Array(related);
        }
        result
    }

    /// A place in the report's file; a region unless the span is the whole file's (`0..0`
    /// in a file-level finding) or the file has no text.
    fn location(&self, report: &FileReport, range: std::ops::Range<usize>) -> Value {
        let mut physical = json!({ "artifactLocation": artifact(&report.path) });
        if report.source.is_some() && range != (0..0) {
            let (start, end) = (position(report, range.start), position(report, range.end));
            physical["region"] = json!({
                "startLine": start.line, "startColumn": start.column,
                "endLine": end.line, "endColumn": end.column,
            });
        }
        json!({ "physicalLocation": physical })
    }
}

/// The fragment holds the file's results, comma-separated, then, after a NUL byte (which
/// JSON text never holds), a notification if the file could not be checked or was skipped.
impl Reporter for Sarif {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        let prints = fingerprints(report);
        for (i, (d, fingerprint)) in report.diagnostics.iter().zip(prints).enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            serde_json::to_writer(&mut *out, &self.result(report, d, fingerprint))?;
        }
        let notification = if report.failed {
            let text = report
                .diagnostics
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let mut n = json!({
                "level": "error",
                "message": { "text": text },
                "locations": [{ "physicalLocation": { "artifactLocation": artifact(&report.path) } }],
            });
            if let Some(d) = report.diagnostics.first() {
                n["associatedRule"] = json!({ "id": d.rule.code.as_ref() });
                if let Some(&i) = self.index.get(d.rule.code.as_ref()) {
                    n["associatedRule"]["index"] = json!(i);
                }
            }
            Some(n)
        } else {
            report.skipped.as_ref().map(|reason| {
                json!({
                    "level": "note",
                    "message": { "text": format!("skipped {}: {reason}", report.path) },
                    "locations": [{ "physicalLocation": { "artifactLocation": artifact(&report.path) } }],
                })
            })
        };
        if let Some(n) = notification {
            out.push(0);
            serde_json::to_writer(&mut *out, &n)?;
        }
        Ok(())
    }

    fn write_fragment(&mut self, fragment: &[u8], out: &mut dyn Write) -> io::Result<()> {
        let (results, notification) = match fragment.iter().position(|&b| b == 0) {
            Some(nul) => (&fragment[..nul], Some(&fragment[nul + 1..])),
            None => (fragment, None),
        };
        if let Some(n) = notification {
            let n: Value = serde_json::from_slice(n)?;
            let path = n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("")
                .to_string();
            self.failures.push((path, n));
        }
        self.array.push(&self.opening, results, out)
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.array.open(&self.opening, out)?;
        // Stable: files come in path order, a file checked again (cross-document) later.
        self.failures.sort_by(|a, b| a.0.cmp(&b.0));
        let notifications: Vec<&Value> = self.failures.iter().map(|(_, n)| n).collect();
        let invocation = json!({
            "executionSuccessful": summary.failed == 0,
            "toolExecutionNotifications": notifications,
        });
        let mut properties = json!({ "summary": super::json::summary(summary) });
        if let Some(baseline) = &summary.baseline {
            properties["baseline"] = json!({ "matched": baseline.matched, "gone": baseline.gone });
        }
        write!(
            out,
            "\n],\"invocations\":[{invocation}],\"properties\":{properties}}}]}}\n"
        )
    }
}

/// SARIF's level for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The `artifactLocation` of a reported path: relative to `%SRCROOT%`, or an absolute
/// `file:` URI.
fn artifact(path: &str) -> Value {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    if std::path::Path::new(&path).is_absolute() || path.starts_with('/') {
        let uri = absolute_uri(std::path::Path::new(&path))
            .unwrap_or_else(|| format!("file://{}", encode(&path)));
        json!({ "uri": uri })
    } else {
        json!({ "uri": encode(&path), "uriBaseId": SRCROOT })
    }
}

/// `file:` URI of an absolute path (`file:///C:/x` on Windows).
fn absolute_uri(path: &std::path::Path) -> Option<String> {
    let text = path.to_str()?;
    let text = if cfg!(windows) {
        format!("/{}", text.replace('\\', "/"))
    } else {
        text.to_string()
    };
    text.starts_with('/')
        .then(|| format!("file://{}", encode(&text)))
}

/// Percent-encodes everything but unreserved characters and `/`: a path may hold spaces,
/// `#`, `?`, `%` or non-ASCII letters, which a URI reference cannot hold as they are, and a
/// `:` in the first segment would read as a scheme.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            encode("articles/back pain#1?.md"),
            "articles/back%20pain%231%3F.md"
        );
        assert_eq!(encode("a:b/ü.md"), "a%3Ab/%C3%BC.md");
        assert_eq!(
            artifact("a b.md"),
            json!({ "uri": "a%20b.md", "uriBaseId": "%SRCROOT%" })
        );
        if cfg!(unix) {
            assert_eq!(artifact("/srv/a.md"), json!({ "uri": "file:///srv/a.md" }));
        }
    }

    #[test]
    fn levels_follow_severities() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }
}
