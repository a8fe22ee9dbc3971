//! healthlint: a fast, rule-driven linter for health articles.
//!
//! The pipeline runs in one direction, one module per stage:
//!
//! ```text
//! cli ─▶ config (healthlint.toml → Settings)
//!     ─▶ rules   load built-in + user TOML, validate, compile once into one PatternSet
//!     ─▶ discover  walk paths → sorted targets
//!     ─▶ engine (rayon, per file): source → document → analyze (one scan) → check → suppress
//!     ─▶ (cross-document findings merged) → per-file ignores and baseline leave findings out
//!     ─▶ report  pretty | concise | json | github | jsonl | gitlab | junit | sarif, in path
//!                order ─▶ exit code
//! ```
//!
//! The library never prints: [`run_check`] writes to the `io::Write` it is given, and
//! `main.rs` chooses standard output and the exit code.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod analyze;
pub mod baseline;
pub mod budget;
pub mod check;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod document;
pub mod engine;
pub mod error;
pub mod report;
pub mod rules;
pub mod server;
pub mod source;
mod spill;
pub mod stream;
pub mod suppress;

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::{Overrides, Settings};
use crate::discover::{Target, Targets};
use crate::engine::{FileReport, Linter};
use crate::error::SetupError;
use crate::report::{Counts, Reporter, Summary};
use crate::rules::RuleSet;

/// How many files are checked in parallel before their reports are written: results stream
/// out in path order and memory stays bounded by one batch, not the whole corpus.
const BATCH: usize = 256;

/// Settings and rules for a run, from the working directory and the command line.
pub fn load(cwd: &std::path::Path, overrides: &Overrides) -> Result<Linter, SetupError> {
    let settings = Settings::resolve(cwd, overrides)?;
    let mut sources = rules::builtin_sources();
    for dir in &settings.rule_dirs {
        sources.extend(rules::dir_sources(dir)?);
    }
    let mut rule_set = RuleSet::load(&sources, &|code| settings.is_enabled(code))?;
    // A selected cross-document rule compares the statements the conflict rules extract: if
    // the selection left those out, load again with them compiled but not reported.
    let needed = rule_set.needed_for_comparison();
    if !needed.is_empty() {
        let enabled = |code: &str| settings.is_enabled(code) || needed.iter().any(|c| c == code);
        rule_set = RuleSet::load(&sources, &enabled)?;
        rule_set.compared_only(&needed);
    }
    let codes: Vec<&str> = rule_set
        .rules
        .iter()
        .map(|r| &*r.meta.id.code)
        .chain(diagnostic::tool::ALL.iter().map(|t| t.code))
        .collect();
    settings.check_selectors(&codes)?;
    Ok(Linter::new(rule_set, settings))
}

/// What a check run found, for the exit code.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub summary: Summary,
    /// Some file could not be checked (exit 2).
    pub tool_error: bool,
    /// Some finding is at or above `fail-on` (exit 1).
    pub findings_fail: bool,
    /// With a baseline: how many findings it matched in each of its files that was checked
    /// (a file checked again for cross-document findings counts as its last report).
    baseline_matched: HashMap<String, usize>,
}

impl Outcome {
    /// Counts one file's report, and what the baseline matched in it.
    fn add(&mut self, linter: &Linter, report: &FileReport, matched: Option<usize>) {
        if let Some(n) = matched {
            self.baseline_matched.insert(report.path.clone(), n);
        }
        self.summary.add(report);
        self.tool_error |= report.failed;
        self.findings_fail |= report.diagnostics.iter().any(|d| linter.fails(d.severity));
    }

    /// 0 clean, 1 findings at or above `fail-on`, 2 a file could not be checked.
    pub fn exit_code(&self) -> u8 {
        if self.tool_error {
            2
        } else if self.findings_fail {
            1
        } else {
            0
        }
    }
}

