//! Rule kinds: the code behind rules. Takes a compiled rule and one file's [`Document`] with
//! its [`Hits`] and hands on diagnostics. Kinds are a closed enum — adding one is a file here,
//! a variant and an arm in [`compile`] and [`Check::run`] — so the compiler finds every place a
//! new kind must be wired in. Each kind's file holds its `[check]` schema (documented per key,
//! the reference for rule authors), its compile step and its run step.

pub mod conflict;
pub mod disguise;
pub mod existence;
pub mod promotion;
pub mod red_flags;
pub mod requires;

use std::cell::OnceCell;
use std::sync::Arc;

use crate::analyze::advice::{AdviceModel, Fact};
use crate::analyze::{ContextRules, Hits, PatternSet};
use crate::diagnostic::{Diagnostic, Label};
use crate::document::Document;
use crate::error::SpannedError;
use crate::rules::{self, Compiler, Lexicon, RuleMeta, RuleSource};

/// A compiled check of one rule.
#[derive(Debug)]
pub enum Check {
    /// Boxed: it carries the compiled advice model, much larger than the other kinds.
    Conflict(Box<conflict::Conflict>),
    Existence(existence::Existence),
    Requires(requires::Requires),
    /// Boxed: its weights and name index make it several times larger than the rest.
    Promotion(Box<promotion::Promotion>),
    RedFlags(red_flags::RedFlags),
    Guidance(red_flags::Guidance),
}

/// Every kind name, for error messages and `healthlint rules`.
pub const KINDS: &[&str] = &[
    "conflict",
    "existence",
    "guidance",
    "promotion",
    "red-flags",
    "requires",
];

/// Compiles the `[check]` table of a rule file according to its kind.
pub fn compile(
    kind: &toml::Spanned<String>,
    source: &RuleSource,
    compiler: &mut Compiler<'_>,
) -> Result<Check, Vec<SpannedError>> {
    match kind.get_ref().as_str() {
        "conflict" => conflict::Conflict::compile(rules::parse_as(source)?, source, compiler)
            .map(|c| Check::Conflict(Box::new(c))),
        "existence" => existence::Existence::compile(rules::parse_as(source)?, source, compiler)
            .map(Check::Existence),
        "requires" => requires::Requires::compile(rules::parse_as(source)?, source, compiler)
            .map(Check::Requires),
        "promotion" => promotion::Promotion::compile(rules::parse_as(source)?, source, compiler)
            .map(|c| Check::Promotion(Box::new(c))),
        "red-flags" => red_flags::RedFlags::compile(rules::parse_as(source)?, source, compiler)
            .map(Check::RedFlags),
        "guidance" => red_flags::Guidance::compile(rules::parse_as(source)?, source, compiler)
            .map(Check::Guidance),
        other => Err(vec![SpannedError::new(
            &source.origin,
            &source.text,
            Some(kind.span()),
            format!(
                "unknown rule kind `{other}`; expected one of: {}",
                KINDS.join(", ")
            ),
        )]),
    }
}

/// What a check sees of one file.
pub struct CheckContext<'a> {
    pub doc: &'a Document<'a>,
    pub hits: &'a Hits,
    pub patterns: &'a PatternSet,
    pub context: &'a ContextRules,
    pub lexicon: &'a Lexicon,
    pub rule: &'a RuleMeta,
    /// The file's advice facts, extracted on first use for every selected conflict rule.
    pub advice: &'a AdviceFacts<'a>,
    /// The file's document model (kind, topic, guidance), worked out by the first red-flag rule
    /// to run.
    pub topic: &'a OnceCell<red_flags::DocModel>,
}

/// One file's advice facts, for the actions any selected conflict rule (or the
/// cross-document pass) reads: extracted once, on first use, and shared by them all.
pub struct AdviceFacts<'a> {
    model: Option<&'a (Arc<AdviceModel>, u64)>,
    facts: OnceCell<Vec<Fact>>,
}

impl<'a> AdviceFacts<'a> {
    pub fn new(model: Option<&'a (Arc<AdviceModel>, u64)>) -> AdviceFacts<'a> {
        AdviceFacts {
            model,
            facts: OnceCell::new(),
        }
    }

    /// The facts (none without a selected conflict rule).
    pub fn get(&self, doc: &Document<'_>, hits: &Hits, context: &ContextRules) -> &[Fact] {
        self.facts.get_or_init(|| match self.model {
            Some((model, wanted)) => model.extract(doc, hits, context, *wanted),
            None => Vec::new(),
        })
    }
}

impl CheckContext<'_> {
    /// The file's advice facts (see [`AdviceFacts`]).
    pub fn advice_facts(&self) -> &[Fact] {
        self.advice.get(self.doc, self.hits, self.context)
    }

    /// A diagnostic of this rule at its default severity with its message and help.
    pub fn diagnostic(&self, message: String, primary: Label) -> Diagnostic {
        let mut d = Diagnostic::new(self.rule.id.clone(), self.rule.severity, message, primary);
        d.help = self.rule.help.clone();
        d
    }
}

impl Check {
    /// The red-flag document model of a file, when this check builds one (for `inspect`).
    pub fn inspect(&self, cx: &CheckContext<'_>) -> Option<red_flags::Inspection> {
        match self {
            Check::Guidance(c) => Some(c.inspect(cx)),
            _ => None,
        }
    }

    /// Runs the check over one file, appending its findings.
    pub fn run(&self, cx: &CheckContext<'_>, out: &mut Vec<Diagnostic>) {
        match self {
            Check::Conflict(c) => c.run(cx, out),
            Check::Existence(c) => c.run(cx, out),
            Check::Requires(c) => c.run(cx, out),
            Check::Promotion(c) => c.run(cx, out),
            Check::RedFlags(c) => c.run(cx, out),
            Check::Guidance(c) => c.run(cx, out),
        }
    }
}
