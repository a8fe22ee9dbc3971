//! The advice extractor: takes a [`Document`] and its [`Hits`] (the one shared scan) and hands
//! on normalised advice [`Fact`]s — one per mention of an action the article tells readers to
//! do or not to do ("apply heat", "bed rest", "ibuprofen"), with its polarity (recommend,
//! avoid, neutral description), the conditions it is about (fresh injury, back pain, DOMS…),
//! its time window (hours since the injury: "immediately", "for the first 48 hours", "after
//! 2–3 days", "then…"), the medicine or formulation it concerns (the drug named nearest to it,
//! from the drug lexicon), whether it is qualified (a group of readers or a manner of use: "not
//! if you have a stomach ulcer", "not directly on the skin"), and the amount stated with it
//! (minutes, hours, days, mg, g; ranges as intervals; for a dose per day, a ceiling or a
//! schedule's daily total).
//!
//! Vocabularies are data (`rules/lexicon/advice.toml`), registered once in the shared
//! [`PatternSet`](super::PatternSet) by [`AdviceModel::compile`]; this module only walks the
//! hits of one file. Statements in myth, historical or someone-else context (NegEx/ConText,
//! [`ContextRules`]) are not the article's advice and give no fact. A statement's own
//! conditions and time window win; a list item falls back on its lead-in, then on its section
//! heading, then on the title, so that "For the first 48 hours:" governs the items below it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::context::{ContextLexicon, ContextRules};
use super::mention::Mention;
use crate::document::{BlockKind, Document};
use healthlint_phrase::{Hits, PatternId, PatternSetBuilder};

/// Hours that stand for "no end" in a time window.
pub const OPEN_END: f64 = f64::INFINITY;
/// A window that ends within this many hours counts as "right away" for statements without a
/// window of their own ("avoid heat" against "heat immediately").
const EARLY_HOURS: f64 = 24.0;
/// A window from the start that lasts at least this many hours (a week) meets untimed
/// statements too.
const LONG_HOURS: f64 = 168.0;

// ---------------------------------------------------------------------------------------------
// Lexicon schema (rules/lexicon/advice.toml)

/// The advice vocabulary as `rules/lexicon/advice.toml` holds it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AdviceLexicon {
    pub action: Vec<Term>,
    pub condition: Vec<Term>,
    pub subject: Vec<Term>,
    pub qualifiers: QualifierLexicon,
    pub polarity: PolarityLexicon,
    pub timing: TimingLexicon,
}

/// A named term: an id rules refer to, a label for messages, and its phrases.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Term {
    pub id: String,
    pub label: String,
    pub phrases: Vec<String>,
    /// Actions only: the object the action must be about, one of which its sentence must
    /// name ("regularly" is about dosing only with a medicine in the sentence, not with
    /// tooth-brushing). A formulation from the `subject` list counts as such an object.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Actions only: longer phrases around a mention that make it another thing ("body
    /// heat" and "heat stroke" are not heat treatment).
    #[serde(default)]
    pub except: Vec<String>,
    /// Actions only: the amount stated with the action is the time after which to act
    /// ("see a doctor if it lasts more than 3 days"), so "more than" does not qualify it.
    #[serde(default)]
    pub threshold: bool,
    /// Actions only: how a message names an amount of this action, `{}` standing for the
    /// amount ("a fasting time of {}"); default "{} for <label>".
    #[serde(default)]
    pub amount_label: Option<String>,
    /// Actions only: the action names a day ("a day", "in 24 hours", "daily") and its amount
    /// is a medicine's dose per day, read by [`AdviceModel::daily_amount`]: a regimen's
    /// dose times how often it is taken ("500 mg three times a day" is 1,500 mg), or a
    /// ceiling when a `limit` word governs it ("no more than 4 g in 24 hours").
    #[serde(default)]
    pub daily: bool,
    /// Actions with `daily`: the words that make a daily amount a ceiling ("maximum", "no
    /// more than", "do not exceed", "up to").
    #[serde(default)]
    pub limit: Vec<String>,
}

/// Qualifiers: a group of readers or a manner of use (`phrases`), and limits of length
/// (`durations`), which qualify all but threshold actions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualifierLexicon {
    pub phrases: Vec<String>,
    #[serde(default)]
    pub durations: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolarityLexicon {
    pub recommend: Vec<String>,
    pub avoid_after: Vec<String>,
    pub avoid_before: Vec<String>,
    pub harm: Vec<String>,
    pub refuted: Vec<String>,
    /// Negations that tell the reader not to do something ("don't", "never", "avoid",
    /// "instead of"); a negation outside this list describes ("fatigue is not improved by
    /// rest") and gives no advice against anything.
    #[serde(default)]
    pub forbid: Vec<String>,
    /// People other than the reader as the subject of a clause ("patients", "most
    /// people"): what they do or have is description, unless a `modal` tells them what to
    /// do ("people with back pain should stay active").
    #[serde(default)]
    pub others: Vec<String>,
    /// Clinicians as the subject of a clause ("your doctor may prescribe", "doctors
    /// should monitor"): what they do is their part, not advice to the reader.
    #[serde(default)]
    pub clinicians: Vec<String>,
    /// Words that make a statement about `others` advice ("should", "are advised to").
    #[serde(default)]
    pub modal: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimingLexicon {
    pub within: Vec<String>,
    pub after: Vec<String>,
    pub sequence: Vec<String>,
    pub window: Vec<WindowTerm>,
}

/// Phrases that name a time window directly ("straight away" = hours 0 to 6).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowTerm {
    pub phrases: Vec<String>,
    pub from: f64,
    #[serde(default)]
    pub to: Option<f64>,
    /// The phrase is also an amount: a gap of at most `to` hours ("the next day").
    #[serde(default)]
    pub gap: bool,
}

// ---------------------------------------------------------------------------------------------
// Facts

/// What a statement says about an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Polarity {
    Recommend,
    Avoid,
    Neutral,
}

impl Polarity {
    pub fn parse(s: &str) -> Option<Polarity> {
        match s {
            "recommend" => Some(Polarity::Recommend),
            "avoid" => Some(Polarity::Avoid),
            "neutral" => Some(Polarity::Neutral),
            _ => None,
        }
    }
}

/// When advice applies, in hours since the injury (or since the problem started).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    /// No time stated anywhere around the statement.
    Unknown,
    /// `[from, to)` hours; `to` may be [`OPEN_END`].
    Span(f64, f64),
    /// "then…", "once the swelling has gone down": after whatever came first.
    Later,
}

impl Window {
    /// Whether two windows can apply at the same time. A statement without a window is read
    /// charitably: it only meets windows that start right away, so "avoid ibuprofen for the
    /// first 48 hours" and an untimed "ibuprofen can help" are read as sequenced advice.
    pub fn overlaps(self, other: Window) -> bool {
        use Window::*;
        match (self, other) {
            (Unknown, Unknown) | (Later, Later) => true,
            // A window of a week or more from the start covers most of what an untimed
            // statement could mean ("bed rest for a week" against "stay active").
            (Unknown, Span(f, t)) | (Span(f, t), Unknown) => {
                f < 1.0 && (t <= EARLY_HOURS || (LONG_HOURS..OPEN_END).contains(&t))
            }
            (Later, Span(_, t)) | (Span(_, t), Later) => t == OPEN_END,
            (Later, Unknown) | (Unknown, Later) => false,
            (Span(a, b), Span(c, d)) => a < d && c < b,
        }
    }

    /// How a message names the window.
    pub fn describe(self) -> Option<String> {
        match self {
            Window::Unknown => None,
            Window::Later => Some("later on".to_string()),
            Window::Span(f, t) if f < 1.0 && t <= 6.0 => Some("straight away".to_string()),
            Window::Span(f, t) if f < 1.0 && t < OPEN_END => {
                Some(format!("in the first {}", hours_text(t)))
            }
            Window::Span(f, _) => Some(format!("after {}", hours_text(f))),
        }
    }
}

fn hours_text(h: f64) -> String {
    if h >= 48.0 && (h % 24.0).abs() < 0.01 {
        format!("{} days", (h / 24.0).round())
    } else if h >= 1.0 {
        format!("{} hours", h.round())
    } else {
        format!("{} minutes", (h * 60.0).round())
    }
}

/// What an amount measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Stored in hours.
    Time,
    /// Stored in milligrams.
    Mass,
    /// Stored in degrees Celsius.
    Temperature,
}

