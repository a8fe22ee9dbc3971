//! The red-flag rules: `kind = "red-flags"` (one topic pack per rule) and `kind = "guidance"`
//! (HL100, every topic). Takes one file's document and scan, the care-action lexicon
//! (`rules/lexicon/care-actions.toml`), the general warning signs (`rules/lexicon/signs.toml`),
//! the sign groups that packs share by name (`rules/lexicon/sign-groups.toml`: a pack's sign
//! takes a group's phrases with `groups = ["…"]`, then adds its own `terms`) and the
//! document-kind cues (`rules/lexicon/document-kinds.toml`), and hands on at most one
//! red-flag finding per article. The first red-flag rule to run builds a [`DocModel`] that the
//! others share:
//!
//! 1. **Kind.** Only a symptom or condition page needs guidance. An e-mail or a page full of
//!    selling phrases is an advert, news wording in the title or opening makes news, leaflet
//!    wording or a drug in the title makes drug information, a title headed by a procedure or
//!    support phrase is other; a condition word in the title, a pack's topic in the title or
//!    headings, or condition-page headings make a condition page. See [`classify`].
//! 2. **Topic.** Every pack registers its topic in a rule set's [`Packs`], shared by all packs, so
//!    that exactly one pack (or none) is chosen per article, whichever rules are selected. A
//!    `topic` given in front matter or a `healthlint-topic:` comment (a pack's code, rule name
//!    or topic phrase) wins outright; otherwise each pack scores its topic terms in the title
//!    (heavy), in headings and in the body (light). Overlapping matches of different packs
//!    count only for the longest, mentions inside guidance are not counted, and a pack named
//!    only in the body yields to a title that names another condition.
//! 3. **Guidance.** A warning sign (of the general lexicon or of the pack) counts when it is
//!    tied to a care action: in the same sentence, through a list lead-in or a colon line,
//!    under a heading that sends readers to care, pointed back at from the next care sentence
//!    ("If this happens, call a doctor") or from the care sentence before it ("These
//!    include…"), or ending a paragraph that leads into a list whose first items start with
//!    urgent care ("If you think of harming yourself, get help now. – Call 911 – Go to the
//!    emergency room"). A list item under a care heading counts by its place when it says
//!    something specific. Negated, refuted, someone else's and non-specific signs do not count, nor does
//!    the page's own symptom sent to routine care ("If you faint, see your doctor").
//! 4. **Findings.** A condition page with no guidance at all: its pack's warning, or HL100 when
//!    no running pack has it. Guidance that does not mention a pack's key signs: an `info`
//!    naming them. The engine rewrites the UK service names of the rule text for the
//!    configured `locale` (`config::localize`).

use std::ops::Range;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{CheckContext, Compiler, Kind, RuleSet};
use crate::analyze::{PatternId, PatternSet, PatternSetBuilder};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::document::{Block, BlockKind, Document};
use crate::error::SpannedError;
use crate::rules::lexicon::{KindLexicon, SignGroups, Tier};
use crate::rules::spec::{phrase_strings, Phrases, RuleFile};
use crate::rules::{validate_phrases, RuleSource};
use crate::source::{Format, SourceFile};
use toml::Spanned;

/// Weight of a topic mention in the title.
const TITLE_WEIGHT: usize = 6;
/// Weight of a topic mention in another heading.
const HEADING_WEIGHT: usize = 2;
/// The score below which an article is about none of the packs: a title mention, or a few
/// mentions in headings and body. A drug sales page that names "back pain" once or twice
/// among its indications stays below it.
pub(crate) const MIN_TOPIC_SCORE: usize = 5;
/// The longest first line read as a title when the document has no title heading.
const MAX_TITLE_WORDS: usize = 20;
/// How many blocks back a paragraph lead-in ("Call 999 if:") reaches over paragraphs of signs.
const LEAD_IN_REACH: usize = 6;
/// How many levels of nested lists a lead-in reaches through.
const LEAD_IN_DEPTH: usize = 3;

/// One group of warning signs of a pack.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SignSpec {
    /// Stable identifier of the group (kebab-case), unique within the pack.
    pub id: String,
    /// How the group is named to editors in findings ("chest pain or tightness").
    pub label: String,
    /// The care the sign calls for: `emergency`, `urgent` or `prompt`.
    pub tier: Tier,
    /// A key sign: guidance that leaves it out gets an `info` naming it.
    #[serde(default)]
    pub key: bool,
    /// Shared phrase groups the sign takes, by id (`rules/lexicon/sign-groups.toml`): their
    /// phrases come first, in the order named, then the sign's own `terms`.
    #[serde(default)]
    pub groups: Vec<Spanned<String>>,
    /// Lay phrasings of the sign that no shared group holds (phrase syntax).
    #[serde(default)]
    pub terms: Phrases,
}

impl SignSpec {
    /// The sign's phrases: those of its groups, then its own. A group that does not exist
    /// adds nothing (compiling reports it first).
    fn phrases(&self, groups: &SignGroups) -> Vec<String> {
        let mut phrases: Vec<String> = self
            .groups
            .iter()
            .filter_map(|name| groups.get(name.get_ref()))
            .flat_map(|g| g.terms.iter().cloned())
            .collect();
        phrases.extend(phrase_strings(&self.terms));
        phrases
    }
}

/// The `[check]` table of a red-flags rule (one topic pack).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RedFlagsSpec {
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
pub(crate) struct TopicEntry {
    code: String,
    /// The rule's name (its slug), which a front matter override may give instead of the code.
    name: String,
    /// The topic as findings show it.
    display: String,
    /// Whether the pack's rule runs: when it does not, the general rule reports for it.
    enabled: bool,
    topic: PatternId,
    exclude: Option<PatternId>,
    front_matter: Vec<String>,
}

/// What the red-flag rules (every pack and the general rule) share: the topics of every pack
/// loaded in one rule set, filled while rules compile and read while files are checked, and
/// the care patterns. Packs that are not selected still register their topic, so that the
/// choice of topic does not depend on `--select`.
#[derive(Debug, Default)]
pub(crate) struct Packs {
    topics: Vec<TopicEntry>,
    /// Registered by the first selected rule, in the shared pattern set.
    care: Option<CarePatterns>,
}

impl Packs {
    /// The care patterns, registered by the first selected rule to ask.
    fn care(&mut self, compiler: &mut Compiler<'_>) {
        if compiler.selected() && self.care.is_none() {
            self.care = Some(CarePatterns::register(compiler.lexicon, compiler.patterns));
        }
    }
}

/// The lexicons' patterns, shared by every red-flag rule.
#[derive(Debug, Clone, PartialEq)]
struct CarePatterns {
    actions: Vec<PatternId>,
    guidance_headings: PatternId,
    sign_headings: PatternId,
    anaphora: PatternId,
    non_specific: PatternId,
    /// The tier of each pattern of `actions`.
    action_tiers: Vec<Tier>,
    /// Phrases that refer to signs named elsewhere ("signs of a stroke").
    sign_references: PatternId,
    /// One pattern per general sign group.
    signs: Vec<PatternId>,
    drug_information: PatternId,
    news: PatternId,
    spam: PatternId,
}

