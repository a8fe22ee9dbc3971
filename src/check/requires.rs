//! `kind = "requires"`: when a trigger phrase appears, some guidance must appear too — in the
//! trigger's section (from its heading to the next heading of the same or higher level) or
//! anywhere in the document. One finding per section (or document) that lacks the guidance,
//! anchored at the first trigger there, with the next few triggers as secondary labels.
//! Negated triggers ("never give aspirin to children") do not count.

use serde::Deserialize;

use super::{CheckContext, Compiler, Kind};
use crate::analyze::{hidden, PatternId};
use crate::diagnostic::{Diagnostic, Label};
use crate::error::SpannedError;
use crate::rules::spec::{phrase_strings, Phrases, RuleFile};
use crate::rules::{validate_required_phrases, RuleSource};

/// How many further triggers a finding labels.
const MAX_SECONDARY: usize = 3;

/// Where the guidance must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Within {
    Section,
    Document,
}

/// The `[check]` table of a requires rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RequiresSpec {
    #[serde(rename = "kind")]
    _kind: serde::de::IgnoredAny,
    /// Phrases that make the guidance necessary.
    pub trigger: Phrases,
    /// Phrases any one of which satisfies the rule.
    pub guidance: Phrases,
    /// `"section"` (default) or `"document"`.
    #[serde(default = "default_within")]
    pub within: Within,
}

fn default_within() -> Within {
    Within::Section
}

#[derive(Debug)]
pub(crate) struct Requires {
    trigger: PatternId,
    guidance: PatternId,
    within: Within,
}

impl Kind for Requires {
    const NAME: &'static str = "requires";
    /// `{match}`: the first trigger of the section (or document), as it reads.
    const PLACEHOLDERS: &'static [&'static str] = &["match"];
    type Spec = RequiresSpec;
    type Shared = ();
    type PerFile = ();

    fn compile(
        file: RuleFile<RequiresSpec>,
        source: &RuleSource,
        _shared: &mut (),
        compiler: &mut Compiler<'_>,
    ) -> Result<Requires, Vec<SpannedError>> {
        let mut errors = Vec::new();
        for (list, key) in [
            (&file.check.trigger, "trigger"),
            (&file.check.guidance, "guidance"),
        ] {
            validate_required_phrases(source, key, list, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Requires {
            trigger: compiler
                .patterns
                .add_phrases(&phrase_strings(&file.check.trigger)),
            guidance: compiler
                .patterns
                .add_phrases(&phrase_strings(&file.check.guidance)),
            within: file.check.within,
        })
    }

    fn per_file(_shared: &(), _cx: &CheckContext<'_>) {}

    fn run(&self, _shared: &(), _file: &(), cx: &CheckContext<'_>, out: &mut Vec<Diagnostic>) {
        // Triggers grouped by the scope they need guidance in, in text order.
        let mut groups: Vec<(std::ops::Range<usize>, Vec<std::ops::Range<usize>>)> = Vec::new();
        for trigger in cx.hits.of(self.trigger) {
            if cx.context.of(cx.doc, cx.hits, trigger.clone()).negated {
                continue;
            }
            let scope = match (self.within, cx.doc.block_at(trigger.start)) {
                (Within::Section, Some(block)) => {
                    cx.doc.sections[cx.doc.blocks[block].section].range.clone()
                }
                _ => 0..cx.doc.text.len(),
            };
            match groups.iter_mut().find(|(s, _)| *s == scope) {
                Some((_, triggers)) => triggers.push(trigger.clone()),
                None => groups.push((scope, vec![trigger.clone()])),
            }
        }
        for (scope, triggers) in groups {
            if cx.hits.any_in(self.guidance, scope) {
                continue;
            }
            let first = &triggers[0];
            let matched = hidden::readable(&cx.doc.text[first.clone()])
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let mut d = cx.diagnostic(
                cx.message(&[("match", &matched)]),
                Label::new(
                    first.clone(),
                    "mentioned here without the guidance it needs",
                ),
            );
            for extra in triggers.iter().skip(1).take(MAX_SECONDARY) {
                d = d.with_label(Label::new(extra.clone(), "also mentioned here"));
            }
            out.push(d);
        }
    }
}
