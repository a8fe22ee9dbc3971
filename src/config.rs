//! Configuration: takes `healthlint.toml` (found upward from the working directory, or named
//! with `--config`, or skipped with `--isolated`) and the command-line overrides, and hands on
//! resolved [`Settings`]: which rules run, severity overrides, `fail-on`, include globs, the
//! [`Excludes`] (gitignore patterns, the file's relative to its folder and `--exclude`'s to the
//! working directory), extra rule folders, `[per-file-ignores]` (patterns as `exclude`, with
//! codes) and the `baseline` file. Unknown keys, invalid globs and codes are errors that point
//! at the key or value.
//!
//! ```toml
//! fail-on = "warning"          # error | warning | info | never
//! rule-dirs = ["house-rules"]  # extra rule folders, relative to this file
//! include = ["**/*.md"]        # globs of files to check when walking (default: by extension)
//! exclude = ["drafts/"]        # gitignore patterns of files and folders to skip, relative
//!                              # to this file's folder
//! follow-links = false         # follow links that lead out of the folders being checked
//! cross-document = true        # compare advice across the files of one run
//! locale = "uk"                # uk | us | au | ie | ca | eu: emergency numbers in help text
//! baseline = "healthlint-baseline.json"  # findings to leave unreported, relative to this file
//! time-budget = 10             # seconds one file may take to check (see `budget.rs`)
//!
//! [rules]
//! select = ["HL1", "HL201"]    # codes or prefixes to run (default: all)
//! ignore = ["HL104"]           # codes or prefixes not to run
//! severity = { HL201 = "error" }
//!
//! [per-file-ignores]           # gitignore patterns, relative to this file's folder, like
//! "archive/" = ["HL1"]         # `exclude`: codes or prefixes not reported for those files
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{SetupError, SpannedError};

/// The name of the configuration file.
pub(crate) const CONFIG_FILE: &str = "healthlint.toml";

/// The threshold for a failing exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

/// Where readers are, for the emergency numbers and services that red-flag help text names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    Uk,
    Us,
    Au,
    Ie,
    Ca,
    Eu,
}

impl Locale {
    /// The words help text uses, as (emergency number, emergency department, urgent advice
    /// service, family doctor); `None` is the neutral wording.
    pub(crate) fn services(locale: Option<Locale>) -> [&'static str; 4] {
        match locale {
            Some(Locale::Uk) => ["999", "A&E", "NHS 111", "GP"],
            Some(Locale::Ie) => [
                "112 or 999",
                "the emergency department",
                "your GP out-of-hours service",
                "GP",
            ],
            Some(Locale::Us) => [
                "911",
                "the emergency room",
                "urgent care or a nurse advice line",
                "doctor",
            ],
            Some(Locale::Ca) => [
                "911",
                "the emergency department",
                "811 or your provincial health line",
                "doctor",
            ],
            Some(Locale::Au) => [
                "000 (triple zero)",
                "the emergency department",
                "healthdirect",
                "GP",
            ],
            Some(Locale::Eu) => [
                "112",
                "the emergency department",
                "an out-of-hours doctor",
                "doctor",
            ],
            None => [
                "your local emergency number",
                "the emergency department",
                "an urgent care or nurse advice line",
                "doctor",
            ],
        }
    }
}

/// `healthlint.toml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub fail_on: Option<FailOn>,
    pub rule_dirs: Option<Vec<String>>,
    pub include: Option<Vec<Spanned<String>>>,
    pub exclude: Option<Vec<Spanned<String>>>,
    pub follow_links: Option<bool>,
    pub cross_document: Option<bool>,
    pub locale: Option<Locale>,
    pub baseline: Option<String>,
    pub time_budget: Option<Spanned<f64>>,
    pub rules: Option<RuleOptions>,
    /// Pattern → codes; keys are spanned so that a bad pattern is pointed at.
    pub per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
}

/// The `[rules]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleOptions {
    pub select: Option<Vec<Spanned<String>>>,
    pub ignore: Option<Vec<Spanned<String>>>,
    pub severity: Option<BTreeMap<String, Spanned<Severity>>>,
}