/// An amount stated with an action, as an interval in the dimension's base unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    pub dimension: Dimension,
    pub lo: f64,
    pub hi: f64,
    /// A single figure widened to a rough interval ("for 15 minutes" compares as 7.5–22.5):
    /// messages name the figure the article gave, the centre of the interval.
    pub rough: bool,
}

impl Amount {
    pub fn overlaps(&self, other: &Amount) -> bool {
        self.dimension == other.dimension && self.lo <= other.hi && other.lo <= self.hi
    }

    /// The point an open-ended amount ("after 3 days", "more than 2 weeks") or a single
    /// figure ("if it lasts 3 days") names, for thresholds; none for ranges and limits.
    pub fn threshold(&self) -> Option<f64> {
        if self.rough {
            Some((self.lo + self.hi) / 2.0)
        } else if self.hi == OPEN_END || (self.hi - self.lo).abs() < 1e-9 {
            Some(self.lo)
        } else {
            None
        }
    }

    pub fn describe(&self) -> String {
        let one = |v: f64| match self.dimension {
            Dimension::Time if v < 1.0 => format!("{} min", (v * 60.0).round()),
            Dimension::Time if v < 48.0 => format!("{} h", trim(v)),
            Dimension::Time if v >= 336.0 && (v % 168.0).abs() < 1e-9 => {
                format!("{} weeks", trim(v / 168.0))
            }
            Dimension::Time => format!("{} days", trim(v / 24.0)),
            Dimension::Mass => format!("{} mg", trim(v)),
            Dimension::Temperature => format!("{} °C", trim(v)),
        };
        if self.rough {
            format!("about {}", one((self.lo + self.hi) / 2.0))
        } else if self.hi == OPEN_END {
            format!("at least {}", one(self.lo))
        } else if self.lo <= 0.0 {
            format!("up to {}", one(self.hi))
        } else if (self.hi - self.lo).abs() < 1e-9 {
            one(self.lo)
        } else {
            format!("{}–{}", one(self.lo), one(self.hi))
        }
    }
}

fn trim(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r}")
    }
}

/// Which amount [`AdviceModel::amount_for`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stated {
    /// How long, how much, or after how long.
    Amount,
    /// How often: the time between two goes.
    Interval,
}

/// One normalised piece of advice.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// Index into [`AdviceModel::actions`].
    pub action: u16,
    pub polarity: Polarity,
    /// The avoid polarity comes from harm the article ascribes to the action.
    pub harm: bool,
    /// Bit set of condition indices ([`AdviceModel::conditions`]); 0 = unknown.
    pub conditions: u64,
    /// The conditions stated in the statement's own clause (none inherited).
    pub own_conditions: u64,
    /// Every condition named around the statement: its sentence, list lead-in, headings and
    /// title together. A rule that leaves out a situation (frostbite, a burn) leaves out a
    /// statement made anywhere in it, even where the nearest condition is another one.
    pub situation: u64,
    /// Bit set of subject indices; 0 = none named.
    pub subjects: u64,
    /// The medicine the statement is about, by index into the drug lexicon
    /// ([`DrugLexicon::drugs`]): the one named nearest to it in its clause, else in its
    /// sentence, else in its list lead-in, headings or title.
    pub medicine: Option<u32>,
    /// Limited to a group of readers or a manner of use: never compared with general advice.
    pub qualified: bool,
    pub window: Window,
    pub amount: Option<Amount>,
    /// How often the action is repeated: the time between two goes ("every 2 to 3 hours").
    pub interval: Option<Amount>,
    /// The action's span in the file.
    pub range: Range<usize>,
    /// The sentence's index: statements in one sentence are never compared with each other.
    pub sentence: u32,
}

