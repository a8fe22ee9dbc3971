//! `kind = "conflict"`: contradictory advice. Takes the advice [`Fact`]s of one article (from
//! [`AdviceModel`], the shared extractor) and hands on one diagnostic per pair of statements
//! that cannot both be followed: the same action (or opposing ones) with opposite polarity in
//! overlapping conditions and time windows ("apply heat straight away" / "avoid heat for the
//! first 48 hours"), or the same amount with values that do not overlap ("ice for 15–20
//! minutes" / "ice for at least an hour"). The first statement carries the primary label, the
//! second a secondary one.
//!
//! Consistent advice is left alone: statements in one sentence (sequenced or contrasted on
//! purpose), sequenced windows (ice for 48 hours, then heat), qualified advice (ibuprofen, but
//! not with a stomach ulcer), different conditions, overlapping ranges and refuted myths.
//! A rule with `scope = "documents"` runs nothing per file: it reports the same comparison
//! across the files of one run ([`across`], driven by the cross-document stage in `cross.rs`).
//!
//! The rules share one advice model ([`Advice`]): each file's facts are extracted once, for
//! all of them, about the actions any of them reads.

mod across;

use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{Across, CheckContext, Compiler, Kind, State};
use crate::analyze::advice::{
    parse_amount, AdviceModel, Amount, Fact, Polarity, Window,
};
use crate::diagnostic::{Diagnostic, Label};
use crate::error::SpannedError;
use crate::rules::spec::RuleFile;
use crate::rules::{RuleMeta, RuleSource};

/// At most this many findings per rule and article: one muddled article should not bury the
/// rest of a report.
const MAX_PER_FILE: usize = 3;
/// At most this many further contradicting statements are labelled on one finding.
const MAX_EXTRA_LABELS: usize = 3;

/// The `[check]` table of a conflict rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConflictSpec {
    #[serde(rename = "kind")]
    _kind: serde::de::IgnoredAny,
    /// `"document"` (default): compare statements within one article. `"documents"`: compare
    /// the statements of every file of a run with those of the other files, using the enabled
    /// `document` conflict rules; findings name the other file in `related`.
    #[serde(default)]
    pub scope: Option<Spanned<String>>,
    /// One side of the conflict: `"action:polarity"` items (polarity `recommend` or `avoid`),
    /// actions as named in `rules/lexicon/advice.toml`, e.g. `["heat:recommend"]`.
    #[serde(default)]
    pub side_a: Vec<Spanned<String>>,
    /// The other side, e.g. `["heat:avoid"]` or `["bed-rest:avoid", "stay-active:recommend"]`.
    #[serde(default)]
    pub side_b: Vec<Spanned<String>>,
    /// Compare amounts instead of polarity: the action whose stated amount must agree
    /// throughout (e.g. `"ice"` for the length of an ice session). Excludes the sides.
    #[serde(default)]
    pub quantity: Option<Spanned<String>>,
    /// With `quantity`: only amounts in this inclusive range count, written as amounts
    /// (`["1 minute", "3 hours"]` keeps session lengths and leaves out "for 48 hours").
    #[serde(default)]
    pub amount_range: Option<Spanned<Vec<String>>>,
    /// With `quantity`: the amounts are thresholds, the time after which to act ("see a
    /// doctor if it lasts more than 3 days"). Two conflict when one is at least twice the
    /// other; only open-ended amounts ("after", "more than") and single figures count.
    #[serde(default)]
    pub threshold: bool,
    /// With `quantity`: what is compared. `"amount"` (the default) is the amount stated with
    /// the action (how long, how much); `"interval"` is how often it is repeated, the time
    /// after "every" ("ice it every 2 to 3 hours" against "every 20 minutes"); `"daily"` is a
    /// medicine's dose per day, for an action marked `daily` in the lexicon: two ceilings that
    /// differ, or a regimen above a ceiling, for the same medicine.
    #[serde(default)]
    pub measure: Option<Spanned<String>>,
    /// Conditions (ids from the advice lexicon) both statements must be about, e.g.
    /// `["fresh-injury"]`. Empty: any, as long as the two statements' conditions overlap.
    #[serde(default)]
    pub conditions: Vec<Spanned<String>>,
    /// Situations this rule is not about (ids from the advice lexicon): a statement made
    /// anywhere in one of them (its sentence, lead-in, headings or title) takes no part, e.g.
    /// `["cold-injury", "burn"]` for advice on a fresh sprain (warming frostbite is another
    /// matter).
    #[serde(default)]
    pub excluded_conditions: Vec<Spanned<String>>,
    /// Only conditions stated in the statement's own sentence count (not inherited from the
    /// heading or title); for amounts tied to a condition ("100 mg for severe pain").
    #[serde(default)]
    pub own_conditions: bool,
    /// Whether a `documents`-scope rule also compares this rule's statements across articles
    /// (default true). Turn it off for advice that depends on the product, such as doses or
    /// dosing schedules, which differ from one medicine to another.
    #[serde(default = "yes")]
    pub across_documents: bool,
}

