//! Rules as data: takes the built-in rule files and the user's rule folders and hands on a
//! [`RuleSet`] — every rule validated, its check compiled once, all phrase lists in one shared
//! [`PatternSet`]. Files under `lexicon/` are not rules but shared term lists (context
//! triggers, care actions, drugs) that kinds read while they compile ([`Lexicon`]). Any error
//! stops the run before a file is checked, pointing at the key or value in the TOML file.

pub mod builtin;
pub mod drugs;
pub mod lexicon;
pub mod spec;

/// The phrase syntax, under the name it had before it became a crate of its own.
pub use healthlint_phrase::syntax as pattern;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::analyze::advice::AdviceModel;
use crate::analyze::{ContextRules, PatternSet, PatternSetBuilder};
use crate::check::{self, Check};
use crate::diagnostic::{RuleId, Severity};
use crate::error::{SetupError, SpannedError};
pub use lexicon::Lexicon;
use spec::{KindOnly, RuleFile};

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

/// A loaded rule. `check` is `None` when the rule is not selected, so that it costs nothing
/// per file but still shows in `healthlint rules`.
#[derive(Debug)]
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Option<Check>,
    /// Compiled only because a selected cross-document rule compares its statements: its
    /// own findings are not reported (see [`RuleSet::compared_only`]).
    pub compared_only: bool,
}

/// Everything the engine needs from the rules, compiled once and shared by all threads.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub patterns: PatternSet,
    pub context: ContextRules,
    pub lexicon: Arc<Lexicon>,
    /// The advice model the selected conflict rules share, and the actions any of them
    /// reads (a bit set): each file's facts are extracted once, for all of them.
    pub advice: Option<(Arc<AdviceModel>, u64)>,
}

/// State shared by kinds while they compile.
pub struct Compiler<'a> {
    pub patterns: &'a mut PatternSetBuilder,
    pub lexicon: &'a Lexicon,
    pub context: &'a ContextRules,
    /// The shared pattern set when `patterns` is a scratch set (the rule is not selected), for
    /// patterns that selected rules read too (red-flag topics); `None` when `patterns` is it.
    pub shared_patterns: Option<&'a mut PatternSetBuilder>,
    /// Topics of the red-flags packs, shared by all packs of this rule set.
    pub topics: &'a check::red_flags::TopicRegistry,
    /// The advice model of the selected conflict rules, compiled once into the shared set.
    pub advice: &'a OnceCell<Arc<AdviceModel>>,
}

impl Compiler<'_> {
    /// The advice model for a conflict rule: the one shared by every selected rule (so a
    /// file's facts are extracted once for all of them), or a model of its own in the
    /// scratch set of a rule that is not selected.
    pub fn advice_model(&mut self) -> Arc<AdviceModel> {
        let compile = |patterns: &mut PatternSetBuilder| {
            Arc::new(AdviceModel::compile(
                &self.lexicon.advice,
                &self.lexicon.context,
                patterns,
            ))
        };
        if self.shared_patterns.is_some() {
            return compile(self.patterns);
        }
        Arc::clone(self.advice.get_or_init(|| compile(self.patterns)))
    }
}