impl CarePatterns {
    fn register(lexicon: &crate::rules::Lexicon, b: &mut PatternSetBuilder) -> CarePatterns {
        // Built on the thread pool while rules compile, not on the first file's time.
        if TITLE_WORDS.get().is_none() {
            let kinds = lexicon.kinds.clone();
            rayon::spawn(move || {
                title_words(&kinds);
            });
        }
        let care = &lexicon.care;
        let kinds = &lexicon.kinds;
        CarePatterns {
            actions: care
                .action
                .iter()
                .map(|a| b.add_phrases(&a.terms))
                .collect(),
            action_tiers: care.action.iter().map(|a| a.tier).collect(),
            sign_references: b.add_phrases(&care.sign_references.terms),
            guidance_headings: b.add_phrases(&care.guidance_headings.terms),
            sign_headings: b.add_phrases(&care.sign_headings.terms),
            anaphora: b.add_phrases(&care.anaphora.terms),
            non_specific: b.add_phrases(&care.non_specific.terms),
            signs: lexicon
                .signs
                .group
                .iter()
                .map(|g| b.add_phrases(&g.terms))
                .collect(),
            drug_information: b.add_phrases(&kinds.drug_information.terms),
            news: b.add_phrases(&kinds.news.terms),
            spam: b.add_phrases(&kinds.spam.terms),
        }
    }
}

#[derive(Debug)]
struct Sign {
    label: String,
    tier: Tier,
    key: bool,
    pattern: PatternId,
}

#[derive(Debug)]
pub(crate) struct RedFlags {
    code: String,
    topic: String,
    signs: Vec<Sign>,
}

impl Kind for RedFlags {
    const NAME: &'static str = "red-flags";
    const PLACEHOLDERS: &'static [&'static str] = &[];
    type Spec = RedFlagsSpec;
    type Shared = Packs;
    /// The file's document model, `None` when no red-flag rule is selected.
    type PerFile = Option<DocModel>;

    fn compile(
        file: RuleFile<RedFlagsSpec>,
        source: &RuleSource,
        packs: &mut Packs,
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
        let groups = &compiler.lexicon.sign_groups;
        for sign in &spec.signs {
            if sign.terms.is_empty() && sign.groups.is_empty() {
                errors.push(err(format!(
                    "sign `{}` has no terms: give `terms`, `groups` or both",
                    sign.id
                )));
            }
            for name in &sign.groups {
                if groups.get(name.get_ref()).is_none() {
                    errors.push(SpannedError::new(
                        &source.origin,
                        &source.text,
                        Some(name.span()),
                        format!(
                            "unknown sign group `{}`: the shared groups are listed in \
                             rules/lexicon/sign-groups.toml",
                            name.get_ref()
                        ),
                    ));
                }
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
        let enabled = compiler.selected();
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
        packs.topics.push(TopicEntry {
            code: code.clone(),
            name: file.name.get_ref().clone(),
            display: spec.topic.clone(),
            enabled,
            topic,
            exclude,
            front_matter: spec
                .front_matter
                .iter()
                .map(|s| s.trim().to_lowercase())
                .collect(),
        });
        packs.care(compiler);
        let groups = &compiler.lexicon.sign_groups;
        let signs = spec
            .signs
            .iter()
            .map(|s| Sign {
                label: s.label.clone(),
                tier: s.tier,
                key: s.key,
                pattern: compiler.patterns.add_phrases(&s.phrases(groups)),
            })
            .collect();
        Ok(RedFlags {
            code,
            topic: spec.topic,
            signs,
        })
    }

    fn per_file(packs: &Packs, cx: &CheckContext<'_>) -> Option<DocModel> {
        DocModel::new(cx, packs)
    }

    fn run(
        &self,
        _packs: &Packs,
        model: &Option<DocModel>,
        cx: &CheckContext<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let doc = cx.doc;
        let Some(model) = model else {
            return;
        };
        // Only a symptom or condition page needs guidance: a leaflet, a press release or an
        // advert names symptoms (side effects, outcomes) without being about them.
        if model.kind != DocKind::Condition {
            return;
        }
        let anchor = match &model.winner {
            Some(w) if w.code == self.code => w.anchor.clone(),
            _ => return,
        };
        // Which sign groups are tied to care, and where the first tied sign is.
        let mut covered = vec![false; self.signs.len()];
        let mut first_tied: Option<Range<usize>> = None;
        for (i, sign) in self.signs.iter().enumerate() {
            let tied = cx
                .hits
                .of(sign.pattern)
                .find(|h| is_tied(cx, &model.zones, &model.own, h));
            if let Some(hit) = tied {
                covered[i] = true;
                if first_tied.as_ref().is_none_or(|f| hit.start < f.start) {
                    first_tied = Some(hit.clone());
                }
            }
        }
        let first_tied = first_tied.or_else(|| model.guidance.first().cloned());
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
                "the warning signs given for {} do not mention: {}",
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
            "consider adding these signs to the guidance, each with the care it needs: {}",
            names.join("; ")
        ));
        out.push(d);
    }

}

impl RedFlags {
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

/// What names a page's own topic: the chosen pack's topic terms, and the title's words.
struct OwnTopic {
    spans: Vec<Range<usize>>,
    /// The title in lower case, words separated by single spaces.
    title: String,
}

impl OwnTopic {
    fn new(
        cx: &CheckContext<'_>,
        winner: Option<&Winner>,
        title: Option<&Range<usize>>,
    ) -> OwnTopic {
        OwnTopic {
            spans: winner
                .map(|w| cx.hits.of(w.pattern).cloned().collect())
                .unwrap_or_default(),
            title: title
                .map(|t| normalized(cx.doc.prose_of(t)))
                .unwrap_or_default(),
        }
    }