/// Checks `targets` with `jobs` threads and streams the reports, in target order, to `out`.
///
/// Worker threads check a batch of files and render each report into a fragment; the
/// fragments are then written in path order, so memory holds one batch, not the corpus. With
/// the cross-document pass, a file's report is complete only once every file has been seen:
/// the fragments wait in a [`spill::Spill`] while the files' facts are collected, and the
/// few files with cross-document findings are checked and rendered again when their turn
/// comes. Either way each file is read, parsed and scanned once.
pub fn run_check(
    linter: &Linter,
    targets: &Targets,
    stdin: Option<&[u8]>,
    jobs: usize,
    reporter: &mut dyn Reporter,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let pool = thread_pool(jobs)?;
    let mut outcome = Outcome::default();
    let mut collector = corpus::Collector::new(linter, targets);
    let mut spill = collector.as_ref().map(|_| spill::Spill::new());
    let mut index = 0;
    for batch in targets.batches(BATCH) {
        let shared: &dyn Reporter = reporter;
        type Checked = (FileReport, Option<usize>, Vec<corpus::LocatedFact>);
        let checked: Vec<(Checked, io::Result<Vec<u8>>)> = pool.install(|| {
            batch
                .par_iter()
                .map(|t| {
                    let (report, facts) =
                        linter.check_target_collecting(t, stdin, collector.as_ref());
                    let (report, matched, fragment) = rendered(linter, shared, report);
                    ((report, matched, facts), fragment)
                })
                .collect()
        });
        for (((report, matched, facts), fragment), target) in checked.into_iter().zip(&batch) {
            outcome.add(linter, &report, matched);
            match (&mut spill, &mut collector) {
                (Some(spill), Some(collector)) => {
                    let counted = Counts::of(&report.diagnostics);
                    collector.keep(index, target, facts, counted);
                    spill.push(&fragment?)?;
                }
                _ => reporter.write_fragment(&fragment?, out)?,
            }
            index += 1;
        }
    }
    if let (Some(spill), Some(collector)) = (spill, collector) {
        let cross = collector.compare(linter, &pool);
        let mut replay = spill.replay()?;
        for first in (0..index).step_by(BATCH) {
            // The files of this stretch with cross-document findings, checked again (in
            // parallel) with those findings merged in; each report replaces the first one in
            // the output and in the counts.
            type Redone = (FileReport, Option<usize>, Counts, io::Result<Vec<u8>>);
            let redone: BTreeMap<usize, Redone> = {
                let shared: &dyn Reporter = reporter;
                let redo: Vec<(usize, &Target, Counts)> = (first..(first + BATCH).min(index))
                    .filter_map(|i| cross.redo(i).map(|(t, counted)| (i, t, counted)))
                    .collect();
                pool.install(|| {
                    redo.par_iter()
                        .map(|&(i, target, counted)| {
                            let mut report = linter.check_target(target, stdin);
                            cross.merge(i, &mut report);
                            let (report, matched, fragment) = rendered(linter, shared, report);
                            (i, (report, matched, counted, fragment))
                        })
                        .collect()
                })
            };
            let mut redone = redone.into_iter().peekable();
            for i in first..(first + BATCH).min(index) {
                let kept = replay.next_fragment().ok_or_else(|| {
                    io::Error::other("the held-back output ended early (temporary file changed?)")
                })??;
                match redone.next_if(|(j, _)| *j == i) {
                    Some((_, (report, matched, counted, fragment))) => {
                        // Counted anew: the file may have changed since its first check.
                        outcome.summary.retract(counted);
                        outcome.add(linter, &report, matched);
                        reporter.write_fragment(&fragment?, out)?;
                    }
                    None => reporter.write_fragment(kept, out)?,
                }
            }
        }
    }
    if let Some(baseline) = &linter.baseline {
        outcome.summary.baseline = Some(report::BaselineCounts {
            matched: outcome.baseline_matched.values().sum(),
            gone: baseline.gone(&outcome.baseline_matched),
        });
    }
    reporter.finish(&outcome.summary, out)?;
    Ok(outcome)
}

/// A finished report (cross-document findings merged in) without what per-file ignores and
/// the baseline leave out, with what the baseline matched, and its output fragment. The
/// report is kept for counting; its text, needed only to render the fragment, is let go so
/// that a batch holds no file's text once it is rendered.
fn rendered(
    linter: &Linter,
    reporter: &dyn Reporter,
    mut report: FileReport,
) -> (FileReport, Option<usize>, io::Result<Vec<u8>>) {
    let matched = linter.filter_report(&mut report);
    let fragment = reporter.render(&report);
    report.source = None;
    (report, matched, fragment)
}

/// The worker threads of one run.
pub(crate) fn thread_pool(jobs: usize) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| io::Error::other(format!("cannot start {jobs} threads: {e}")))
}

/// The default path list: the current folder.
pub fn default_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}