fn yes() -> bool {
    true
}

/// One side item: an action index and a polarity.
type SideItem = (u16, Polarity);

/// What a compiled conflict rule compares.
#[derive(Debug, Clone)]
enum Comparison {
    Polarity {
        a: Vec<SideItem>,
        b: Vec<SideItem>,
    },
    Amount {
        action: u16,
        min: Option<Amount>,
        max: Option<Amount>,
        threshold: bool,
        measure: Measure,
    },
}

/// Which amount of a statement an amount comparison reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    /// How long or how much ([`Fact::amount`]).
    Amount,
    /// How often the action is repeated ([`Fact::interval`]).
    Interval,
    /// A medicine's dose per day ([`Fact::amount`] of a daily action): a ceiling is the
    /// interval from 0 ("no more than 4 g a day"), a regimen its daily total ("1 g four
    /// times a day"). Two ceilings conflict when their tops differ by more than
    /// [`DAILY_TOLERANCE`]; a regimen conflicts with a ceiling it exceeds; two regimens never
    /// (a dose is raised step by step, or differs by what it treats). Statements are
    /// compared only when they name the same medicine, whatever their conditions.
    Daily,
}

/// Two maximum daily doses within this ratio are the same figure written two ways (4 g,
/// "4,000 mg"; 3,900 mg and 4 g on labels that round).
const DAILY_TOLERANCE: f64 = 1.05;

impl Comparison {
    /// The amount of a statement this comparison reads: how much or how long, or how often.
    fn stated(&self, f: &Fact) -> Option<Amount> {
        match self {
            Comparison::Amount {
                measure: Measure::Interval,
                ..
            } => f.interval,
            _ => f.amount,
        }
    }

