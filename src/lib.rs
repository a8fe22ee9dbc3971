//! healthlint: a fast, rule-driven linter for health articles.
//!
//! The pipeline runs in one direction, one module per stage:
//!
//! ```text
//! cli ─▶ config (healthlint.toml → Settings)
//!     ─▶ rules   load built-in + user TOML, validate, compile once into one PatternSet
//!     ─▶ discover  walk paths → sorted targets
//!     ─▶ engine (rayon, per file): source → document → analyze (one scan) → check → suppress
//!     ─▶ report  pretty | concise | json | github, in path order ─▶ exit code
//! ```
//!
//! The library never prints: [`run_check`] writes to the `io::Write` it is given, and
//! `main.rs` chooses standard output and the exit code.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod analyze;
pub mod check;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod diagnostic;
pub mod discover;
pub mod document;
pub mod engine;
pub mod error;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;

use std::io::{self, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::{Overrides, Settings};
use crate::discover::Targets;
use crate::engine::{FileReport, Linter};
use crate::error::SetupError;
use crate::report::{Reporter, Summary};
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
    let rule_set = RuleSet::load(&sources, &|code| settings.is_enabled(code))?;
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
}

impl Outcome {
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
pub fn run_check(
    linter: &Linter,
    targets: &Targets,
    stdin: Option<&[u8]>,
    jobs: usize,
    reporter: &mut dyn Reporter,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| io::Error::other(format!("cannot start {jobs} threads: {e}")))?;
    let mut outcome = Outcome::default();
    // Cross-document consistency needs every file's facts first (None when it is off).
    let mut cross = corpus::CrossDocument::collect(linter, targets, stdin, &pool);
    for (b, batch) in targets.batches(BATCH).enumerate() {
        let reports: Vec<FileReport> = pool.install(|| {
            batch
                .par_iter()
                .map(|t| linter.check_target(t, stdin))
                .collect()
        });
        for (i, mut report) in reports.into_iter().enumerate() {
            if let Some(cross) = cross.as_mut() {
                cross.merge(b * BATCH + i, &mut report);
            }
            outcome.summary.add(&report);
            outcome.tool_error |= report.failed;
            outcome.findings_fail |= report.diagnostics.iter().any(|d| linter.fails(d.severity));
            reporter.file(&report, out)?;
        }
    }
    reporter.finish(&outcome.summary, out)?;
    Ok(outcome)
}

/// The default path list: the current folder.
pub fn default_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}