impl Fact {
    /// What the fact says, everything but where it stands, as one key with numbers as their
    /// bits: two facts with one key conflict with the same others, so comparisons and the
    /// cross-document stage keep or compare one fact per key.
    pub fn said_key(&self) -> [u64; 12] {
        // Every field but the position: a field added to `Fact` must be placed here.
        let Fact {
            action,
            polarity,
            harm,
            conditions,
            own_conditions,
            situation,
            subjects,
            medicine,
            qualified,
            window,
            amount,
            interval,
            range: _,
            sentence: _,
        } = *self;
        let window = match window {
            Window::Unknown => [0, 0, 0],
            Window::Span(from, to) => [1, from.to_bits(), to.to_bits()],
            Window::Later => [2, 0, 0],
        };
        let key_of = |amount: Option<Amount>| match amount {
            None => [0, 0, 0],
            Some(a) => [
                1 + a.dimension as u64 + (u64::from(a.rough) << 4),
                a.lo.to_bits(),
                a.hi.to_bits(),
            ],
        };
        let amount = key_of(amount);
        let interval = key_of(interval);
        let head = u64::from(action)
            | (polarity as u64) << 16
            | u64::from(harm) << 24
            | u64::from(qualified) << 25
            | window[0] << 32
            | amount[0] << 40
            | interval[0] << 48;
        [
            head,
            conditions,
            own_conditions,
            situation,
            subjects,
            window[1],
            window[2],
            amount[1],
            amount[2],
            interval[1],
            interval[2],
            medicine.map_or(u64::MAX, u64::from),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// The compiled model

/// A compiled term list: one pattern per term, in lexicon order.
#[derive(Debug, Clone)]
pub struct CompiledTerm {
    pub id: String,
    pub label: String,
    pub pattern: PatternId,
    needs: Option<PatternId>,
    except: Option<PatternId>,
    threshold: bool,
    pub amount_label: Option<String>,
    pub daily: bool,
    limit: Option<PatternId>,
}

#[derive(Debug, Clone)]
struct CompiledWindow {
    pattern: PatternId,
    from: f64,
    to: f64,
    gap: bool,
}

/// The advice vocabulary registered in the shared pattern set. Identical phrase lists share
/// one pattern, so compiling the model once per conflict rule costs no extra scanning.
#[derive(Debug, Clone)]
pub struct AdviceModel {
    pub actions: Vec<CompiledTerm>,
    pub conditions: Vec<CompiledTerm>,
    pub subjects: Vec<CompiledTerm>,
    qualifiers: PatternId,
    durations: Option<PatternId>,
    recommend: PatternId,
    avoid_after: PatternId,
    avoid_before: PatternId,
    harm: PatternId,
    refuted: PatternId,
    forbid: Option<PatternId>,
    others: Option<PatternId>,
    clinicians: Option<PatternId>,
    modal: Option<PatternId>,
    within: PatternId,
    after: PatternId,
    sequence: PatternId,
    windows: Vec<CompiledWindow>,
    amount: PatternId,
    day_number: PatternId,
    clause_break: PatternId,
    negation: PatternId,
    pseudo: Option<PatternId>,
}

/// Numbers as words, for amounts ("two to three days").
const NUMBER_WORDS: &[(&str, f64)] = &[
    ("a", 1.0),
    ("an", 1.0),
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("twelve", 12.0),
    ("fifteen", 15.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("sixty", 60.0),
    ("ninety", 90.0),
];

/// The built-in structural pattern for amounts: a number or range and a unit ("15-20
/// minutes", "two to three days", "a couple of days", "100 mg", "38 °C"), in phrase syntax.
fn amount_phrases() -> Vec<String> {
    let words = "one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|sixty|ninety";
    let num = format!(r"(\d+(.\d+)?|{words})");
    let range = format!("( (to|or|and) | | ?– ?){num}");
    let word_units = "seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mg|milligrams?|g|grams?|mcg|micrograms?|degrees? (celsius|fahrenheit|c|f)";
    let unit = format!("({word_units}|° ?(c|f))");
    // Only digits glue to a unit ("100mg", "10mins"), and only numbers take a
    // range; "a" and "an" start so many sentences that their phrase must be told apart by
    // the next word before it is tried (see the phrase engine's index entries), so it takes no unit that
    // starts with a symbol ("a °C" is not an amount): such a unit would leave the phrase to
    // be tried after every "a".
    //
    // A figure is spelled out as six phrases rather than as `\d+(.\d+)?({range})? ?{unit}`:
    // the one phrase was tried after every number in a file, at hundreds of steps a time; each
    // of these is tried only after a number followed by its next word (a unit, "to", another
    // number), or fails on the byte after the digits ("1.5", "15–20", "38°C"). Together they
    // match what the one phrase matched, so a match is the same.
    vec![
        format!("(a|an|a couple of|a few|several) ({word_units})"),
        format!("({words})({range})? {unit}"),
        format!(r"\d+ ?({word_units})"),
        r"\d+ ?° ?(c|f)".to_string(),
        format!(r"\d+ (to|or|and) {num} ?{unit}"),
        format!(r"\d+ {num} ?{unit}"),
        format!(r"\d+ ?– ?{num} ?{unit}"),
        format!(r"\d+.\d+({range})? ?{unit}"),
        // Thousands written with a comma ("4,000 mg"); its tail ("000 mg") also matches the
        // phrases above, and readers of amounts skip it (see `continues_number`).
        format!(r"\d+,\d\d\d ?{unit}"),
    ]
}

/// Numbered days or weeks: "days 1 to 5", "day 6", "week 2".
fn day_number_phrases() -> Vec<String> {
    vec![r"(days?|weeks?) \d+( ?(-|–|to) ?\d+)?".to_string()]
}

/// Where one clause of a sentence ends and the next begins ("…, then heat", "…; but…").
fn clause_break_phrases() -> Vec<String> {
    [
        ";",
        ":",
        "but",
        "however",
        "whereas",
        "while",
        "although",
        "though",
        "then",
        "instead",
        "otherwise",
        "so that",
    ]
    .map(String::from)
    .to_vec()
}

impl AdviceModel {
    /// Registers every vocabulary list in the shared pattern set.
    pub fn compile(
        lexicon: &AdviceLexicon,
        context: &ContextLexicon,
        patterns: &mut PatternSetBuilder,
    ) -> AdviceModel {
        let optional = |list: &[String], patterns: &mut PatternSetBuilder| {
            (!list.is_empty()).then(|| patterns.add_phrases(list))
        };
        let terms = |list: &[Term], patterns: &mut PatternSetBuilder| {
            list.iter()
                .map(|t| CompiledTerm {
                    id: t.id.clone(),
                    label: t.label.clone(),
                    pattern: patterns.add_phrases(&t.phrases),
                    needs: optional(&t.needs, patterns),
                    except: optional(&t.except, patterns),
                    threshold: t.threshold,
                    amount_label: t.amount_label.clone(),
                    daily: t.daily,
                    limit: optional(&t.limit, patterns),
                })
                .collect::<Vec<_>>()
        };
        AdviceModel {
            actions: terms(&lexicon.action, patterns),
            conditions: terms(&lexicon.condition, patterns),
            subjects: terms(&lexicon.subject, patterns),
            qualifiers: patterns.add_phrases(&lexicon.qualifiers.phrases),
            durations: optional(&lexicon.qualifiers.durations, patterns),
            recommend: patterns.add_phrases(&lexicon.polarity.recommend),
            avoid_after: patterns.add_phrases(&lexicon.polarity.avoid_after),
            avoid_before: patterns.add_phrases(&lexicon.polarity.avoid_before),
            harm: patterns.add_phrases(&lexicon.polarity.harm),
            refuted: patterns.add_phrases(&lexicon.polarity.refuted),
            forbid: optional(&lexicon.polarity.forbid, patterns),
            others: optional(&lexicon.polarity.others, patterns),
            clinicians: optional(&lexicon.polarity.clinicians, patterns),
            modal: optional(&lexicon.polarity.modal, patterns),
            within: patterns.add_phrases(&lexicon.timing.within),
            after: patterns.add_phrases(&lexicon.timing.after),
            sequence: patterns.add_phrases(&lexicon.timing.sequence),
            windows: lexicon
                .timing
                .window
                .iter()
                .map(|w| CompiledWindow {
                    pattern: patterns.add_phrases(&w.phrases),
                    from: w.from,
                    to: w.to.unwrap_or(OPEN_END),
                    gap: w.gap,
                })
                .collect(),
            amount: patterns.add_phrases(&amount_phrases()),
            day_number: patterns.add_phrases(&day_number_phrases()),
            clause_break: patterns.add_phrases(&clause_break_phrases()),
            negation: patterns.add_phrases(&context.negation.pre),
            pseudo: (!context.negation.pseudo.is_empty())
                .then(|| patterns.add_phrases(&context.negation.pseudo)),
        }
    }

    pub fn action_index(&self, id: &str) -> Option<u16> {
        self.actions
            .iter()
            .position(|a| a.id == id)
            .map(|i| i as u16)
    }

    pub fn condition_index(&self, id: &str) -> Option<u32> {
        self.conditions
            .iter()
            .position(|a| a.id == id)
            .map(|i| i as u32)
    }

    /// Labels of the conditions in a bit set, joined for a message.
    pub fn condition_labels(&self, set: u64) -> Vec<&str> {
        self.conditions
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && set & (1u64 << i) != 0)
            .map(|(_, c)| c.label.as_str())
            .collect()
    }

    /// Every fact of the article about the actions in `wanted` (a bit set of action indices;
    /// `u64::MAX` for all).
    /// `medicines` gives the drug names the file mentions, in text order; it is asked only
    /// if the file states some advice.
    pub fn extract<'m>(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        context: &ContextRules,
        medicines: &dyn Fn() -> &'m [Mention],
        wanted: u64,
    ) -> Vec<Fact> {
        let wanted_action = |index: usize| index < 64 && wanted & (1u64 << index) != 0;
        // At most one fact per mention: reserved at once, as a file of megabytes has tens of
        // thousands, and growing the vector step by step copied them over and over.
        let mentions = self.actions.iter().enumerate();
        let mut facts = Vec::with_capacity(
            mentions
                .filter(|(index, _)| wanted_action(*index))
                .map(|(_, action)| hits.of(action.pattern).count())
                .sum(),
        );
        let title_block = doc
            .title()
            .and_then(|(_, range)| (range.end > range.start).then(|| doc.block_at(range.start)))
            .flatten();
        let file = FileWide {
            title_block,
            medicines,
            conditions_around: RefCell::default(),
            window_around: RefCell::default(),
        };
        for (index, action) in self.actions.iter().enumerate() {
            if !wanted_action(index) {
                continue;
            }
            for range in hits.of(action.pattern) {
                crate::budget::check();
                // "body heat", "heat stroke": a longer phrase that names another thing.
                let other_thing = action.except.is_some_and(|e| {
                    hits.of_in(e, range.start.saturating_sub(48)..range.end + 48)
                        .any(|x| x.start <= range.start && range.end <= x.end)
                });
                if other_thing {
                    continue;
                }
                if let Some(fact) = self.fact_at(doc, hits, context, index as u16, range, &file) {
                    facts.push(fact);
                }
            }
        }
        // In text order, and by action where two start together; the facts' places are sorted
        // rather than the facts (each a few hundred bytes), their first order kept among equals.
        let mut order: Vec<(usize, u16, usize)> = facts
            .iter()
            .enumerate()
            .map(|(i, f)| (f.range.start, f.action, i))
            .collect();
        order.sort_unstable();
        let mut facts: Vec<Fact> = order
            .into_iter()
            .map(|(_, _, i)| facts[i].clone())
            .collect();
        // Nested phrases of one action ("ice" inside "ice pack") give one fact, whatever
        // facts of other actions lie between them (so the facts of an action do not depend on
        // which other actions are extracted with it).
        let mut kept_until = [0usize; 64];
        facts.retain(|f| {
            let until = &mut kept_until[usize::from(f.action).min(63)];
            let keep = f.range.start >= *until;
            if keep {
                *until = f.range.end;
            }
            keep
        });
        // A sentence that takes both positions on one action ("take ibuprofen, but avoid it
        // for the first 48 hours") qualifies itself: none of its facts on that action stands
        // alone against another statement.
        // One pass over the polarities each (sentence, action) takes, then one to mark: comparing
        // every fact with every other was quadratic in a long document.
        let mut sides: std::collections::HashMap<(u32, u16), (bool, bool)> =
            std::collections::HashMap::new();
        for f in &facts {
            let seen = sides.entry((f.sentence, f.action)).or_default();
            match f.polarity {
                Polarity::Neutral => {}
                Polarity::Recommend => seen.0 = true,
                Polarity::Avoid => seen.1 = true,
            }
        }
        for f in &mut facts {
            if f.polarity != Polarity::Neutral
                && sides.get(&(f.sentence, f.action)) == Some(&(true, true))
            {
                f.qualified = true;
            }
        }
        facts
    }

    fn fact_at(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        context: &ContextRules,
        action: u16,
        range: &Range<usize>,
        file: &FileWide<'_, '_>,
    ) -> Option<Fact> {
        let (title_block, medicines) = (file.title_block, file.medicines);
        let sentence_idx = doc.sentence_at(range.start)?;
        let sentence = within_reach(&doc.prose, &doc.sentences[sentence_idx].range, range);
        let block_idx = doc.sentences[sentence_idx].block;
        let block = &doc.blocks[block_idx];
        // Headings label advice; they do not give it.
        if block.is_heading() {
            return None;
        }
        let cx = context.of_in_sentence(doc, hits, sentence_idx, range.clone());
        if cx.myth || cx.historical || cx.other_experiencer {
            return None;
        }
        let subjects = self
            .subjects
            .iter()
            .enumerate()
            .filter(|(i, s)| *i < 64 && hits.any_in(s.pattern, sentence.clone()))
            .fold(0u64, |acc, (i, _)| acc | (1 << i));
        // The action must be about its object: "regularly" without a medicine in sight is
        // about something else (brushing, exercise, check-ups).
        // A dose per day is about the drug its sentence names, if it names one.
        let term = &self.actions[usize::from(action)];
        if let Some(needs) = term.needs {
            if subjects == 0
                && !hits.any_in(needs, sentence.clone())
                && !(term.daily && nearest_medicine(medicines(), &sentence, range).is_some())
            {
                return None;
            }
        }
        if hits
            .of_in(self.refuted, sentence.clone())
            .any(|r| r.start >= range.end)
        {
            return None;
        }
        let clause = self.clause_of(hits, &sentence, range);
        if self.describes(doc, hits, &clause, range) {
            return None;
        }
        // The other actions the sentence mentions: they bound this one's clause, polarity and
        // amounts. Read once here, not by each question about them.
        let others = self.other_actions_in(hits, &sentence, action);
        let alone = !others
            .iter()
            .any(|r| r.end <= clause.start || r.start >= clause.end);
        let (mut polarity, harm) = self.polarity_in(
            doc,
            hits,
            &sentence,
            &clause,
            range,
            Found {
                negated: cx.negated,
                alone,
            },
        );
        let lead_in = block.lead_in.filter(|_| block.kind == BlockKind::ListItem);
        if polarity == Polarity::Neutral {
            if let Some(li) = lead_in {
                polarity = self.block_polarity(doc, hits, li);
            } else if block.kind == BlockKind::ListItem {
                // A list right under a "Don't" heading.
                if let Some(h) = doc.sections[block.section].heading {
                    polarity = self.block_polarity(doc, hits, h);
                }
            }
        }
        // An instruction that opens its clause is an imperative ("Push through the pain",
        // "Stop if it hurts") when the action phrase starts with a verb; checked after the
        // lead-in, because a bare list item ("massage") under "Avoid:" is a noun.
        if polarity == Polarity::Neutral {
            let opens_clause = doc
                .prose
                .get(clause.start..range.start)
                .is_some_and(|gap| gap.chars().all(|c| !c.is_alphanumeric()));
            let first_word = doc.prose.get(range.clone()).unwrap_or("");
            if opens_clause && starts_with_verb(first_word) {
                polarity = Polarity::Recommend;
            }
        }
        // Conditions: the clause's, the sentence's, the lead-in's, the headings', the title's.
        // The clause is part of the sentence, so its conditions are some of the sentence's.
        let in_sentence = self.conditions_in(hits, sentence.clone());
        let own_conditions = if in_sentence == 0 {
            0
        } else {
            self.conditions_in(hits, clause.clone())
        };
        let mut conditions = if own_conditions == 0 {
            in_sentence
        } else {
            own_conditions
        };
        let mut fallbacks: Vec<usize> = Vec::new();
        fallbacks.extend(lead_in);
        fallbacks.extend(
            doc.section_chain(block_idx)
                .filter_map(|s| s.heading)
                .collect::<Vec<_>>(),
        );
        fallbacks.extend(title_block);
        let mut situation = in_sentence;
        for &b in &fallbacks {
            let around = *file
                .conditions_around
                .borrow_mut()
                .entry(b)
                .or_insert_with(|| self.conditions_in(hits, doc.blocks[b].range.clone()));
            if conditions == 0 {
                conditions = around;
            }
            situation |= around;
        }
        let mut window = self.window_for(doc, hits, &clause, range);
        if window == Window::Unknown && alone {
            // A window in another clause governs this one only across a colon
            // ("First 48 hours: no heat"), not across "but" or "then".
            let scope = self.clause_across_colons(doc, hits, &sentence, range);
            window = self.window_for(doc, hits, &scope, range);
        }
        if window == Window::Unknown {
            for &b in fallbacks.iter().filter(|b| Some(**b) != title_block) {
                let w = *file.window_around.borrow_mut().entry(b).or_insert_with(|| {
                    let r = doc.blocks[b].range.clone();
                    self.window_for(doc, hits, &r, &(r.end..r.end))
                });
                if w != Window::Unknown {
                    window = w;
                    break;
                }
            }
        }
        // The action's own object is not a qualifier of it: "surgery" qualifies ice after
        // surgery, but it is what fasting before surgery is about.
        let object = |q: &Range<usize>| {
            term.needs.is_some_and(|n| {
                hits.of_in(n, sentence.clone())
                    .any(|o| o.start < q.end && q.start < o.end)
            })
        };
        // "More than" is how a daily ceiling is said ("do not take more than 4 g a day"), not
        // a limit on how long, so it qualifies neither thresholds nor daily amounts.
        let qualified = hits
            .of_in(self.qualifiers, sentence.clone())
            .any(|q| !object(q))
            || (!term.threshold
                && !term.daily
                && self
                    .durations
                    .is_some_and(|d| hits.any_in(d, sentence.clone())));
        let mut span = range.clone();
        let (amount, interval) = if term.daily {
            // A dose per day is a figure to keep to whatever words frame it ("do not exceed
            // 4 g a day" says what the most is, not that the reader should avoid a dose).
            polarity = Polarity::Recommend;
            let (amount, figure) = self.daily_amount(doc, hits, &sentence, range, term)?;
            // Its span runs from the figure to the day ("4 g of paracetamol in 24 hours").
            span = span.start.min(figure.start)..span.end.max(figure.end);
            (Some(amount), None)
        } else {
            (
                self.amount_for(doc, hits, &sentence, range, &others, Stated::Amount),
                self.amount_for(doc, hits, &sentence, range, &others, Stated::Interval),
            )
        };
        // The medicine named nearest: in the clause, the sentence, then the blocks around.
        let medicine = [clause.clone(), sentence.clone()]
            .into_iter()
            .chain(fallbacks.iter().map(|b| doc.blocks[*b].range.clone()))
            .find_map(|within| nearest_medicine(medicines(), &within, range));
        Some(Fact {
            action,
            polarity,
            harm,
            conditions,
            own_conditions,
            situation,
            subjects,
            medicine,
            qualified,
            window,
            amount,
            interval,
            range: span,
            sentence: sentence_idx as u32,
        })
    }

    /// Whether the clause describes the action instead of advising it: the action is the
    /// agent of a passive ("fatigue that is not improved by bed rest", "relieved by
    /// sufficient rest"), or someone other than the reader does it ("most people do four
    /// exchanges a day", "your doctor may prescribe"); people other than the reader are
    /// advised only with a modal ("people with back pain should stay active").
    fn describes(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        clause: &Range<usize>,
        target: &Range<usize>,
    ) -> bool {
        let before = doc.prose.get(clause.start..target.start).unwrap_or("");
        let mut words = before
            .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
            .filter(|w| !w.is_empty())
            .rev();
        let (w0, w1, w2) = (words.next(), words.next(), words.next());
        let participle = |w: Option<&str>| {
            w.is_some_and(|w| w.len() > 4 && w.to_ascii_lowercase().ends_with("ed"))
        };
        let by = |w: Option<&str>| w.is_some_and(|w| w.eq_ignore_ascii_case("by"));
        if (by(w0) && participle(w1)) || (by(w1) && participle(w2)) {
            return true;
        }
        let before = clause.start..target.start;
        if self
            .clinicians
            .is_some_and(|c| hits.any_in(c, before.clone()))
        {
            return true;
        }
        // After a preposition, other people are whom the advice is for ("the limit in
        // adults is 3 g", "for most people, 20 minutes"), not who does it.
        match self.others {
            Some(o) => hits.of_in(o, before.clone()).last().is_some_and(|who| {
                !self.preceded_by_word(doc, who, &["in", "for", "among", "to", "of", "with"])
                    && !self
                        .modal
                        .is_some_and(|m| hits.any_in(m, who.end..target.start))
            }),
            None => false,
        }
    }

    /// The clause of the sentence holding `target`.
    fn clause_of(
        &self,
        hits: &Hits,
        sentence: &Range<usize>,
        target: &Range<usize>,
    ) -> Range<usize> {
        let mut start = sentence.start;
        let mut end = sentence.end;
        for b in hits.of_in(self.clause_break, sentence.clone()) {
            if b.end <= target.start {
                start = start.max(b.end);
            } else if b.start >= target.end {
                end = end.min(b.start);
            }
        }
        start..end.max(start)
    }

    /// The clause of `target`, reaching across colons ("First 48 hours: no heat", "Maximum
    /// daily dose: 4 g") but not across "but", "then" or a semicolon.
    fn clause_across_colons(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        sentence: &Range<usize>,
        target: &Range<usize>,
    ) -> Range<usize> {
        let mut scope = sentence.clone();
        for b in hits.of_in(self.clause_break, sentence.clone()) {
            if doc.prose.as_bytes().get(b.start) == Some(&b':') {
                continue;
            }
            if b.end <= target.start {
                scope.start = scope.start.max(b.end);
            } else if b.start >= target.end {
                scope.end = scope.end.min(b.start);
            }
        }
        scope
    }

    /// A medicine's dose per day, stated with a daily action (`target` names the day: "a
    /// day", "in 24 hours", "daily"): the nearest amount of mass in its clause (read across
    /// a colon), times how often it is taken when a count comes before the day ("500 mg three
    /// times a day" is 1,500 mg). A ceiling is the interval from 0: bounded by the words
    /// before it ("no more than 4 g", "up to 3 g", "taking more than 4 g a day harms the
    /// liver") or by a `limit` word with no other amount between them ("the maximum daily
    /// dose is 4 g", "do not exceed 4 g in 24 hours"). A floor ("at least 1 g a day") and a
    /// dose by body weight ("10 mg/kg a day") give none.
    fn daily_amount(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        sentence: &Range<usize>,
        target: &Range<usize>,
        term: &CompiledTerm,
    ) -> Option<(Amount, Range<usize>)> {
        let prose: &str = &doc.prose;
        let scope = self.clause_across_colons(doc, hits, sentence, target);
        let masses: Vec<(Range<usize>, Amount)> = hits
            .of_in(self.amount, scope.clone())
            .filter(|r| !continues_number(prose, r.start))
            .filter_map(|r| {
                let a = parse_amount(&prose[r.clone()])?;
                (a.dimension == Dimension::Mass).then(|| (r.clone(), a))
            })
            .collect();
        let (r, mut amount) = masses.iter().min_by_key(|(r, _)| gap(r, target))?.clone();
        // "Two 500 mg tablets" reads as a range (two to 500 mg) to the amount grammar; a
        // count of units before a strength is how many are taken at once.
        if let Some(units) = units_of_strength(&prose[r.clone()]) {
            amount = units;
        }
        let mut end = (r.end + 16).min(prose.len());
        while !prose.is_char_boundary(end) {
            end -= 1;
        }
        let after = prose[r.end..end].to_ascii_lowercase();
        let after = after.trim_start();
        if ["/kg", "/ kg", "per kg", "per kilo", "a kg", "for each kg"]
            .iter()
            .any(|k| after.starts_with(k))
        {
            return None;
        }
        let ceiling = match bound_before(prose, r.start) {
            Bound::Lower => {
                let before = prose[scope.start..r.start].to_ascii_lowercase();
                let before = before.trim_end();
                if ["at least", "minimum of", "after"]
                    .iter()
                    .any(|m| before.ends_with(m))
                {
                    return None;
                }
                true
            }
            Bound::Upper => true,
            Bound::Rough | Bound::Exact => term.limit.is_some_and(|limit| {
                hits.of_in(limit, scope.clone()).any(|l| {
                    let between = l.end.min(r.end)..l.start.max(r.start);
                    !masses
                        .iter()
                        .any(|(m, _)| m.start >= between.start && m.end <= between.end)
                })
            }),
        };
        if r.end <= target.start {
            if let Some((lo, hi)) = times_before(prose, target.start) {
                amount.lo *= lo;
                amount.hi *= hi;
            }
        }
        if ceiling {
            amount.lo = 0.0;
        }
        Some((amount, r))
    }

    /// Polarity of an action mention, and whether it comes from harm ascribed to it.
    fn polarity_in(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        sentence: &Range<usize>,
        clause: &Range<usize>,
        target: &Range<usize>,
        found: Found,
    ) -> (Polarity, bool) {
        let Found {
            negated: context_negated,
            alone,
        } = found;
        let pseudo: Vec<&Range<usize>> = self
            .pseudo
            .map(|p| hits.of_in(p, sentence.clone()).collect())
            .unwrap_or_default();
        let is_pseudo =
            |r: &Range<usize>| pseudo.iter().any(|p| p.start < r.end && r.start < p.end);
        // Negation counts only inside the action's clause, and a recommendation after a comma
        // between the trigger and the action starts a new instruction ("instead of heat, use ice").
        // Only a negation that forbids counts ("don't", "never", "avoid", "instead of", or
        // "no" opening the clause); "is not improved by" describes. A forbidding phrase
        // may start inside the trigger ("are not meant to": trigger "are not").
        let forbids = |t: &Range<usize>| {
            self.forbid
                .is_some_and(|f| hits.of_in(f, t.start..clause.end).any(|x| x.start < t.end))
                || doc
                    .prose
                    .get(clause.start..t.start)
                    .is_some_and(|gap| gap.chars().all(|c| !c.is_alphanumeric()))
        };
        let negated = context_negated
            && hits
                .of_in(self.negation, clause.start..target.start)
                .filter(|t| !is_pseudo(t) && forbids(t))
                .any(|t| {
                    let between = t.end..target.start;
                    let comma = doc.prose[between.clone()]
                        .find(',')
                        .map(|i| between.start + i);
                    !comma.is_some_and(|c| hits.any_in(self.recommend, c..target.start))
                });
        if negated || hits.any_in(self.avoid_before, clause.start..target.start) {
            return (Polarity::Avoid, false);
        }
        let after = target.end..clause.end;
        let harm_here = hits.of_in(self.harm, after.clone()).any(|h| {
            // "does not slow healing" is not harm.
            !hits
                .of_in(self.negation, target.end..h.start)
                .any(|n| !is_pseudo(n))
        });
        if harm_here {
            return (Polarity::Avoid, true);
        }
        if hits.any_in(self.avoid_after, after) {
            return (Polarity::Avoid, false);
        }
        if hits
            .of_in(self.recommend, clause.clone())
            .any(|r| r.end <= target.start || r.start >= target.end)
            || (alone && hits.any_in(self.recommend, sentence.clone()))
        {
            return (Polarity::Recommend, false);
        }
        // An instruction that opens its clause is an imperative ("Push through the pain",
        // "Stop if it hurts") when the action phrase starts with a verb.
        (Polarity::Neutral, false)
    }

    /// The mentions of actions other than `action` in the sentence. One outside the
    /// action's clause means the rest of the sentence speaks about that action, and its cues
    /// and windows are not this one's; one between the action and an amount keeps the amount
    /// from it.
    fn other_actions_in(
        &self,
        hits: &Hits,
        sentence: &Range<usize>,
        action: u16,
    ) -> Vec<Range<usize>> {
        // A day named for a dose ("a day", "daily") is no other thing to do.
        self.actions
            .iter()
            .enumerate()
            .filter(|(i, a)| *i as u16 != action && !a.daily)
            .flat_map(|(_, a)| hits.of_in(a.pattern, sentence.clone()).cloned())
            .collect()
    }

    /// The polarity a lead-in or heading gives the items below it ("Avoid:", "Don't").
    fn block_polarity(&self, doc: &Document<'_>, hits: &Hits, block: usize) -> Polarity {
        let range = doc.blocks[block].range.clone();
        let pseudo = |r: &Range<usize>| {
            self.pseudo.is_some_and(|p| {
                hits.of_in(p, range.clone())
                    .any(|q| q.start < r.end && r.start < q.end)
            })
        };
        // A lead-in forbids only with a forbidding word ("Don't:", "Avoid these:"); any other
        // negation in it ("if it does not improve", "non-drug ways") describes.
        let forbids = |r: &Range<usize>| {
            self.forbid
                .is_some_and(|f| hits.of_in(f, r.start..range.end).any(|x| x.start < r.end))
        };
        if hits
            .of_in(self.negation, range.clone())
            .any(|r| !pseudo(r) && forbids(r))
        {
            Polarity::Avoid
        } else if hits.any_in(self.recommend, range) {
            Polarity::Recommend
        } else {
            Polarity::Neutral
        }
    }

    fn conditions_in(&self, hits: &Hits, range: Range<usize>) -> u64 {
        self.conditions
            .iter()
            .enumerate()
            .filter(|(i, c)| *i < 64 && hits.any_in(c.pattern, range.clone()))
            .fold(0u64, |acc, (i, _)| acc | (1 << i))
    }

    /// The time window of `target` within `scope` (a sentence, or a lead-in / heading).
    fn window_for(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        scope: &Range<usize>,
        target: &Range<usize>,
    ) -> Window {
        let mut candidates: Vec<(Range<usize>, f64, f64)> = Vec::new();
        for w in self.windows.iter().filter(|w| !w.gap) {
            for r in hits.of_in(w.pattern, scope.clone()) {
                let (from, to) = if self.preceded_by(doc, hits, self.after, r) && w.to < OPEN_END {
                    (w.to, OPEN_END)
                } else {
                    (w.from, w.to)
                };
                candidates.push((r.clone(), from, to));
            }
        }
        for r in hits.of_in(self.amount, scope.clone()) {
            let Some(amount) = parse_amount(&doc.prose[r.clone()]) else {
                continue;
            };
            if amount.dimension != Dimension::Time || self.preceded_by_word(doc, r, &["every"]) {
                continue;
            }
            // "48 hours after your injury" reads like "after 48 hours".
            let followed_by_after = doc
                .prose
                .get(r.end..)
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|w| w.eq_ignore_ascii_case("after"));
            let within = self.preceded_by(doc, hits, self.within, r)
                || (amount.hi >= 12.0 && self.preceded_by_word(doc, r, &["for"]));
            // "for 48 hours after your injury" is still the first 48 hours.
            // Ranges are read charitably ("for 2-3 days" ends at 48 hours, "after 2-3 days"
            // starts at 72), so that advice with overlapping ranges is never set against itself.
            if self.preceded_by(doc, hits, self.after, r) || (followed_by_after && !within) {
                candidates.push((r.clone(), amount.hi, OPEN_END));
            } else if within {
                candidates.push((r.clone(), 0.0, amount.lo));
            }
        }
        for r in hits.of_in(self.day_number, scope.clone()) {
            if let Some((from, to)) = parse_day_number(&doc.prose[r.clone()]) {
                if self.preceded_by(doc, hits, self.after, r) {
                    candidates.push((r.clone(), from, OPEN_END));
                } else {
                    candidates.push((r.clone(), from, to));
                }
            }
        }
        let distance = |r: &Range<usize>| {
            if r.end <= target.start {
                target.start - r.end
            } else {
                r.start.saturating_sub(target.end)
            }
        };
        let nearest = candidates.into_iter().min_by_key(|(r, _, _)| distance(r));
        let sequence_before = |from: usize| {
            hits.of_in(self.sequence, from..target.start.max(from))
                .next()
                .is_some()
        };
        match nearest {
            Some((r, from, to)) => {
                // "Ice for 48 hours, then heat": what follows the marker comes after the window.
                // "… in the first two days, and heat once that stage has passed".
                let sequence_after = hits
                    .of_in(self.sequence, target.end..scope.end)
                    .next()
                    .is_some();
                if r.end <= target.start
                    && to < OPEN_END
                    && to > 6.0
                    && (sequence_before(r.end) || sequence_after)
                {
                    Window::Span(to, OPEN_END)
                } else {
                    Window::Span(from, to)
                }
            }
            None if sequence_before(scope.start) => Window::Later,
            None => Window::Unknown,
        }
    }

    /// Whether a marker pattern ends just before `r` (only spaces and a hedge word between).
    fn preceded_by(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        marker: PatternId,
        r: &Range<usize>,
    ) -> bool {
        let start = r.start.saturating_sub(24);
        hits.of_in(marker, start..r.start).any(|m| {
            let gap = doc.prose.get(m.end..r.start).unwrap_or("x");
            gap.split_whitespace().all(|w| {
                matches!(
                    w.to_ascii_lowercase().as_str(),
                    "about"
                        | "around"
                        | "roughly"
                        | "approximately"
                        | "at"
                        | "least"
                        | "the"
                        | "first"
                        | "up"
                        | "to"
                )
            })
        })
    }

    /// Whether one of `words` is the word right before `r`.
    fn preceded_by_word(&self, doc: &Document<'_>, r: &Range<usize>, words: &[&str]) -> bool {
        let before = doc.prose.get(..r.start).unwrap_or("");
        before
            .split_whitespace()
            .next_back()
            .is_some_and(|w| words.iter().any(|x| w.eq_ignore_ascii_case(x)))
    }

    /// The amount stated with an action: inside the action phrase itself ("the 100 mg tablet")
    /// or the nearest amount in the sentence with no other action (of `others`), sequence or
    /// clause break between them. `Stated::Interval` asks instead for the time between two goes: the
    /// nearest duration after "every" ("ice it every 2 to 3 hours").
    fn amount_for(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        sentence: &Range<usize>,
        target: &Range<usize>,
        others: &[Range<usize>],
        stated: Stated,
    ) -> Option<Amount> {
        if stated == Stated::Amount {
            if let Some(r) = hits.of_in(self.amount, target.clone()).next() {
                return parse_amount(&doc.prose[r.clone()]);
            }
        }
        let mut best: Option<(usize, Amount)> = None;
        let mut consider = |r: &Range<usize>, amount: Amount| {
            // An amount overlapping the action phrase ("every day" in "taken every day") is
            // part of it, not a separate amount.
            let between = if r.end <= target.start {
                r.end..target.start
            } else if r.start >= target.end {
                target.end..r.start
            } else {
                return;
            };
            let blocked = others
                .iter()
                .any(|o| o.start >= between.start && o.end <= between.end)
                || hits.any_in(self.sequence, between.clone())
                || hits.any_in(self.clause_break, between.clone());
            let distance = between.end - between.start;
            if !blocked && best.as_ref().is_none_or(|(d, _)| distance < *d) {
                best = Some((distance, amount));
            }
        };
        for r in hits.of_in(self.amount, sentence.clone()) {
            // "Every 2 hours" is how often, not how long or how much; "per day" a rate.
            let every = self.preceded_by_word(doc, r, &["every"]);
            if every != (stated == Stated::Interval)
                || (!every && self.preceded_by_word(doc, r, &["each", "per"]))
            {
                continue;
            }
            let Some(mut amount) = parse_amount(&doc.prose[r.clone()]) else {
                continue;
            };
            // An interval is a time; the words before it end in "every", so of the cues below
            // only the rough single figure applies ("every 2 hours").
            if every && amount.dimension != Dimension::Time {
                continue;
            }
            let widen = match bound_before(&doc.prose, r.start) {
                Bound::Upper => {
                    amount.lo = 0.0;
                    false
                }
                Bound::Lower => {
                    amount.hi = OPEN_END;
                    false
                }
                Bound::Rough => true,
                // A single duration is a rough figure ("ice for 10 minutes" and "for 20
                // minutes" are both ordinary sessions); doses stay exact.
                Bound::Exact => amount.dimension == Dimension::Time && amount.lo == amount.hi,
            };
            if widen {
                amount.lo *= 0.5;
                amount.hi *= 1.5;
                amount.rough = true;
            }
            consider(r, amount);
        }
        for w in self
            .windows
            .iter()
            .filter(|w| w.gap && stated == Stated::Amount)
        {
            for r in hits.of_in(w.pattern, sentence.clone()) {
                consider(
                    r,
                    Amount {
                        dimension: Dimension::Time,
                        lo: w.from,
                        hi: w.to,
                        rough: false,
                    },
                );
            }
        }
        best.map(|(_, a)| a)
    }
}

/// The model's matches of one file, per pattern, with range lookups by binary search: the
/// extractor asks many "which matches lie in this sentence?" questions, and a linear filter
/// over every match of a pattern per question made long files quadratic.
/// How far from an action mention its sentence is read, in bytes each way. Real sentences
/// are far shorter; text with no sentence breaks (a lower-cased leaflet, a page of spam)
/// can be one "sentence" of megabytes, and reading all of it for every mention made fact
/// extraction cubic in its length.
const SENTENCE_REACH: usize = 1024;

/// The part of `sentence` within [`SENTENCE_REACH`] bytes of `target`, on character
/// boundaries: the whole sentence for any sentence of ordinary length.
fn within_reach(prose: &str, sentence: &Range<usize>, target: &Range<usize>) -> Range<usize> {
    let mut start = sentence
        .start
        .max(target.start.saturating_sub(SENTENCE_REACH));
    let mut end = sentence.end.min(target.end.saturating_add(SENTENCE_REACH));
    while !prose.is_char_boundary(start) {
        start += 1;
    }
    while !prose.is_char_boundary(end) {
        end -= 1;
    }
    start.min(end)..end
}

/// What is already known about an action mention when its polarity is decided.
#[derive(Debug, Clone, Copy)]
struct Found {
    /// NegEx/ConText found the mention negated somewhere in its sentence.
    negated: bool,
    /// No other action is mentioned outside the mention's clause.
    alone: bool,
}

/// Imperative verbs that open action phrases ("push through the pain", "stay active").
const IMPERATIVES: &[&str] = &[
    "apply", "avoid", "continue", "do", "get", "go", "hold", "ice", "keep", "lie", "massage",
    "push", "remain", "rest", "resume", "return", "stay", "stop", "take", "train", "try", "use",
    "work", "play", "carry",
];

fn starts_with_verb(phrase: &str) -> bool {
    phrase
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .is_some_and(|w| IMPERATIVES.iter().any(|v| w.eq_ignore_ascii_case(v)))
}

/// "days 1 to 5" → hours 0 to 120; "day 6" → hours 120 to 144; "week 2" → hours 168 to 336.
fn parse_day_number(text: &str) -> Option<(f64, f64)> {
    let lower = text.to_ascii_lowercase();
    let unit = if lower.starts_with("week") {
        168.0
    } else {
        24.0
    };
    let numbers: Vec<f64> = lower
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse::<f64>().ok())
        .collect();
    let first = *numbers.first()?;
    let last = *numbers.get(1).unwrap_or(&first);
    Some(((first - 1.0).max(0.0) * unit, last.max(first) * unit))
}