/// Command-line values that override the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub isolated: bool,
    pub rule_dirs: Vec<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub extend_exclude: Vec<String>,
    pub force_exclude: bool,
    /// `--follow`.
    pub follow_links: bool,
    pub fail_on: Option<FailOn>,
    pub no_cross_document: bool,
    /// `--time-budget`.
    pub time_budget: Option<Duration>,
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file used, if any.
    pub config_path: Option<PathBuf>,
    pub fail_on: FailOn,
    pub rule_dirs: Vec<PathBuf>,
    pub include: Option<GlobSet>,
    /// Exclude patterns from the file and from `--exclude`.
    pub exclude: Excludes,
    /// Apply the excludes to paths named on the command line too (`--force-exclude`).
    pub force_exclude: bool,
    /// Follow links that lead out of the walked folders (`--follow`, `follow-links`); links
    /// inside them are always followed (see `discover.rs`).
    pub follow_links: bool,
    pub cross_document: bool,
    /// Whose emergency numbers and services red-flag help text names; `None`: neutral wording.
    pub locale: Option<Locale>,
    /// How long one file may take to check (see `budget.rs`).
    pub time_budget: Duration,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    /// Every code or prefix given, with where it was given: a selector that matches no rule
    /// is an error once the rules are known (see [`Settings::check_selectors`]).
    pub(crate) selectors: Vec<(String, SelectorOrigin)>,
    /// The config file's `baseline`, joined to the config file's folder.
    pub baseline: Option<PathBuf>,
    /// `[per-file-ignores]`: files matching the patterns do not report these codes.
    pub(crate) per_file_ignores: Vec<PerFileIgnore>,
}

/// One `[per-file-ignores]` entry: a pattern, relative to the config file's folder with the
/// semantics of `exclude` (a folder's pattern covers the files in it), and codes or prefixes.
#[derive(Debug, Clone)]
pub(crate) struct PerFileIgnore {
    files: Excludes,
    pub codes: Vec<String>,
}

/// Where a rule selector was written.
#[derive(Debug, Clone)]
pub(crate) enum SelectorOrigin {
    /// A command-line flag (`--select`, `--ignore`).
    Flag(&'static str),
    /// A config key; the error's message is filled in when it is reported.
    Config(SpannedError),
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            config_path: None,
            fail_on: FailOn::Warning,
            rule_dirs: Vec::new(),
            include: None,
            exclude: Excludes::default(),
            force_exclude: false,
            follow_links: false,
            cross_document: true,
            locale: None,
            time_budget: crate::budget::DEFAULT,
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            selectors: Vec::new(),
            baseline: None,
            per_file_ignores: Vec::new(),
        }
    }
}

