//! Output: takes [`FileReport`]s in path order and writes them in the chosen format, one file
//! per format; the run's [`Summary`] closes the output. Reporters write to any `io::Write` and
//! never decide exit codes or where the output goes. Every format is deterministic: same
//! input, same bytes. `--statistics` is one more reporter ([`statistics()`]): counts per
//! rule in place of the findings.

mod concise;
mod file;
pub(crate) mod fingerprint;
mod github;
mod gitlab;
pub(crate) mod json;
pub(crate) mod jsonl;
mod junit;
mod pretty;
pub(crate) mod sarif;
pub(crate) mod statistics;

use std::io::{self, Write};

pub use file::FileReport;
pub use pretty::render_setup_error;

use crate::check::RuleSet;
use crate::config::Settings;
use crate::diagnostic::{Diagnostic, Severity};
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
    /// One JSON object per line and per document, in input order (see `report/jsonl.rs`):
    /// for pipelines such as a Spark stage, with `--input jsonl`.
    Jsonl,
    /// GitLab Code Quality JSON, with fingerprints (see `report/gitlab.rs`).
    Gitlab,
    /// JUnit XML: a testsuite per file, a testcase per finding (see `report/junit.rs`).
    Junit,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers (see `report/sarif.rs`).
    Sarif,
}

impl Format {
    /// Whether the format's document has no place for the summary line (and, for some, the
    /// skipped files), which then go to standard error.
    pub fn summary_on_stderr(self) -> bool {
        matches!(
            self,
            Format::Github | Format::Jsonl | Format::Gitlab | Format::Junit | Format::Sarif
        )
    }
}

/// How many findings of each severity one file has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub errors: u32,
    pub warnings: u32,
    pub infos: u32,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }
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
    /// With `--baseline`: what the baseline hid and what of it is gone.
    pub baseline: Option<BaselineCounts>,
}

/// How a run compared with its baseline (see `baseline.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaselineCounts {
    /// Findings that are in the baseline, and so not reported.
    pub matched: usize,
    /// Baseline entries for files of this run (or files that no longer exist) that matched
    /// no finding: fixed, or changed beyond recognition.
    pub gone: usize,
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
        let counts = Counts::of(&report.diagnostics);
        self.errors += counts.errors as usize;
        self.warnings += counts.warnings as usize;
        self.infos += counts.infos as usize;
    }

    /// Takes back a checked file's counts, before it is counted again (a file checked a
    /// second time to merge in its cross-document findings).
    pub(crate) fn retract(&mut self, counts: Counts) {
        self.files = self.files.saturating_sub(1);
        self.checked = self.checked.saturating_sub(1);
        self.errors = self.errors.saturating_sub(counts.errors as usize);
        self.warnings = self.warnings.saturating_sub(counts.warnings as usize);
        self.infos = self.infos.saturating_sub(counts.infos as usize);
    }

    /// One line for people: "Checked 3 files: 1 error, 2 warnings, 0 info."
    pub fn line(&self) -> String {
        self.line_counting("file")
    }

    /// The summary line with what was checked called `unit`: stream mode checks records
    /// ("Checked 3 records: …"), not files.
    pub fn line_counting(&self, unit: &str) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut line = format!(
            "Checked {}: {}, {}, {} info",
            plural(self.checked, unit),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            self.infos
        );
        if !self.skipped.is_empty() {
            line.push_str(&format!("; skipped {}", plural(self.skipped.len(), unit)));
        }
        if self.failed > 0 {
            line.push_str(&format!(
                "; {} could not be checked",
                plural(self.failed, unit)
            ));
        }
        if let Some(b) = self.baseline {
            let entries = if b.gone == 1 { "entry" } else { "entries" };
            line.push_str(&format!(
                "; {} in the baseline not reported, {} baseline {entries} gone",
                plural(b.matched, "finding"),
                b.gone
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
    /// One file's fragment, as a buffer of its own.
    fn render(&self, report: &FileReport) -> io::Result<Vec<u8>> {
        let mut fragment = Vec::new();
        self.fragment(report, &mut fragment)?;
        Ok(fragment)
    }
    /// Renders and writes one file's findings.
    fn file(&mut self, report: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        let fragment = self.render(report)?;
        self.write_fragment(&fragment, out)
    }
    /// Closes the output with the summary.
    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()>;
}

/// How a run's output is written, beyond its format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Colour (pretty output only).
    pub color: bool,
    /// Findings only (`--quiet`): the formats read by people leave out the skipped-file notes
    /// and the summary line. The machine formats are unchanged: their closing summary is part
    /// of the document a parser expects.
    pub quiet: bool,
    /// Columns that `pretty` wraps help and notes to; `None`: [`pretty::DEFAULT_WIDTH`].
    pub width: Option<usize>,
}

/// What a run checks with, for the formats that describe it (`sarif` starts with the rule
/// list and says whether a baseline is in use).
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    pub rules: &'a RuleSet,
    pub settings: &'a Settings,
    pub baseline: bool,
}

