//! Rules as data: takes the built-in rule files and the user's rule folders and hands on their
//! texts ([`RuleSource`]), the schema of a rule file's header ([`spec`]) and what every rule is
//! apart from its check ([`RuleMeta`]); `check` compiles them. Files under `lexicon/` are not
//! rules but shared term lists (context triggers, care actions, drugs) that kinds read while
//! they compile ([`Lexicon`]).

pub(crate) mod builtin;
pub(crate) mod drugs;
pub(crate) mod lexicon;
pub(crate) mod spec;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{RuleId, Severity};
use crate::error::{SetupError, SpannedError};
pub(crate) use lexicon::Lexicon;
use spec::RuleFile;

/// A settings file to load: how it is named to users and its text.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub origin: String,
    pub text: Arc<str>,
    /// Embedded in the binary: its phrases are known to parse (see [`validate_phrases`]).
    pub builtin: bool,
}

/// What every rule is, apart from its check.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: RuleId,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub docs: spec::Docs,
    /// The `check.kind` string.
    pub kind: String,
    pub origin: String,
}

/// Built-in rule files (everything under `rules/` but the lexicon).
pub(crate) fn builtin_sources() -> Vec<RuleSource> {
    builtin::BUILTIN_FILES
        .iter()
        .filter(|(path, _)| !path.starts_with("lexicon/"))
        .map(|(path, text)| RuleSource {
            origin: format!("rules/{path}"),
            text: Arc::from(*text),
            builtin: true,
        })
        .collect()
}

/// Rule files in a user folder (every `*.toml` below it, sorted by path).
pub(crate) fn dir_sources(dir: &Path) -> Result<Vec<RuleSource>, SetupError> {
    if !dir.is_dir() {
        return Err(SetupError::Message(format!(
            "rule folder `{}` does not exist or is not a folder",
            dir.display()
        )));
    }
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
    {
        let entry = entry.map_err(|e| {
            SetupError::Message(format!("cannot read rule folder `{}`: {e}", dir.display()))
        })?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(path).map_err(|e| {
                SetupError::Message(format!("cannot read rule file `{}`: {e}", path.display()))
            })?;
            out.push(RuleSource {
                origin: path.display().to_string(),
                text: Arc::from(text),
                builtin: false,
            });
        }
    }
    Ok(out)
}

/// Parses a rule file with a kind's own `[check]` schema (the header alone with
/// [`spec::KindOnly`]).
pub(crate) fn parse_as<C: serde::de::DeserializeOwned>(
    source: &RuleSource,
) -> Result<RuleFile<C>, Vec<SpannedError>> {
    toml::from_str(&source.text)
        .map_err(|e| vec![SpannedError::from_toml(&source.origin, &source.text, &e)])
}

/// Validates a phrase list that a kind requires: it must not be empty (reported as
/// `check.<key>`), and every phrase must compile.
pub(crate) fn validate_required_phrases(
    source: &RuleSource,
    key: &str,
    phrases: &spec::Phrases,
    errors: &mut Vec<SpannedError>,
) {
    if phrases.is_empty() {
        errors.push(SpannedError::new(
            &source.origin,
            &source.text,
            None,
            format!("`check.{key}` must not be empty"),
        ));
    }
    validate_phrases(source, phrases, errors);
}

/// Validates every phrase of a list, reporting each bad one at its span.
pub(crate) fn validate_phrases(
    source: &RuleSource,
    phrases: &spec::Phrases,
    errors: &mut Vec<SpannedError>,
) {
    // Built-in phrases are parsed in the background once the pattern set starts building,
    // and every test run loads them all, so parsing them here too would only slow down
    // start-up; a user's file gets each error at its own span.
    if source.builtin {
        return;
    }
    for phrase in phrases {
        if let Err(message) = healthlint_phrase::syntax::validate(phrase.get_ref()) {
            errors.push(SpannedError::new(
                &source.origin,
                &source.text,
                Some(phrase.span()),
                message,
            ));
        }
    }
}

/// Best-effort span of a top-level key, for errors found after parsing (duplicates).
pub(crate) fn field_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let start = offset + (line.len() - trimmed.len());
                return Some(start..offset + line.trim_end().len());
            }
        }
        offset += line.len();
    }
    None
}
