//! `kind = "red-flags"`: an article about a symptom or condition must say which warning signs
//! need urgent or prompt care. Takes one topic pack (its topic terms and its warning signs in
//! groups with a care tier) plus the care-action lexicon (`rules/lexicon/care-actions.toml`),
//! and hands on at most one finding per article:
//!
//! 1. **Topic.** Every pack registers its topic in a [`TopicRegistry`] shared by all packs, so
//!    that exactly one pack (or none) is chosen per article, whichever rules are selected. A
//!    front matter `topic` naming a pack wins outright; otherwise each pack scores its topic
//!    terms in the title (heavy), in headings and in the body (light). Overlapping matches of
//!    different packs count only for the longest ("upper back pain" is not also "back pain"),
//!    and mentions inside guidance (a "When to get help" section, a sign list, a sentence with
//!    a care action) are not counted, because there "chest pain" is a sign, not the topic. A
//!    document whose best score stays below [`MIN_TOPIC_SCORE`] is about none of the packs.
//! 2. **Guidance.** A warning sign counts when it is tied to a care action: in the same
//!    sentence ("Call 999 if you have chest pain"), through a list lead-in or a paragraph
//!    ending with a colon ("See a GP urgently if:"), under a heading that sends readers to care
//!    ("When to get help", "Call 999 if"), under a heading that announces signs ("Red flags")
//!    in a section that names a care action, or pointed back at from a care sentence ("If you
//!    notice any of these, call 999"). Signs the sentence negates, refutes as a myth, or tells
//!    as someone else's or past story (outside a condition) do not count, nor do matches inside
//!    non-specific phrases ("if the pain gets worse", "lasts more than a week").
//! 3. **Findings.** No tied sign at all: the rule's warning, at the title or the first topic
//!    mention, with a note listing the pack's key signs by tier. Some tied signs but key signs
//!    of the pack missing: an `info` naming them.

use std::ops::Range;
use std::sync::{Arc, RwLock};

use serde::Deserialize;

use super::CheckContext;
use crate::analyze::context::Terms;
use crate::analyze::{PatternId, PatternSetBuilder};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::document::{BlockKind, Document};
use crate::error::SpannedError;
use crate::rules::spec::{phrase_strings, Phrases, RuleFile};
use crate::rules::{validate_phrases, Compiler, RuleSource};

/// Weight of a topic mention in the title.
const TITLE_WEIGHT: usize = 6;
/// Weight of a topic mention in another heading.
const HEADING_WEIGHT: usize = 2;
/// The score below which an article is about none of the packs: a title mention, or a few
/// mentions in headings and body. A drug sales page that names "back pain" once or twice
/// among its indications stays below it.
pub const MIN_TOPIC_SCORE: usize = 5;
/// The longest first line read as a title when the document has no title heading.
const MAX_TITLE_WORDS: usize = 20;
/// How many blocks back a paragraph lead-in ("Call 999 if:") reaches over paragraphs of signs.
const LEAD_IN_REACH: usize = 6;
/// How many levels of nested lists a lead-in reaches through.
const LEAD_IN_DEPTH: usize = 3;

/// A care tier, from most to least urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Call 999 / go to A&E.
    Emergency,
    /// Urgent GP appointment, NHS 111, same-day care.
    Urgent,
    /// See a GP or another professional soon.
    Prompt,
}

impl Tier {
    fn describe(self) -> &'static str {
        match self {
            Tier::Emergency => "emergency (call 999 or go to A&E)",
            Tier::Urgent => "urgent (same-day GP appointment or NHS 111)",
            Tier::Prompt => "prompt (see a GP)",
        }
    }
}

/// One group of warning signs of a pack.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignSpec {
    /// Stable identifier of the group (kebab-case), unique within the pack.
    pub id: String,
    /// How the group is named to editors in findings ("chest pain or tightness").
    pub label: String,
    /// The care the sign calls for: `emergency`, `urgent` or `prompt`.
    pub tier: Tier,
    /// A key sign: guidance that leaves it out gets an `info` naming it.
    #[serde(default)]
    pub key: bool,
    /// Lay phrasings of the sign (phrase syntax).
    pub terms: Phrases,
}

