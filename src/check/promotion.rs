//! `kind = "promotion"`: drugs promoted without fair balance. Takes the drug mentions of a file
//! (one pass of the drug lexicon's automaton) and the hits of the rule's signal lists, and
//! hands on one diagnostic per promoted drug. For each drug it weighs, in the sentences and
//! paragraphs that name it (and in the whole document when the drug is what the article is
//! about), promotional signals — benefit claims, strengths next to the name, buying and sales
//! language, risk-minimising claims — against fair balance: the named risks of that drug or its
//! class (an Aho-Corasick automaton over the lexicon's risk phrases, built once), contraindications
//! and side effects, prescription and clinician caveats. A drug is reported when its promotional
//! score reaches the threshold and outweighs its balance score. A token caveat ("consult your
//! doctor") counts for little, so it cannot cancel strong sales signals. Mentions that the
//! sentence negates or discourages ("don't take aspirin if you are under 16", "avoid ibuprofen
//! for 48 hours") are safety advice and promote nothing.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::Deserialize;

use super::CheckContext;
use crate::analyze::context::Context;
use crate::analyze::{PatternId, PatternSetBuilder};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::document::Document;
use crate::error::SpannedError;
use crate::rules::drugs::{leftmost_longest, DrugLexicon, Mention, RxStatus};
use crate::rules::pattern;
use crate::rules::spec::{phrase_strings, Phrases, RuleFile};
use crate::rules::{validate_required_phrases, Compiler, RuleSource};

/// The `[check]` table of a promotion rule. Every list uses the phrase syntax of the README.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PromotionSpec {
    #[serde(rename = "kind")]
    _kind: serde::de::IgnoredAny,
    /// Benefit and efficacy claims ("relieves", "effective", "strongest", "works fast").
    pub benefit: Phrases,
    /// Buying and sales language ("buy", "order online", "no prescription needed", prices).
    pub sales: Phrases,
    /// Claims that minimise risk ("no side effects", "non-addictive", "100% safe").
    pub risk_minimising: Phrases,
    /// Fair-balance phrases that hold for any drug: side effects, contraindications,
    /// interactions, warnings ("do not take it if", "side effects include").
    pub balance: Phrases,
    /// Prescription and clinician caveats ("prescription-only", "controlled substance",
    /// "talk to your doctor or pharmacist before"). Weigh more than a generic balance phrase.
    pub prescription: Phrases,
    /// Token caveats ("consult your doctor"): they count, but at most once and for little.
    pub token_caveat: Phrases,
    /// Phrases that make a mention in their sentence safety advice rather than promotion
    /// ("should not be taken", "not recommended for"), on top of the NegEx context.
    pub discouraging: Phrases,
    /// Promotional score a drug needs before it can be reported (default 4).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
}

fn default_threshold() -> f64 {
    4.0
}

/// Signal weights. Balance phrases are counted once per distinct phrase, promotional ones per
/// occurrence up to a cap, so repetition in spam counts but a long risk section is not needed.
mod weight {
    pub const BENEFIT_SENTENCE: f64 = 1.5;
    pub const BENEFIT_BLOCK: f64 = 1.0;
    pub const BENEFIT_DOC: f64 = 0.75;
    pub const BENEFIT_CAP: f64 = 4.5;
    pub const STRENGTH_FIRST: f64 = 2.0;
    pub const STRENGTH_MORE: f64 = 0.5;
    pub const STRENGTH_CAP: f64 = 3.0;
    pub const SALES_NEAR: f64 = 2.5;
    pub const SALES_DOC: f64 = 1.0;
    pub const SALES_CAP: f64 = 7.5;
    /// Sales score from which balance counts for less (two sales phrases near the drug).
    pub const STRONG_SALES: f64 = 5.0;
    pub const SALES_BALANCE_FACTOR: f64 = 0.5;
    pub const MINIMISING: f64 = 3.0;
    pub const MINIMISING_CAP: f64 = 6.0;
    pub const RISK_NEAR: f64 = 2.0;
    pub const RISK_DOC: f64 = 1.5;
    pub const BALANCE_NEAR: f64 = 1.5;
    pub const BALANCE_DOC: f64 = 1.0;
    pub const PRESCRIPTION: f64 = 3.0;
    pub const PRESCRIPTION_CAP: f64 = 6.0;
    pub const TOKEN_CAVEAT: f64 = 1.0;
    /// Bytes allowed between a drug name and its strength ("Tapentadol 100 mg", "(100mg)").
    pub const STRENGTH_GAP: usize = 3;
    /// Secondary labels per diagnostic, so that a spam page stays readable.
    pub const MAX_LABELS: usize = 6;
}

