//! `--format jsonl`: one JSON object per document, one per line, in input order, for data
//! pipelines (a Spark stage, a queue consumer) that process documents one record at a time.
//!
//! In folder mode each line describes one file:
//!
//! ```json
//! {"path":"a.md","diagnostics":[…],"summary":{"error":0,"warning":1,"info":0}}
//! {"path":"img.md","skipped":"binary file (control bytes and not UTF-8 text)"}
//! ```
//!
//! With `--input jsonl` (see [`crate::stream`]) each line answers one input record and also
//! carries its 1-based input `line` and its `id` as given; a record that could not be read
//! has an `error` instead of `diagnostics`:
//!
//! ```json
//! {"line":1,"id":"page-1","path":"page-1","diagnostics":[…],"summary":{…}}
//! {"line":2,"id":null,"error":"line 2: not JSON: expected value at column 1"}
//! ```
//!
//! `diagnostics` holds the `--format json` version 1 objects (offsets into the record's
//! `text`). Every file or record gets exactly one line, findings or not, so output can be
//! joined back to input. There is no closing summary line; the run's summary goes to
//! standard error, as with `github`.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::{json::to_json, Counts, Reporter, Summary};
use crate::report::FileReport;

pub struct Jsonl;

/// A document's object without its input identity: `path`, then `diagnostics` and
/// `summary`, or `skipped`.
pub(crate) fn document_object(report: &FileReport) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("path".into(), json!(report.path));
    if let Some(reason) = &report.skipped {
        object.insert("skipped".into(), json!(reason));
        return object;
    }
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| serde_json::to_value(to_json(report, d)).unwrap_or(Value::Null))
        .collect();
    let counts = Counts::of(&report.diagnostics);
    object.insert("diagnostics".into(), Value::Array(diagnostics));
    object.insert(
        "summary".into(),
        json!({"error": counts.errors, "warning": counts.warnings, "info": counts.infos}),
    );
    object
}

/// Writes one object as one line.
pub(crate) fn write_line(object: &Map<String, Value>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, object)?;
    out.write_all(b"\n")
}

impl Reporter for Jsonl {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        write_line(&document_object(report), out)
    }

    fn finish(&mut self, _summary: &Summary, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn renders_the_sample_run_exactly() {
        let out = sample::render(Jsonl);
        let expected = concat!(
            "{\"diagnostics\":[{\"category\":\"consistency\",\"code\":\"HL401\",\"end\":{\"column\":15,\"column_utf16\":15,\"line\":3,\"offset\":30},\"help\":\"make the articles agree\",\"labels\":[{\"end\":{\"column\":15,\"column_utf16\":15,\"line\":3,\"offset\":30},\"message\":\"heat here\",\"primary\":true,\"start\":{\"column\":5,\"column_utf16\":5,\"line\":3,\"offset\":20}},{\"end\":{\"column\":8,\"column_utf16\":8,\"line\":4,\"offset\":53},\"message\":\"ice here\",\"primary\":false,\"start\":{\"column\":5,\"column_utf16\":5,\"line\":4,\"offset\":50}}],\"message\":\"this article says to heat a new sprain; another says to avoid heat\",\"name\":\"cross-document-conflict\",\"note\":\"first 48 hours\",\"path\":\"guide/ankle.md\",\"related\":[{\"end\":{\"column\":16,\"column_utf16\":16,\"line\":3,\"offset\":31},\"message\":\"says to avoid heat\",\"path\":\"other.md\",\"start\":{\"column\":5,\"column_utf16\":5,\"line\":3,\"offset\":20}}],\"severity\":\"warning\",\"start\":{\"column\":5,\"column_utf16\":5,\"line\":3,\"offset\":20}},{\"category\":\"claims\",\"code\":\"HL501\",\"end\":{\"column\":5,\"column_utf16\":5,\"line\":5,\"offset\":77},\"help\":null,\"labels\":[{\"end\":{\"column\":5,\"column_utf16\":5,\"line\":5,\"offset\":77},\"message\":\"stated here\",\"primary\":true,\"start\":{\"column\":10,\"column_utf16\":10,\"line\":4,\"offset\":55}}],\"message\":\"a figure (50%) without a source, stated as fact\",\"name\":\"unsupported-claim\",\"note\":null,\"path\":\"guide/ankle.md\",\"related\":[],\"severity\":\"error\",\"start\":{\"column\":10,\"column_utf16\":10,\"line\":4,\"offset\":55}}],\"path\":\"guide/ankle.md\",\"summary\":{\"error\":1,\"info\":0,\"warning\":1}}\n",
            "{\"diagnostics\":[],\"path\":\"guide/calm.md\",\"summary\":{\"error\":0,\"info\":0,\"warning\":0}}\n",
            "{\"path\":\"guide/photo.md\",\"skipped\":\"binary file (contains NUL bytes)\"}\n",
        );
        assert_eq!(out, expected);
        // A line per file, skipped files included, each a JSON object of its own.
        let paths: Vec<String> = out
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["path"].to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "\"guide/ankle.md\"",
                "\"guide/calm.md\"",
                "\"guide/photo.md\""
            ]
        );
    }
}
