//! `--format json`: the machine-readable contract for editors, CI tools and `eval/score.py`.
//!
//! One JSON object is written to standard output (streamed, so memory does not grow with the
//! number of files):
//!
//! ```json
//! {
//!   "version": 1,
//!   "diagnostics": [
//!     {
//!       "path": "articles/back-pain.md",
//!       "code": "HL101",
//!       "name": "low-back-pain-without-warning-signs",
//!       "category": "red-flags",
//!       "severity": "warning",
//!       "message": "this article about low back pain never says …",
//!       "start": { "offset": 2, "line": 1, "column": 3, "column_utf16": 3 },
//!       "end":   { "offset": 16, "line": 1, "column": 17, "column_utf16": 17 },
//!       "labels": [
//!         { "primary": true, "message": "…", "start": { … }, "end": { … } }
//!       ],
//!       "help": "add a 'When to get help' section …",
//!       "note": null,
//!       "related": [
//!         { "path": "other.md", "message": "…", "start": { … }, "end": { … } }
//!       ]
//!     }
//!   ],
//!   "skipped": [ { "path": "img.md", "reason": "binary file (contains NUL bytes)" } ],
//!   "summary": { "files": 2, "checked": 1, "skipped": 1, "failed": 0,
//!                "error": 0, "warning": 1, "info": 0 }
//! }
//! ```
//!
//! With `--baseline`, `summary` also has `"baseline": { "matched": 40, "gone": 2 }`: the
//! findings the baseline hid and its entries that matched nothing (see `baseline.rs`).
//!
//! - `version` changes only when a field is removed or changes meaning; new fields may be
//!   added in version 1.
//! - Diagnostics are sorted by path, then start offset, then code.
//! - `offset` is a byte offset into the file's text (after decoding: a UTF-8 byte-order mark
//!   is not counted, UTF-16 files are measured as their UTF-8 text). `line` and `column` are
//!   1-based; `column` counts Unicode scalar values (characters), not bytes, and
//!   `column_utf16` (also 1-based) counts UTF-16 code units, as LSP clients, VS Code and
//!   JavaScript do: it is larger than `column` after a character outside the Basic
//!   Multilingual Plane, such as an emoji. `related` positions have all four, counted when
//!   the other file was read.
//! - `end` is exclusive. File-level findings (an unreadable file) span `0..0` at 1:1.
//! - `severity` is `error`, `warning` or `info`; `category` is one of `input`, `red-flags`,
//!   `drug-promotion`, `contradiction`, `consistency`, `claims`, `readability`.
//! - `labels[0]` is the primary label (`primary: true`); the others point at further text
//!   the finding relies on (claims, the second statement of a contradiction).
//! - `related` holds locations in *other* files (cross-document findings).
//!
//! `--statistics` writes another object, with `statistics` (counts per rule) in place of
//! `diagnostics` and the same `version`, `skipped` and `summary`: see `statistics.rs`.

use std::io::{self, Write};

use serde::Serialize;

use super::{position, Reporter, Summary};
use crate::diagnostic::Diagnostic;
use crate::report::FileReport;
use crate::source::LineCol;

/// The JSON format version.
pub(crate) const VERSION: u32 = 1;

#[derive(Default)]
pub struct Json {
    array: StreamedArray,
}

/// A JSON array written file by file, as the files' reports come in: its opening once (before
/// the first fragment, or at the end for a run with none), then each non-empty fragment after a
/// comma. The `json` and `gitlab` formats both stream their findings so.
#[derive(Default)]
pub(crate) struct StreamedArray {
    started: bool,
    wrote_any: bool,
}

impl StreamedArray {
    /// Writes `opening` (the text up to and including `[`) unless it is written already.
    pub(crate) fn open(&mut self, opening: &str, out: &mut dyn Write) -> io::Result<()> {
        if !self.started {
            out.write_all(opening.as_bytes())?;
            self.started = true;
        }
        Ok(())
    }