/// The reporter for a format.
pub fn reporter(format: Format, options: Options, run: Run<'_>) -> Box<dyn Reporter> {
    let Options {
        color,
        quiet,
        width,
    } = options;
    match format {
        Format::Pretty => Box::new(pretty::Pretty {
            color,
            quiet,
            width: width.unwrap_or(pretty::DEFAULT_WIDTH),
        }),
        Format::Concise => Box::new(concise::Concise { quiet }),
        Format::Json => Box::new(json::Json::default()),
        Format::Github => Box::new(github::Github),
        Format::Jsonl => Box::new(jsonl::Jsonl),
        Format::Gitlab => Box::new(gitlab::Gitlab::default()),
        Format::Junit => Box::new(junit::Junit::default()),
        Format::Sarif => {
            let cwd = std::env::current_dir().ok();
            Box::new(sarif::Sarif::new(
                sarif::RuleInfo::all(run.rules, run.settings),
                cwd.as_deref(),
                run.baseline,
            ))
        }
    }
}

/// The `--statistics` reporter for a format: a table for the formats read by people, a JSON
/// document for `json`; `None` for the formats that have no place for counts (GitHub
/// annotations, one line per document, GitLab Code Quality issues, JUnit testcases, SARIF
/// results). `quiet` leaves out the table's closing lines, as [`Options::quiet`] does.
pub fn statistics(format: Format, quiet: bool) -> Option<Box<dyn Reporter>> {
    let style = match format {
        Format::Pretty | Format::Concise => statistics::Style::Table,
        Format::Json => statistics::Style::Json,
        Format::Github | Format::Jsonl | Format::Gitlab | Format::Junit | Format::Sarif => {
            return None
        }
    };
    Some(Box::new(statistics::Statistics::new(style, quiet)))
}

/// How the formats read by people close: a note per skipped file, then the summary line;
/// with `--quiet`, nothing.
fn close_for_people(summary: &Summary, quiet: bool, out: &mut dyn Write) -> io::Result<()> {
    if quiet {
        return Ok(());
    }
    for (path, reason) in &summary.skipped {
        writeln!(out, "note: skipped {path}: {reason}")?;
    }
    writeln!(out, "{}", summary.line())
}