    fn measure(&self) -> Option<Measure> {
        match self {
            Comparison::Amount { measure, .. } => Some(*measure),
            Comparison::Polarity { .. } => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Conflict {
    model: Arc<AdviceModel>,
    comparison: Comparison,
    /// Bit set of condition indices, 0 = any.
    conditions: u64,
    /// Bit set of the situations left out.
    excluded: u64,
    own_conditions: bool,
    /// Whether this rule compares across documents instead of within one.
    across_documents: bool,
    /// Whether a cross-document rule may use this rule's comparison.
    comparable_across: bool,
    wanted: u64,
    /// Generic drug names by lexicon index, for messages about a medicine (daily doses).
    medicines: Vec<String>,
}

/// What the conflict rules share: the advice model of the selected rules (compiled once into
/// the shared pattern set) and the actions any of them reads, as a bit set.
#[derive(Debug, Default)]
pub(crate) struct Advice {
    model: Option<Arc<AdviceModel>>,
    wanted: u64,
}

impl Kind for Conflict {
    const NAME: &'static str = "conflict";
    /// `{first}`, `{second}`: the two statements ("recommends heat straight away");
    /// `{action}`: the first one's action; `{other}` (`scope = "documents"`): the other file.
    const PLACEHOLDERS: &'static [&'static str] = &["first", "second", "action", "other"];
    type Spec = ConflictSpec;
    type Shared = Advice;
    /// The file's advice facts about the actions any selected rule reads.
    type PerFile = Vec<Fact>;

    fn compile(
        file: RuleFile<ConflictSpec>,
        source: &RuleSource,
        shared: &mut Advice,
        compiler: &mut Compiler<'_>,
    ) -> Result<Conflict, Vec<SpannedError>> {
        // The model every selected rule shares (so a file's facts are extracted once for all
        // of them), or one of its own in the scratch set of a rule that is not selected.
        let lexicon = compiler.lexicon;
        let compile = |patterns: &mut crate::analyze::PatternSetBuilder| {
            Arc::new(AdviceModel::compile(
                &lexicon.advice,
                &lexicon.context,
                patterns,
            ))
        };
        let model = if compiler.selected() {
            Arc::clone(
                shared
                    .model
                    .get_or_insert_with(|| compile(compiler.patterns)),
            )
        } else {
            compile(compiler.patterns)
        };
        let spec = file.check;
        let mut errors = Vec::new();
        let err = |span: std::ops::Range<usize>, message: String| {
            SpannedError::new(&source.origin, &source.text, Some(span), message)
        };
        let across_documents = match &spec.scope {
            None => false,
            Some(s) => match s.get_ref().as_str() {
                "document" => false,
                "documents" => true,
                other => {
                    errors.push(err(
                        s.span(),
                        format!("unknown scope `{other}`; expected `document` or `documents`"),
                    ));
                    false
                }
            },
        };
        let side = |items: &[Spanned<String>], errors: &mut Vec<SpannedError>| {
            let mut out = Vec::new();
            for item in items {
                let (action, polarity) = item
                    .get_ref()
                    .split_once(':')
                    .unwrap_or((item.get_ref(), ""));
                match (model.action_index(action), Polarity::parse(polarity)) {
                    (Some(a), Some(p)) if p != Polarity::Neutral => out.push((a, p)),
                    (None, _) => errors.push(err(
                        item.span(),
                        format!(
                            "unknown action `{action}`; expected one of: {}",
                            model
                                .actions
                                .iter()
                                .map(|a| a.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                    _ => errors.push(err(
                        item.span(),
                        "expected `action:recommend` or `action:avoid`".to_string(),
                    )),
                }
            }
            out
        };
        let a = side(&spec.side_a, &mut errors);
        let b = side(&spec.side_b, &mut errors);
        let comparison = match &spec.quantity {
            Some(q) => {
                if !spec.side_a.is_empty() || !spec.side_b.is_empty() {
                    errors.push(err(
                        q.span(),
                        "`quantity` compares amounts; leave out `side-a` and `side-b`".to_string(),
                    ));
                }
                let action = model.action_index(q.get_ref()).unwrap_or_else(|| {
                    errors.push(err(q.span(), format!("unknown action `{}`", q.get_ref())));
                    0
                });
                let (mut min, mut max) = (None, None);
                if let Some(range) = &spec.amount_range {
                    let parsed: Vec<Option<Amount>> =
                        range.get_ref().iter().map(|s| parse_amount(s)).collect();
                    match parsed.as_slice() {
                        [Some(lo), Some(hi)] if lo.dimension == hi.dimension => {
                            min = Some(*lo);
                            max = Some(*hi);
                        }
                        _ => errors.push(err(
                            range.span(),
                            "expected two amounts of one kind, such as [\"1 minute\", \"3 hours\"]"
                                .to_string(),
                        )),
                    }
                }
                let daily_action = model
                    .actions
                    .get(usize::from(action))
                    .is_some_and(|a| a.daily);
                let measure = match spec.measure.as_ref() {
                    None => Measure::Amount,
                    Some(m) => {
                        let (measure, problem) = match m.get_ref().as_str() {
                            "amount" => (Measure::Amount, None),
                            "interval" if spec.threshold => (
                                Measure::Interval,
                                Some("an interval is not a threshold: leave out `threshold`"),
                            ),
                            "interval" => (Measure::Interval, None),
                            "daily" if !daily_action => (
                                Measure::Daily,
                                Some("`daily` compares doses per day: `quantity` must name an action marked `daily` in the lexicon"),
                            ),
                            "daily" if spec.threshold || !spec.conditions.is_empty() || spec.own_conditions => (
                                Measure::Daily,
                                Some("a dose per day is compared by medicine: leave out `threshold`, `conditions` and `own-conditions`"),
                            ),
                            "daily" => (Measure::Daily, None),
                            other => {
                                errors.push(err(
                                    m.span(),
                                    format!(
                                        "unknown measure `{other}`: expected `amount`, `interval` or `daily`"
                                    ),
                                ));
                                (Measure::Amount, None)
                            }
                        };
                        if let Some(problem) = problem {
                            errors.push(err(m.span(), problem.to_string()));
                        }
                        measure
                    }
                };
                Comparison::Amount {
                    action,
                    min,
                    max,
                    threshold: spec.threshold,
                    measure,
                }
            }
            None => {
                if !across_documents && (a.is_empty() || b.is_empty()) && errors.is_empty() {
                    errors.push(SpannedError::new(
                        &source.origin,
                        &source.text,
                        None,
                        "a conflict rule needs `side-a` and `side-b`, or `quantity`",
                    ));
                }
                Comparison::Polarity { a, b }
            }
        };
        let mut conditions = 0u64;
        let mut excluded = 0u64;
        let listed = spec
            .conditions
            .iter()
            .map(|c| (c, false))
            .chain(spec.excluded_conditions.iter().map(|c| (c, true)));
        for (c, left_out) in listed {
            match model.condition_index(c.get_ref()) {
                Some(i) if i < 64 && left_out => excluded |= 1 << i,
                Some(i) if i < 64 => conditions |= 1 << i,
                _ => errors.push(err(
                    c.span(),
                    format!(
                        "unknown condition `{}`; expected one of: {}",
                        c.get_ref(),
                        model
                            .conditions
                            .iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let wanted = match &comparison {
            Comparison::Polarity { a, b } => a
                .iter()
                .chain(b)
                .fold(0u64, |acc, (i, _)| acc | (1u64 << (*i).min(63))),
            Comparison::Amount { action, .. } => 1u64 << (*action).min(63),
        };
        let medicines = if comparison.measure() == Some(Measure::Daily) {
            compiler
                .lexicon
                .drugs
                .drugs
                .iter()
                .map(|d| d.name.clone())
                .collect()
        } else {
            Vec::new()
        };
        if compiler.selected() {
            shared.wanted |= wanted;
        }
        Ok(Conflict {
            medicines,
            model,
            comparison,
            conditions,
            excluded,
            own_conditions: spec.own_conditions,
            across_documents,
            comparable_across: spec.across_documents,
            wanted,
        })
    }

    fn per_file(shared: &Advice, cx: &CheckContext<'_>) -> Vec<Fact> {
        match &shared.model {
            Some(model) => {
                let medicines = || cx.drug_mentions();
                model.extract(cx.doc, cx.hits, cx.context, &medicines, shared.wanted)
            }
            None => Vec::new(),
        }
    }

    fn needs_its_kind(&self) -> bool {
        self.across_documents
    }

    fn across<'r>(
        shared: &'r Advice,
        rules: Vec<(&'r RuleMeta, &'r Conflict)>,
        state: State,
    ) -> Option<Box<dyn Across + 'r>> {
        across::AcrossDocuments::new(shared, rules, state)
            .map(|a| Box::new(a) as Box<dyn Across + 'r>)
    }

    fn run(
        &self,
        _shared: &Advice,
        facts: &Vec<Fact>,
        cx: &CheckContext<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        if self.across_documents {
            return;
        }
        // Only statements that can take part in a conflict of this rule are paired.
        let facts: Vec<Fact> = facts
            .iter()
            .filter(|f| self.wanted & (1u64 << f.action.min(63)) != 0 && self.takes_part(f))
            .cloned()
            .collect();
        // One finding per conflict: the earliest statement of a conflicting pair is the
        // primary label, the statement that contradicts it the secondary one; further
        // statements contradicting the same one join that finding instead of repeating it.
        //
        // Statements that differ only in where they stand conflict with the same statements,
        // so each is compared with one statement of every kind: a page that repeats a piece
        // of advice 10,000 times costs pairs of kinds, not 50 million pairs of statements
        // (issue 20). `kinds` holds each kind's statements in text order.
        let mut kinds: Vec<Vec<usize>> = Vec::new();
        let mut kind_of: std::collections::HashMap<[u64; 12], usize> = Default::default();
        for (i, fact) in facts.iter().enumerate() {
            let next = kinds.len();
            let kind = *kind_of.entry(fact.said_key()).or_insert(next);
            if kind == next {
                kinds.push(Vec::new());
            }
            kinds[kind].push(i);
        }
        let mut used_sentences: std::collections::HashSet<u32> = Default::default();
        let mut found = 0;
        for (i, first) in facts.iter().enumerate() {
            if found >= MAX_PER_FILE {
                break;
            }
            if used_sentences.contains(&first.sentence) {
                continue;
            }
            let mut later: Vec<usize> = Vec::new();
            for members in &kinds {
                let after = members.partition_point(|&j| j <= i);
                if after < members.len() && self.conflicts(first, &facts[members[after]], true) {
                    later.extend_from_slice(&members[after..]);
                }
            }
            later.sort_unstable();
            let mut seconds: Vec<&Fact> = Vec::new();
            let mut second_sentences: std::collections::HashSet<u32> = Default::default();
            for second in later.into_iter().map(|j| &facts[j]) {
                if second.sentence != first.sentence
                    && !used_sentences.contains(&second.sentence)
                    && second_sentences.insert(second.sentence)
                {
                    seconds.push(second);
                }
            }
            let Some(second) = seconds.first() else {
                continue;
            };
            let (a, b) = (self.describe(first), self.describe(second));
            let words = |f: &Fact| cx.doc.prose.get(f.range.clone()).unwrap_or("");
            let (qa, qb) = (
                self.quoted(&a, words(first)),
                self.quoted(&b, words(second)),
            );
            // A finding must show two different statements.
            if qa == qb {
                continue;
            }
            found += 1;
            used_sentences.insert(first.sentence);
            used_sentences.extend(seconds.iter().map(|s| s.sentence));
            let mut d = cx.diagnostic(
                self.message(&cx.rule.message, first, &qa, &qb),
                Label::new(first.range.clone(), format!("this {a}")),
            );
            d = d.with_label(Label::new(second.range.clone(), format!("but this {b}")));
            for more in seconds.iter().skip(1).take(MAX_EXTRA_LABELS) {
                d = d.with_label(Label::new(
                    more.range.clone(),
                    format!("and this {}", self.describe(more)),
                ));
            }
            d.note = Some(self.reconcile_note(first, second));
            out.push(d);
        }
    }

}

impl Conflict {
    /// The actions this rule looks at, as a bit set.
    fn wanted(&self) -> u64 {
        self.wanted
    }

    /// Whether a fact can be one side of a conflict under this rule at all.
    fn takes_part(&self, f: &Fact) -> bool {
        if f.qualified || f.situation & self.excluded != 0 {
            return false;
        }
        match &self.comparison {
            Comparison::Polarity { a, b } => a
                .iter()
                .chain(b)
                .any(|(act, pol)| f.action == *act && f.polarity == *pol),
            Comparison::Amount { action, .. } => {
                f.action == *action
                    && self.comparison.stated(f).is_some()
                    && self.names_what_needed(f)
            }
        }
    }

    /// A dose per day is about one medicine: a statement that names none takes no part.
    fn names_what_needed(&self, f: &Fact) -> bool {
        self.comparison.measure() != Some(Measure::Daily) || f.medicine.is_some()
    }

    /// What a statement is about, as a bit set for the cross-document index: its conditions,
    /// or for doses per day its medicine (a bit of its index; equal bits only make two files
    /// candidates, [`Conflict::conflicts`] decides).
    fn about(&self, f: &Fact) -> u64 {
        if self.comparison.measure() == Some(Measure::Daily) {
            f.medicine.map_or(0, |m| 1u64 << (m % 64))
        } else {
            f.conditions
        }
    }

    /// Which side of this rule a statement of another article can take: (side a, side b).
    /// Two statements can conflict across articles only if one takes side a and the other
    /// side b; an amount takes both (any two usable amounts may disagree).
    fn sides_across(&self, f: &Fact) -> (bool, bool) {
        if f.qualified || f.situation & self.excluded != 0 {
            return (false, false);
        }
        match &self.comparison {
            Comparison::Polarity { a, b } => {
                if f.window == Window::Unknown {
                    return (false, false);
                }
                let on = |side: &[SideItem]| {
                    side.iter()
                        .any(|(act, pol)| f.action == *act && f.polarity == *pol)
                };
                (on(a), on(b))
            }
            Comparison::Amount {
                action, measure, ..
            } => {
                let stated = self.comparison.stated(f);
                let usable = f.action == *action
                    && f.polarity != Polarity::Avoid
                    && stated.is_some()
                    && self.names_what_needed(f);
                // Two doses per day conflict only when one is a ceiling: side a is the
                // ceilings, side b every dose, so schedules are never paired with each other.
                let a = match measure {
                    Measure::Daily => usable && stated.is_some_and(|x| x.lo <= 0.0),
                    _ => usable,
                };
                (a, usable)
            }
        }
    }

    /// Whether two facts cannot both be followed under this rule. `same_document` relaxes
    /// the condition test: within one article, a statement with no recognisable condition
    /// is read as being about the article's subject.
    fn conflicts(&self, f1: &Fact, f2: &Fact, same_document: bool) -> bool {
        if f1.qualified || f2.qualified || (f1.situation | f2.situation) & self.excluded != 0 {
            return false;
        }
        if f1.subjects != 0 && f2.subjects != 0 && f1.subjects & f2.subjects == 0 {
            return false;
        }
        if self.comparison.measure() == Some(Measure::Daily) {
            if f1.medicine.is_none() || f1.medicine != f2.medicine {
                return false;
            }
        } else if !self.conditions_meet(f1, f2, same_document) {
            return false;
        }
        match &self.comparison {
            Comparison::Polarity { a, b } => {
                let on = |f: &Fact, side: &[SideItem]| {
                    side.iter()
                        .any(|(act, pol)| f.action == *act && f.polarity == *pol)
                };
                let sides = (on(f1, a) && on(f2, b)) || (on(f1, b) && on(f2, a));
                // Across articles, only statements that both say when they apply are compared:
                // each article's untimed advice may rely on a window stated elsewhere in it.
                let timed =
                    same_document || (f1.window != Window::Unknown && f2.window != Window::Unknown);
                sides && timed && f1.window.overlaps(f2.window)
            }
            Comparison::Amount {
                action,
                min,
                max,
                threshold,
                measure,
            } => {
                let stated = |f: &Fact| self.comparison.stated(f);
                let usable = |f: &Fact| {
                    f.action == *action
                        && f.polarity != Polarity::Avoid
                        && stated(f).is_some_and(|x| {
                            // The stated interval must meet the rule's range ("at least an
                            // hour" is a session length; "for 48 hours" is not).
                            min.is_none_or(|m| m.dimension == x.dimension && x.hi >= m.lo)
                                && max.is_none_or(|m| m.dimension == x.dimension && x.lo <= m.hi)
                        })
                };
                match (stated(f1), stated(f2)) {
                    (Some(x), Some(y)) if usable(f1) && usable(f2) && *threshold => {
                        match (x.threshold(), y.threshold()) {
                            (Some(a), Some(b)) if x.dimension == y.dimension => {
                                a.min(b) > 0.0 && a.max(b) >= 2.0 * a.min(b)
                            }
                            _ => false,
                        }
                    }
                    (Some(x), Some(y))
                        if usable(f1) && usable(f2) && *measure == Measure::Daily =>
                    {
                        x.dimension == y.dimension && daily_doses_conflict(&x, &y)
                    }
                    (Some(x), Some(y)) if usable(f1) && usable(f2) => {
                        x.dimension == y.dimension && !x.overlaps(&y)
                    }
                    _ => false,
                }
            }
        }
    }

    fn conditions_meet(&self, f1: &Fact, f2: &Fact, same_document: bool) -> bool {
        let (c1, c2) = if self.own_conditions {
            (f1.own_conditions, f2.own_conditions)
        } else {
            (f1.conditions, f2.conditions)
        };
        if self.conditions != 0 {
            return c1 & self.conditions != 0
                && c2 & self.conditions != 0
                && c1 & c2 & self.conditions != 0;
        }
        if c1 == 0 || c2 == 0 {
            return same_document && !self.own_conditions;
        }
        c1 & c2 != 0
    }

    /// "recommends heat straight away", "says ice delays healing", "gives 15–20 min".
    fn describe(&self, f: &Fact) -> String {
        let label = self
            .model
            .actions
            .get(f.action as usize)
            .map_or("this", |a| a.label.as_str());
        let mut s = match (&self.comparison, f.polarity, f.harm) {
            (
                Comparison::Amount {
                    threshold: true, ..
                },
                _,
                _,
            ) => {
                let after = f
                    .amount
                    .and_then(|a| {
                        a.threshold().map(|t| {
                            Amount {
                                lo: t,
                                hi: t,
                                rough: false,
                                ..a
                            }
                            .describe()
                        })
                    })
                    .unwrap_or_default();
                // A threshold is named as the point it gives, not as an interval.
                match self
                    .model
                    .actions
                    .get(f.action as usize)
                    .and_then(|a| a.amount_label.as_deref())
                {
                    Some(template) => format!("gives {}", template.replace("{}", &after)),
                    None => format!("gives {after} for {label}"),
                }
            }
            (
                Comparison::Amount {
                    measure: Measure::Daily,
                    ..
                },
                _,
                _,
            ) => {
                let of = f
                    .medicine
                    .and_then(|m| self.medicines.get(m as usize))
                    .map(|name| format!(" of {name}"))
                    .unwrap_or_default();
                match f.amount {
                    Some(a) if a.lo <= 0.0 => format!("allows at most {}{of} a day", mass(a.hi)),
                    Some(a) if (a.hi - a.lo).abs() < 1e-9 => {
                        format!("gives {}{of} a day", mass(a.lo))
                    }
                    Some(a) => format!("gives {}–{}{of} a day", mass(a.lo), mass(a.hi)),
                    None => format!("gives a daily dose{of}"),
                }
            }
            (
                Comparison::Amount {
                    measure: Measure::Interval,
                    ..
                },
                _,
                _,
            ) => {
                let every = f.interval.map(|a| a.describe()).unwrap_or_default();
                match every.strip_prefix("about ") {
                    Some(rough) => format!("repeats {label} about every {rough}"),
                    None => format!("repeats {label} every {every}"),
                }
            }
            (Comparison::Amount { .. }, _, _) => {
                let amount = f.amount.map(|a| a.describe()).unwrap_or_default();
                let own = self.model.condition_labels(if self.conditions != 0 {
                    f.own_conditions & self.conditions
                } else {
                    f.own_conditions
                });
                if self.own_conditions && !own.is_empty() {
                    format!("gives {amount} for {}", own.join(" or "))
                } else {
                    format!("gives {amount} for {label}")
                }
            }
            (_, Polarity::Avoid, true) => format!("says {label} does harm"),
            (_, Polarity::Avoid, false) => format!("advises against {label}"),
            (_, Polarity::Recommend, _) => format!("recommends {label}"),
            (_, Polarity::Neutral, _) => format!("mentions {label}"),
        };
        if !matches!(self.comparison, Comparison::Amount { .. }) {
            if let Some(w) = f.window.describe() {
                s.push(' ');
                s.push_str(&w);
            }
        }
        s
    }

    /// A description with the article's own words for the action when they differ from
    /// the action's label: `recommends taking it regularly ("round-the-clock")`, so that a
    /// reader sees which two statements clash.
    fn quoted(&self, description: &str, words: &str) -> String {
        // A dose per day is quoted by its figures already; its words are a day ("daily").
        if self.comparison.measure() == Some(Measure::Daily) {
            return description.to_string();
        }
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        if words.is_empty() || description.to_lowercase().contains(&words.to_lowercase()) {
            description.to_string()
        } else {
            format!("{description} (\"{words}\")")
        }
    }

    fn message(&self, template: &str, first: &Fact, a: &str, b: &str) -> String {
        let action = self
            .model
            .actions
            .get(first.action as usize)
            .map_or("", |x| x.label.as_str());
        super::fill(template, &[("first", a), ("second", b), ("action", action)])
    }

    /// Which qualifier would reconcile the two statements.
    fn reconcile_note(&self, f1: &Fact, f2: &Fact) -> String {
        let shared = self.model.condition_labels(f1.conditions & f2.conditions);
        let about = if shared.is_empty() {
            String::new()
        } else {
            format!(" about {}", shared.join(", "))
        };
        match self.comparison {
            Comparison::Amount {
                measure: Measure::Daily,
                ..
            } => "a maximum daily dose is the most a reader may take in 24 hours; give one \
                  maximum for each medicine (or say which readers each is for), and doses \
                  that stay within it"
                .to_string(),
            Comparison::Amount {
                measure: Measure::Interval,
                ..
            } => format!(
                "both statements say how often{about} and the intervals do not overlap; \
                 give one interval, or say which situation each is for"
            ),
            Comparison::Amount { .. } => format!(
                "both statements give an amount{about} and the amounts do not overlap; \
                 give one range, or say which situation each amount is for"
            ),
            Comparison::Polarity { .. } => format!(
                "both statements apply{about} at overlapping times; say when each applies \
                 (for example \"for the first 48 hours\" and \"after 48 hours\") or which \
                 condition each is for"
            ),
        }
    }
}

/// Whether two doses per day of one medicine cannot both hold: two ceilings whose tops differ
/// by more than [`DAILY_TOLERANCE`], or a regimen whose least daily total is above a ceiling
/// by more than it. Two regimens do not conflict: doses are raised step by step, and differ
/// by what they treat.
fn daily_doses_conflict(x: &Amount, y: &Amount) -> bool {
    let ceiling = |a: &Amount| a.lo <= 0.0;
    match (ceiling(x), ceiling(y)) {
        (true, true) => x.hi.max(y.hi) > DAILY_TOLERANCE * x.hi.min(y.hi),
        (true, false) => y.lo > DAILY_TOLERANCE * x.hi,
        (false, true) => x.lo > DAILY_TOLERANCE * y.hi,
        (false, false) => false,
    }
}

/// A mass in milligrams as labels write it: whole and half grams in grams ("4 g", "1.5 g"),
/// anything else in milligrams ("1200 mg", "750 mg").
fn mass(mg: f64) -> String {
    let trim = |v: f64| {
        let r = (v * 100.0).round() / 100.0;
        if r.fract() == 0.0 {
            format!("{}", r as i64)
        } else {
            format!("{r}")
        }
    };
    if mg >= 1000.0 && (mg / 500.0).fract() == 0.0 {
        format!("{} g", trim(mg / 1000.0))
    } else {
        format!("{} mg", trim(mg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::advice::Dimension;

    fn mg(lo: f64, hi: f64) -> Amount {
        Amount {
            dimension: Dimension::Mass,
            lo,
            hi,
            rough: false,
        }
    }

    #[test]
    fn daily_ceilings_differ_beyond_rounding_and_schedules_go_past_them() {
        let (at_most_4g, at_most_3g) = (mg(0.0, 4000.0), mg(0.0, 3000.0));
        assert!(daily_doses_conflict(&at_most_4g, &at_most_3g));
        assert!(!daily_doses_conflict(&at_most_4g, &mg(0.0, 3900.0)));
        // A schedule above a ceiling, either way round; within it, or only at its upper end.
        assert!(daily_doses_conflict(&mg(4000.0, 4000.0), &at_most_3g));
        assert!(daily_doses_conflict(&at_most_3g, &mg(4000.0, 4000.0)));
        assert!(!daily_doses_conflict(&mg(2000.0, 4000.0), &at_most_3g));
        // Two schedules are never compared.
        assert!(!daily_doses_conflict(
            &mg(500.0, 500.0),
            &mg(4000.0, 4000.0)
        ));
    }

    #[test]
    fn masses_are_written_as_labels_write_them() {
        assert_eq!(mass(4000.0), "4 g");
        assert_eq!(mass(1500.0), "1.5 g");
        assert_eq!(mass(1200.0), "1200 mg");
        assert_eq!(mass(750.0), "750 mg");
        assert_eq!(mass(0.4), "0.4 mg");
    }
}