/// Parses an amount such as "15-20 minutes", "two to three days", "a couple of days",
/// What every statement of a file is read against.
struct FileWide<'f, 'm> {
    /// The block of the file's title, if it has one.
    title_block: Option<usize>,
    /// The file's drug names, in text order.
    medicines: &'f dyn Fn() -> &'m [Mention],
    /// The conditions and the time window of each lead-in, heading or title that statements
    /// fall back on, by block, read at the first statement under it: thousands of statements
    /// can share one heading, and each read it again.
    conditions_around: RefCell<FxHashMap<usize, u64>>,
    window_around: RefCell<FxHashMap<usize, Window>>,
}

/// Bytes between `r` and `target` (0 when they overlap).
fn gap(r: &Range<usize>, target: &Range<usize>) -> usize {
    if r.end <= target.start {
        target.start - r.end
    } else {
        r.start.saturating_sub(target.end)
    }
}

/// The drug named in `within` nearest to `target`, by index into the drug lexicon.
fn nearest_medicine(
    mentions: &[Mention],
    within: &Range<usize>,
    target: &Range<usize>,
) -> Option<u32> {
    let from = mentions.partition_point(|m| m.range.start < within.start);
    mentions[from..]
        .iter()
        .take_while(|m| m.range.end <= within.end)
        .min_by_key(|m| gap(&m.range, target))
        .and_then(|m| u32::try_from(m.drug).ok())
}