    /// Whether a sign match names the topic: it overlaps a topic term, or the title holds its
    /// words ("faint" on a page titled "Fainting").
    fn names(&self, doc: &Document<'_>, hit: &Range<usize>) -> bool {
        let from = self.spans.partition_point(|s| s.end <= hit.start);
        if self.spans.get(from).is_some_and(|s| s.start < hit.end) {
            return true;
        }
        let text = normalized(doc.prose_of(hit));
        text.len() >= 4
            && self
                .title
                .match_indices(text.as_str())
                .any(|(i, _)| i == 0 || self.title[..i].ends_with(|c: char| !c.is_alphanumeric()))
    }
}

/// Lower case, words separated by single spaces.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The general warning signs that are (`tied`) or are not tied to care, in sign-group order:
/// at most [`GUIDANCE_PER_GROUP`] of a group, of its first [`TRIES_PER_GROUP`] matches.
fn signs_by_tie(
    cx: &CheckContext<'_>,
    care: &CarePatterns,
    zones: &GuidanceZones,
    own: &OwnTopic,
    tied: bool,
) -> Vec<Range<usize>> {
    care.signs
        .iter()
        .flat_map(|&group| {
            cx.hits
                .of(group)
                .take(TRIES_PER_GROUP)
                .filter(move |h| is_tied(cx, zones, own, h) == tied)
                .take(GUIDANCE_PER_GROUP)
                .cloned()
        })
        .collect()
}

/// Whether a sign match is tied to a care action and counts as guidance: in the sentence of
/// the action, under a lead-in or heading that sends readers to care, or followed by a care
/// sentence (which must point back at it, start with the action, or complete a conditional
/// sign).
fn is_tied(
    cx: &CheckContext<'_>,
    zones: &GuidanceZones,
    own: &OwnTopic,
    hit: &Range<usize>,
) -> bool {
    // Structure first (cheap); the sentence context only for candidates.
    let near = zones.sentence_has_action(cx, hit.start)
        || zones.structurally_tied(cx.doc, hit.start)
        || zones.previous_care_sentence(cx, hit.start);
    let next_care = if near {
        None
    } else {
        match zones.next_care_sentence(cx, hit.start) {
            Some(points_back) => Some(points_back),
            None => return false,
        }
    };
    // The page's own symptom sent to routine care ("If you faint, see your doctor" on a
    // fainting page) is a referral, not a warning sign: it counts only with urgent care or
    // under a heading or lead-in that sends readers to care.
    if own.names(cx.doc, hit)
        && !zones.sentence_has_urgent_action(cx, hit.start)
        && !zones.tied_by_structure(cx.doc, hit.start, true)
    {
        return false;
    }
    let Some(conditional) = counts(cx, zones, hit) else {
        // A care sentence that points back at the sign ("Now and then the stools turn black.
        // Should that occur, ring a doctor.") makes it guidance even where the sign sentence hedges.
        return next_care == Some(true) && !zones.non_specific_covers(hit);
    };
    next_care != Some(false) || conditional
}

/// Whether a sign match is asserted as something to act on: not inside a non-specific
/// phrase, not negated, not refuted, not someone else's or a past story. Returns whether
/// the sign is conditional ("if you notice…"), `None` when it does not count.
fn counts(cx: &CheckContext<'_>, zones: &GuidanceZones, hit: &Range<usize>) -> Option<bool> {
    if zones.non_specific_covers(hit) {
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

/// The `[check]` table of the general rule (`kind = "guidance"`): no keys besides `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GuidanceSpec {
    #[serde(rename = "kind")]
    _kind: serde::de::IgnoredAny,
}

/// `kind = "guidance"`: a symptom or condition page must tie at least one warning sign to a
/// care action, whatever its topic. Reads the general sign lexicon (`rules/lexicon/signs.toml`)
/// through the shared [`DocModel`]. When a topic pack has the page and runs, the pack reports
/// instead (its help names the topic's signs), so the page gets one finding, not two. Also
/// reports a `topic` (front matter or `healthlint-topic:` comment) given as a code or slug
/// that names no pack.
#[derive(Debug)]
pub(crate) struct Guidance;

impl Kind for Guidance {
    const NAME: &'static str = "guidance";
    /// `{topic}`: the page's topic (its pack's, else its short title).
    const PLACEHOLDERS: &'static [&'static str] = &["topic"];
    type Spec = GuidanceSpec;
    type Shared = Packs;
    type PerFile = Option<DocModel>;

    fn compile(
        _file: RuleFile<GuidanceSpec>,
        _source: &RuleSource,
        packs: &mut Packs,
        compiler: &mut Compiler<'_>,
    ) -> Result<Guidance, Vec<SpannedError>> {
        packs.care(compiler);
        Ok(Guidance)
    }

    fn per_file(packs: &Packs, cx: &CheckContext<'_>) -> Option<DocModel> {
        DocModel::new(cx, packs)
    }

    fn run(
        &self,
        packs: &Packs,
        model: &Option<DocModel>,
        cx: &CheckContext<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(model) = model else {
            return;
        };
        let anchor = model
            .title
            .clone()
            .or_else(|| cx.doc.blocks.first().map(|b| b.range.clone()))
            .unwrap_or(0..0);
        if let Some(value) = &model.unknown_override {
            let mut known: Vec<String> = packs
                .topics
                .iter()
                .map(|e| format!("{} ({})", e.code, e.display))
                .collect();
            known.sort();
            let mut d = cx.diagnostic(
                format!("the topic `{value}` given in the file names no red-flag pack"),
                Label::new(anchor.clone(), "the topic is decided from the text instead"),
            );
            d.severity = Severity::Warning;
            d.help = Some(format!(
                "give a pack's code or name, or a topic phrase; the packs are: {}",
                known.join(", ")
            ));
            out.push(d);
        }
        if model.kind != DocKind::Condition || !model.guidance.is_empty() {
            return;
        }
        let topic = match &model.winner {
            Some(w) if w.enabled => return,
            Some(w) => w.topic.clone(),
            None => model
                .title
                .as_ref()
                .filter(|t| {
                    // A page without a title heading takes its first heading as the title,
                    // which may be a section ("Check if you have…"): name no topic then.
                    cx.doc.block_at(t.start).is_none_or(|b| {
                        !matches!(cx.doc.blocks[b].kind, BlockKind::Heading { level } if level > 1)
                    })
                })
                .map(|t| short_title(cx.doc.prose_of(t)))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "a symptom or condition".to_string()),
        };
        let mut d = cx.diagnostic(
            cx.message(&[("topic", &topic)]),
            Label::new(anchor, "this page is about a symptom or condition"),
        );
        d.note = Some(format!(
            "the page reads as a condition page: {}",
            model.kind_evidence.join("; ")
        ));
        out.push(d);
    }
}

/// A title as a message shows it: one line, at most a few words.
fn short_title(title: &str) -> String {
    let words: Vec<&str> = title.split_whitespace().collect();
    let mut t = words[..words.len().min(10)].join(" ");
    if words.len() > 10 {
        t.push('…');
    }
    format!("\u{201c}{t}\u{201d}")
}

/// What kind of text a document is. Only a condition page needs red-flag guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocKind {
    /// A page about a symptom or condition.
    Condition,
    /// A patient leaflet, a medication guide or another page about a drug.
    DrugInformation,
    /// News or a press release.
    News,
    /// An advert or spam.
    Advert,
    /// Anything else (a fitness plan, a procedure page, an essay).
    Other,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Condition => "condition",
            DocKind::DrugInformation => "drug-information",
            DocKind::News => "news",
            DocKind::Advert => "advert",
            DocKind::Other => "other",
        }
    }
}

/// The pack chosen as a document's topic.
#[derive(Debug, Clone)]
pub(crate) struct Winner {
    pub code: String,
    /// The topic as findings show it.
    pub topic: String,
    /// Where findings about the topic are anchored (the title, else the first mention).
    pub anchor: Range<usize>,
    /// Why this pack: front matter, or where its terms sit.
    pub evidence: String,
    /// The pack's topic terms.
    pattern: PatternId,
    enabled: bool,
    /// The title or a heading names the topic (not only the body).
    prominent: bool,
}

