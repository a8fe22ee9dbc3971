//! The per-file pipeline: takes a [`Target`] and the compiled [`RuleSet`] and hands on a
//! [`FileReport`]: source → document → one pattern scan → every selected check → severity
//! overrides → suppressions → findings sorted by position; with the cross-document stage, also
//! what the file hands on to each comparison, taken from what its checks worked out (a file is
//! parsed and scanned once). Work that several rules of a kind need is done once per file, on
//! first use ([`FileState`]). Reading problems become `HL0xx` findings for that file, and a
//! panic inside the checks becomes `HL000` for that file, so one bad article never stops a
//! run. The engine knows no rule kind.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::baseline::Baseline;
use crate::budget;
use crate::check::{Across, Handed, RuleSet};
use crate::config::{self, Locale, Settings};
use crate::diagnostic::{tool, Diagnostic, Label, Severity};
use crate::discover::Target;
use crate::document::{Directive, Document};
use crate::report::FileReport;
use crate::source::{display_path, Format, SourceError, SourceFile};
use crate::suppress;

/// What one checked file hands on to the cross-document stage: one value per comparison of
/// the run, and its suppression comments, to finish its report once every file is seen.
pub(crate) struct Handing {
    pub handed: Vec<Option<Handed>>,
    pub directives: Vec<Directive>,
}

impl Handing {
    /// Whether the file handed anything on.
    pub fn any(&self) -> bool {
        self.handed.iter().any(Option::is_some)
    }
}

/// The comparisons a file hands on to.
type Comparisons<'c, 'r> = &'c [Box<dyn Across + 'r>];

/// Compiled rules plus settings: everything needed to check files, shared by all threads.
#[derive(Debug)]
pub struct Linter {
    pub rules: RuleSet,
    pub settings: Settings,
    /// Known findings not to report (`check --baseline`).
    pub baseline: Option<Baseline>,
}

impl Linter {
    pub fn new(rules: RuleSet, settings: Settings) -> Linter {
        Linter {
            rules,
            settings,
            baseline: None,
        }
    }

    /// Leaves out of a finished report (cross-document findings merged in) what
    /// `[per-file-ignores]` and the baseline say not to report; returns how many findings
    /// the baseline matched, `None` when it has no entry for the file.
    pub(crate) fn filter_report(&self, report: &mut FileReport) -> Option<usize> {
        if !self.settings.per_file_ignores.is_empty() {
            let path = std::path::Path::new(&report.path);
            report
                .diagnostics
                .retain(|d| !self.settings.ignores_in_file(path, &d.rule.code));
        }
        self.baseline.as_ref()?.filter(report)
    }

    /// Checks one target; `stdin` holds standard input's bytes when the target is `-`.
    pub fn check_target(&self, target: &Target, stdin: Option<&[u8]>) -> FileReport {
        self.check_target_handing_on(target, stdin, &[]).0
    }

