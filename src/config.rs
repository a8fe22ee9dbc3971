//! Configuration: takes `healthlint.toml` (found upward from the working directory, or named
//! with `--config`, or skipped with `--isolated`) and the command-line overrides, and hands on
//! resolved [`Settings`]: which rules run, severity overrides, `fail-on`, include/exclude globs,
//! extra rule folders. Unknown keys are errors that point at the key.
//!
//! ```toml
//! fail-on = "warning"          # error | warning | info | never
//! rule-dirs = ["house-rules"]  # extra rule folders, relative to this file
//! include = ["**/*.md"]        # globs of files to check when walking (default: by extension)
//! exclude = ["drafts/**"]      # globs of files and folders to skip when walking
//! cross-document = true        # compare advice across the files of one run
//! locale = "uk"                # uk | us | au | ie | ca | eu: emergency numbers in help text
//!
//! [rules]
//! select = ["HL1", "HL201"]    # codes or prefixes to run (default: all)
//! ignore = ["HL104"]           # codes or prefixes not to run
//! severity = { HL201 = "error" }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::error::{SetupError, SpannedError};

/// The name of the configuration file.
pub const CONFIG_FILE: &str = "healthlint.toml";

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
    pub fn services(locale: Option<Locale>) -> [&'static str; 4] {
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
    pub cross_document: Option<bool>,
    pub locale: Option<Locale>,
    pub rules: Option<RuleOptions>,
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
    pub fail_on: Option<FailOn>,
    pub no_cross_document: bool,
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file used, if any.
    pub config_path: Option<PathBuf>,
    pub fail_on: FailOn,
    pub rule_dirs: Vec<PathBuf>,
    pub include: Option<GlobSet>,
    /// Exclude globs from the file and from `--exclude`, each compiled on its own.
    pub exclude: Vec<GlobSet>,
    pub cross_document: bool,
    /// Whose emergency numbers and services red-flag help text names; `None`: neutral wording.
    pub locale: Option<Locale>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    /// Every code or prefix given, with where it was given: a selector that matches no rule
    /// is an error once the rules are known (see [`Settings::unmatched_selectors`]).
    pub selectors: Vec<(String, SelectorOrigin)>,
}

/// Where a rule selector was written.
#[derive(Debug, Clone)]
pub enum SelectorOrigin {
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
            exclude: Vec::new(),
            cross_document: true,
            locale: None,
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            selectors: Vec::new(),
        }
    }
}

impl Settings {
    /// Finds and reads the config file (unless isolated) and applies the overrides.
    pub fn resolve(cwd: &Path, overrides: &Overrides) -> Result<Settings, SetupError> {
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
        settings.apply(overrides).map_err(SetupError::Message)?;
        Ok(settings)
    }

    /// Settings from config text; `base` is the folder relative paths start from.
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
        settings.locale = options.locale;
        let mut globs = |list: Option<Vec<Spanned<String>>>| -> Option<GlobSet> {
            let list = list?;
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
                        format!("invalid glob: {}", e.kind()),
                    )),
                }
            }
            builder.build().ok()
        };
        settings.include = globs(options.include);
        settings.exclude = globs(options.exclude).into_iter().collect();
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

    fn apply(&mut self, o: &Overrides) -> Result<(), String> {
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
            let mut builder = GlobSetBuilder::new();
            for glob in &o.extend_exclude {
                builder.add(
                    Glob::new(glob)
                        .map_err(|e| format!("invalid --exclude glob `{glob}`: {}", e.kind()))?,
                );
            }
            self.exclude
                .push(builder.build().map_err(|e| e.to_string())?);
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
    pub fn check_selectors(&self, codes: &[&str]) -> Result<(), SetupError> {
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

    /// The severity override for a rule, by the most specific selector.
    pub fn severity_for(&self, code: &str) -> Option<Severity> {
        self.severity
            .iter()
            .filter(|(p, _)| code.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, s)| *s)
    }

    /// Whether a walked path is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let path = path.strip_prefix("./").unwrap_or(path);
        self.exclude.iter().any(|g| g.is_match(path))
    }
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
pub fn find_upward(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}