/// "Two 500 mg" (a count of units, then each one's strength) as their total;
/// none for any other amount.
fn units_of_strength(text: &str) -> Option<Amount> {
    let (count, strength) = text.trim().split_once(char::is_whitespace)?;
    // Only a count in words: "1 500 mg" is 1,500 mg where a space groups thousands.
    let count = count.to_ascii_lowercase();
    let count = NUMBER_WORDS
        .iter()
        .find(|(w, _)| *w == count && !matches!(*w, "a" | "an"))?
        .1;
    let strength = strength.trim_start();
    if !(1.0..=10.0).contains(&count) || !strength.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let each = parse_amount(strength)?;
    ((each.hi - each.lo).abs() < 1e-9).then_some(Amount {
        lo: each.lo * count,
        hi: each.hi * count,
        ..each
    })
}

/// How many times a day the words ending at `at` say ("twice", "three times", "3 to 4
/// times", "once"), as a range; none when they name no count.
fn times_before(prose: &str, at: usize) -> Option<(f64, f64)> {
    let mut from = at.saturating_sub(32);
    while !prose.is_char_boundary(from) {
        from += 1;
    }
    let before = prose.get(from..at)?.to_ascii_lowercase();
    let mut words = before
        .split(|c: char| c.is_whitespace() || c == '-' || c == '–')
        .filter(|w| !w.is_empty())
        .rev();
    let count = |w: &str| {
        w.parse::<f64>()
            .ok()
            .or_else(|| NUMBER_WORDS.iter().find(|(n, _)| *n == w).map(|(_, v)| *v))
    };
    match words.next()? {
        "once" => Some((1.0, 1.0)),
        "twice" => Some((2.0, 2.0)),
        "thrice" => Some((3.0, 3.0)),
        "times" => {
            let hi = count(words.next()?)?;
            // "3 to 4", "two or three", "3–4" (the dash split away): a smaller count first.
            let lo = match words.next() {
                Some("to" | "or") => words.next().and_then(count).unwrap_or(hi),
                Some(w) => count(w).filter(|lo| *lo < hi).unwrap_or(hi),
                None => hi,
            };
            Some((lo.min(hi), lo.max(hi)))
        }
        _ => None,
    }
}