    /// Checks one target and, with `comparisons`, also hands on what the file gives each
    /// (nothing when the file cannot be read or a check panics).
    pub(crate) fn check_target_handing_on(
        &self,
        target: &Target,
        stdin: Option<&[u8]>,
        comparisons: Comparisons<'_, '_>,
    ) -> (FileReport, Option<Handing>) {
        let path = display_path(target.path());
        let read = match target {
            Target::File {
                path: p, format, ..
            } => SourceFile::read(p, *format),
            Target::Stdin { name, format } => SourceFile::from_bytes(
                name.clone(),
                *format,
                stdin.map(<[u8]>::to_vec).unwrap_or_default(),
            ),
            Target::Unreadable { reason, .. } => {
                let d =
                    tool::UNREADABLE.file_diagnostic(format!("cannot check `{path}`: {reason}"));
                let report = FileReport {
                    path,
                    source: None,
                    diagnostics: vec![d],
                    skipped: None,
                    failed: true,
                };
                return (report, None);
            }
            Target::Skipped { reason, .. } => {
                let report = FileReport {
                    path,
                    source: None,
                    diagnostics: Vec::new(),
                    skipped: Some(reason.clone()),
                    failed: false,
                };
                return (report, None);
            }
        };
        let explicit = !matches!(
            target,
            Target::File {
                explicit: false,
                ..
            }
        );
        let report = match read {
            Ok(source) => {
                let (diagnostics, handing) = self.check_source_handing_on(&source, comparisons);
                return (FileReport::checked(path, source, diagnostics), handing);
            }
            Err(SourceError::Binary) if !explicit => FileReport {
                path,
                source: None,
                diagnostics: Vec::new(),
                skipped: Some("binary file (control bytes and not UTF-8 text)".to_string()),
                failed: false,
            },
            Err(err) => {
                let rule = match err {
                    SourceError::Binary => &tool::BINARY,
                    SourceError::InvalidUtf8 { .. } | SourceError::InvalidUtf16 { .. } => {
                        &tool::BAD_ENCODING
                    }
                    SourceError::Io(_) | SourceError::TooLarge { .. } => &tool::UNREADABLE,
                };
                let d = rule.file_diagnostic(format!("cannot check `{path}`: {err}"));
                FileReport {
                    path,
                    source: None,
                    diagnostics: vec![d],
                    skipped: None,
                    failed: true,
                }
            }
        };
        (report, None)
    }

    /// Runs every selected check over a decoded file, then overrides and suppressions.
    pub fn check_source(&self, source: &SourceFile) -> Vec<Diagnostic> {
        self.check_source_handing_on(source, &[]).0
    }

    fn check_source_handing_on(
        &self,
        source: &SourceFile,
        comparisons: Comparisons<'_, '_>,
    ) -> (Vec<Diagnostic>, Option<Handing>) {
        let outcome = {
            // Dropped before anything below runs, so that only the checks are timed.
            let _deadline = budget::Deadline::start(self.settings.time_budget);
            catch_unwind(AssertUnwindSafe(|| self.run_checks(source, comparisons)))
        };
        let (mut diagnostics, handing) = outcome.unwrap_or_else(|payload| {
            if payload.is::<budget::OverBudget>() {
                let d = tool::TIME_BUDGET
                    .file_diagnostic(format!(
                        "checking `{}` took longer than the time budget of {}: it was stopped, and \
                         its findings are not reported",
                        display_path(&source.path),
                        budget::describe(self.settings.time_budget)
                    ))
                    .with_help(
                        "no article should take this long: please report the file; to allow \
                         more time, raise `time-budget` in healthlint.toml or pass `--time-budget`",
                    );
                return (vec![d], None);
            }
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let d = tool::INTERNAL_ERROR
                .file_diagnostic(format!("internal error while checking this file: {what}"))
                .with_help("this is a bug in healthlint; please report it together with the file");
            (vec![d], None)
        });
        if let Some(encoding) = source.decoded_from {
            if let Some(first) = diagnostics.first_mut() {
                first
                    .note
                    .get_or_insert_with(|| format!("the file was decoded from {encoding}"));
            }
        }
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        (diagnostics, handing)
    }