    /// Writes one file's fragment: elements separated by commas, starting with a line break.
    pub(crate) fn push(
        &mut self,
        opening: &str,
        fragment: &[u8],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.open(opening, out)?;
        if !fragment.is_empty() {
            if self.wrote_any {
                out.write_all(b",")?;
            }
            out.write_all(fragment)?;
            self.wrote_any = true;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct Position {
    offset: usize,
    line: usize,
    column: usize,
    /// The column in UTF-16 code units (1-based), as LSP clients and JavaScript count.
    column_utf16: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    primary: bool,
    message: Option<&'a str>,
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    message: &'a str,
    start: Position,
    end: Position,
}

#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'a str,
    name: &'a str,
    category: &'a str,
    severity: &'a str,
    message: &'a str,
    start: Position,
    end: Position,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    note: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

fn pos(offset: usize, at: LineCol) -> Position {
    Position {
        offset,
        line: at.line,
        column: at.column,
        column_utf16: at.column_utf16,
    }
}

/// One diagnostic in the version 1 shape (shared with `--format jsonl`).
pub(crate) fn to_json<'a>(report: &'a FileReport, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let at = |offset: usize| pos(offset, position(report, offset));
    let mut labels = vec![JsonLabel {
        primary: true,
        message: d.primary.message.as_deref(),
        start: at(d.primary.range.start),
        end: at(d.primary.range.end),
    }];
    labels.extend(d.secondary.iter().map(|l| JsonLabel {
        primary: false,
        message: l.message.as_deref(),
        start: at(l.range.start),
        end: at(l.range.end),
    }));
    JsonDiagnostic {
        path: &report.path,
        code: &d.rule.code,
        name: &d.rule.name,
        category: &d.rule.category,
        severity: d.severity.as_str(),
        message: &d.message,
        start: at(d.primary.range.start),
        end: at(d.primary.range.end),
        labels,
        help: d.help.as_deref(),
        note: d.note.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| JsonRelated {
                path: &r.path,
                message: &r.message,
                start: pos(r.range.start, r.start),
                end: pos(r.range.end, r.end),
            })
            .collect(),
    }
}

impl Json {
    fn opening() -> String {
        format!("{{\"version\":{VERSION},\"diagnostics\":[")
    }
}

impl Reporter for Json {
    /// The file's diagnostics, each on its own line, separated by commas.
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        for (i, d) in report.diagnostics.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            serde_json::to_writer(&mut *out, &to_json(report, d))?;
        }
        Ok(())
    }

    fn write_fragment(&mut self, fragment: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.array.push(&Json::opening(), fragment, out)
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.array.open(&Json::opening(), out)?;
        write!(
            out,
            "\n],\"skipped\":{},\"summary\":{}}}\n",
            skipped(summary),
            self::summary(summary)
        )
    }
}

/// The `skipped` list (shared with `--statistics`).
pub(crate) fn skipped(summary: &Summary) -> serde_json::Value {
    let skipped: Vec<serde_json::Value> = summary
        .skipped
        .iter()
        .map(|(path, reason)| serde_json::json!({ "path": path, "reason": reason }))
        .collect();
    serde_json::Value::Array(skipped)
}