/// What the red-flag rules know of one file, worked out once by the first of them to run:
/// what kind of text it is, which pack (if any) is its topic, and where it gives guidance.
pub(crate) struct DocModel {
    zones: GuidanceZones,
    own: OwnTopic,
    pub kind: DocKind,
    /// The cues the kind was decided on.
    pub kind_evidence: Vec<String>,
    pub title: Option<Range<usize>>,
    pub winner: Option<Winner>,
    /// General warning signs tied to care, in text order (capped per sign group).
    pub guidance: Vec<Range<usize>>,
    /// A `topic` given in the file as a pack code or slug that names no pack.
    pub unknown_override: Option<String>,
}

/// How many tied signs of one group the model keeps: enough to show, bounded on huge files.
const GUIDANCE_PER_GROUP: usize = 4;
/// How many matches of one sign group are tried for a tie.
const TRIES_PER_GROUP: usize = 400;
/// How far into the text the opening reaches, for document-kind cues.
const OPENING_BYTES: usize = 2_500;

impl DocModel {
    /// The file's model; `None` when no red-flag rule is selected (no care patterns).
    fn new(cx: &CheckContext<'_>, packs: &Packs) -> Option<DocModel> {
        let care = packs.care.as_ref()?;
        let zones = GuidanceZones::new(cx, care);
        let title = title_range(cx.doc);
        let entries = &packs.topics;
        let (mut winner, unknown_override) = chosen_topic(cx, &zones, entries, title.as_ref());
        // A pack named only in the body is a word in passing when the title names a symptom
        // or condition of its own ("Cough" that mentions headaches along the way).
        let title_condition = title.as_ref().and_then(|t| {
            let (set, ids) = title_words(&cx.lexicon.kinds)?;
            let r = set
                .scan(cx.doc.prose_of(t))
                .of(ids.conditions)
                .next()?
                .clone();
            Some(t.start + r.start..t.start + r.end)
        });
        if winner.as_ref().is_some_and(|w| !w.prominent) && title_condition.is_some() {
            winner = None;
        }
        let own = OwnTopic::new(cx, winner.as_ref(), title.as_ref());
        let mut guidance = signs_by_tie(cx, care, &zones, &own, true);
        // A list item under a lead-in or heading that sends readers to care is a sign by its
        // place ("See a GP if: - the discharge smells fishy"), when it says something specific:
        // not only "if you are worried" or "if it lasts more than a week".
        if guidance.is_empty() {
            guidance.extend(
                cx.doc
                    .blocks
                    .iter()
                    .filter(|b| b.kind == BlockKind::ListItem)
                    .filter(|b| zones.tied_by_structure(cx.doc, b.range.start, true))
                    .filter(|b| zones.is_specific(cx.doc, &b.range))
                    .take(GUIDANCE_PER_GROUP)
                    .map(|b| b.range.clone()),
            );
        }
        // "Anyone with signs of a stroke needs emergency help": a care sentence that names the
        // signs of what the page describes, with urgent care, is guidance when the page names
        // warning signs somewhere.
        if guidance.is_empty() && care.signs.iter().any(|&g| cx.hits.any(g)) {
            guidance.extend(
                cx.hits
                    .of(care.sign_references)
                    .filter(|r| zones.sentence_has_urgent_action(cx, r.start))
                    .take(GUIDANCE_PER_GROUP)
                    .cloned(),
            );
        }
        guidance.sort_by_key(|r| (r.start, r.end));
        let (kind, kind_evidence) = classify(
            cx,
            care,
            title.as_ref(),
            title_condition.as_ref(),
            winner.as_ref(),
        );
        Some(DocModel {
            zones,
            own,
            kind,
            kind_evidence,
            title,
            winner,
            guidance,
            unknown_override,
        })
    }
}