    fn run_checks(
        &self,
        source: &SourceFile,
        comparisons: Comparisons<'_, '_>,
    ) -> (Vec<Diagnostic>, Option<Handing>) {
        // The time budget is checked between stages and rules, besides inside their loops.
        budget::check();
        let doc = Document::parse(source);
        budget::check();
        let hits = self.rules.patterns.scan(&doc.prose);
        let file = self.rules.file_state();
        let locale = self.settings.locale;
        let mut diagnostics = Vec::new();
        for (rule, check) in self.rules.running() {
            budget::check();
            let cx = self.rules.context(&doc, &hits, &file, &rule.meta, locale);
            let first = diagnostics.len();
            self.rules.run(rule, check, &cx, &mut diagnostics);
            if &*rule.meta.id.category == "red-flags" && locale != Some(Locale::Uk) {
                // Red-flag rule files name UK services ("call 999 or go to A&E"); readers
                // elsewhere need their own numbers, or neutral wording when no locale is set.
                for d in &mut diagnostics[first..] {
                    config::localize_diagnostic(d, locale);
                }
            }
            if let Some(severity) = self.settings.severity_for(&rule.meta.id.code) {
                // The override replaces the rule's default severity; findings the rule itself
                // reports below its default (incomplete coverage, as info) stay as they are.
                for d in &mut diagnostics[first..] {
                    if d.severity >= rule.meta.severity {
                        d.severity = severity;
                    }
                }
            }
        }
        budget::check();
        input_findings(source, &doc, &mut diagnostics);
        // What the comparisons read is the file's, not a rule's: any rule's context serves.
        let first = self.rules.rules.first().filter(|_| !comparisons.is_empty());
        let handing = first.map(|rule| {
            let cx = self.rules.context(&doc, &hits, &file, &rule.meta, locale);
            let handed: Vec<Option<Handed>> =
                comparisons.iter().map(|c| c.hand_on(&cx, source)).collect();
            // Only a file that hands something on can get findings to suppress later.
            let directives = if handed.iter().any(Option::is_some) {
                doc.directives.clone()
            } else {
                Vec::new()
            };
            Handing { handed, directives }
        });
        let is_enabled = |prefix: &str| {
            self.rules.rules.iter().any(|r| {
                r.check.is_some() && !r.compared_only && r.meta.id.code.starts_with(prefix)
            }) || tool::ALL
                .iter()
                .any(|t| t.code.starts_with(prefix) && self.settings.is_enabled(t.code))
        };
        let mut diagnostics = suppress::apply(
            &source.text,
            &source.lines,
            &doc.directives,
            diagnostics,
            &is_enabled,
        );
        // Tool findings produced by suppression follow the selection and overrides too.
        diagnostics
            .retain(|d| !d.rule.code.starts_with("HL0") || self.settings.is_enabled(&d.rule.code));
        for d in diagnostics
            .iter_mut()
            .filter(|d| d.rule.code.starts_with("HL0"))
        {
            if let Some(s) = self.settings.severity_for(&d.rule.code) {
                d.severity = s;
            }
        }
        (diagnostics, handing)
    }

    /// Convenience for tests and tools: checks text as if it were a file at `path`.
    pub fn check_text(&self, path: &str, format: Format, text: &str) -> Vec<Diagnostic> {
        self.check_source(&SourceFile::from_text(path, format, text))
    }

    /// What the output formats are told of this run.
    pub fn run(&self) -> crate::report::Run<'_> {
        crate::report::Run {
            rules: &self.rules,
            settings: &self.settings,
            baseline: self.baseline.is_some(),
        }
    }

    /// The worst severity that counts toward the exit code.
    pub fn fails(&self, severity: Severity) -> bool {
        self.settings.fail_on.fails(severity)
    }
}

/// Findings about the input itself that the text allows to check anyway: what was read
/// differently from how it is stored, or not read at all. They go through selection and
/// suppression like rule findings.
fn input_findings(source: &SourceFile, doc: &Document<'_>, out: &mut Vec<Diagnostic>) {
    let n = source.control_chars;
    if n > 0 {
        let (s, were) = if n == 1 { ("", "was") } else { ("s", "were") };
        out.push(tool::CONTROL_CHARACTERS.file_diagnostic(format!(
            "{n} NUL or other control character{s} in this file {were} read as spaces"
        )));
    }
    if let Some(start) = doc.unclosed_comment() {
        let last = source.text.trim_end().len().max(start);
        let lines = source.lines.line_of(last) - source.lines.line_of(start) + 1;
        let (s, are) = if lines == 1 { ("", "is") } else { ("s", "are") };
        out.push(
            tool::UNCLOSED_COMMENT
                .diagnostic(
                    Label::new(start..start + 4, "the comment opens here and never closes"),
                    format!("this HTML comment is never closed: its {lines} line{s}, to the end of the file, {are} not checked"),
                )
                .with_help("close the comment with `-->` where it should end"),
        );
    }
}