/// The `summary` object (shared with `--statistics`).
pub(crate) fn summary(summary: &Summary) -> serde_json::Value {
    let mut object = serde_json::json!({
        "files": summary.files,
        "checked": summary.checked,
        "skipped": summary.skipped.len(),
        "failed": summary.failed,
        "error": summary.errors,
        "warning": summary.warnings,
        "info": summary.infos,
    });
    if let Some(b) = summary.baseline {
        object["baseline"] = serde_json::json!({ "matched": b.matched, "gone": b.gone });
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn renders_the_sample_run_exactly() {
        let out = sample::render(Json::default());
        let expected = concat!(
            "{\"version\":1,\"diagnostics\":[\n",
            "{\"path\":\"guide/ankle.md\",\"code\":\"HL401\",\"name\":\"cross-document-conflict\",\"category\":\"consistency\",\"severity\":\"warning\",\"message\":\"this article says to heat a new sprain; another says to avoid heat\",\"start\":{\"offset\":20,\"line\":3,\"column\":5,\"column_utf16\":5},\"end\":{\"offset\":30,\"line\":3,\"column\":15,\"column_utf16\":15},\"labels\":[{\"primary\":true,\"message\":\"heat here\",\"start\":{\"offset\":20,\"line\":3,\"column\":5,\"column_utf16\":5},\"end\":{\"offset\":30,\"line\":3,\"column\":15,\"column_utf16\":15}},{\"primary\":false,\"message\":\"ice here\",\"start\":{\"offset\":50,\"line\":4,\"column\":5,\"column_utf16\":5},\"end\":{\"offset\":53,\"line\":4,\"column\":8,\"column_utf16\":8}}],\"help\":\"make the articles agree\",\"note\":\"first 48 hours\",\"related\":[{\"path\":\"other.md\",\"message\":\"says to avoid heat\",\"start\":{\"offset\":20,\"line\":3,\"column\":5,\"column_utf16\":5},\"end\":{\"offset\":31,\"line\":3,\"column\":16,\"column_utf16\":16}}]},\n",
            "{\"path\":\"guide/ankle.md\",\"code\":\"HL501\",\"name\":\"unsupported-claim\",\"category\":\"claims\",\"severity\":\"error\",\"message\":\"a figure (50%) without a source, stated as fact\",\"start\":{\"offset\":55,\"line\":4,\"column\":10,\"column_utf16\":10},\"end\":{\"offset\":77,\"line\":5,\"column\":5,\"column_utf16\":5},\"labels\":[{\"primary\":true,\"message\":\"stated here\",\"start\":{\"offset\":55,\"line\":4,\"column\":10,\"column_utf16\":10},\"end\":{\"offset\":77,\"line\":5,\"column\":5,\"column_utf16\":5}}],\"help\":null,\"note\":null,\"related\":[]}\n",
            "],\"skipped\":[{\"path\":\"guide/photo.md\",\"reason\":\"binary file (contains NUL bytes)\"}],\"summary\":{\"checked\":2,\"error\":1,\"failed\":0,\"files\":3,\"info\":0,\"skipped\":1,\"warning\":1}}\n",
        );
        assert_eq!(out, expected);
        // The streamed fragments make one valid JSON document.
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["diagnostics"].as_array().unwrap().len(), 2);
    }

    /// Issue 19: an LSP client counts UTF-16 units, and an emoji is two of them.
    #[test]
    fn positions_give_the_utf16_column_beside_the_character_column() {
        use crate::diagnostic::{tool, Label};
        use crate::source::{Format, SourceFile};
        let text = "# Pain\r\n😀 a miracle cure\r\n";
        let start = text.find("miracle").unwrap();
        let end = text.find("\r\n").unwrap();
        let d = tool::CONTROL_CHARACTERS.diagnostic(Label::bare(start..start + 12), "x");
        let cr = tool::CONTROL_CHARACTERS.diagnostic(Label::bare(end..end + 1), "x");
        let source = SourceFile::from_text("a.md", Format::Markdown, text);
        let report = FileReport::checked("a.md".into(), source, vec![d, cr]);
        let json = serde_json::to_value(to_json(&report, &report.diagnostics[0])).unwrap();
        assert_eq!(
            json["start"],
            serde_json::json!({"offset": start, "line": 2, "column": 5, "column_utf16": 6})
        );
        assert_eq!(json["end"]["column_utf16"], 18);
        // A CR before the line break is not counted, as in `column`.
        let json = serde_json::to_value(to_json(&report, &report.diagnostics[1])).unwrap();
        assert_eq!(json["end"]["column"], 7);
        assert_eq!(json["end"]["column_utf16"], 7);
    }
}