/// Decides what kind of text a document is from its title, its opening and its headings.
/// Selling, news and drug cues are read first: those texts name symptoms (side effects, trial
/// outcomes) without being about them.
fn classify(
    cx: &CheckContext<'_>,
    care: &CarePatterns,
    title: Option<&Range<usize>>,
    title_condition: Option<&Range<usize>>,
    winner: Option<&Winner>,
) -> (DocKind, Vec<String>) {
    let doc = cx.doc;
    let start = doc.blocks.first().map_or(0, |b| b.range.start);
    let opening = 0..start.saturating_add(OPENING_BYTES).min(doc.text.len());
    let in_title = |r: &Range<usize>| title.is_some_and(|t| t.start <= r.start && r.end <= t.end);
    let count = |id: PatternId| {
        let mut open = 0;
        let mut titled = 0;
        let mut all = 0;
        for r in cx.hits.of(id) {
            all += 1;
            if r.start < opening.end {
                open += 1;
            }
            if in_title(r) {
                titled += 1;
            }
        }
        (titled, open, all)
    };
    let shown = |r: &Range<usize>| {
        format!(
            "\"{}\"",
            doc.prose_of(r)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    let mut evidence = Vec::new();
    let email = doc
        .text
        .trim_start()
        .get(..8)
        .is_some_and(|h| h.eq_ignore_ascii_case("subject:"));
    let (_, spam_open, spam_all) = count(care.spam);
    if email || spam_open >= 2 || spam_all >= 4 {
        if email {
            evidence.push("starts with an e-mail header".to_string());
        }
        evidence.push(format!("{spam_all} selling or e-mail phrases"));
        return (DocKind::Advert, evidence);
    }
    let (news_title, news_open, _) = count(care.news);
    if news_title > 0 || news_open >= 2 {
        let first = cx.hits.of(care.news).next().map(shown).unwrap_or_default();
        evidence.push(format!(
            "{news_open} news or press-release phrases in the opening, first {first}"
        ));
        return (DocKind::News, evidence);
    }
    let (drug_title, drug_open, _) = count(care.drug_information);
    let drug_mentions = match title {
        Some(_) => cx.drug_mentions(),
        None => &[],
    };
    let title_drug = title.and_then(|t| {
        drug_mentions
            .iter()
            .find(|m| t.start <= m.range.start && m.range.end <= t.end)
    });
    // A title that names a drug and a pack's condition is about whichever the text dwells on
    // ("Living with back pain: where a drug fits in" talks more of back pain than of the drug).
    let dwells_on_condition = title_drug.as_ref().is_some_and(|m| {
        winner.filter(|w| w.prominent).is_some_and(|w| {
            let same_drug = drug_mentions.iter().filter(|d| d.drug == m.drug).count();
            cx.hits.of(w.pattern).count() >= same_drug
        })
    });
    if dwells_on_condition {
        if let (Some(m), Some(w)) = (&title_drug, winner) {
            evidence.push(format!(
                "the title names the drug {} and {}, and the text dwells on {}",
                shown(&m.range),
                w.topic,
                w.topic
            ));
        }
        return (DocKind::Condition, evidence);
    }
    if drug_title + drug_open > 0 || title_drug.is_some() {
        if let Some(m) = title_drug {
            evidence.push(format!("the title names the drug {}", shown(&m.range)));
        }
        if let Some(r) = cx
            .hits
            .of(care.drug_information)
            .find(|r| r.start < opening.end)
        {
            evidence.push(format!(
                "drug-information wording in the opening: {}",
                shown(r)
            ));
        }
        return (DocKind::DrugInformation, evidence);
    }
    // A procedure, test or support page: the phrase heads the title (opens or closes it).
    let heads_title = |r: &Range<usize>| {
        title.filter(|_| in_title(r)).is_some_and(|t| {
            let text = doc.prose_of(t);
            let lead = t.start + (text.len() - text.trim_start().len());
            let tail = doc.prose_of(&(r.end..t.end));
            r.start == lead || !tail.chars().any(char::is_alphanumeric)
        })
    };
    let procedure = title.and_then(|t| {
        let (set, ids) = title_words(&cx.lexicon.kinds)?;
        set.scan(doc.prose_of(t))
            .of(ids.procedures)
            .map(|r| t.start + r.start..t.start + r.end)
            .find(|r| heads_title(r))
    });
    if let Some(r) = &procedure {
        evidence.push(format!(
            "the title is about a procedure, test or support: {}",
            shown(r)
        ));
        return (DocKind::Other, evidence);
    }
    if let Some(w) = winner.filter(|w| w.prominent) {
        evidence.push(format!("the topic {} ({})", w.topic, w.evidence));
        return (DocKind::Condition, evidence);
    }
    if let Some(r) = title_condition {
        evidence.push(format!(
            "the title names a symptom or condition: {}",
            shown(r)
        ));
        return (DocKind::Condition, evidence);
    }
    if let Some(word) = title.and_then(|t| condition_word_by_ending(doc.prose_of(t))) {
        evidence.push(format!("the title names a condition: \"{word}\""));
        return (DocKind::Condition, evidence);
    }
    let headings: Vec<usize> = doc
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_heading())
        .filter(|(_, b)| {
            title_words(&cx.lexicon.kinds)
                .is_some_and(|(set, ids)| set.scan(doc.prose_of(&b.range)).any(ids.headings))
        })
        .map(|(i, _)| i)
        .collect();
    if headings.len() >= 2 {
        evidence.push(format!(
            "{} headings of a condition page (symptoms, causes, treatment…)",
            headings.len()
        ));
        return (DocKind::Condition, evidence);
    }
    if let Some(w) = winner {
        evidence.push(format!("the topic {} ({})", w.topic, w.evidence));
        return (DocKind::Condition, evidence);
    }
    evidence.push("no symptom or condition in the title, headings or opening".to_string());
    (DocKind::Other, evidence)
}

/// The condition words of titles and the condition-page headings, as a set of their own: they
/// are read in titles and headings only, and common words ("pain", "cold", "causes") would
/// anchor match attempts all over every text if they joined the whole-text scan. Built once
/// from the built-in lexicon.
fn title_words(kinds: &KindLexicon) -> Option<&'static (PatternSet, TitleWords)> {
    TITLE_WORDS
        .get_or_init(|| {
            let mut b = PatternSetBuilder::default();
            let ids = TitleWords {
                conditions: b.add_phrases(&kinds.condition_words.terms),
                headings: b.add_phrases(&kinds.condition_headings.terms),
                procedures: b.add_phrases(&kinds.procedure_or_support.terms),
            };
            b.build().ok().map(|set| (set, ids))
        })
        .as_ref()
}

/// The set of [`title_words`], built once.
static TITLE_WORDS: OnceLock<Option<(PatternSet, TitleWords)>> = OnceLock::new();

/// The patterns of [`title_words`].
struct TitleWords {
    /// Words that name a symptom or condition.
    conditions: PatternId,
    /// Headings of a condition page.
    headings: PatternId,
    /// Procedure, test and support phrases that head a title.
    procedures: PatternId,
}

/// A title word that names a condition by its ending ("bursitis", "osteoporosis", "neuralgia").
fn condition_word_by_ending(title: &str) -> Option<String> {
    const ENDINGS: &[&str] = &[
        "itis", "osis", "algia", "pathy", "aemia", "emia", "plegia", "trophy",
    ];
    title
        .split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .find(|w| w.len() > 5 && ENDINGS.iter().any(|e| w.ends_with(e)))
}

/// The topic named in a comment, for files without front matter: `<!-- healthlint-topic:
/// HL101 -->` (or `{/* healthlint-topic: sciatica */}` in MDX).
fn comment_topic(text: &str) -> Option<String> {
    const KEY: &str = "healthlint-topic:";
    let at = text.find(KEY)?;
    let before = text[..at].trim_end();
    if !(before.ends_with("<!--") || before.ends_with("/*")) {
        return None;
    }
    let rest = &text[at + KEY.len()..];
    let end = [rest.find("-->"), rest.find("*/")]
        .into_iter()
        .flatten()
        .min()?;
    let value = rest[..end].trim();
    (!value.is_empty() && !value.contains('\n')).then(|| value.to_string())
}

/// One pack's topic score on a document.
struct Scored<'e> {
    score: usize,
    entry: &'e TopicEntry,
    /// The first counted mention.
    first: Option<Range<usize>>,
    /// Mentions in the title and in headings.
    titled: usize,
    headed: usize,
}