/// Whether the text at `at` is the tail of a number written with a thousands comma ("000"
/// in "4,000").
fn continues_number(prose: &str, at: usize) -> bool {
    let b = prose.as_bytes();
    at >= 2 && b[at - 1] == b',' && b[at - 2].is_ascii_digit()
}

/// How the words right before an amount bound it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// "up to", "no more than", "within", "less than": the amount is a ceiling.
    Upper,
    /// "at least", "more than", "over", "after": the amount is a floor.
    Lower,
    /// "about", "around": a rough figure.
    Rough,
    Exact,
}

/// The bound the words ending at `at` put on the amount that starts there.
fn bound_before(prose: &str, at: usize) -> Bound {
    let mut from = at.saturating_sub(24);
    while !prose.is_char_boundary(from) {
        from += 1;
    }
    let before = prose.get(from..at).unwrap_or("").to_ascii_lowercase();
    let before = before.trim_end();
    let ends = |cues: &[&str]| cues.iter().any(|m| before.ends_with(m));
    if ends(&["more than", "longer than"]) {
        Bound::Lower
    } else if ends(&[
        "up to",
        "no longer than",
        "maximum of",
        "at most",
        "max",
        "within",
        "than",
    ]) {
        Bound::Upper
    } else if ends(&["at least", "minimum of", "over", "after"]) {
        Bound::Lower
    } else if ends(&["about", "around", "roughly", "approximately"]) {
        Bound::Rough
    } else {
        Bound::Exact
    }
}