impl Settings {
    /// Finds and reads the config file (unless isolated) and applies the overrides; `cwd` is
    /// the working directory, which relative paths on the command line start from.
    pub(crate) fn resolve(cwd: &Path, overrides: &Overrides) -> Result<Settings, SetupError> {
        let path = match (&overrides.config, overrides.isolated) {
            (Some(path), _) => Some(path.clone()),
            (None, true) => None,
            (None, false) => find_upward(cwd),
        };
        let mut settings = match &path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    SetupError::Message(format!(
                        "cannot read config file `{}`: {e}",
                        path.display()
                    ))
                })?;
                Settings::from_toml(
                    &path.display().to_string(),
                    &text,
                    path.parent().unwrap_or(Path::new(".")),
                )?
            }
            None => Settings::default(),
        };
        settings.config_path = path;
        settings
            .apply(overrides, cwd)
            .map_err(SetupError::Message)?;
        settings.exclude.set_cwd(cwd);
        for entry in &mut settings.per_file_ignores {
            entry.files.set_cwd(cwd);
        }
        Ok(settings)
    }

    /// Settings from config text; `base` is the config file's folder, which relative paths
    /// and exclude patterns start from.
    pub fn from_toml(origin: &str, text: &str, base: &Path) -> Result<Settings, SetupError> {
        let text: Arc<str> = Arc::from(text);
        let options: Options =
            toml::from_str(&text).map_err(|e| SpannedError::from_toml(origin, &text, &e))?;
        let mut errors = Vec::new();
        let mut settings = Settings {
            fail_on: options.fail_on.unwrap_or(FailOn::Warning),
            ..Settings::default()
        };
        settings.rule_dirs = options
            .rule_dirs
            .unwrap_or_default()
            .iter()
            .map(|d| base.join(d))
            .collect();
        settings.cross_document = options.cross_document.unwrap_or(true);
        settings.follow_links = options.follow_links.unwrap_or(false);
        settings.locale = options.locale;
        settings.baseline = options.baseline.map(|b| base.join(b));
        if let Some(budget) = &options.time_budget {
            match crate::budget::parse_seconds(&budget.get_ref().to_string()) {
                Ok(budget) => settings.time_budget = budget,
                Err(m) => errors.push(SpannedError::new(
                    origin,
                    &text,
                    Some(budget.span()),
                    format!("invalid `time-budget`: {m}"),
                )),
            }
        }
        if let Some(list) = options.include {
            let mut builder = GlobSetBuilder::new();
            for glob in &list {
                match Glob::new(glob.get_ref()) {
                    Ok(g) => {
                        builder.add(g);
                    }
                    Err(e) => errors.push(SpannedError::new(
                        origin,
                        &text,
                        Some(glob.span()),
                        format!("invalid glob in `include`: {}", e.kind()),
                    )),
                }
            }
            settings.include = builder.build().ok();
        }
        if let Some(list) = options.exclude {
            let patterns = list.iter().map(|p| p.get_ref().as_str());
            match ExcludeList::new(base, patterns) {
                Ok(list) => settings.exclude.lists.push(list),
                Err(bad) => errors.extend(bad.into_iter().map(|(i, why)| {
                    SpannedError::new(
                        origin,
                        &text,
                        list.get(i).map(Spanned::span),
                        format!("invalid glob in `exclude`: {why}"),
                    )
                })),
            }
        }
        let rules = options.rules.unwrap_or_default();
        for (list, target) in [
            (rules.select, &mut settings.select),
            (rules.ignore, &mut settings.ignore),
        ] {
            for code in list.unwrap_or_default() {
                let at = SpannedError::new(origin, &text, Some(code.span()), "");
                match validate_selector(code.get_ref()) {
                    Ok(()) => {
                        settings
                            .selectors
                            .push((code.get_ref().clone(), SelectorOrigin::Config(at)));
                        target.push(code.into_inner());
                    }
                    Err(m) => errors.push(SpannedError { message: m, ..at }),
                }
            }
        }
        for (pattern, codes) in options.per_file_ignores.unwrap_or_default() {
            let at = |span| SpannedError::new(origin, &text, Some(span), "");
            let files = match ExcludeList::new(base, std::iter::once(pattern.get_ref().as_str())) {
                Ok(list) => Excludes {
                    cwd: PathBuf::new(),
                    lists: vec![list],
                },
                Err(bad) => {
                    errors.extend(bad.into_iter().map(|(_, why)| SpannedError {
                        message: format!("invalid pattern in `per-file-ignores`: {why}"),
                        ..at(pattern.span())
                    }));
                    continue;
                }
            };
            let mut entry = PerFileIgnore {
                files,
                codes: Vec::new(),
            };
            for code in codes {
                match validate_selector(code.get_ref()) {
                    Ok(()) => {
                        let origin = SelectorOrigin::Config(at(code.span()));
                        settings.selectors.push((code.get_ref().clone(), origin));
                        entry.codes.push(code.into_inner());
                    }
                    Err(m) => errors.push(SpannedError {
                        message: format!("in `per-file-ignores`: {m}"),
                        ..at(code.span())
                    }),
                }
            }
            settings.per_file_ignores.push(entry);
        }
        for (code, severity) in rules.severity.unwrap_or_default() {
            match validate_selector(&code) {
                Ok(()) => {
                    // toml's spans cover values, not keys: point at the severity given.
                    let at = SpannedError::new(origin, &text, Some(severity.span()), "");
                    settings
                        .selectors
                        .push((code.clone(), SelectorOrigin::Config(at)));
                    settings.severity.insert(code, severity.into_inner());
                }
                Err(m) => errors.push(SpannedError::new(origin, &text, Some(severity.span()), m)),
            }
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(SetupError::Files(errors))
        }
    }

    fn apply(&mut self, o: &Overrides, cwd: &Path) -> Result<(), String> {
        self.rule_dirs.extend(o.rule_dirs.iter().cloned());
        for (codes, flag) in [(&o.select, "--select"), (&o.ignore, "--ignore")] {
            for code in codes {
                validate_selector(code).map_err(|m| format!("{flag}: {m}"))?;
                self.selectors
                    .push((code.clone(), SelectorOrigin::Flag(flag)));
            }
        }
        if !o.select.is_empty() {
            self.select = o.select.clone();
        }
        self.ignore.extend(o.ignore.iter().cloned());
        if !o.extend_exclude.is_empty() {
            let patterns = o.extend_exclude.iter().map(String::as_str);
            let list = ExcludeList::new(cwd, patterns).map_err(|bad| {
                bad.iter()
                    .map(|(i, why)| {
                        let glob = o.extend_exclude.get(*i).map_or("", String::as_str);
                        format!("--exclude: invalid glob `{glob}`: {why}")
                    })
                    .collect::<Vec<_>>()
                    .join("\nerror: ")
            })?;
            self.exclude.lists.push(list);
        }
        self.force_exclude |= o.force_exclude;
        self.follow_links |= o.follow_links;
        if let Some(budget) = o.time_budget {
            self.time_budget = budget;
        }
        if let Some(f) = o.fail_on {
            self.fail_on = f;
        }
        if o.no_cross_document {
            self.cross_document = false;
        }
        Ok(())
    }

    /// Whether a rule runs, by the most specific matching selector (ties go to `ignore`), as
    /// ruff does: `select = ["HL1"]` with `ignore = ["HL104"]` runs HL1xx but HL104.
    pub fn is_enabled(&self, code: &str) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .filter(|p| code.starts_with(p.as_str()))
                .map(String::len)
                .max()
        };
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// Selectors that match none of `codes` (the loaded rules and the tool's own codes), as
    /// one error naming each flag or pointing at each config value. A selection that silently
    /// selects nothing would turn a CI check green.
    pub(crate) fn check_selectors(&self, codes: &[&str]) -> Result<(), SetupError> {
        let errors: Vec<SpannedError> = self
            .selectors
            .iter()
            .filter(|(code, _)| !codes.iter().any(|c| c.starts_with(code.as_str())))
            .map(|(code, origin)| {
                let message = format!("`{code}` matches no rule (`healthlint rules` lists them)");
                match origin {
                    SelectorOrigin::Flag(flag) => {
                        SpannedError::new(flag, &Arc::from(""), None, message)
                    }
                    SelectorOrigin::Config(at) => SpannedError {
                        message,
                        ..at.clone()
                    },
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(SetupError::Files(errors))
        }
    }

    /// Whether `[per-file-ignores]` leaves out findings of `code` in the file at `path`
    /// (as reported: relative to the working directory, or absolute).
    pub(crate) fn ignores_in_file(&self, path: &Path, code: &str) -> bool {
        self.per_file_ignores.iter().any(|entry| {
            entry.codes.iter().any(|c| code.starts_with(c.as_str()))
                && entry.files.excludes_named(path, false)
        })
    }

    /// The severity override for a rule, by the most specific selector.
    pub fn severity_for(&self, code: &str) -> Option<Severity> {
        self.severity
            .iter()
            .filter(|(p, _)| code.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, s)| *s)
    }
}