/// The pack that is the article's topic, if any, and a front matter override that names no
/// pack.
fn chosen_topic(
    cx: &CheckContext<'_>,
    zones: &GuidanceZones,
    entries: &[TopicEntry],
    title_range: Option<&Range<usize>>,
) -> (Option<Winner>, Option<String>) {
    let doc = cx.doc;
    let winner =
        |entry: &TopicEntry, anchor: Range<usize>, evidence: String, prominent: bool| Winner {
            code: entry.code.clone(),
            topic: entry.display.clone(),
            anchor,
            evidence,
            pattern: entry.topic,
            enabled: entry.enabled,
            prominent,
        };
    let mut unknown = None;
    // Front matter `topic` naming a pack (by code, rule name, or a topic phrase) decides
    // outright.
    let given = doc
        .front_matter
        .get("topic")
        .map(str::to_string)
        .or_else(|| comment_topic(doc.text));
    if let Some(fm) = given {
        let fm = fm.trim().to_lowercase();
        let by_id = entries.iter().find(|e| {
            fm == e.code.to_lowercase()
                || fm == e.name
                || e.name.strip_suffix("-without-warning-signs") == Some(fm.as_str())
        });
        let best = by_id.map(|e| (usize::MAX, e)).or_else(|| {
            entries
                .iter()
                .flat_map(|e| {
                    e.front_matter
                        .iter()
                        .filter(|v| !v.is_empty() && fm.contains(v.as_str()))
                        .map(move |v| (v.len(), e))
                })
                .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.code.cmp(&a.1.code)))
        });
        if let Some((_, entry)) = best {
            let first = first_mention(cx, entry, entries);
            let anchor = title_range.cloned().or(first).unwrap_or(0..0);
            return (
                Some(winner(
                    entry,
                    anchor,
                    "the `topic` given in the file".to_string(),
                    true,
                )),
                None,
            );
        }
        // A code or a slug is meant to name a pack: say that it names none.
        let looks_like_id = (fm.starts_with("hl") && fm[2..].chars().all(|c| c.is_ascii_digit()))
            || (fm.contains('-') && !fm.contains(' '));
        if looks_like_id {
            unknown = Some(fm);
        }
    }
    // Otherwise score every pack on its own (longest-wins) mentions.
    let mentions = topic_mentions(cx, entries);
    let fm_title = doc.front_matter.get("title").map(str::to_lowercase);
    let mut best: Option<Scored<'_>> = None;
    for entry in entries {
        let mut score = 0;
        let (mut titled, mut headed) = (0, 0);
        let mut first: Option<Range<usize>> = None;
        if let Some(t) = &fm_title {
            if entry
                .front_matter
                .iter()
                .any(|v| !v.is_empty() && t.contains(v.as_str()))
            {
                score += TITLE_WEIGHT;
                titled += 1;
            }
        }
        for (code, m) in &mentions {
            if *code != entry.code {
                continue;
            }
            let Some(block) = doc.block_at(m.start) else {
                continue;
            };
            let in_title = title_range.is_some_and(|t| t.start <= m.start && m.end <= t.end);
            if in_title {
                score += TITLE_WEIGHT;
                titled += 1;
            } else if doc.blocks[block].is_heading() {
                if zones.is_guidance_heading(block) {
                    continue;
                }
                score += HEADING_WEIGHT;
                headed += 1;
            } else if zones.in_zone(cx, m) {
                continue;
            } else {
                score += 1;
            }
            if first.is_none() {
                first = Some(m.clone());
            }
        }
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(Scored {
                score,
                entry,
                first,
                titled,
                headed,
            });
        }
    }
    let Some(Scored {
        score,
        entry,
        first,
        titled,
        headed,
    }) = best
    else {
        return (None, unknown);
    };
    if score < MIN_TOPIC_SCORE {
        return (None, unknown);
    }
    let evidence =
        format!("score {score}: {titled} in the title, {headed} in headings, the rest in the body");
    let anchor = title_range.cloned().or(first).unwrap_or(0..0);
    (
        Some(winner(entry, anchor, evidence, titled + headed > 0)),
        unknown,
    )
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

/// The title's range: front matter or the document's title heading, else a first block that
/// reads as a title line (one short line with no closing full stop, as plain-text articles
/// often start). A site name or a menu line ("Fitness & Exercise") standing before a longer
/// title line is skipped.
fn title_range(doc: &Document<'_>) -> Option<Range<usize>> {
    let title = doc.title().map(|(_, r)| r).filter(|r| !r.is_empty());
    if doc.front_matter.get("title").is_some() {
        return title;
    }
    let first = doc.blocks.first()?;
    // A block as a title line: the block when it is a heading or one short line, else the
    // first line of a plain-text paragraph when that line reads as a title (scraped pages
    // often run the title into the text below it). Returns the range and its word count.
    let title_like = |b: &Block| -> Option<(Range<usize>, usize)> {
        if b.is_heading() {
            return Some((b.range.clone(), words_of_title_line(doc.prose_of(&b.range))));
        }
        if b.kind != BlockKind::Paragraph {
            return None;
        }
        // Line breaks between the lines of a paragraph are blanked in the prose: read the text.
        let text = &doc.text[b.range.clone()];
        let line_end = match text.trim_end().find('\n') {
            Some(i) if doc.format == Format::Plain => b.range.start + i,
            Some(_) => return None,
            None => b.range.end,
        };
        let range = b.range.start..line_end;
        let line = doc.prose_of(&range).trim();
        let words = words_of_title_line(line);
        ((1..=MAX_TITLE_WORDS).contains(&words) && !line.ends_with('.')).then_some((range, words))
    };
    let start = match title.as_ref().and_then(|t| doc.block_at(t.start)) {
        Some(b) if first.is_heading() => b,
        _ => 0,
    };
    let mut chosen = None;
    for i in start..doc.blocks.len().min(start + 3) {
        let Some((range, words)) = title_like(&doc.blocks[i]) else {
            break;
        };
        let text = doc.prose_of(&range).trim();
        // A site name ("askvity", "example.com") or a menu or breadcrumb line ("Fitness &
        // Exercise", "Home › Health"): only plain text scraped from the web starts like that.
        let site_or_menu = doc.format == Format::Plain
            && words <= 4
            && ((words == 1 && (text.contains('.') || !text.chars().any(char::is_uppercase)))
                || text.contains(['&', '|', '›', '»', '>', '•', '/']));
        let longer_follows = doc
            .blocks
            .get(i + 1)
            .and_then(title_like)
            .is_some_and(|(_, next)| next > words);
        let whole_block = range == doc.blocks[i].range;
        chosen = Some(range);
        if !(site_or_menu && longer_follows && whole_block) {
            break;
        }
    }
    chosen.or(title)
}

/// Words with a letter in them, counted up to one past [`MAX_TITLE_WORDS`]: that tells a
/// title line from a longer one, and a count above 4 is all the comparisons of
/// `title_range` need, so the first paragraph of a file (megabytes, in a file that is one
/// paragraph) is not read to its end.
fn words_of_title_line(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .take(MAX_TITLE_WORDS + 1)
        .count()
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
    /// Matches of emergency and urgent care actions, sorted by start.
    urgent_actions: Vec<Range<usize>>,
    anaphora: Vec<Range<usize>>,
    non_specific: Vec<Range<usize>>,
    hypothetical: Vec<Range<usize>>,
    /// Per block: the block itself names a care action.
    has_action: Vec<bool>,
    /// Per block: a heading or lead-in that ties what follows to care.
    guides: Vec<bool>,
}

/// A heading, or a line ending with a colon, that states a condition ("…if:", "…when you:").
fn is_conditional_lead_in(doc: &Document<'_>, block: &Block) -> bool {
    let text = doc.prose_of(&block.range).trim();
    let short = text.split_whitespace().count() <= 16;
    (block.is_heading() || text.ends_with(':'))
        && short
        && text
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.eq_ignore_ascii_case("if") || w.eq_ignore_ascii_case("when"))
}

