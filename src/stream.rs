//! Stream mode (`check --input jsonl`): takes JSON lines on standard input, one document per
//! line, and hands on one JSON line per document in input order (the `--format jsonl` shape,
//! see [`crate::report::jsonl`]). It is the unit a data pipeline runs: a Spark stage pipes a
//! partition's records through it, with no files on disk.
//!
//! Input contract, one object per line:
//!
//! ```json
//! {"id": "page-1", "text": "# Back pain\n…", "format": "md", "path": "crawl/page-1.html"}
//! ```
//!
//! - `text` (a string) is required. `id` is any JSON value and is echoed back as given (`null`
//!   when absent). `format` is `md` (default), `markdown`, `mdx`, `txt` or `text`. `path` names
//!   the document in messages (default: the `id` when it is a string or number, else
//!   `<line N>`).
//! - Blank lines are not records and get no output line.
//! - A line that is not valid UTF-8 or JSON, is not an object, lacks a string `text`, or
//!   names an unknown `format` gets an output object with an `error` (its line number and the
//!   reason); the stream goes on and the run exits 2.
//!
//! Records are read in windows ([`WINDOW_RECORDS`] records or [`WINDOW_BYTES`] bytes, whichever
//! comes first), each window is checked in parallel and written in input order before the
//! next is read: memory holds one window, and output starts before input ends. The text of a
//! record is decoded as a file's bytes are (control characters read as spaces). There is no
//! cross-document comparison in this mode.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::diagnostic::tool;
use crate::engine::Linter;
use crate::report::jsonl::{document_object, write_line};
use crate::report::FileReport;
use crate::run::Outcome;
use crate::source::{Format, SourceError, SourceFile};

/// Records checked together (in parallel) before their output is written.
pub(crate) const WINDOW_RECORDS: usize = 256;
/// Bytes of input read into one window at most (a window closes early on large records).
pub(crate) const WINDOW_BYTES: usize = 32 * 1024 * 1024;

/// One input line: a document to check, or why it cannot be.
enum Record {
    Document {
        line: usize,
        id: Value,
        source: Result<SourceFile, SourceError>,
    },
    Bad {
        line: usize,
        id: Value,
        reason: String,
    },
}

/// Reads records from `input`, checks them with `jobs` threads and writes one JSON line per
/// record to `out`, window by window. Returns the run's outcome for the exit code.
pub fn run_stream(
    linter: &Linter,
    input: &mut dyn BufRead,
    jobs: usize,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let pool = crate::run::thread_pool(jobs)?;
    let mut outcome = Outcome::default();
    let mut line_no = 0;
    let mut buf = Vec::new();
    loop {
        let mut window = Vec::new();
        let mut bytes = 0;
        while window.len() < WINDOW_RECORDS && bytes < WINDOW_BYTES {
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            line_no += 1;
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            bytes += buf.len();
            window.push(parse(line_no, &buf));
        }
        if window.is_empty() {
            break;
        }
        let lines: Vec<(Map<String, Value>, Option<FileReport>)> =
            pool.install(|| window.into_par_iter().map(|r| check(linter, r)).collect());
        for (object, report) in lines {
            match report {
                Some(report) => outcome.add(linter, &report, None),
                None => {
                    outcome.summary.files += 1;
                    outcome.summary.failed += 1;
                    outcome.tool_error = true;
                }
            }
            write_line(&object, out)?;
        }
        out.flush()?;
    }
    Ok(outcome)
}

/// Reads one non-blank input line as a record.
fn parse(line: usize, bytes: &[u8]) -> Record {
    let bad = |id: Value, reason: String| Record::Bad {
        line,
        id,
        reason: format!("line {line}: {reason}"),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return bad(
                Value::Null,
                format!("not UTF-8 (invalid byte at column {})", e.valid_up_to() + 1),
            )
        }
    };
    let mut object = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return bad(Value::Null, "not a JSON object".into()),
        Err(e) => return bad(Value::Null, format!("not JSON: {e}")),
    };
    let id = object.remove("id").unwrap_or(Value::Null);
    let Some(Value::String(body)) = object.remove("text") else {
        return bad(id, "no `text` string".into());
    };
    let format = match object.get("format").map(|f| f.as_str()) {
        None | Some(Some("md" | "markdown" | "mdx")) => Format::Markdown,
        Some(Some("txt" | "text")) => Format::Plain,
        Some(other) => {
            let shown = other.map_or_else(|| object["format"].to_string(), str::to_string);
            return bad(
                id,
                format!("unknown `format` {shown:?} (md, markdown, mdx, txt or text)"),
            );
        }
    };
    let path = match (object.get("path"), &id) {
        (Some(Value::String(path)), _) => path.clone(),
        (_, Value::String(id)) => id.clone(),
        (_, Value::Number(id)) => id.to_string(),
        _ => format!("<line {line}>"),
    };
    Record::Document {
        line,
        id,
        source: SourceFile::from_bytes(PathBuf::from(path), format, body.into_bytes()),
    }
}

/// Checks one record: its output object, and its report for the counts (none for a record
/// that could not be read).
fn check(linter: &Linter, record: Record) -> (Map<String, Value>, Option<FileReport>) {
    let mut object = Map::new();
    match record {
        Record::Bad { line, id, reason } => {
            object.insert("line".into(), json!(line));
            object.insert("id".into(), id);
            object.insert("error".into(), json!(reason));
            (object, None)
        }
        Record::Document { line, id, source } => {
            object.insert("line".into(), json!(line));
            object.insert("id".into(), id);
            let report = match source {
                Ok(source) => {
                    let diagnostics = linter.check_source(&source);
                    let path = crate::source::display_path(&source.path);
                    FileReport::checked(path, source, diagnostics)
                }
                Err(err) => {
                    let d = tool::UNREADABLE.file_diagnostic(format!("cannot check: {err}"));
                    FileReport {
                        path: format!("<line {line}>"),
                        source: None,
                        diagnostics: vec![d],
                        skipped: None,
                        failed: true,
                    }
                }
            };
            object.extend(document_object(&report));
            (object, Some(report))
        }
    }
}
