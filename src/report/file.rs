//! The outcome of checking one file, as every output format takes it: its findings, and its
//! text until the report is rendered. It lives with the formats, not with the engine that fills
//! it, so that a format (or a test) renders reports without the engine.

use std::sync::Arc;

use crate::diagnostic::{tool, Diagnostic};
use crate::source::SourceFile;

/// The outcome for one target.
#[derive(Debug)]
pub struct FileReport {
    /// The path as reported.
    pub path: String,
    /// The text, kept until the report is rendered (pretty output quotes it).
    pub source: Option<Arc<SourceFile>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Set when the file was skipped on purpose (binary content found while walking).
    pub skipped: Option<String>,
    /// Whether the file could not be checked (unreadable, bad encoding, internal error):
    /// such a run exits 2.
    pub failed: bool,
}

impl FileReport {
    /// The report of a file whose text was checked: it failed only if a check broke down.
    pub fn checked(path: String, source: SourceFile, diagnostics: Vec<Diagnostic>) -> FileReport {
        let failed = diagnostics.iter().any(|d| {
            let code = d.rule.code.as_ref();
            code == tool::INTERNAL_ERROR.code || code == tool::TIME_BUDGET.code
        });
        FileReport {
            path,
            source: Some(Arc::new(source)),
            diagnostics,
            skipped: None,
            failed,
        }
    }
}
