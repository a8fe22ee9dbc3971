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
use crate::rules::drugs::{DrugLexicon, Mention};
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
    /// What the rules work out about the file once, for all of them.
    pub file: &'a PerFile<'a>,
}

/// What several rules read of one file, worked out by the first that asks and shared by the
/// rest: the drug names it mentions, its advice facts and its red-flag document model.
pub struct PerFile<'a> {
    /// The advice model of the selected conflict rules and the actions they read.
    model: Option<&'a (Arc<AdviceModel>, u64)>,
    facts: OnceCell<Vec<Fact>>,
    drugs: OnceCell<Vec<Mention>>,
    /// The file's document model (kind, topic, guidance), worked out by the first red-flag rule
    /// to run.
    pub topic: OnceCell<red_flags::DocModel>,
}

impl<'a> PerFile<'a> {
    pub fn new(model: Option<&'a (Arc<AdviceModel>, u64)>) -> PerFile<'a> {
        PerFile {
            model,
            facts: OnceCell::new(),
            drugs: OnceCell::new(),
            topic: OnceCell::new(),
        }
    }

    /// Every drug name in the file, in text order (see [`DrugLexicon::mentions`]).
    pub fn drug_mentions(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        drugs: &DrugLexicon,
    ) -> &[Mention] {
        self.drugs.get_or_init(|| drugs.mentions(hits, &doc.prose))
    }

    /// The advice facts about the actions any selected conflict rule (or the cross-document
    /// pass) reads; none without a selected conflict rule.
    pub fn advice_facts(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        context: &ContextRules,
        lexicon: &Lexicon,
    ) -> &[Fact] {
        self.facts.get_or_init(|| match self.model {
            Some((model, wanted)) => {
                let medicines = || self.drug_mentions(doc, hits, &lexicon.drugs);
                model.extract(doc, hits, context, &medicines, *wanted)
            }
            None => Vec::new(),
        })
    }
}

impl CheckContext<'_> {
    /// The file's advice facts (see [`PerFile::advice_facts`]).
    pub fn advice_facts(&self) -> &[Fact] {
        self.file
            .advice_facts(self.doc, self.hits, self.context, self.lexicon)
    }

    /// Every drug name in the file, in text order.
    pub fn drug_mentions(&self) -> &[Mention] {
        self.file
            .drug_mentions(self.doc, self.hits, &self.lexicon.drugs)
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