impl GuidanceZones {
    fn new(cx: &CheckContext<'_>, care: &CarePatterns) -> GuidanceZones {
        let doc = cx.doc;
        let collect = |id: PatternId| -> Vec<Range<usize>> { cx.hits.of(id).cloned().collect() };
        let mut actions: Vec<Range<usize>> =
            care.actions.iter().flat_map(|a| collect(*a)).collect();
        actions.sort_by_key(|r| (r.start, r.end));
        let mut urgent_actions: Vec<Range<usize>> = care
            .actions
            .iter()
            .zip(&care.action_tiers)
            .filter(|(_, t)| **t != Tier::Prompt)
            .flat_map(|(a, _)| collect(*a))
            .collect();
        urgent_actions.sort_by_key(|r| (r.start, r.end));
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
                // A heading or colon lead-in that names care and a condition ("See a nurse at
                // your practice if:", "See a GP or go to a clinic if your discharge:").
                if has_action[i] && is_conditional_lead_in(doc, b) {
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
            urgent_actions,
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

    /// Whether a span says something specific once the non-specific phrases in it ("if you
    /// are worried", "does not get better after a week") are set aside: a content word
    /// is left.
    fn is_specific(&self, doc: &Document<'_>, range: &Range<usize>) -> bool {
        const FILLER: &[&str] = &[
            "your", "you're", "youre", "have", "has", "that", "this", "with", "after", "than",
            "more", "less", "days", "weeks", "months", "keep", "keeps", "getting", "symptoms",
            "symptom", "pain", "about", "been", "they", "them", "were", "what", "when", "there",
            "still", "also", "very", "really", "feel", "feels", "from", "into", "over", "just",
            "become", "becomes", "start", "starts", "started", "think", "need", "will", "would",
            "could", "should", "it's", "don't", "doesn't", "does", "back", "come", "comes",
        ];
        let from = self.non_specific.partition_point(|n| n.end <= range.start);
        let covered: Vec<&Range<usize>> = self.non_specific[from..]
            .iter()
            .take_while(|n| n.start < range.end)
            .collect();
        let text = doc.prose_of(range);
        let mut words = 0;
        let mut word_start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            let in_word = c.is_alphanumeric() || c == '\'';
            match (in_word, word_start) {
                (true, None) => word_start = Some(i),
                (false, Some(st)) => {
                    word_start = None;
                    let word = &text[st..i];
                    let at = range.start + st;
                    let content = word.chars().filter(|c| c.is_alphabetic()).count() >= 4
                        && !covered.iter().any(|n| n.start <= at && at < n.end)
                        && !FILLER.contains(&word.to_lowercase().as_str());
                    words += usize::from(content);
                }
                _ => {}
            }
        }
        words >= 1
    }

    /// Whether a non-specific phrase ("if the pain gets worse") covers a sign match.
    fn non_specific_covers(&self, hit: &Range<usize>) -> bool {
        // Non-specific phrases that start at or before the sign and might cover it.
        let before = self.non_specific.partition_point(|n| n.start <= hit.start);
        self.non_specific[..before]
            .iter()
            .rev()
            .take(8)
            .any(|n| hit.end <= n.end)
    }

    fn sentence_has_urgent_action(&self, cx: &CheckContext<'_>, offset: usize) -> bool {
        cx.doc
            .sentence_at(offset)
            .is_some_and(|s| within(&self.urgent_actions, cx.doc.sentences[s].range.clone()))
    }

    /// A sign sentence that points back ("These include…") at the care sentence just before
    /// it in the same block ("Some headaches need prompt medical care.").
    fn previous_care_sentence(&self, cx: &CheckContext<'_>, offset: usize) -> bool {
        let doc = cx.doc;
        let Some(s) = doc.sentence_at(offset).filter(|&s| s > 0) else {
            return false;
        };
        doc.sentences[s - 1].block == doc.sentences[s].block
            && within(&self.anaphora, doc.sentences[s].range.clone())
            && within(&self.actions, doc.sentences[s - 1].range.clone())
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
        self.tied_by_structure(doc, offset, false)
    }

    /// Like [`Self::structurally_tied`], with `strict`: only lead-ins and headings whose words
    /// send readers to care count ("See a GP if:"), not any colon line that names care ("A
    /// pharmacist may suggest:").
    fn tied_by_structure(&self, doc: &Document<'_>, offset: usize, strict: bool) -> bool {
        let lead_in = |b: usize| {
            if strict {
                self.guides[b]
            } else {
                self.is_lead_in(doc, b)
            }
        };
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
                    if lead_in(li) {
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
            if matches!(b.kind, BlockKind::Paragraph | BlockKind::ListItem)
                && doc.prose_of(&b.range).trim_end().ends_with(':')
                && lead_in(prev)
            {
                return true;
            }
        }
        // The headings above it (its own section and the one that holds it).
        doc.section_chain(block)
            .take(2)
            .filter_map(|s| s.heading)
            .any(|h| self.guides[h] || (!strict && self.has_action[h]))
    }

    /// A care sentence right after the sign: the next sentence of the same block, or, for a
    /// list item, one of the first two sentences after the list ("These can be signs of a
    /// stroke. Call for help."). `Some(true)` when it points back at the sign ("If you notice
    /// any of these, call 999") or opens with the action, an imperative that answers the signs
    /// just named ("Get medical help right away."); `Some(false)` when it only names care
    /// (which completes a conditional sign: "If the pee turns brown, stop. Go to A&E.").
    fn next_care_sentence(&self, cx: &CheckContext<'_>, offset: usize) -> Option<bool> {
        let doc = cx.doc;
        let (Some(s), Some(block)) = (doc.sentence_at(offset), doc.block_at(offset)) else {
            return None;
        };
        let mut after_list = false;
        let next: Range<usize> = if doc.blocks[block].kind == BlockKind::ListItem {
            let list = doc.blocks[block].list;
            let after = (block + 1..doc.blocks.len())
                .find(|&b| doc.blocks[b].list != list || doc.blocks[b].kind != BlockKind::ListItem);
            let b = after.filter(|&b| !doc.blocks[b].is_heading())?;
            let range = doc.blocks[b].sentences.clone();
            // After a list, only a care sentence that answers it counts (below).
            after_list = true;
            range.start..range.end.min(range.start + 2)
        } else if s + 1 < doc.sentences.len() && doc.sentences[s + 1].block == block {
            s + 1..s + 2
        } else {
            // The sign's sentence ends its paragraph, and the list it leads into gives the
            // care ("If you are thinking of harming yourself, get help now. – Call 911 – Go to
            // the nearest emergency room"): its first items must start with the action.
            let list = doc.blocks.get(block + 1).filter(|item| {
                item.kind == BlockKind::ListItem && item.lead_in == Some(block)
            })?;
            after_list = true;
            // Its first two items; urgent care only: symptoms followed by tips that start
            // "Ask a pharmacist…" are not guidance.
            let second = doc
                .blocks
                .get(block + 2)
                .filter(|item| item.kind == BlockKind::ListItem && item.list == list.list);
            let first = list.sentences.start..second.map_or(list.sentences.end, |b| b.sentences.end);
            let urgent = |i: usize| within(&self.urgent_actions, doc.sentences[i].range.clone());
            if !first.clone().any(urgent) {
                return None;
            }
            first
        };
        let care: Vec<Range<usize>> = next
            .map(|i| doc.sentences[i].range.clone())
            .filter(|r| within(&self.actions, r.clone()))
            .collect();
        if care.is_empty() {
            return None;
        }
        let answers = care
            .iter()
            .any(|r| within(&self.anaphora, r.clone()) || self.opens_with_action(doc, r.clone()));
        (answers || !after_list).then_some(answers)
    }

    /// Whether a sentence starts with a care action ("Call 911.", "Seek care right away.").
    fn opens_with_action(&self, doc: &Document<'_>, range: Range<usize>) -> bool {
        let text = doc.prose_of(&range);
        let lead = text.len() - text.trim_start().len();
        let start = range.start + lead;
        let from = self.actions.partition_point(|r| r.start < start);
        self.actions.get(from).is_some_and(|r| r.start == start)
    }
}

/// The document model as `healthlint inspect` shows it: what kind of text the file is and why,
/// its topic pack and the evidence, its sections, and the guidance found, with spans.
#[derive(Debug, Serialize)]
pub struct Inspection {
    pub kind: &'static str,
    pub kind_evidence: Vec<String>,
    pub title: Option<Span>,
    pub topic: Option<InspectedTopic>,
    pub sections: Vec<Span>,
    /// Headings and lead-ins that send readers to care.
    pub guidance_headings: Vec<Span>,
    /// Warning signs tied to care.
    pub guidance: Vec<Span>,
    /// Warning signs the page names that do not count as guidance: not tied to care, or
    /// negated, hedged, someone else's, or the page's own symptom sent to routine care (a few
    /// per sign group). They show why a page that names signs is still told it gives none.
    pub signs_not_counted: Vec<Span>,
    pub needs_guidance: bool,
}

/// The chosen topic pack.
#[derive(Debug, Serialize)]
pub struct InspectedTopic {
    pub code: String,
    pub topic: String,
    pub evidence: String,
}

/// A piece of the file: its text (on one line), byte range and 1-based line.
#[derive(Debug, Serialize)]
pub struct Span {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

impl Span {
    fn new(doc: &Document<'_>, range: &Range<usize>) -> Span {
        let text: Vec<&str> = doc.prose_of(range).split_whitespace().collect();
        Span {
            text: text.join(" "),
            start: range.start,
            end: range.end,
            line: doc.text[..range.start].matches('\n').count() + 1,
        }
    }
}

/// The red-flag document model of one file (kind, topic, guidance) as the general guidance
/// rule sees it, for `healthlint inspect`; `None` when that rule is not loaded.
pub fn inspect(rules: &RuleSet, source: &SourceFile) -> Option<Inspection> {
    rules
        .with_first::<Guidance, _>(source, |_, packs, model, cx| {
            Some(inspection(model.as_ref()?, packs.care.as_ref()?, cx))
        })
        .flatten()
}

fn inspection(model: &DocModel, care: &CarePatterns, cx: &CheckContext<'_>) -> Inspection {
    {
        let doc = cx.doc;
        let span = |r: &Range<usize>| Span::new(doc, r);
        Inspection {
            kind: model.kind.as_str(),
            kind_evidence: model.kind_evidence.clone(),
            title: model.title.as_ref().map(span),
            topic: model.winner.as_ref().map(|w| InspectedTopic {
                code: w.code.clone(),
                topic: w.topic.clone(),
                evidence: w.evidence.clone(),
            }),
            sections: doc
                .sections
                .iter()
                .filter_map(|s| s.heading)
                .map(|h| span(&doc.blocks[h].range))
                .collect(),
            guidance_headings: doc
                .blocks
                .iter()
                .zip(&model.zones.guides)
                .filter(|(_, g)| **g)
                .map(|(b, _)| span(&b.range))
                .collect(),
            guidance: model.guidance.iter().map(span).collect(),
            signs_not_counted: signs_by_tie(cx, care, &model.zones, &model.own, false)
                .iter()
                .map(span)
                .collect(),
            needs_guidance: model.kind == DocKind::Condition,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_topic_reads_html_and_mdx_comments_only() {
        assert_eq!(
            comment_topic("x\n<!-- healthlint-topic: HL101 -->\n").as_deref(),
            Some("HL101")
        );
        assert_eq!(
            comment_topic("{/* healthlint-topic: sciatica */}\n<!-- later -->").as_deref(),
            Some("sciatica")
        );
        assert_eq!(comment_topic("text healthlint-topic: HL101 -->"), None);
    }

    #[test]
    fn conditions_are_read_from_title_word_endings() {
        assert_eq!(
            condition_word_by_ending("Living with Bursitis").as_deref(),
            Some("bursitis")
        );
        assert_eq!(condition_word_by_ending("Sports fitness"), None);
    }
    /// The built-in red-flag packs, with their `[check]` tables typed.
    fn builtin_packs() -> Vec<(&'static str, RuleFile<RedFlagsSpec>)> {
        crate::rules::builtin::BUILTIN_FILES
            .iter()
            .filter(|(path, text)| {
                path.starts_with("red-flags/") && text.contains("kind = \"red-flags\"")
            })
            .map(|(path, text)| (*path, toml::from_str(text).expect("a built-in pack parses")))
            .collect()
    }

    #[test]
    fn shared_sign_groups_are_unique_valid_and_each_used_by_two_signs() {
        let groups: SignGroups =
            crate::rules::lexicon::parse_builtin("lexicon/sign-groups.toml").expect("parses");
        let packs = builtin_packs();
        assert!(packs.len() > 10, "the packs are found");
        for (i, group) in groups.group.iter().enumerate() {
            assert!(
                groups.group[..i].iter().all(|g| g.id != group.id),
                "group `{}` is defined twice",
                group.id
            );
            assert!(!group.terms.is_empty(), "group `{}` is empty", group.id);
            for term in &group.terms {
                assert!(
                    healthlint_phrase::syntax::validate(term).is_ok(),
                    "group `{}`: bad phrase {term:?}",
                    group.id
                );
            }
            let users = packs
                .iter()
                .flat_map(|(_, p)| &p.check.signs)
                .filter(|s| s.groups.iter().any(|g| g.get_ref() == &group.id))
                .count();
            assert!(
                users >= 2,
                "group `{}` is shared by {users} signs",
                group.id
            );
        }
    }

    #[test]
    fn a_sign_takes_its_groups_phrases_then_its_own() {
        let groups: SignGroups = toml::from_str(
            "[[group]]\nid = \"a\"\nabout = \"x\"\nterms = [\"one\", \"two\"]\n\
             [[group]]\nid = \"b\"\nabout = \"y\"\nterms = [\"three\"]\n",
        )
        .expect("parses");
        let sign: SignSpec = toml::from_str(
            "id = \"s\"\nlabel = \"l\"\ntier = \"urgent\"\ngroups = [\"b\", \"a\", \"missing\"]\n\
             terms = [\"four\"]\n",
        )
        .expect("parses");
        assert_eq!(sign.phrases(&groups), ["three", "one", "two", "four"]);
        assert!(toml::from_str::<SignSpec>(
            "id = \"s\"\nlabel = \"l\"\ntier = \"urgent\"\ngroup = \"a\"\n"
        )
        .is_err());
    }
}