/// The exclude patterns of a run: the config file's `exclude`, relative to the file's folder,
/// and `--exclude`, relative to the working directory. Patterns follow gitignore rules (the
/// `ignore` crate's matcher): a name without a slash matches at any depth, a trailing `/`
/// matches folders only, a leading `/` or an inner slash anchors the pattern to its folder,
/// `**` spans folders, `!` re-includes. A path is matched by its place below each list's
/// folder, never by how it was spelled, so a run decides the same from any working directory.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    /// The working directory, absolute: relative paths are taken from here.
    cwd: PathBuf,
    lists: Vec<ExcludeList>,
}

/// One list of patterns and the folder they are relative to.
#[derive(Debug, Clone)]
struct ExcludeList {
    /// The folder (absolute once [`Excludes::set_cwd`] has run); then its real path, when a
    /// link leads to it, so that a path reached through the link and one reached directly are
    /// both inside it.
    bases: Vec<PathBuf>,
    matcher: Gitignore,
}

impl ExcludeList {
    /// Compiles `patterns`, relative to `base`. `Err` lists each pattern that is not a valid
    /// one, by index, with the reason: all are reported at once.
    fn new<'a>(
        base: &Path,
        patterns: impl Iterator<Item = &'a str>,
    ) -> Result<ExcludeList, Vec<(usize, String)>> {
        // The matcher's own root is left empty so that it strips nothing: paths are made
        // relative to `base` here, component by component (its string-prefix strip would take
        // `/a/bc` to be inside `/a/b`).
        let mut builder = GitignoreBuilder::new("");
        // An unclosed `[` is an error, not a literal: it is far more often a typo.
        builder.allow_unclosed_class(false);
        let mut bad = Vec::new();
        for (i, pattern) in patterns.enumerate() {
            if let Err(why) = add_pattern(&mut builder, pattern) {
                bad.push((i, why));
            }
        }
        if !bad.is_empty() {
            return Err(bad);
        }
        let matcher = builder.build().map_err(|e| vec![(0, glob_error(e))])?;
        Ok(ExcludeList {
            bases: vec![base.to_path_buf()],
            matcher,
        })
    }

    /// Makes the folder absolute from `cwd` and adds its real path when that differs.
    fn set_cwd(&mut self, cwd: &Path) {
        let Some(base) = self.bases.first() else {
            return;
        };
        let base = lexical_absolute(cwd, base);
        self.bases = match std::fs::canonicalize(&base) {
            Ok(real) if real != base => vec![base, real],
            _ => vec![base],
        };
    }

    /// Whether the patterns exclude `path` (absolute, without `.` or `..`); never when it is
    /// not below the folder. With `folders`, also when a folder it is in is excluded: a walk
    /// would never have entered that folder, whatever a `!` pattern says of the path itself.
    fn ignores(&self, path: &Path, is_dir: bool, folders: bool) -> bool {
        let Some(rel) = self
            .bases
            .iter()
            .find_map(|base| path.strip_prefix(base).ok())
        else {
            return false;
        };
        if folders {
            // From the top down, as a walk meets them.
            let mut folder = PathBuf::new();
            let mut parts = rel.components().peekable();
            while let Some(part) = parts.next() {
                if parts.peek().is_none() {
                    break;
                }
                folder.push(part);
                if self.matcher.matched(&folder, true).is_ignore() {
                    return true;
                }
            }
        }
        // The folder itself (an empty relative path) is never matched: patterns name what is
        // inside it.
        !rel.as_os_str().is_empty() && self.matcher.matched(rel, is_dir).is_ignore()
    }
}