/// "100 mg" or "38 °C" into an interval in base units (hours, mg, °C).
pub fn parse_amount(text: &str) -> Option<Amount> {
    // Asked several times for every amount near every statement: amounts are nearly always
    // written in lower case already, and then nothing is copied.
    let lower: Cow<'_, str> = if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    };
    let words = || {
        lower
            .split(|c: char| c.is_whitespace() || c == '-' || c == '–')
            .filter(|w| !w.is_empty())
    };
    let unit = words().next_back()?;
    let (dimension, factor, fahrenheit) = unit_of(unit, &lower)?;
    // Only the first two numbers count: a figure, or the two ends of a range.
    let mut numbers: [Option<f64>; 2] = [None; 2];
    let mut number = |v: f64| {
        if let Some(slot) = numbers.iter_mut().find(|n| n.is_none()) {
            *slot = Some(v);
        }
    };
    let mut vague: Option<(f64, f64)> = None;
    // Every word before the unit.
    let mut words = words().peekable();
    while let Some(w) = words.next().filter(|_| words.peek().is_some()) {
        let w = w.trim_start_matches('°');
        let plain;
        let w = if w.contains(',') {
            plain = w.replace(',', "");
            plain.as_str()
        } else {
            w
        };
        if let Ok(v) = w.parse::<f64>() {
            number(v);
        } else if w == "couple" {
            vague = Some((2.0, 3.0));
        } else if w == "few" {
            vague = Some((2.0, 4.0));
        } else if w == "several" {
            vague = Some((3.0, 7.0));
        } else if let Some((_, v)) = NUMBER_WORDS.iter().find(|(n, _)| *n == w) {
            number(*v);
        }
    }
    // "a couple of" also holds "a": the vague amount wins.
    let (lo, hi) = match vague {
        Some(v) => v,
        None => {
            let lo = numbers[0]?;
            let hi = numbers[1].unwrap_or(lo);
            (lo.min(hi), lo.max(hi))
        }
    };
    let convert = |v: f64| {
        if fahrenheit {
            (v - 32.0) * 5.0 / 9.0
        } else {
            v * factor
        }
    };
    Some(Amount {
        dimension,
        lo: convert(lo),
        hi: convert(hi),
        rough: false,
    })
}