#[derive(Debug)]
pub struct Promotion {
    benefit: PatternId,
    sales: PatternId,
    minimising: PatternId,
    balance: PatternId,
    prescription: PatternId,
    token_caveat: PatternId,
    discouraging: PatternId,
    threshold: f64,
    /// Every risk phrase of every drug and class (a plural too: "seizures"), in the shared
    /// pattern set.
    risks: Vec<PatternId>,
    /// Per drug: the ids of the risk phrases (drug and class) that balance it.
    drug_risks: Vec<Vec<usize>>,
}

impl Promotion {
    pub fn compile(
        file: RuleFile<PromotionSpec>,
        source: &RuleSource,
        compiler: &mut Compiler<'_>,
    ) -> Result<Promotion, Vec<SpannedError>> {
        let c = &file.check;
        let mut errors = Vec::new();
        let lists: [(&str, &Phrases); 7] = [
            ("benefit", &c.benefit),
            ("sales", &c.sales),
            ("risk-minimising", &c.risk_minimising),
            ("balance", &c.balance),
            ("prescription", &c.prescription),
            ("token-caveat", &c.token_caveat),
            ("discouraging", &c.discouraging),
        ];
        for (key, list) in lists {
            validate_required_phrases(source, key, list, &mut errors);
        }
        if !(c.threshold.is_finite() && c.threshold > 0.0) {
            errors.push(SpannedError::new(
                &source.origin,
                &source.text,
                None,
                "`check.threshold` must be a positive number",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut add = |list: &Phrases| compiler.patterns.add_phrases(&phrase_strings(list));
        let benefit = add(&c.benefit);
        let sales = add(&c.sales);
        let minimising = add(&c.risk_minimising);
        let balance = add(&c.balance);
        let prescription = add(&c.prescription);
        let token_caveat = add(&c.token_caveat);
        let discouraging = add(&c.discouraging);
        let (risks, drug_risks) = risk_patterns(&compiler.lexicon.drugs, compiler.patterns);
        Ok(Promotion {
            benefit,
            sales,
            minimising,
            balance,
            prescription,
            token_caveat,
            discouraging,
            threshold: c.threshold,
            risks,
            drug_risks,
        })
    }

    pub fn run(&self, cx: &CheckContext<'_>, out: &mut Vec<Diagnostic>) {
        let lexicon = &cx.lexicon.drugs;
        let mentions = lexicon.mentions(cx.hits, &cx.doc.prose);
        if mentions.is_empty() {
            return;
        }
        let risk_hits = self.risk_hits(cx);
        let title_drugs = title_drugs(cx, lexicon, &mentions);
        // An untitled article has no topic to be off: do not raise severity on a guess.
        let untitled = cx.doc.title().is_none() && cx.doc.blocks.is_empty();
        let title_names_a_drug = untitled || !title_drugs.is_empty();
        let mut by_drug: BTreeMap<usize, Vec<Mention>> = BTreeMap::new();
        for m in mentions {
            by_drug.entry(m.drug).or_default().push(m);
        }
        let busiest = by_drug.values().map(Vec::len).max().unwrap_or(0);
        let is_main =
            |drug: usize, n: usize| title_drugs.contains(&drug) || (n >= 3 && n == busiest);
        // Sentences that name one of the article's main drugs: another drug named only there
        // is a comparator ("steadier than amphetamines"), and the claim is about the main one.
        let main_mentions: Vec<&Mention> = by_drug
            .iter()
            .filter(|(d, m)| is_main(**d, m.len()))
            .flat_map(|(_, m)| m.iter())
            .collect();
        let main_sentences = sorted(
            main_mentions
                .iter()
                .filter_map(|m| cx.doc.sentence_at(m.range.start)),
        );
        let main_blocks = sorted(
            main_mentions
                .iter()
                .filter_map(|m| cx.doc.block_at(m.range.start)),
        );
        let cache = ContextCache::default();
        let mut found = Vec::new();
        for (&drug, mentions) in &by_drug {
            let main = is_main(drug, mentions.len());
            let comparator = !main
                && mentions.iter().all(|m| {
                    cx.doc
                        .sentence_at(m.range.start)
                        .is_some_and(|s| main_sentences.binary_search(&s).is_ok())
                });
            if comparator {
                continue;
            }
            // Named only in paragraphs about a main drug: only its own sentences speak of it.
            let narrow = !main
                && mentions.iter().all(|m| {
                    cx.doc
                        .block_at(m.range.start)
                        .is_some_and(|b| main_blocks.binary_search(&b).is_ok())
                });
            let scope = Scope {
                main,
                narrow,
                title_names_a_drug,
            };
            if let Some(d) = self.weigh(cx, drug, mentions, scope, &risk_hits, &cache) {
                found.push(d);
            }
        }
        found.sort_by_key(|d| d.primary.range.start);
        out.extend(found);
    }

    /// Weighs one drug; returns its diagnostic when it is promoted.
    fn weigh(
        &self,
        cx: &CheckContext<'_>,
        drug_idx: usize,
        mentions: &[Mention],
        scope: Scope,
        risk_hits: &[(usize, Range<usize>)],
        cache: &ContextCache,
    ) -> Option<Diagnostic> {
        let Scope {
            main,
            narrow,
            title_names_a_drug,
        } = scope;
        let doc = cx.doc;
        let lexicon = &cx.lexicon.drugs;
        let drug = lexicon.drugs.get(drug_idx)?;
        let sentence_of = |r: &Range<usize>| {
            doc.sentence_at(r.start)
                .map(|s| doc.sentences[s].range.clone())
        };
        // Mentions that the sentence negates or discourages are safety advice, unless the same
        // sentence also sells or minimises risk ("don't suffer: order tramadol now").
        let kept: Vec<&Mention> = mentions
            .iter()
            .filter(|m| {
                let Some(sentence) = sentence_of(&m.range) else {
                    return true;
                };
                let selling = cx.hits.any_in(self.sales, sentence.clone())
                    || cx.hits.any_in(self.minimising, sentence.clone());
                if selling {
                    return true;
                }
                let context = cx.context.of(doc, cx.hits, m.range.clone());
                let discouraged = cx.hits.any_in(self.discouraging, sentence.clone());
                !(context.negated || context.myth || discouraged)
            })
            .collect();
        if kept.is_empty() {
            return None;
        }
        // Sentence and block indices, sorted: every membership test is a binary search, so
        // that a large file with many mentions and signals stays fast.
        let sentences = sorted(kept.iter().filter_map(|m| doc.sentence_at(m.range.start)));
        let blocks = sorted(kept.iter().filter_map(|m| doc.block_at(m.range.start)));
        let whole = 0..doc.prose.len();
        let in_sentence = |r: &Range<usize>| {
            doc.sentence_at(r.start)
                .is_some_and(|s| sentences.binary_search(&s).is_ok())
        };
        let near = |r: &Range<usize>| {
            if narrow {
                in_sentence(r)
            } else {
                doc.block_at(r.start)
                    .is_some_and(|b| blocks.binary_search(&b).is_ok())
            }
        };
        let plain = |r: &Range<usize>| {
            let c = cache.of(cx, r);
            !(c.negated || c.myth || c.other_experiencer)
        };

        let mut labels: Vec<Label> = Vec::new();
        let mut promo_at: Vec<usize> = Vec::new();

        // Benefit claims in the drug's sentences and paragraphs.
        let mut benefit = 0.0;
        for r in cx.hits.of_in(self.benefit, whole.clone()) {
            // Benefit claims of the article's own drug count wherever they stand ("why people
            // like it" sections rarely repeat the name).
            if !(near(r) || main) || !plain(r) {
                continue;
            }
            benefit += if in_sentence(r) {
                weight::BENEFIT_SENTENCE
            } else if near(r) {
                weight::BENEFIT_BLOCK
            } else {
                weight::BENEFIT_DOC
            };
            promo_at.push(r.start);
            labels.push(Label::new(r.clone(), "benefit claim"));
        }
        let benefit = benefit.min(weight::BENEFIT_CAP);

        // Strengths written next to the name.
        let mut strength = 0.0;
        for m in &kept {
            if let Some(s) = strength_after(&doc.prose, m.range.end) {
                strength += if strength == 0.0 {
                    weight::STRENGTH_FIRST
                } else {
                    weight::STRENGTH_MORE
                };
                promo_at.push(m.range.start);
                labels.push(Label::new(s, "strength"));
            }
        }
        let strength = strength.min(weight::STRENGTH_CAP);

        // Buying and sales language: near the drug, or anywhere when the article is about it.
        let mut sales = 0.0;
        for r in cx.hits.of_in(self.sales, whole.clone()) {
            // "you need a valid prescription before you buy it" is a caveat, not a pitch, and
            // "never buy medicines from unregulated sites" is a warning.
            if sentence_of(r).is_some_and(|s| {
                cx.hits.any_in(self.prescription, s.clone()) || cx.hits.any_in(self.discouraging, s)
            }) {
                continue;
            }
            let w = if near(r) {
                weight::SALES_NEAR
            } else if main {
                weight::SALES_DOC
            } else {
                continue;
            };
            // Not NegEx negation: sales language negates itself ("without a prescription"),
            // and a "without" earlier in the sentence does not stop the pitch.
            let c = cache.of(cx, r);
            if c.myth || c.other_experiencer {
                continue;
            }
            sales += w;
            promo_at.push(r.start);
            labels.push(Label::new(r.clone(), "sales language"));
        }
        let sales = sales.min(weight::SALES_CAP);

        // Risk-minimising claims.
        let mut minimising = 0.0;
        let mut minimising_sentences = Vec::new();
        for r in cx.hits.of_in(self.minimising, whole.clone()) {
            if !(near(r) || main) {
                continue;
            }
            let c = cache.of(cx, r);
            if c.myth || c.other_experiencer {
                continue;
            }
            minimising += weight::MINIMISING;
            promo_at.push(r.start);
            minimising_sentences.extend(doc.sentence_at(r.start));
            labels.push(Label::new(r.clone(), "risk-minimising claim"));
        }
        let minimising = minimising.min(weight::MINIMISING_CAP);

        // An over-the-counter medicine named with a benefit and nothing else is everyday advice
        // ("paracetamol can ease a fever"), not promotion.
        // Buying one at a pharmacy is ordinary too, so an OTC drug needs a risk-minimising claim,
        // strong sales language, or a strength and sales language together, to count as promoted.
        let mut promo = benefit + strength + sales + minimising;
        if drug.rx != RxStatus::Rx
            && minimising == 0.0
            && sales < weight::STRONG_SALES
            && (strength == 0.0 || sales == 0.0)
        {
            promo = promo.min(self.threshold - 1.0);
        }
        if promo < self.threshold {
            return None;
        }

        // Fair balance.
        let minimising_sentences = sorted(minimising_sentences.into_iter());
        let in_minimising = |r: &Range<usize>| {
            doc.sentence_at(r.start)
                .is_some_and(|s| minimising_sentences.binary_search(&s).is_ok())
        };
        let scope_weight = |r: &Range<usize>, near_w: f64, doc_w: f64| {
            if near(r) {
                Some(near_w)
            } else if main {
                Some(doc_w)
            } else {
                None
            }
        };
        let mut balance = 0.0;
        let mut seen_risks: Vec<usize> = Vec::new();
        let own = self
            .drug_risks
            .get(drug_idx)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for (term, r) in risk_hits {
            if !own.contains(term) || seen_risks.contains(term) || in_minimising(r) || !plain(r) {
                continue;
            }
            if let Some(w) = scope_weight(r, weight::RISK_NEAR, weight::RISK_DOC) {
                balance += w;
                seen_risks.push(*term);
            }
        }
        let mut seen_text: Vec<String> = Vec::new();
        for r in cx.hits.of_in(self.balance, whole.clone()) {
            let key = doc.prose[r.clone()].to_lowercase();
            if seen_text.contains(&key) || in_minimising(r) {
                continue;
            }
            if let Some(w) = scope_weight(r, weight::BALANCE_NEAR, weight::BALANCE_DOC) {
                balance += w;
                seen_text.push(key);
            }
        }
        let mut prescription = 0.0;
        for r in cx.hits.of_in(self.prescription, whole.clone()) {
            if in_minimising(r) || !plain(r) {
                continue;
            }
            if scope_weight(r, 1.0, 1.0).is_some() {
                prescription += weight::PRESCRIPTION;
            }
        }
        balance += prescription.min(weight::PRESCRIPTION_CAP);
        // Spam pastes a pro-forma side-effect list next to its order button (HEALTH-RULES C7.8):
        // with strong sales language, named risks lower the score but cannot cancel it alone.
        if sales >= weight::STRONG_SALES {
            balance *= weight::SALES_BALANCE_FACTOR;
        }
        if cx
            .hits
            .of_in(self.token_caveat, whole.clone())
            .any(|r| scope_weight(r, 1.0, 1.0).is_some())
        {
            balance += weight::TOKEN_CAVEAT;
        }
        if promo <= balance {
            return None;
        }

        // Report at the first mention in a paragraph with a promotional signal.
        promo_at.sort_unstable();
        let first = kept
            .iter()
            .find(|m| {
                let Some(b) = doc.block_at(m.range.start) else {
                    return false;
                };
                let b = &doc.blocks[b].range;
                let i = promo_at.partition_point(|&p| p < b.start);
                promo_at.get(i).is_some_and(|&p| p < b.end)
            })
            .or_else(|| kept.first())?;
        let class = lexicon.class_of(drug_idx);
        let named = doc.text.get(first.range.clone()).unwrap_or(&drug.name);
        let off_topic = !main && !title_names_a_drug;
        let subject = if named.eq_ignore_ascii_case(&drug.name) {
            named.to_string()
        } else {
            format!("{named} ({})", drug.name)
        };
        let mut found = Vec::new();
        if benefit > 0.0 {
            found.push("benefit claims");
        }
        if strength > 0.0 {
            found.push("strengths");
        }
        if sales > 0.0 {
            found.push("sales language");
        }
        if minimising > 0.0 {
            found.push("risk-minimising claims");
        }
        let message = cx
            .rule
            .message
            .replace("{drug}", &subject)
            .replace("{signals}", &found.join(", "));
        let mut d = cx.diagnostic(
            message,
            Label::new(
                first.range.clone(),
                format!("{} is promoted here", drug.name),
            ),
        );
        labels.sort_by_key(|l| (l.range.start, l.range.end));
        labels.dedup_by(|a, b| a.range == b.range);
        for l in labels.into_iter().take(weight::MAX_LABELS) {
            d = d.with_label(l);
        }
        d = d.with_note(drug_note(lexicon, drug_idx, off_topic));
        if let Some(help) = &cx.rule.help {
            // British and American spellings of one risk are listed both; name it once.
            let mut risks: Vec<&str> = Vec::new();
            for r in drug
                .risks
                .iter()
                .chain(class.map(|c| c.risks.iter()).into_iter().flatten())
            {
                let stem = r.get(..r.len().min(12)).unwrap_or(r);
                if risks.len() < 4 && !risks.iter().any(|c| c.starts_with(stem)) {
                    risks.push(r);
                }
            }
            let help = if risks.is_empty() {
                help.clone()
            } else {
                format!("{help} (for {}: {})", drug.name, risks.join(", "))
            };
            d = d.with_help(help);
        }
        if cx.rule.severity == Severity::Warning
            && (drug.controlled || minimising > 0.0 || off_topic)
        {
            d.severity = Severity::Error;
        }
        Some(d)
    }

    /// Every risk phrase named in the article: (risk id, range), in text order, the longest
    /// where two overlap ("physical dependence" over "dependence").
    fn risk_hits(&self, cx: &CheckContext<'_>) -> Vec<(usize, Range<usize>)> {
        let found = self
            .risks
            .iter()
            .enumerate()
            .flat_map(|(i, &id)| cx.hits.of(id).map(move |r| (i, r.clone())))
            .collect();
        leftmost_longest(found, |(_, r)| r.clone())
    }
}

/// A strength written right after a drug name: "Aspadol100mg", "Tapentadol 100 mg", "(50mg)",
/// "Soma 350", "Pain O Soma 500". A bare number needs two digits at least; a single digit
/// needs its unit ("Xanax 2 mg"), so that "tramadol 3 times a day" is not a strength.
fn strength_after(prose: &str, end: usize) -> Option<Range<usize>> {
    let bytes = prose.as_bytes();
    let mut i = end;
    let mut gap = 0;
    while i < bytes.len()
        && matches!(bytes[i], b' ' | b'\t' | b'(' | b'-')
        && gap < weight::STRENGTH_GAP
    {
        i += 1;
        gap += 1;
    }
    let start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() && i - start < 5 {
        i += 1;
    }
    let digits = i - start;
    if digits == 0 || digits > 4 {
        return None;
    }
    if i + 1 < bytes.len() && matches!(bytes[i], b'.' | b',') && bytes[i + 1].is_ascii_digit() {
        i += 2;
    }
    let number_end = i;
    let mut j = i;
    if j < bytes.len() && bytes[j] == b' ' {
        j += 1;
    }
    let rest = prose.get(j..).unwrap_or("");
    let unit = ["mg", "mcg", "milligrams", "milligram", "ml"]
        .into_iter()
        .find(|u| {
            rest.get(..u.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(u))
                && !rest
                    .as_bytes()
                    .get(u.len())
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        });
    match unit {
        Some(u) => Some(start..j + u.len()),
        None if digits >= 2
            && !bytes
                .get(number_end)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'%') =>
        {
            Some(start..number_end)
        }
        None => None,
    }
}

/// Registers every drug and class risk phrase in the shared pattern set; per drug, the
/// indices (into the returned ids) of the phrases that count as its fair balance.
fn risk_patterns(
    lexicon: &DrugLexicon,
    patterns: &mut PatternSetBuilder,
) -> (Vec<PatternId>, Vec<Vec<usize>>) {
    let mut phrases: Vec<String> = Vec::new();
    let id_of = |p: &str, phrases: &mut Vec<String>| {
        let p = p.trim().to_lowercase();
        match phrases.iter().position(|q| *q == p) {
            Some(i) => i,
            None => {
                phrases.push(p);
                phrases.len() - 1
            }
        }
    };
    let mut per_drug = Vec::with_capacity(lexicon.drugs.len());
    for (i, drug) in lexicon.drugs.iter().enumerate() {
        let mut ids: Vec<usize> = drug.risks.iter().map(|r| id_of(r, &mut phrases)).collect();
        if let Some(class) = lexicon.class_of(i) {
            ids.extend(class.risks.iter().map(|r| id_of(r, &mut phrases)));
        }
        ids.sort_unstable();
        ids.dedup();
        per_drug.push(ids);
    }
    let ids = phrases
        .iter()
        // A plural or inflection names the risk too ("seizures").
        .map(|p| patterns.add_phrases(&[format!("{}s?", pattern::literal(p))]))
        .collect();
    (ids, per_drug)
}

/// The drug's class, prescription status and schedules, and whether it is off-topic.
pub fn drug_note(lexicon: &DrugLexicon, drug_idx: usize, off_topic: bool) -> String {
    let Some(drug) = lexicon.drugs.get(drug_idx) else {
        return String::new();
    };
    let class = lexicon
        .class_of(drug_idx)
        .map_or("medicine", |c| c.label.as_str());
    let rx = match drug.rx {
        RxStatus::Rx => "prescription-only",
        RxStatus::Otc => "sold over the counter",
        RxStatus::Varies => "prescription status varies by country",
    };
    let mut note = format!("{}: {class}, {rx}", drug.name);
    if drug.controlled {
        let mut schedules = Vec::new();
        if let Some(us) = drug.schedule_us {
            schedules.push(format!("US {}", us.as_str()));
        }
        if let Some(uk) = &drug.schedule_uk {
            schedules.push(format!("UK {uk}"));
        }
        if schedules.is_empty() {
            note.push_str(", a controlled substance");
        } else {
            note.push_str(&format!(
                ", a controlled substance ({})",
                schedules.join("; ")
            ));
        }
    }
    if off_topic {
        note.push_str("; the article's title is not about this drug");
    }
    note
}

/// The drug a claim at `claim` is said of: the nearest mention in the same sentence, else the
/// nearest in the same paragraph (used by `existence` rules with `name-drug = true`).
pub fn drug_said_of<'m>(
    doc: &Document<'_>,
    mentions: &'m [Mention],
    claim: Range<usize>,
) -> Option<&'m Mention> {
    let distance = |m: &Mention| {
        if m.range.end <= claim.start {
            claim.start - m.range.end
        } else {
            m.range.start.saturating_sub(claim.end)
        }
    };
    let within = |range: Option<Range<usize>>| {
        let range = range?;
        mentions
            .iter()
            .filter(|m| range.start <= m.range.start && m.range.end <= range.end)
            .min_by_key(|m| (distance(m), m.range.start))
    };
    let sentence = doc
        .sentence_at(claim.start)
        .map(|s| doc.sentences[s].range.clone());
    let block = doc
        .block_at(claim.start)
        .map(|b| doc.blocks[b].range.clone());
    within(sentence).or_else(|| within(block))
}

