//! `kind = "existence"`: phrases that must not appear in an article ("no side effects",
//! "100% safe", "miracle cure"). Each match the article asserts is reported; a match the
//! sentence negates or presents as a myth ("it is a myth that any drug is 100% safe") is not,
//! nor one the article quotes, warns against or hedges: a match in quotation marks, or with
//! an `unless` phrase in its sentence or in the lead-in of its list ("be wary of claims such
//! as:", "you may have no side effects").

use serde::Deserialize;

use super::{drug_claims, CheckContext, Compiler, Kind};
use crate::analyze::{hidden, PatternId};
use crate::diagnostic::{Diagnostic, Label};
use crate::error::SpannedError;
use crate::rules::spec::{phrase_strings, Phrases, RuleFile};
use crate::rules::{validate_required_phrases, RuleSource};

/// The `[check]` table of an existence rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExistenceSpec {
    #[serde(rename = "kind")]
    _kind: serde::de::IgnoredAny,
    /// Phrases to report (case-insensitive, whole words; see the README's phrase syntax).
    pub phrases: Phrases,
    /// Also report matches in negated, myth or someone-else context (default false).
    #[serde(default)]
    pub include_negated: bool,
    /// Tie each match to the drug it is said of (the nearest drug from the drug lexicon in the
    /// same sentence, else the same paragraph): the message names the drug, a note gives its
    /// class and schedule, and a claim about a controlled substance is an error (default false).
    #[serde(default)]
    pub name_drug: bool,
    /// Phrases that show a match is not the article's own claim when they stand in its
    /// sentence or in the lead-in of its list item: warnings ("beware", "red flags"),
    /// hedges ("may have"), impossibility ("impossible to").
    #[serde(default)]
    pub unless: Option<Phrases>,
}

#[derive(Debug)]
pub(crate) struct Existence {
    pattern: PatternId,
    include_negated: bool,
    name_drug: bool,
    unless: Option<PatternId>,
}

impl Existence {
    /// Whether the article quotes, warns against or hedges the match instead of claiming it.
    fn not_claimed(&self, cx: &CheckContext<'_>, range: &std::ops::Range<usize>) -> bool {
        let doc = cx.doc;
        let Some(s) = doc.sentence_at(range.start) else {
            return false;
        };
        let sentence = doc.sentences[s].range.clone();
        // In quotation marks: "a 'miracle cure'" is named, not promised.
        let before = doc.prose.get(sentence.start..range.start).unwrap_or("");
        let after = doc.prose.get(range.end..sentence.end).unwrap_or("");
        let opens = |c: char| matches!(c, '"' | '\u{201c}' | '\u{2018}');
        let closes = |c: char| matches!(c, '"' | '\u{201d}' | '\u{2019}');
        if before.trim_end().ends_with(opens) && after.trim_start().starts_with(closes) {
            return true;
        }
        let Some(unless) = self.unless else {
            return false;
        };
        if cx.hits.any_in(unless, sentence) {
            return true;
        }
        let block = &doc.blocks[doc.sentences[s].block];
        block
            .lead_in
            .filter(|_| block.kind == crate::document::BlockKind::ListItem)
            .is_some_and(|li| cx.hits.any_in(unless, doc.blocks[li].range.clone()))
    }

}

impl Kind for Existence {
    const NAME: &'static str = "existence";
    /// `{match}`: the matched words, as they read.
    const PLACEHOLDERS: &'static [&'static str] = &["match"];
    type Spec = ExistenceSpec;
    type Shared = ();
    type PerFile = ();

    fn compile(
        file: RuleFile<ExistenceSpec>,
        source: &RuleSource,
        _shared: &mut (),
        compiler: &mut Compiler<'_>,
    ) -> Result<Existence, Vec<SpannedError>> {
        let mut errors = Vec::new();
        validate_required_phrases(source, "phrases", &file.check.phrases, &mut errors);
        if let Some(unless) = &file.check.unless {
            validate_required_phrases(source, "unless", unless, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let pattern = compiler
            .patterns
            .add_phrases(&phrase_strings(&file.check.phrases));
        let unless = file
            .check
            .unless
            .as_ref()
            .map(|u| compiler.patterns.add_phrases(&phrase_strings(u)));
        Ok(Existence {
            pattern,
            include_negated: file.check.include_negated,
            name_drug: file.check.name_drug,
            unless,
        })
    }

    fn per_file(_shared: &(), _cx: &CheckContext<'_>) {}

    fn run(&self, _shared: &(), _file: &(), cx: &CheckContext<'_>, out: &mut Vec<Diagnostic>) {
        // Drug names are looked up only in files where the rule matched at all.
        for range in cx.hits.of(self.pattern) {
            if !self.include_negated {
                let context = cx.context.of(cx.doc, cx.hits, range.clone());
                if context.negated || context.myth || context.other_experiencer {
                    continue;
                }
            }
            if self.not_claimed(cx, range) {
                continue;
            }
            // Quoted as it reads: "miracle cure", not "mir&shy;acle cure".
            let matched = hidden::readable(&cx.doc.text[range.clone()])
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let message = cx.message(&[("match", &matched)]);
            let mut d = cx.diagnostic(
                message,
                Label::new(range.clone(), format!("`{matched}` is stated here")),
            );
            if self.name_drug {
                let mentions = cx.drug_mentions();
                if let Some(m) = drug_claims::drug_said_of(cx.doc, mentions, range.clone()) {
                    d = drug_claims::tie_to_drug(d, cx, m);
                }
            }
            out.push(d);
        }
    }
}