/// The `[check]` table of a red-flags rule (one topic pack).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RedFlagsSpec {
    #[serde(rename = "kind")]
    _kind: serde::de::IgnoredAny,
    /// The topic's name, as findings show it ("upper back pain").
    pub topic: String,
    /// Phrases that name the topic in a title, heading or body.
    pub topic_terms: Phrases,
    /// Phrases whose matches cancel overlapping topic matches of this pack (for example "upper
    /// back pain" for the low back pain pack).
    #[serde(default)]
    pub exclude_terms: Phrases,
    /// Front matter `topic` values (lower case) that select this pack outright; a longer value
    /// contained in the front matter beats a shorter one.
    #[serde(default)]
    pub front_matter: Vec<String>,
    /// The warning signs, in groups.
    pub signs: Vec<SignSpec>,
}

/// What the topic choice needs to know of one pack.
#[derive(Debug, Clone)]
pub struct TopicEntry {
    code: String,
    topic: PatternId,
    exclude: Option<PatternId>,
    front_matter: Vec<String>,
}

/// The topics of every red-flags pack loaded in one rule set, filled while rules compile and
/// read while files are checked. Packs that are not selected still register, so that the
/// choice of topic does not depend on `--select`.
#[derive(Debug, Clone, Default)]
pub struct TopicRegistry(Arc<RwLock<Vec<TopicEntry>>>);

impl TopicRegistry {
    fn push(&self, entry: TopicEntry) {
        if let Ok(mut list) = self.0.write() {
            list.push(entry);
        }
    }

    fn entries(&self) -> Vec<TopicEntry> {
        self.0.read().map(|l| l.clone()).unwrap_or_default()
    }
}

/// The care-action lexicon (`rules/lexicon/care-actions.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CareLexicon {
    pub action: Vec<ActionTier>,
    pub guidance_headings: Terms,
    pub sign_headings: Terms,
    pub anaphora: Terms,
    pub non_specific: Terms,
}

/// Care-seeking phrases of one tier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionTier {
    pub tier: Tier,
    pub terms: Vec<String>,
}

/// The lexicon's patterns; identical in every pack (the builder shares identical lists).
#[derive(Debug, Clone, PartialEq)]
struct CarePatterns {
    actions: Vec<PatternId>,
    guidance_headings: PatternId,
    sign_headings: PatternId,
    anaphora: PatternId,
    non_specific: PatternId,
}

#[derive(Debug)]
struct Sign {
    label: String,
    tier: Tier,
    key: bool,
    pattern: PatternId,
}

#[derive(Debug)]
pub struct RedFlags {
    code: String,
    topic: String,
    signs: Vec<Sign>,
    care: CarePatterns,
    registry: TopicRegistry,
}