/// Adds one pattern, refusing those that gitignore syntax would silently read as matching
/// nothing (an empty pattern, a `#` comment), since a typo there would check drafts unnoticed.
fn add_pattern(builder: &mut GitignoreBuilder, pattern: &str) -> Result<(), String> {
    if pattern.trim().is_empty() {
        return Err("an empty pattern matches nothing".to_string());
    }
    if pattern
        .trim_start_matches('!')
        .trim_matches('/')
        .trim()
        .is_empty()
    {
        return Err(format!("`{pattern}` names no file or folder"));
    }
    if pattern.starts_with('#') {
        return Err(format!(
            "`{pattern}` is a comment in gitignore syntax and matches nothing (write `\\#` for a literal `#`)"
        ));
    }
    builder.add_line(None, pattern).map_err(glob_error)?;
    Ok(())
}

/// The reason in a glob error, without the pattern (the caller shows it with its place).
fn glob_error(err: ignore::Error) -> String {
    match err {
        ignore::Error::Glob { err, .. } => err,
        other => other.to_string(),
    }
}

impl Excludes {
    /// Takes relative paths, and the lists' folders, from `cwd`, the working directory: a
    /// config file named `--config site/healthlint.toml` has its folder at `site`.
    fn set_cwd(&mut self, cwd: &Path) {
        self.cwd = cwd.to_path_buf();
        for list in &mut self.lists {
            list.set_cwd(cwd);
        }
    }