/// Built-in rule files (everything under `rules/` but the lexicon).
pub fn builtin_sources() -> Vec<RuleSource> {
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
pub fn dir_sources(dir: &Path) -> Result<Vec<RuleSource>, SetupError> {
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

impl RuleSet {
    /// Codes of the conflict rules that a selected cross-document rule needs but the selection
    /// left out: `--select HL401` alone must still compare what the HL3xx rules extract.
    pub fn needed_for_comparison(&self) -> Vec<String> {
        let compares = self
            .rules
            .iter()
            .any(|r| matches!(&r.check, Some(Check::Conflict(c)) if c.across_documents));
        if !compares {
            return Vec::new();
        }
        self.rules
            .iter()
            .filter(|r| r.check.is_none() && r.meta.kind == "conflict")
            .map(|r| r.meta.id.code.to_string())
            .collect()
    }

    /// Marks rules compiled only for a cross-document comparison (see [`Rule::compared_only`]).
    pub fn compared_only(&mut self, codes: &[String]) {
        for rule in &mut self.rules {
            rule.compared_only = codes.iter().any(|c| **c == *rule.meta.id.code);
        }
    }

    /// Loads, validates and compiles rules; `enabled` decides which rules get compiled checks.
    /// Every problem in every file is collected, so that one run shows them all.
    pub fn load(
        sources: &[RuleSource],
        enabled: &dyn Fn(&str) -> bool,
    ) -> Result<RuleSet, SetupError> {
        let mut lexicon = Lexicon::builtin()?;
        let mut patterns = PatternSetBuilder::parsing_ahead();
        lexicon.drugs.register(&mut patterns);
        let context = ContextRules::compile(&lexicon.context, &mut patterns);
        let topics = check::red_flags::TopicRegistry::default();
        let advice = OnceCell::new();
        let mut errors = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen_codes: HashMap<String, String> = HashMap::new();
        let mut seen_names: HashMap<String, String> = HashMap::new();
        for source in sources {
            let shared = Shared {
                lexicon: &lexicon,
                context: &context,
                topics: &topics,
                advice: &advice,
            };
            match load_one(source, &shared, &mut patterns, enabled) {
                Ok(rule) => {
                    let code = rule.meta.id.code.to_string();
                    let name = rule.meta.id.name.to_string();
                    let mut duplicate = |seen: &mut HashMap<String, String>,
                                         key: String,
                                         what: &str,
                                         field: &str| {
                        if let Some(first) = seen.get(&key) {
                            errors.push(SpannedError::new(
                                &source.origin,
                                &source.text,
                                field_span(&source.text, field),
                                format!(
                                    "duplicate rule {what} `{key}`: already defined in {first}"
                                ),
                            ));
                            true
                        } else {
                            seen.insert(key, source.origin.clone());
                            false
                        }
                    };
                    let dup_code = duplicate(&mut seen_codes, code, "code", "code");
                    let dup_name = duplicate(&mut seen_names, name, "name", "name");
                    if !dup_code && !dup_name {
                        rules.push(rule);
                    }
                }
                Err(mut errs) => errors.append(&mut errs),
            }
        }
        if !errors.is_empty() {
            return Err(SetupError::Files(errors));
        }
        rules.sort_by(|a, b| a.meta.id.code.cmp(&b.meta.id.code));
        let patterns = patterns.build().map_err(|e| {
            SetupError::Message(format!("the combined rule patterns do not compile: {e}"))
        })?;
        let advice = advice.into_inner().map(|model| {
            let wanted = rules
                .iter()
                .filter_map(|r| match &r.check {
                    Some(Check::Conflict(c)) => Some(c.wanted()),
                    _ => None,
                })
                .fold(0, |acc, w| acc | w);
            (model, wanted)
        });
        Ok(RuleSet {
            rules,
            patterns,
            context,
            lexicon: Arc::new(lexicon),
            advice,
        })
    }

    /// The rule with a code, if any.
    pub fn get(&self, code: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id.code.as_ref() == code)
    }
}

/// The built-in lexicon and context rules, loaded once, for compiling many user rule files
/// one at a time: the `rule_file` fuzz target and its bounded run in the tests. Loading the
/// lexicon and parsing its thousands of phrases is nearly all of [`RuleSet::load`]'s time
/// (about 80 ms), which a fuzzer would otherwise pay for every input.
pub struct Prepared {
    lexicon: Lexicon,
    context: ContextRules,
}

impl Prepared {
    pub fn builtin() -> Result<Prepared, SetupError> {
        let lexicon = Lexicon::builtin()?;
        // The context rules' pattern ids point into this set, which is never built: a rule
        // compiled by `compile_alone` is only validated, never run.
        let context = ContextRules::compile(&lexicon.context, &mut PatternSetBuilder::default());
        Ok(Prepared { lexicon, context })
    }

    /// Parses, validates and compiles one rule file as [`RuleSet::load`] does, then builds a
    /// pattern set of its own phrases only: every error `load` would give for this file
    /// alone, without the built-in phrases (known to compile) in the set.
    pub fn compile_alone(&self, source: &RuleSource) -> Result<(), SetupError> {
        let topics = check::red_flags::TopicRegistry::default();
        let advice = OnceCell::new();
        let shared = Shared {
            lexicon: &self.lexicon,
            context: &self.context,
            topics: &topics,
            advice: &advice,
        };
        let mut patterns = PatternSetBuilder::default();
        load_one(source, &shared, &mut patterns, &|_| true).map_err(SetupError::Files)?;
        patterns.build().map_err(|e| {
            SetupError::Message(format!("the combined rule patterns do not compile: {e}"))
        })?;
        Ok(())
    }
}

/// What every rule file of a set compiles against.
struct Shared<'a> {
    lexicon: &'a Lexicon,
    context: &'a ContextRules,
    topics: &'a check::red_flags::TopicRegistry,
    advice: &'a OnceCell<Arc<AdviceModel>>,
}