impl RedFlags {
    pub fn compile(
        file: RuleFile<RedFlagsSpec>,
        source: &RuleSource,
        compiler: &mut Compiler<'_>,
    ) -> Result<RedFlags, Vec<SpannedError>> {
        let spec = file.check;
        let mut errors = Vec::new();
        let err = |message: String| SpannedError::new(&source.origin, &source.text, None, message);
        if spec.topic_terms.is_empty() {
            errors.push(err("`check.topic-terms` must not be empty".to_string()));
        }
        if spec.signs.is_empty() {
            errors.push(err("`check.signs` must list at least one sign".to_string()));
        }
        validate_phrases(source, &spec.topic_terms, &mut errors);
        validate_phrases(source, &spec.exclude_terms, &mut errors);
        let mut ids: Vec<&str> = Vec::new();
        for sign in &spec.signs {
            if sign.terms.is_empty() {
                errors.push(err(format!("sign `{}` has no terms", sign.id)));
            }
            if ids.contains(&sign.id.as_str()) {
                errors.push(err(format!("sign id `{}` is used twice", sign.id)));
            }
            ids.push(&sign.id);
            validate_phrases(source, &sign.terms, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let care = &compiler.lexicon.care;
        let register_care = |b: &mut PatternSetBuilder| CarePatterns {
            actions: care
                .action
                .iter()
                .map(|a| b.add_phrases(&a.terms))
                .collect(),
            guidance_headings: b.add_phrases(&care.guidance_headings.terms),
            sign_headings: b.add_phrases(&care.sign_headings.terms),
            anaphora: b.add_phrases(&care.anaphora.terms),
            non_specific: b.add_phrases(&care.non_specific.terms),
        };
        // The topic goes into the shared pattern set even when this rule is not selected: the
        // selected packs read it to decide which pack an article belongs to.
        let topic_builder: &mut PatternSetBuilder = match compiler.shared_patterns.as_deref_mut() {
            Some(shared) => shared,
            None => compiler.patterns,
        };
        let topic = topic_builder.add_phrases(&phrase_strings(&spec.topic_terms));
        let exclude = (!spec.exclude_terms.is_empty())
            .then(|| topic_builder.add_phrases(&phrase_strings(&spec.exclude_terms)));
        let code = file.code.get_ref().clone();
        compiler.topics.push(TopicEntry {
            code: code.clone(),
            topic,
            exclude,
            front_matter: spec
                .front_matter
                .iter()
                .map(|s| s.trim().to_lowercase())
                .collect(),
        });
        let care = register_care(compiler.patterns);
        let signs = spec
            .signs
            .iter()
            .map(|s| Sign {
                label: s.label.clone(),
                tier: s.tier,
                key: s.key,
                pattern: compiler.patterns.add_phrases(&phrase_strings(&s.terms)),
            })
            .collect();
        Ok(RedFlags {
            code,
            topic: spec.topic,
            signs,
            care,
            registry: compiler.topics.clone(),
        })
    }

    pub fn run(&self, cx: &CheckContext<'_>, out: &mut Vec<Diagnostic>) {
        let doc = cx.doc;
        // Every pack of the file asks which pack is its topic and where guidance is: worked
        // out once per file (the care lexicon and the topic registry are the same for all).
        let fresh;
        let choice = match cx.topic.get() {
            Some(choice) if choice.care == self.care => choice,
            Some(_) => {
                fresh = TopicChoice::new(cx, &self.care, &self.registry);
                &fresh
            }
            None => cx
                .topic
                .get_or_init(|| TopicChoice::new(cx, &self.care, &self.registry)),
        };
        let zones = &choice.zones;
        let anchor = match &choice.winner {
            Some((code, anchor)) if *code == self.code => anchor.clone(),
            _ => return,
        };
        // Which sign groups are tied to care, and where the first tied sign is.
        let mut covered = vec![false; self.signs.len()];
        let mut first_tied: Option<Range<usize>> = None;
        for (i, sign) in self.signs.iter().enumerate() {
            for hit in cx.hits.of(sign.pattern) {
                // Structure first (cheap); the sentence context only for candidates.
                let maybe = zones.sentence_has_action(cx, hit.start)
                    || zones.structurally_tied(doc, hit.start);
                let next_care = if maybe {
                    None
                } else {
                    match zones.next_care_sentence(cx, hit.start) {
                        Some(points_back) => Some(points_back),
                        None => continue,
                    }
                };
                let Some(conditional) = self.counts(cx, zones, hit) else {
                    continue;
                };
                if next_care == Some(false) && !conditional {
                    continue;
                }
                covered[i] = true;
                if first_tied.as_ref().is_none_or(|f| hit.start < f.start) {
                    first_tied = Some(hit.clone());
                }
                break;
            }
        }
        let Some(first_tied) = first_tied else {
            let mut d = cx.diagnostic(
                cx.rule.message.clone(),
                Label::new(
                    anchor,
                    format!("this article is about {}", self.topic).as_str(),
                ),
            );
            d.note = Some(self.sign_summary());
            out.push(d);
            return;
        };
        let missing: Vec<&Sign> = self
            .signs
            .iter()
            .zip(&covered)
            .filter(|(s, c)| s.key && !**c)
            .map(|(s, _)| s)
            .collect();
        if missing.is_empty() {
            return;
        }
        let names: Vec<String> = missing
            .iter()
            .map(|s| format!("{} ({})", s.label, tier_word(s.tier)))
            .collect();
        let mut d = cx.diagnostic(
            format!(
                "the warning signs given for {} leave out key signs: {}",
                self.topic,
                names.join("; ")
            ),
            Label::new(
                block_range(doc, first_tied.start).unwrap_or(first_tied),
                "the article's guidance on when to get help",
            ),
        );
        d.severity = Severity::Info;
        d.help = Some(format!(
            "add the missing signs to the guidance, each with the care it needs: {}",
            names.join("; ")
        ));
        out.push(d);
    }

    /// Whether a sign match is asserted as something to act on: not inside a non-specific
    /// phrase, not negated, not refuted, not someone else's or a past story. Returns whether
    /// the sign is conditional ("if you notice…"), `None` when it does not count.
    fn counts(
        &self,
        cx: &CheckContext<'_>,
        zones: &GuidanceZones,
        hit: &Range<usize>,
    ) -> Option<bool> {
        // Non-specific phrases that start at or before the sign and might cover it.
        let before = zones.non_specific.partition_point(|n| n.start <= hit.start);
        if zones.non_specific[..before]
            .iter()
            .rev()
            .take(8)
            .any(|n| hit.end <= n.end)
        {
            return None;
        }
        let c = cx.context.of(cx.doc, cx.hits, hit.clone());
        let discounted =
            c.negated || c.myth || ((c.historical || c.other_experiencer) && !c.hypothetical);
        // Conditional: in a trigger's scope, or after an "if"/"when" anywhere earlier in the
        // sentence (a long condition can outrun the trigger's scope).
        let conditional = c.hypothetical
            || cx.doc.sentence_at(hit.start).is_some_and(|s| {
                let start = cx.doc.sentences[s].range.start;
                within(&zones.hypothetical, start..hit.start)
            });
        (!discounted).then_some(conditional)
    }

    /// The note of a warning: the pack's key signs by tier, then the others.
    fn sign_summary(&self) -> String {
        let mut parts = Vec::new();
        for tier in [Tier::Emergency, Tier::Urgent, Tier::Prompt] {
            let labels: Vec<&str> = self
                .signs
                .iter()
                .filter(|s| s.tier == tier && (s.key || tier != Tier::Emergency))
                .map(|s| s.label.as_str())
                .collect();
            if !labels.is_empty() {
                parts.push(format!("{}: {}", tier.describe(), labels.join("; ")));
            }
        }
        format!(
            "warning signs to cover for {}, by the care they need — {}",
            self.topic,
            parts.join(" | ")
        )
    }
}

/// What every red-flags pack needs to know of one file, worked out by the first pack that
/// runs: where the article gives guidance, and which pack (if any) is its topic.
pub struct TopicChoice {
    /// The care patterns the zones were found with (the same in every pack).
    care: CarePatterns,
    zones: GuidanceZones,
    /// The topic pack's code and where its findings are anchored.
    winner: Option<(String, Range<usize>)>,
}

impl TopicChoice {
    fn new(cx: &CheckContext<'_>, care: &CarePatterns, registry: &TopicRegistry) -> TopicChoice {
        let zones = GuidanceZones::new(cx, care);
        let winner = chosen_topic(cx, &zones, &registry.entries());
        TopicChoice {
            care: care.clone(),
            zones,
            winner,
        }
    }
}

/// The pack that is the article's topic, if any, and where to anchor its findings.
fn chosen_topic(
    cx: &CheckContext<'_>,
    zones: &GuidanceZones,
    entries: &[TopicEntry],
) -> Option<(String, Range<usize>)> {
    let doc = cx.doc;
    let title_range = title_range(doc);
    // Front matter `topic` naming a pack decides outright.
    if let Some(fm) = doc.front_matter.get("topic") {
        let fm = fm.to_lowercase();
        let best = entries
            .iter()
            .flat_map(|e| {
                e.front_matter
                    .iter()
                    .filter(|v| !v.is_empty() && fm.contains(v.as_str()))
                    .map(move |v| (v.len(), e))
            })
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.code.cmp(&a.1.code)));
        if let Some((_, entry)) = best {
            let first = first_mention(cx, entry, entries);
            return Some((entry.code.clone(), title_range.or(first).unwrap_or(0..0)));
        }
    }
    // Otherwise score every pack on its own (longest-wins) mentions.
    let mentions = topic_mentions(cx, entries);
    let fm_title = doc.front_matter.get("title").map(str::to_lowercase);
    let mut best: Option<(usize, &str, Option<Range<usize>>)> = None;
    for entry in entries {
        let mut score = 0;
        let mut first: Option<Range<usize>> = None;
        if let Some(t) = &fm_title {
            if entry
                .front_matter
                .iter()
                .any(|v| !v.is_empty() && t.contains(v.as_str()))
            {
                score += TITLE_WEIGHT;
            }
        }
        for (code, m) in &mentions {
            if *code != entry.code {
                continue;
            }
            let Some(block) = doc.block_at(m.start) else {
                continue;
            };
            let in_title = title_range
                .as_ref()
                .is_some_and(|t| t.start <= m.start && m.end <= t.end);
            if in_title {
                score += TITLE_WEIGHT;
            } else if doc.blocks[block].is_heading() {
                if zones.is_guidance_heading(block) {
                    continue;
                }
                score += HEADING_WEIGHT;
            } else if zones.in_zone(cx, m) {
                continue;
            } else {
                score += 1;
            }
            if first.is_none() {
                first = Some(m.clone());
            }
        }
        let better = match best {
            None => true,
            Some((s, ..)) => score > s,
        };
        if better {
            best = Some((score, &entry.code, first));
        }
    }
    let (best_score, best_code, first) = best?;
    if best_score < MIN_TOPIC_SCORE {
        return None;
    }
    Some((best_code.to_string(), title_range.or(first).unwrap_or(0..0)))
}