/// Names the drug a risk-minimising claim is said of: message, a label on the drug, a note
/// with its class and schedule, and an error for a controlled substance.
pub fn tie_to_drug(mut d: Diagnostic, cx: &CheckContext<'_>, m: &Mention) -> Diagnostic {
    let lexicon = &cx.lexicon.drugs;
    let Some(drug) = lexicon.drugs.get(m.drug) else {
        return d;
    };
    let named = cx.doc.text.get(m.range.clone()).unwrap_or(&drug.name);
    let subject = if named.eq_ignore_ascii_case(&drug.name) {
        drug.name.clone()
    } else {
        format!("{named} ({})", drug.name)
    };
    d.message = format!("{}, said of {subject}", d.message);
    d = d.with_label(Label::new(
        m.range.clone(),
        format!("said of {}", drug.name),
    ));
    d = d.with_note(drug_note(lexicon, m.drug, false));
    if drug.controlled && cx.rule.severity == Severity::Warning {
        d.severity = Severity::Error;
    }
    d
}

/// Drugs named in the title (front matter or first heading), given the drug mentions of the
/// prose.
fn title_drugs(cx: &CheckContext<'_>, lexicon: &DrugLexicon, mentions: &[Mention]) -> Vec<usize> {
    // A title in the prose was found by the file's one scan; only front-matter text, which
    // is not prose, is scanned here.
    let in_prose = |range: Range<usize>| {
        mentions
            .iter()
            .filter(move |m| m.range.start >= range.start && m.range.end <= range.end)
            .map(|m| m.drug)
    };
    let in_text = |text: &str| {
        lexicon
            .mentions_in(cx.patterns, text)
            .into_iter()
            .map(|m| m.drug)
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    if let Some((title, range)) = cx.doc.title() {
        if cx.doc.front_matter.get("title").is_some() {
            out.extend(in_text(&title));
        }
        out.extend(in_prose(range));
    } else if let Some(first) = cx.doc.blocks.first() {
        // A plain-text article's first line usually is its title.
        if first.range.len() < 160 {
            out.extend(in_prose(first.range.clone()));
        }
    }
    if let Some(topic) = cx.doc.front_matter.get("topic") {
        out.extend(in_text(topic));
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn sorted(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = items.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// How a drug stands in the article.
#[derive(Debug, Clone, Copy)]
struct Scope {
    /// The article is about this drug (named in the title, or the most named one).
    main: bool,
    /// Named only inside paragraphs about a main drug: only its own sentences count.
    narrow: bool,
    /// The title names some drug, or there is no title (then no drug is off-topic).
    title_names_a_drug: bool,
}

/// The NegEx/ConText context of signal matches, computed once per match and file although
/// every drug of the file asks about the same matches.
#[derive(Default)]
struct ContextCache {
    known: RefCell<HashMap<(usize, usize), Context>>,
}

impl ContextCache {
    fn of(&self, cx: &CheckContext<'_>, r: &Range<usize>) -> Context {
        if let Some(c) = self.known.borrow().get(&(r.start, r.end)) {
            return *c;
        }
        let c = cx.context.of(cx.doc, cx.hits, r.clone());
        self.known.borrow_mut().insert((r.start, r.end), c);
        c
    }
}

#[cfg(test)]
mod tests {
    use super::strength_after;

    fn strength(text: &str, after: &str) -> Option<String> {
        let end = text.find(after)? + after.len();
        strength_after(text, end).map(|r| text[r].to_string())
    }

    #[test]
    fn strengths_glued_spaced_bare_and_bracketed() {
        assert_eq!(
            strength("Aspadol100mg now", "Aspadol").as_deref(),
            Some("100mg")
        );
        assert_eq!(
            strength("Tapentadol 100 mg", "Tapentadol").as_deref(),
            Some("100 mg")
        );
        assert_eq!(strength("Soma 350 tablets", "Soma").as_deref(), Some("350"));
        assert_eq!(strength("Xanax (2mg)", "Xanax").as_deref(), Some("2mg"));
        assert_eq!(
            strength("Pain O Soma 500", "Pain O Soma").as_deref(),
            Some("500")
        );
    }

    #[test]
    fn counts_and_percentages_are_not_strengths() {
        assert_eq!(strength("tramadol 3 times a day", "tramadol"), None);
        assert_eq!(strength("ibuprofen 50% of people", "ibuprofen"), None);
        assert_eq!(strength("codeine 20000 people", "codeine"), None);
        assert_eq!(strength("aspirin", "aspirin"), None);
    }
}