/// Parses and compiles one rule file.
fn load_one(
    source: &RuleSource,
    shared: &Shared<'_>,
    patterns: &mut PatternSetBuilder,
    enabled: &dyn Fn(&str) -> bool,
) -> Result<Rule, Vec<SpannedError>> {
    let err = |span, message: String| {
        vec![SpannedError::new(
            &source.origin,
            &source.text,
            span,
            message,
        )]
    };
    let header: RuleFile<KindOnly> = toml::from_str(&source.text)
        .map_err(|e| vec![SpannedError::from_toml(&source.origin, &source.text, &e)])?;
    spec::check_code(header.code.get_ref(), header.category.get_ref()).map_err(|m| {
        let span = if m.starts_with("unknown category") || m.starts_with("category") {
            header.category.span()
        } else {
            header.code.span()
        };
        err(Some(span), m)
    })?;
    spec::check_name(header.name.get_ref()).map_err(|m| err(Some(header.name.span()), m))?;
    let meta = RuleMeta {
        id: RuleId {
            code: header.code.get_ref().as_str().into(),
            name: header.name.get_ref().as_str().into(),
            category: header.category.get_ref().as_str().into(),
        },
        severity: header.severity,
        message: header.message,
        help: header.help,
        docs: header.docs,
        kind: header.check.kind.get_ref().clone(),
        origin: source.origin.clone(),
    };
    let is_enabled = enabled(&meta.id.code);
    let mut scratch = PatternSetBuilder::default();
    let (patterns, shared_patterns) = if is_enabled {
        (patterns, None)
    } else {
        (&mut scratch, Some(patterns))
    };
    let mut compiler = Compiler {
        patterns,
        lexicon: shared.lexicon,
        context: shared.context,
        shared_patterns,
        topics: shared.topics,
        advice: shared.advice,
    };
    let compiled = check::compile(&header.check.kind, source, &mut compiler)?;
    Ok(Rule {
        meta,
        check: is_enabled.then_some(compiled),
        compared_only: false,
    })
}

/// Parses a rule file with a kind's own `[check]` schema; used by `check::compile`.
pub fn parse_as<C: serde::de::DeserializeOwned>(
    source: &RuleSource,
) -> Result<RuleFile<C>, Vec<SpannedError>> {
    toml::from_str(&source.text)
        .map_err(|e| vec![SpannedError::from_toml(&source.origin, &source.text, &e)])
}

/// Validates a phrase list that a kind requires: it must not be empty (reported as
/// `check.<key>`), and every phrase must compile.
pub fn validate_required_phrases(
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
pub fn validate_phrases(
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
fn field_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
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