fn first_mention(
    cx: &CheckContext<'_>,
    entry: &TopicEntry,
    entries: &[TopicEntry],
) -> Option<Range<usize>> {
    topic_mentions(cx, entries)
        .into_iter()
        .find(|(c, _)| *c == entry.code)
        .map(|(_, r)| r)
}

/// Whether a sorted list of matches holds one inside `range`.
fn within(sorted: &[Range<usize>], range: Range<usize>) -> bool {
    let from = sorted.partition_point(|r| r.start < range.start);
    sorted[from..]
        .iter()
        .take_while(|r| r.start < range.end)
        .any(|r| r.end <= range.end)
}

/// The title's range: the document's title heading, else a first block that reads as a title
/// line (one short line with no closing full stop, as plain-text articles often start).
fn title_range(doc: &Document<'_>) -> Option<Range<usize>> {
    let title = doc.title().map(|(_, r)| r).filter(|r| !r.is_empty());
    let first = doc.blocks.first()?;
    if doc.front_matter.get("title").is_some() || first.is_heading() {
        return title;
    }
    let text = doc.prose_of(&first.range).trim();
    let words = text.split_whitespace().count();
    (first.kind == BlockKind::Paragraph
        && !text.contains('\n')
        && (1..=MAX_TITLE_WORDS).contains(&words)
        && !text.ends_with('.'))
    .then(|| first.range.clone())
    .or(title)
}