fn unit_of(unit: &str, whole: &str) -> Option<(Dimension, f64, bool)> {
    let time = |f: f64| Some((Dimension::Time, f, false));
    match unit {
        "second" | "seconds" | "sec" | "secs" => time(1.0 / 3600.0),
        "minute" | "minutes" | "min" | "mins" => time(1.0 / 60.0),
        "hour" | "hours" | "hr" | "hrs" => time(1.0),
        "day" | "days" => time(24.0),
        "week" | "weeks" | "wk" | "wks" => time(168.0),
        "month" | "months" => time(720.0),
        "mg" | "milligram" | "milligrams" => Some((Dimension::Mass, 1.0, false)),
        "g" | "gram" | "grams" => Some((Dimension::Mass, 1000.0, false)),
        "mcg" | "microgram" | "micrograms" => Some((Dimension::Mass, 0.001, false)),
        _ if whole.contains("fahrenheit") || unit.ends_with('f') => {
            Some((Dimension::Temperature, 1.0, true))
        }
        _ if whole.contains("celsius") || unit.ends_with('c') => {
            Some((Dimension::Temperature, 1.0, false))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts_into_base_units() {
        let a = parse_amount("15-20 minutes").unwrap();
        assert_eq!(a.dimension, Dimension::Time);
        assert!((a.lo - 0.25).abs() < 1e-9 && (a.hi - 1.0 / 3.0).abs() < 1e-9);
        let d = parse_amount("two to three days").unwrap();
        assert_eq!((d.lo, d.hi), (48.0, 72.0));
        let c = parse_amount("a couple of days").unwrap();
        assert_eq!((c.lo, c.hi), (48.0, 72.0));
        let m = parse_amount("100 mg").unwrap();
        assert_eq!((m.dimension, m.lo), (Dimension::Mass, 100.0));
        let f = parse_amount("100.4 °F").unwrap();
        assert!((f.lo - 38.0).abs() < 0.01);
        assert_eq!(parse_amount("an hour").unwrap().lo, 1.0);
        assert!(parse_amount("lots").is_none());
        assert_eq!(parse_day_number("days 1 to 5"), Some((0.0, 120.0)));
        assert_eq!(parse_day_number("day 6"), Some((120.0, 144.0)));
    }

    /// Facts are extracted once per file for every conflict rule (and the cross-document
    /// pass), each taking the actions it reads: that is right only if an action's facts are
    /// the same whichever other actions are extracted with it.
    #[test]
    fn an_actions_facts_do_not_depend_on_the_other_actions_extracted() {
        use crate::analyze::{ContextRules, PatternSetBuilder};
        use crate::document::Document;
        use crate::source::{Format, SourceFile};
        let lexicon = crate::rules::Lexicon::builtin().unwrap();
        let mut builder = PatternSetBuilder::default();
        let context = ContextRules::compile(&lexicon.context, &mut builder);
        let model = AdviceModel::compile(&lexicon.advice, &lexicon.context, &mut builder);
        let patterns = builder.build().unwrap();
        let text = "# Sprains\n\nFor a sprained ankle, put an ice pack on it and rest it for \
                    the first 48 hours. Do not use heat or massage in the first 2 days; \
                    after 48 hours, heat packs and gentle massage can help, and ice packs \
                    are no longer needed.\n";
        let source = SourceFile::from_text("t.md", Format::Markdown, text);
        let doc = Document::parse(&source);
        let hits = patterns.scan(&doc.prose);
        let all = model.extract(&doc, &hits, &context, &|| &[], u64::MAX);
        assert!(all.len() >= 4, "{all:?}");
        for action in 0..model.actions.len().min(64) {
            let alone = model.extract(&doc, &hits, &context, &|| &[], 1u64 << action);
            let from_all: Vec<&Fact> = all
                .iter()
                .filter(|f| usize::from(f.action) == action)
                .collect();
            assert_eq!(
                alone.iter().collect::<Vec<_>>(),
                from_all,
                "action {action}"
            );
        }
    }

    #[test]
    fn parses_masses_in_grams_micrograms_and_thousands() {
        assert_eq!(parse_amount("4 g").unwrap().lo, 4000.0);
        assert_eq!(parse_amount("3 grams").unwrap().hi, 3000.0);
        assert_eq!(parse_amount("4,000 mg").unwrap().lo, 4000.0);
        assert!((parse_amount("400 mcg").unwrap().lo - 0.4).abs() < 1e-9);
        assert!(continues_number("4,000 mg", 2) && !continues_number("a, 000", 3));
        assert_eq!(units_of_strength("two 500 mg").unwrap().lo, 1000.0);
        // Digits before a strength may be thousands grouped by a space.
        assert!(units_of_strength("1 500 mg").is_none());
        assert!(units_of_strength("500 mg").is_none());
        let times = |s: &str| times_before(s, s.len());
        assert_eq!(times("take 1 g three times "), Some((3.0, 3.0)));
        assert_eq!(times("350 mg 3–4 times "), Some((3.0, 4.0)));
        assert_eq!(times("two or three times "), Some((2.0, 3.0)));
        assert_eq!(times("once "), Some((1.0, 1.0)));
        assert_eq!(times("500 mg "), None);
    }

    /// Doses per day: ceilings, schedules and the medicine each is about, from one article.
    #[test]
    fn daily_doses_read_ceilings_schedules_and_medicines() {
        use crate::analyze::{ContextRules, PatternSetBuilder};
        use crate::document::Document;
        use crate::source::{Format, SourceFile};
        let mut lexicon = crate::rules::Lexicon::builtin().unwrap();
        let mut builder = PatternSetBuilder::default();
        lexicon.drugs.register(&mut builder);
        let context = ContextRules::compile(&lexicon.context, &mut builder);
        let model = AdviceModel::compile(&lexicon.advice, &lexicon.context, &mut builder);
        let patterns = builder.build().unwrap();
        let daily = model.action_index("daily-dose").unwrap();
        let text = "# Painkillers\n\n\
                    Do not take more than 4,000 mg of paracetamol in 24 hours.\n\n\
                    Take two 200 mg ibuprofen tablets three times a day.\n\n\
                    The maximum daily dose: 3 g.\n\n\
                    Children need 15 mg/kg a day of paracetamol.\n\n\
                    Aim for at least 1 g of calcium a day from food.\n";
        let source = SourceFile::from_text("t.md", Format::Markdown, text);
        let doc = Document::parse(&source);
        let hits = patterns.scan(&doc.prose);
        let mentions = lexicon.drugs.mentions(&hits, &doc.prose);
        let facts = model.extract(&doc, &hits, &context, &|| &mentions, 1u64 << daily);
        let name = |f: &Fact| {
            f.medicine
                .map(|m| lexicon.drugs.drugs[m as usize].name.as_str())
        };
        let read: Vec<(Option<&str>, f64, f64, &str)> = facts
            .iter()
            .map(|f| {
                let a = f.amount.unwrap();
                (name(f), a.lo, a.hi, &doc.prose[f.range.clone()])
            })
            .collect();
        assert_eq!(
            read,
            vec![
                (
                    Some("paracetamol"),
                    0.0,
                    4000.0,
                    "4,000 mg of paracetamol in 24 hours"
                ),
                (
                    Some("ibuprofen"),
                    1200.0,
                    1200.0,
                    "two 200 mg ibuprofen tablets three times a day"
                ),
                // No medicine in the sentence: the heading names none either.
                (None, 0.0, 3000.0, "daily dose: 3 g"),
            ],
            "{facts:?}"
        );
    }

    #[test]
    fn windows_overlap_charitably() {
        let first48 = Window::Span(0.0, 48.0);
        let after48 = Window::Span(48.0, OPEN_END);
        let now = Window::Span(0.0, 6.0);
        assert!(!first48.overlaps(after48));
        assert!(first48.overlaps(now));
        assert!(Window::Unknown.overlaps(now));
        assert!(!Window::Unknown.overlaps(first48));
        assert!(Window::Later.overlaps(after48));
        assert!(!Window::Later.overlaps(first48));
    }
}