    /// Whether there are no patterns at all.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Whether a path met while walking is excluded: some list's patterns match it. Its
    /// folders were decided on the way down (an excluded folder is not entered).
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        self.any_ignores(path, is_dir, false)
    }

    /// Whether a path named on the command line is excluded: some list's patterns match it
    /// or a folder it is in.
    pub(crate) fn excludes_named(&self, path: &Path, is_dir: bool) -> bool {
        self.any_ignores(path, is_dir, true)
    }

    fn any_ignores(&self, path: &Path, is_dir: bool, folders: bool) -> bool {
        if self.lists.is_empty() {
            return false;
        }
        let path = lexical_absolute(&self.cwd, path);
        // Each list decides on its own: a `!` in one re-includes only what that list excludes.
        self.lists
            .iter()
            .any(|list| list.ignores(&path, is_dir, folders))
    }
}

/// `path` taken from `cwd` (unless absolute), with `.` and `..` resolved by name, without
/// reading the disk: walked paths are spelled from the working directory (`./a`, `../site/a`),
/// and an exclude list's folder is compared with them as written.
pub(crate) fn lexical_absolute(cwd: &Path, path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in cwd.join(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                // `..` above the root stays at the root, as the file system has it; in a
                // relative path (no working directory known) it is kept.
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A code or code prefix: `HL`, `HL1`, `HL10`, `HL101`.
fn validate_selector(code: &str) -> Result<(), String> {
    let ok =
        code.starts_with("HL") && code.len() <= 5 && code[2..].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{code}` is not a rule code or prefix (such as HL201 or HL2)"
        ))
    }
}

/// The nearest `healthlint.toml` in `dir` or its ancestors.
pub(crate) fn find_upward(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

/// Rewrites the UK service names of rule text (red-flag rules name them) (999, A&E, NHS 111, GP) for a locale,
/// or into neutral wording when none is set.
pub(crate) fn localize(text: &str, locale: Option<Locale>) -> String {
    if locale == Some(Locale::Uk) {
        return text.to_string();
    }
    let [emergency, department, urgent, doctor] = Locale::services(locale);
    // Longest first: "NHS 111" before "111".
    let table = [
        ("NHS 111", urgent),
        ("999", emergency),
        ("A&E", department),
        ("111", urgent),
        ("GP", doctor),
    ];
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    'outer: while !rest.is_empty() {
        let at_boundary = out.chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        if at_boundary {
            for (from, to) in table {
                if let Some(after) = rest.strip_prefix(from) {
                    if after.chars().next().is_none_or(|c| !c.is_alphanumeric()) {
                        out.push_str(to);
                        rest = after;
                        continue 'outer;
                    }
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// [`localize`] over a finding's message, help and note.
pub(crate) fn localize_diagnostic(d: &mut Diagnostic, locale: Option<Locale>) {
    d.message = localize(&d.message, locale);
    d.help = d.help.as_deref().map(|h| localize(h, locale));
    d.note = d.note.as_deref().map(|n| localize(n, locale));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Excludes with one list of `patterns` relative to `/site`, seen from `cwd`.
    fn excludes(cwd: &str, patterns: &[&str]) -> Excludes {
        let list = ExcludeList::new(Path::new("/site"), patterns.iter().copied()).unwrap();
        let mut excludes = Excludes {
            cwd: PathBuf::new(),
            lists: vec![list],
        };
        excludes.set_cwd(Path::new(cwd));
        excludes
    }

    #[test]
    fn localize_rewrites_uk_services_at_word_boundaries() {
        let text = "call 999 or go to A&E; see a GP or call NHS 111 (or 111); GPS and 9999 stay";
        assert_eq!(
            localize(text, Some(Locale::Us)),
            "call 911 or go to the emergency room; see a doctor or call urgent care or a nurse \
             advice line (or urgent care or a nurse advice line); GPS and 9999 stay"
        );
        assert_eq!(localize(text, Some(Locale::Uk)), text);
        assert!(localize("call 999", None).contains("your local emergency number"));
    }

    #[test]
    fn patterns_follow_gitignore_rules_relative_to_their_folder() {
        let ex = excludes("/site", &["drafts", "tmp/", "/old.md", "notes/**/*.txt"]);
        let walked = |path: &str, is_dir: bool| ex.excludes(Path::new(path), is_dir);
        // A bare name matches at any depth, files and folders.
        assert!(walked("drafts", true));
        assert!(walked("a/b/drafts", true));
        assert!(walked("./a/drafts", false));
        // A trailing slash matches folders only.
        assert!(walked("a/tmp", true));
        assert!(!walked("a/tmp", false));
        // A leading slash anchors to the list's folder.
        assert!(walked("old.md", false));
        assert!(!walked("a/old.md", false));
        // `**` spans folders.
        assert!(walked("notes/x/y/z.txt", false));
        assert!(!walked("notes/x/y/z.md", false));
        // The folder itself, and paths outside it, are never matched.
        assert!(!walked("/site", true));
        assert!(!walked("/elsewhere/drafts", true));
        assert!(!walked("/site-other/drafts", true));
    }

    #[test]
    fn a_path_is_matched_by_its_place_whatever_the_working_directory() {
        for (cwd, path) in [
            ("/site", "old.md"),
            ("/site", "./old.md"),
            ("/", "site/old.md"),
            ("/site/a/b", "../../old.md"),
            ("/elsewhere", "/site/old.md"),
            ("/elsewhere", "../site/./old.md"),
        ] {
            let ex = excludes(cwd, &["/old.md"]);
            assert!(ex.excludes(Path::new(path), false), "{cwd} {path}");
        }
        let ex = excludes("/site/a", &["/old.md"]);
        assert!(!ex.excludes(Path::new("old.md"), false));
    }

    #[test]
    fn named_paths_are_excluded_by_their_folders_too() {
        let ex = excludes("/site", &["drafts/", "old*", "!old-but-kept.md"]);
        assert!(!ex.excludes(Path::new("drafts/a/b.md"), false));
        assert!(ex.excludes_named(Path::new("drafts/a/b.md"), false));
        assert!(ex.excludes_named(Path::new("drafts"), true));
        assert!(!ex.excludes_named(Path::new("articles/b.md"), false));
        assert!(ex.excludes_named(Path::new("articles/old.md"), false));
        // `!` takes a file back, but not out of an excluded folder, which a walk never enters.
        assert!(!ex.excludes_named(Path::new("articles/old-but-kept.md"), false));
        assert!(ex.excludes_named(Path::new("drafts/old-but-kept.md"), false));
    }

    #[test]
    fn invalid_patterns_are_reported_by_index() {
        let bad = ExcludeList::new(
            Path::new("/site"),
            ["ok", "a/[b", "", "# note", "{x,y", "/", "c/**"].into_iter(),
        )
        .unwrap_err();
        let indexes: Vec<usize> = bad.iter().map(|(i, _)| *i).collect();
        assert_eq!(indexes, [1, 2, 3, 4, 5], "{bad:?}");
        assert!(bad[0].1.contains("unclosed character class"), "{bad:?}");
    }

    #[test]
    fn lexical_absolute_resolves_dots_by_name() {
        let abs = |cwd: &str, p: &str| lexical_absolute(Path::new(cwd), Path::new(p));
        assert_eq!(abs("/a/b", "../c/./d"), Path::new("/a/c/d"));
        assert_eq!(abs("/a", "../../.."), Path::new("/"));
        assert_eq!(abs("/a", "/x/../y"), Path::new("/y"));
        assert_eq!(abs("", "../x"), Path::new("../x"));
        assert_eq!(abs("", "a/../../x"), Path::new("../x"));
    }

    /// Every error of a config text, as `(message, the text its span points at)`.
    fn errors(text: &str) -> Vec<(String, String)> {
        match Settings::from_toml("healthlint.toml", text, Path::new("/site")) {
            Ok(_) => panic!("`{text}` was accepted"),
            Err(SetupError::Message(m)) => panic!("no span: {m}"),
            Err(SetupError::Files(errors)) => errors
                .into_iter()
                .map(|e| {
                    assert_eq!(e.origin, "healthlint.toml");
                    let at = e.span.map_or(String::new(), |s| text[s].to_string());
                    (e.message, at)
                })
                .collect(),
        }
    }

    fn error(message: &str, at: &str) -> (String, String) {
        (message.to_string(), at.to_string())
    }

    #[test]
    fn an_unknown_key_is_named_and_pointed_at() {
        assert_eq!(
            errors("fail-on = \"error\"\nfail-onn = \"error\"\n"),
            [error(
                "unknown field `fail-onn`, expected one of `fail-on`, `rule-dirs`, `include`, \
                 `exclude`, `follow-links`, `cross-document`, `locale`, `baseline`, `time-budget`, `rules`, `per-file-ignores`",
                "fail-onn"
            )]
        );
        assert_eq!(
            errors("[rules]\nselct = [\"HL3\"]\n"),
            [error(
                "unknown field `selct`, expected one of `select`, `ignore`, `severity`",
                "selct"
            )]
        );
    }

    #[test]
    fn a_bad_value_is_named_and_pointed_at() {
        assert_eq!(
            errors("fail-on = \"sometimes\"\n"),
            [error(
                "unknown variant `sometimes`, expected one of `error`, `warning`, `info`, `never`",
                "\"sometimes\""
            )]
        );
        assert_eq!(
            errors("cross-document = \"yes\"\n"),
            [error(
                "invalid type: string \"yes\", expected a boolean",
                "\"yes\""
            )]
        );
        assert_eq!(
            errors("[rules.severity]\nHL301 = \"loud\"\n"),
            [error(
                "unknown variant `loud`, expected one of `info`, `warning`, `error`",
                "\"loud\""
            )]
        );
    }

    /// Checks after parsing report every bad entry at once, each at its own value.
    #[test]
    fn bad_codes_and_globs_are_each_reported_at_their_value() {
        let text = "include = [\"**/*.md\", \"a[b\"]\nexclude = [\"drafts/\", \"c[d\"]\n\
                    [rules]\nselect = [\"HL3\", \"XL3\"]\nignore = [\"HL1010\"]\n\
                    [rules.severity]\nHLX = \"error\"\n\
                    [per-file-ignores]\n\"faq/**\" = [\"HL3\", \"hl2\"]\n";
        assert_eq!(
            errors(text),
            [
                error(
                    "invalid glob in `include`: unclosed character class; missing ']'",
                    "\"a[b\""
                ),
                error(
                    "invalid glob in `exclude`: unclosed character class; missing ']'",
                    "\"c[d\""
                ),
                error("`XL3` is not a rule code or prefix (such as HL201 or HL2)", "\"XL3\""),
                error("`HL1010` is not a rule code or prefix (such as HL201 or HL2)", "\"HL1010\""),
                error("in `per-file-ignores`: `hl2` is not a rule code or prefix (such as HL201 or HL2)", "\"hl2\""),
                error("`HLX` is not a rule code or prefix (such as HL201 or HL2)", "\"error\""),
            ]
        );
    }

    /// Paths and exclude patterns in the file start from the file's folder, not from the
    /// working directory.
    #[test]
    fn relative_paths_and_globs_start_from_the_config_files_folder() {
        let text = "rule-dirs = [\"house-rules\"]\nbaseline = \"lint/baseline.json\"\n\
                    exclude = [\"drafts/\", \"*.tmp.md\"]\n\
                    [per-file-ignores]\n\"faq/**\" = [\"HL3\"]\n";
        let mut settings =
            Settings::from_toml("healthlint.toml", text, Path::new("/site")).unwrap();
        assert_eq!(settings.rule_dirs, [PathBuf::from("/site/house-rules")]);
        assert_eq!(
            settings.baseline,
            Some(PathBuf::from("/site/lint/baseline.json"))
        );
        settings.exclude.set_cwd(Path::new("/site/blog"));
        let excluded = |p: &str| settings.exclude.excludes_named(Path::new(p), false);
        // From the working directory `/site/blog`: `../drafts/x.md` is the config folder's drafts.
        assert!(excluded("../drafts/x.md"));
        assert!(excluded("/site/drafts/deep/x.md"));
        assert!(!excluded("/elsewhere/drafts/x.md"));
        assert!(excluded("notes.tmp.md"));
        assert!(!excluded("notes.md"));
        for entry in &mut settings.per_file_ignores {
            entry.files.set_cwd(Path::new("/site/blog"));
        }
        assert_eq!(settings.per_file_ignores[0].codes, ["HL3"]);
        assert!(settings.ignores_in_file(Path::new("/site/faq/a/b.md"), "HL301"));
        assert!(!settings.ignores_in_file(Path::new("/site/faq/a/b.md"), "HL201"));
        assert!(!settings.ignores_in_file(Path::new("/site/blog/faq/b.md"), "HL301"));
    }
}