fn tier_word(tier: Tier) -> &'static str {
    match tier {
        Tier::Emergency => "emergency",
        Tier::Urgent => "urgent",
        Tier::Prompt => "prompt",
    }
}

fn block_range(doc: &Document<'_>, offset: usize) -> Option<Range<usize>> {
    doc.block_at(offset).map(|b| doc.blocks[b].range.clone())
}

/// Every topic mention of every pack, after exclusions and longest-wins overlap resolution,
/// in text order: (pack code, span).
fn topic_mentions(cx: &CheckContext<'_>, entries: &[TopicEntry]) -> Vec<(String, Range<usize>)> {
    let mut all: Vec<(String, Range<usize>)> = Vec::new();
    for entry in entries {
        let excluded: Vec<&Range<usize>> = entry
            .exclude
            .map(|x| cx.hits.of(x).collect())
            .unwrap_or_default();
        for m in cx.hits.of(entry.topic) {
            let before = excluded.partition_point(|x| x.start < m.end);
            if excluded[..before]
                .iter()
                .rev()
                .take(4)
                .any(|x| m.start < x.end)
            {
                continue;
            }
            all.push((entry.code.clone(), m.clone()));
        }
    }
    // In text order, longer first at one start. A match overlapping the last kept match of
    // another pack is dropped when it is not longer, and replaces it when it is: one linear
    // sweep (a 50 MB article can hold hundreds of thousands of mentions).
    all.sort_by(|a, b| (a.1.start, b.1.len(), &a.0).cmp(&(b.1.start, a.1.len(), &b.0)));
    let mut kept: Vec<(String, Range<usize>)> = Vec::with_capacity(all.len());
    for (code, m) in all {
        match kept.last() {
            Some((c, k)) if *c != code && k.start < m.end && m.start < k.end => {
                if m.len() > k.len() {
                    kept.pop();
                    kept.push((code, m));
                }
            }
            _ => kept.push((code, m)),
        }
    }
    kept.sort_by(|a, b| (a.1.start, &a.0).cmp(&(b.1.start, &b.0)));
    kept
}

