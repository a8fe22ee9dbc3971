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
use crate::engine::FileReport;

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