/// Line and column of a byte offset in a report's text; files without text (unreadable)
/// report 1:1.
pub(crate) fn position(report: &FileReport, offset: usize) -> LineCol {
    match &report.source {
        Some(source) => source.lines.line_col(&source.text, offset),
        None => LineIndex::default().line_col("", 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::tool;

    fn report(path: &str, severities: &[Severity], failed: bool) -> FileReport {
        let diagnostics = severities
            .iter()
            .map(|&s| {
                let mut d = tool::UNREADABLE.file_diagnostic("x");
                d.severity = s;
                d
            })
            .collect();
        FileReport {
            path: path.to_string(),
            source: None,
            diagnostics,
            skipped: None,
            failed,
        }
    }

    /// Regression: a file checked again for its cross-document findings was counted with its
    /// first report's findings plus the new ones, even when the second check printed other
    /// findings (the file had changed, or could no longer be read).
    #[test]
    fn a_file_checked_again_is_counted_as_its_last_report() {
        let first = report("a.md", &[Severity::Warning, Severity::Warning], false);
        let again = report("a.md", &[Severity::Error], true);
        let other = report("b.md", &[Severity::Info], false);
        let mut summary = Summary::default();
        summary.add(&first);
        summary.add(&other);
        summary.retract(Counts::of(&first.diagnostics));
        summary.add(&again);
        let mut expected = Summary::default();
        expected.add(&other);
        expected.add(&again);
        assert_eq!(summary, expected);
        assert_eq!((summary.files, summary.checked, summary.failed), (2, 1, 1));
    }
}

/// A small in-memory run for the format tests: one file with a cross-document finding (a
/// primary and a secondary label, help, a note and a related location in another file) and
/// an error spanning two lines, one file with no finding, and one skipped file.
#[cfg(test)]
pub(crate) mod sample {
    use std::sync::Arc;

    use super::{Reporter, Summary};
    use crate::diagnostic::{Diagnostic, Label, Related, RuleId, Severity};
    use crate::report::FileReport;
    use crate::source::{Format, LineCol, SourceFile};

    pub const TEXT: &str =
        "# Ankle sprain\n\nPut heat on it straight away.\nUse ice: 50% of pain goes,\nthen rest.\n";

    fn at(needle: &str) -> std::ops::Range<usize> {
        let start = TEXT.find(needle).expect("needle is in the sample");
        start..start + needle.len()
    }

    fn rule(code: &str, name: &str, category: &str) -> RuleId {
        RuleId {
            code: code.into(),
            name: name.into(),
            category: category.into(),
        }
    }

    pub fn reports() -> Vec<FileReport> {
        let source = Arc::new(SourceFile::from_text(
            "guide/ankle.md",
            Format::Markdown,
            TEXT,
        ));
        let mut conflict = Diagnostic::new(
            rule("HL401", "cross-document-conflict", "consistency"),
            Severity::Warning,
            "this article says to heat a new sprain; another says to avoid heat",
            Label::new(at("heat on it"), "heat here"),
        )
        .with_label(Label::new(at("ice"), "ice here"))
        .with_help("make the articles agree")
        .with_note("first 48 hours");
        conflict.related.push(Related {
            path: "other.md".to_string(),
            range: 20..31,
            start: LineCol {
                line: 3,
                column: 5,
                column_utf16: 5,
            },
            end: LineCol {
                line: 3,
                column: 16,
                column_utf16: 16,
            },
            message: "says to avoid heat".to_string(),
        });
        let claim = Diagnostic::new(
            rule("HL501", "unsupported-claim", "claims"),
            Severity::Error,
            "a figure (50%) without a source, stated as fact",
            Label::new(at("50% of pain goes,\nthen"), "stated here"),
        );
        vec![
            FileReport {
                path: "guide/ankle.md".to_string(),
                source: Some(source),
                diagnostics: vec![conflict, claim],
                skipped: None,
                failed: false,
            },
            FileReport {
                path: "guide/calm.md".to_string(),
                source: Some(Arc::new(SourceFile::from_text(
                    "guide/calm.md",
                    Format::Markdown,
                    "# Sleep\n\nA calm page.\n",
                ))),
                diagnostics: Vec::new(),
                skipped: None,
                failed: false,
            },
            FileReport {
                path: "guide/photo.md".to_string(),
                source: None,
                diagnostics: Vec::new(),
                skipped: Some("binary file (contains NUL bytes)".to_string()),
                failed: false,
            },
        ]
    }

    /// The sample run rendered by `reporter`, fragment by fragment as the run loop does.
    pub fn render(mut reporter: impl Reporter) -> String {
        let mut out = Vec::new();
        let mut summary = Summary::default();
        for report in reports() {
            summary.add(&report);
            reporter.file(&report, &mut out).unwrap();
        }
        reporter.finish(&summary, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}