/// Where the article gives guidance: which headings and lead-ins send readers to care.
struct GuidanceZones {
    /// Matches of every care action, sorted by start.
    actions: Vec<Range<usize>>,
    anaphora: Vec<Range<usize>>,
    non_specific: Vec<Range<usize>>,
    hypothetical: Vec<Range<usize>>,
    /// Per block: the block itself names a care action.
    has_action: Vec<bool>,
    /// Per block: a heading or lead-in that ties what follows to care.
    guides: Vec<bool>,
}

impl GuidanceZones {
    fn new(cx: &CheckContext<'_>, care: &CarePatterns) -> GuidanceZones {
        let doc = cx.doc;
        let collect = |id: PatternId| -> Vec<Range<usize>> { cx.hits.of(id).cloned().collect() };
        let mut actions: Vec<Range<usize>> =
            care.actions.iter().flat_map(|a| collect(*a)).collect();
        actions.sort_by_key(|r| (r.start, r.end));
        let guidance = collect(care.guidance_headings);
        let sign_headings = collect(care.sign_headings);
        let any_action = |r: Range<usize>| within(&actions, r);
        let has_action: Vec<bool> = doc
            .blocks
            .iter()
            .map(|b| any_action(b.range.clone()))
            .collect();
        // A section names care somewhere when any block in it (or in a subsection) has an
        // action: marked once, up the section chain of each such block.
        let mut section_has_action = vec![false; doc.sections.len()];
        let mut heading_section: Vec<Option<usize>> = vec![None; doc.blocks.len()];
        for (i, section) in doc.sections.iter().enumerate() {
            if let Some(slot) = section.heading.and_then(|h| heading_section.get_mut(h)) {
                *slot = Some(i);
            }
        }
        for (b, _) in has_action.iter().enumerate().filter(|(_, a)| **a) {
            let mut next = Some(doc.blocks[b].section);
            while let Some(s) = next {
                if section_has_action[s] {
                    break;
                }
                section_has_action[s] = true;
                next = doc.sections[s].parent;
            }
        }
        let guides = doc
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let r = b.range.clone();
                if within(&guidance, r.clone()) {
                    return true;
                }
                let announces = within(&sign_headings, r.clone());
                if !announces {
                    return false;
                }
                if has_action[i] {
                    return true;
                }
                // A heading announcing signs: its own section must name care. A lead-in: the
                // section it stands in must.
                let section = heading_section[i].unwrap_or(b.section);
                section_has_action.get(section).copied().unwrap_or(false)
            })
            .collect();
        GuidanceZones {
            anaphora: collect(care.anaphora),
            non_specific: collect(care.non_specific),
            hypothetical: collect(cx.context.hypothetical_pattern()),
            actions,
            has_action,
            guides,
        }
    }

    fn is_guidance_heading(&self, block: usize) -> bool {
        self.guides.get(block).copied().unwrap_or(false) || self.has_action[block]
    }

    /// A lead-in block for what follows: guidance by its words, or a paragraph ending with a
    /// colon that names a care action ("If you have any of these, call 999:").
    fn is_lead_in(&self, doc: &Document<'_>, block: usize) -> bool {
        self.guides[block]
            || (self.has_action[block]
                && doc
                    .prose_of(&doc.blocks[block].range)
                    .trim_end()
                    .ends_with(':'))
    }

    /// Whether a topic mention sits in guidance (then it names a sign, not the topic).
    fn in_zone(&self, cx: &CheckContext<'_>, m: &Range<usize>) -> bool {
        self.structurally_tied(cx.doc, m.start) || self.sentence_has_action(cx, m.start)
    }

    fn sentence_has_action(&self, cx: &CheckContext<'_>, offset: usize) -> bool {
        let Some(s) = cx.doc.sentence_at(offset) else {
            return false;
        };
        within(&self.actions, cx.doc.sentences[s].range.clone())
    }

    /// A sign at `offset` is tied to care by the document's structure: a lead-in of its list,
    /// a colon lead-in paragraph shortly before, or a guidance heading above it.
    fn structurally_tied(&self, doc: &Document<'_>, offset: usize) -> bool {
        let Some(block) = doc.block_at(offset) else {
            return false;
        };
        if doc.blocks[block].is_heading() {
            return false;
        }
        // The lead-ins of its list, through nested lists.
        let mut current = block;
        for _ in 0..LEAD_IN_DEPTH {
            match doc.blocks[current].lead_in {
                Some(li) if li < doc.blocks.len() => {
                    if self.is_lead_in(doc, li) {
                        return true;
                    }
                    current = li;
                }
                _ => break,
            }
        }
        // A colon lead-in paragraph a few blocks before, in the same section.
        let section = doc.blocks[block].section;
        for prev in (block.saturating_sub(LEAD_IN_REACH)..block).rev() {
            let b = &doc.blocks[prev];
            if b.is_heading() || b.section != section {
                break;
            }
            if b.kind == BlockKind::Paragraph
                && doc.prose_of(&b.range).trim_end().ends_with(':')
                && self.is_lead_in(doc, prev)
            {
                return true;
            }
        }
        // The headings above it (its own section and the one that holds it).
        doc.section_chain(block)
            .take(2)
            .filter_map(|s| s.heading)
            .any(|h| self.guides[h] || self.has_action[h])
    }

    /// A care sentence right after the sign: the next sentence of the same block, or, for a
    /// list item, the first sentence after the list. `Some(true)` when it points back at the
    /// sign ("If you notice any of these, call 999"), `Some(false)` when it only names care
    /// (which completes a conditional sign: "If the pee turns brown, stop. Go to A&E.").
    fn next_care_sentence(&self, cx: &CheckContext<'_>, offset: usize) -> Option<bool> {
        let doc = cx.doc;
        let (Some(s), Some(block)) = (doc.sentence_at(offset), doc.block_at(offset)) else {
            return None;
        };
        let next = if doc.blocks[block].kind == BlockKind::ListItem {
            let list = doc.blocks[block].list;
            let after = (block + 1..doc.blocks.len())
                .find(|&b| doc.blocks[b].list != list || doc.blocks[b].kind != BlockKind::ListItem);
            after.and_then(|b| {
                let range = doc.blocks[b].sentences.clone();
                (!doc.blocks[b].is_heading() && !range.is_empty()).then_some(range.start)
            })
        } else {
            let next = s + 1;
            (next < doc.sentences.len() && doc.sentences[next].block == block).then_some(next)
        };
        let range = doc.sentences[next?].range.clone();
        self.sentence_has_action(cx, range.start)
            .then(|| within(&self.anaphora, range))
    }
}
