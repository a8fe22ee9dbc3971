//! The command line (clap derive): takes `std::env::args` and hands on [`Cli`]. Every flag is
//! documented here; `healthlint help check` prints these docs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{FailOn, Overrides};
use crate::report;

/// A fast linter for health articles: missing red-flag guidance, unsupported drug promotion
/// and contradictory advice.
#[derive(Debug, Parser)]
#[command(name = "healthlint", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check articles (Markdown, MDX, plain text) and report findings.
    Check(CheckArgs),
    /// Write the current findings to a baseline file, so that `check --baseline FILE`
    /// reports only new ones.
    Baseline(BaselineArgs),
    /// List every rule: code, name, category, severity, kind, whether it is selected.
    Rules(RulesArgs),
    /// Print a rule's documentation: why it matters, examples, references.
    Explain(ExplainArgs),
    /// Print what the red-flag rules see in one file: its kind (condition page, drug
    /// information, news, advert, other) with the evidence, its topic, sections, the warning
    /// signs found tied to care and those named that do not count, with their lines.
    Inspect(InspectArgs),
    /// Print the regex source of every compiled pattern of the selected rules, one per line
    /// (for benchmarks: `rg -f` takes this file; see BENCHMARKS.md).
    #[command(hide = true, name = "debug-patterns")]
    DebugPatterns(RulesArgs),
    /// Write one Markdown page per rule (`CODE.md`) and an index (`README.md`) into a folder,
    /// from the same text `explain` prints: the repository keeps them in docs/rules/.
    Docs(DocsArgs),
    /// Print a shell completion script to standard output (bash, zsh, fish, powershell,
    /// elvish).
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to standard output: `healthlint man > healthlint.1`.
    Man,
    /// Run a Language Server Protocol server over standard input and output, for editors:
    /// diagnostics as you type, hovers that explain a finding, code actions that suppress it.
    /// Each file is checked with the healthlint.toml found from its own folder.
    Server(ServerArgs),
}

/// Where rules and settings come from; shared by every subcommand.
#[derive(Debug, Args, Clone, Default)]
pub struct SettingsArgs {
    /// Use this config file instead of searching for healthlint.toml upward from the working directory.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore every config file (built-in defaults and command-line flags only).
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Load extra rule files from a folder (every *.toml below it); repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Run only these rules: codes or prefixes, comma-separated (HL1,HL201).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Do not run these rules: codes or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
}

/// What `check` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Input {
    /// The paths on the command line (files, folders, `-` for one article on stdin).
    Files,
    /// JSON lines on standard input, one document per line (stream mode).
    Jsonl,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads standard input. Default: the current folder
    /// (none when `--files-from` is given).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also check the paths listed in this file (`-`: standard input): separated by NUL bytes
    /// when the list holds one (`git diff --name-only -z`, `find -print0`), else one per line.
    /// Listed paths are checked like paths named on the command line, together with any PATH
    /// given; with no PATH, only they are, and an empty list checks nothing (exit 0).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// Output format (default: `pretty`; `jsonl` with `--input jsonl`). `github`, `gitlab`
    /// (Code Quality), `junit` and `sarif` (2.1.0, for code scanning) are for CI.
    #[arg(long, value_enum)]
    pub format: Option<report::Format>,
    /// What standard input holds: `files` (paths are files and folders, `-` one article) or
    /// `jsonl` (one JSON document per line: `{"id": …, "text": …}`; see the README).
    #[arg(long, value_enum, default_value_t = Input::Files)]
    pub input: Input,
    /// When to colour pretty output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lowest severity that makes the exit code 1 (overrides `fail-on` in the config).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Seconds one file may take to check (default 10; overrides `time-budget` in the config):
    /// a file that takes longer is reported as HL008 and the other files as usual.
    #[arg(long, value_name = "SECONDS", value_parser = crate::budget::parse_seconds)]
    pub time_budget: Option<std::time::Duration>,
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Name for standard input: decides its format (.md/.txt) and the reported path. With no
    /// path and no `--files-from` given, standard input is read (as if `-` were given).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Report only findings that are not in this baseline file (written by `healthlint
    /// baseline`; overrides `baseline` in the config). The summary says how many findings it
    /// matched and how many of its entries are gone. A missing or invalid file is an error.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the report to this file instead of standard output (any format; messages and
    /// errors still go to standard error). The file is never checked itself.
    #[arg(short, long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// Print how many findings each rule has instead of the findings: a table (`pretty`,
    /// `concise`) or a JSON object (`json`), sorted by count, then code. The exit code is the
    /// same as without it.
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings and nothing else: no skipped-file notes, no summary line (on
    /// standard output or, for `github`, `jsonl`, `gitlab`, `junit` and `sarif`, standard
    /// error). With no findings, `pretty` and `concise` print nothing at all; `json`,
    /// `jsonl`, `gitlab`, `junit` and `sarif` stay whole documents.
    /// Errors are still printed; the exit code is unchanged.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Files or folders to check. Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The baseline file to write (default: the config's `baseline`, else
    /// `healthlint-baseline.json`). It is replaced if it exists.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule's code (HL101) or name.
    pub code: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// The folder to write the pages into (created if missing). Pages of rules that no longer
    /// exist (`HLnnn.md` files not written this time) are removed from it.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Milliseconds a document must stay unchanged before it is checked again (default 150;
    /// `debounceMs` in initializationOptions overrides it). Opening and saving check at once.
    #[arg(long, value_name = "MS")]
    pub debounce_ms: Option<u64>,
    /// Link each code to `URL/CODE.md` (`docsUrl`) instead of to pages written to the cache
    /// folder.
    #[arg(long, value_name = "URL")]
    pub docs_url: Option<String>,
    /// Do not compare the files of the workspace folders with each other (HL401).
    #[arg(long)]
    pub no_workspace_check: bool,
    /// Accepted and ignored: standard input and output is the only transport (editor
    /// extensions add this flag).
    #[arg(long, hide = true)]
    pub stdio: bool,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file to inspect.
    pub path: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour output written to a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Which files a run checks and how: shared by `check` and `baseline`, so that a baseline
/// is written over the same files that `check` reads.
#[derive(Debug, Args, Clone, Default)]
pub struct WalkArgs {
    /// Skip files and folders matching this pattern: gitignore syntax, relative to the working
    /// directory (`drafts` at any depth, `drafts/` folders only, `/drafts` here only, `**`);
    /// repeatable, added to the config's `exclude`. Paths named on the command line are checked
    /// anyway unless `--force-exclude` is given.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Apply the excludes to files and folders named on the command line too, so that a hook
    /// that passes every changed file skips those the config excludes.
    #[arg(long)]
    pub force_exclude: bool,
    /// Follow links that lead out of the folders being checked (as `follow-links = true` in
    /// the config does). Without it such a link is not read and is listed as skipped; links
    /// inside the folders are always followed, and each file is checked once.
    #[arg(long)]
    pub follow: bool,
    /// Number of threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Do not compare advice across the files of this run (give `baseline` the same as `check`).
    #[arg(long)]
    pub no_cross_document: bool,
}

impl WalkArgs {
    /// Sets the overrides these flags stand for.
    pub fn apply(&self, o: &mut Overrides) {
        o.extend_exclude = self.exclude.clone();
        o.force_exclude = self.force_exclude;
        o.follow_links = self.follow;
        o.no_cross_document = self.no_cross_document;
    }
}

impl SettingsArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            isolated: self.isolated,
            rule_dirs: self.rule_dirs.clone(),
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            ..Overrides::default()
        }
    }
}
