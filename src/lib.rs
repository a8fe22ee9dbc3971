//! healthlint: a fast, rule-driven linter for health articles.
//!
//! The pipeline runs in one direction, one module per stage:
//!
//! ```text
//! cli ─▶ config (healthlint.toml → Settings)
//!     ─▶ rules   read built-in + user TOML (rule files, lexicon)
//!     ─▶ check   compile every rule by its kind (the registry in check/mod.rs), once, into
//!                one PatternSet
//!     ─▶ discover  walk paths → sorted targets
//!     ─▶ run (batches on rayon) ─▶ engine, per file: source → document → analyze (one scan)
//!                → check → suppress; hands on what the kinds compare across files
//!     ─▶ cross   compare across files (the kinds' comparisons) → findings with `related`,
//!                merged into the held-back reports of the files concerned
//!     ─▶ per-file ignores and baseline leave findings out
//!     ─▶ report  pretty | concise | json | github | jsonl | gitlab | junit | sarif, in path
//!                order ─▶ exit code
//! ```
//!
//! No module imports one of a later stage (`tests/architecture.rs` fails on any import cycle
//! between top-level modules).
//!
//! The library never prints: [`run_check`] writes to the `io::Write` it is given, and
//! `main.rs` chooses standard output and the exit code.
//!
//! What is public is what the binary, the integration tests and the fuzz targets use: loading
//! ([`load`]), a [`engine::Linter`] and its reports, the run loop ([`run_check`]), the output
//! formats, the language server and the types in their signatures. The stages nobody outside
//! calls (`analyze`, `cross`, `suppress`, `budget`, `run`) and every item no outside caller
//! names are `pub(crate)`, so the compiler reports what nothing uses.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub(crate) mod analyze;
pub mod baseline;
pub(crate) mod budget;
pub mod check;
pub mod cli;
pub mod config;
pub(crate) mod cross;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod document;
pub mod engine;
pub mod error;
pub mod report;
pub mod rules;
mod run;
pub mod server;
pub mod source;
mod spill;
pub mod stream;
pub(crate) mod suppress;

use std::path::PathBuf;

use crate::check::RuleSet;
use crate::config::{Overrides, Settings};
use crate::engine::Linter;
use crate::error::SetupError;
pub use crate::run::{run_check, Outcome};

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

/// The default path list: the current folder.
pub fn default_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}
