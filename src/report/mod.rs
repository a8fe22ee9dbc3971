//! Output: takes [`FileReport`]s in path order and writes them in the chosen format, one file
//! per format; the run's [`Summary`] closes the output. Reporters write to any `io::Write` and
//! never decide exit codes. Every format is deterministic: same input, same bytes.

mod concise;
mod github;
pub mod json;
mod pretty;

use std::io::{self, Write};

pub use pretty::render_setup_error;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileReport;
use crate::source::{LineCol, LineIndex};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Annotated source snippets for people (ariadne).
    Pretty,
    /// One line per finding: `path:line:col: severity[CODE] message`.
    Concise,
    /// Versioned JSON for editors and tools (see `report/json.rs`).
    Json,
    /// GitHub Actions workflow commands (annotations on pull requests).
    Github,
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Targets seen (checked, skipped or failed).
    pub files: usize,
    /// Files whose text was checked.
    pub checked: usize,
    /// Files skipped on purpose, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Files that could not be checked.
    pub failed: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn add(&mut self, report: &FileReport) {
        self.files += 1;
        if report.failed {
            self.failed += 1;
        } else if let Some(reason) = &report.skipped {
            self.skipped.push((report.path.clone(), reason.clone()));
        } else {
            self.checked += 1;
        }
        self.count(&report.diagnostics);
    }

    /// Counts findings added to a file already counted (cross-document ones).
    pub fn count(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }

    /// One line for people: "Checked 3 files: 1 error, 2 warnings, 0 info."
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut line = format!(
            "Checked {}: {}, {}, {} info",
            plural(self.checked, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            self.infos
        );
        if !self.skipped.is_empty() {
            line.push_str(&format!("; skipped {}", plural(self.skipped.len(), "file")));
        }
        if self.failed > 0 {
            line.push_str(&format!(
                "; {} could not be checked",
                plural(self.failed, "file")
            ));
        }
        line.push('.');
        line
    }
}

/// Writes reports in one format, in two steps: a file's findings are rendered into a
/// fragment that depends on nothing else in the output (so worker threads render in parallel
/// and a fragment can be kept aside and written later), then fragments are written in path
/// order, where the reporter adds whatever joins them (JSON's commas).
pub trait Reporter: Sync {
    /// Renders one file's findings; an empty fragment means the file adds nothing.
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()>;
    /// Writes the next file's fragment.
    fn write_fragment(&mut self, fragment: &[u8], out: &mut dyn Write) -> io::Result<()> {
        out.write_all(fragment)
    }
    /// Renders and writes one file's findings.
    fn file(&mut self, report: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        let mut fragment = Vec::new();
        self.fragment(report, &mut fragment)?;
        self.write_fragment(&fragment, out)
    }
    /// Closes the output with the summary.
    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()>;
}

/// The reporter for a format. `color` applies to the pretty format only.
pub fn reporter(format: Format, color: bool) -> Box<dyn Reporter> {
    match format {
        Format::Pretty => Box::new(pretty::Pretty { color }),
        Format::Concise => Box::new(concise::Concise),
        Format::Json => Box::new(json::Json::default()),
        Format::Github => Box::new(github::Github),
    }
}

/// Line and column of a byte offset in a report's text; files without text (unreadable)
/// report 1:1.
pub(crate) fn position(report: &FileReport, offset: usize) -> LineCol {
    match &report.source {
        Some(source) => source.lines.line_col(&source.text, offset),
        None => LineIndex::default().line_col("", 0),
    }
}
