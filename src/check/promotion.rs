//! `kind = "promotion"`: drugs promoted without fair balance. Takes the drug mentions of a file
//! (read from the one shared scan, found once per file and shared with other kinds) and the
//! hits of the rule's signal lists, and hands on one diagnostic per promoted drug. For each
//! drug it weighs, in the sentences and paragraphs that name it (and in the whole document when
//! the drug is what the article is about), promotional signals — benefit claims, strengths next
//! to the name, buying and sales language, risk-minimising claims — against fair balance: the
//! named risks of that drug or its class (the lexicon's risk phrases, registered in the shared
//! pattern set, so the same scan finds them), contraindications
//! and side effects, prescription and clinician caveats. A drug is reported when its promotional
//! score reaches the threshold and outweighs its balance score. A token caveat ("consult your
//! doctor") counts for little, so it cannot cancel strong sales signals. Mentions that the
//! sentence negates or discourages ("don't take aspirin if you are under 16", "avoid ibuprofen
//! for 48 hours") are safety advice and promote nothing.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::Deserialize;

mod disguise;

use disguise::{Found, Glued, NameIndex};

use super::drug_claims::drug_note;
use super::{CheckContext, Compiler, Kind};
use crate::analyze::context::Context;
use crate::analyze::{hidden, PatternId, PatternSetBuilder};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::document::Document;
use crate::error::SpannedError;
use crate::rules::drugs::{leftmost_longest, Drug, DrugLexicon, Mention, RxStatus};
use crate::rules::spec::{phrase_strings, Phrases, RuleFile};
use crate::rules::{validate_required_phrases, RuleSource};
use healthlint_phrase::syntax;

/// The `[check]` table of a promotion rule. Every list uses the phrase syntax of the README.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct PromotionSpec {
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
    /// Phrases that make a mention in their sentence incidental: the drug is a cause, a
    /// trigger, a side effect or an interaction ("can trigger", "caused by", "interacts with"),
    /// not a product on offer. Optional.
    #[serde(default)]
    pub incidental: Phrases,
    /// Phrases that introduce a list ("include", "such as"): a sentence that lists two drugs or
    /// more after one of them names treatments, it does not promote one. Optional.
    #[serde(default)]
    pub list_cue: Phrases,
    /// Research as the subject of a sentence ("clinical trials", "the study"): a benefit or
    /// safety claim there that reaches a drug only through its section (a long page the drug
    /// is salient in, not titled with it) speaks of research, not of the drug ("clinical trials
    /// are done to find out if new treatments are safe and effective"). Optional.
    #[serde(default)]
    pub research: Phrases,
    /// Buying in an ordinary shop ("from a pharmacist", "at the supermarket"): sales language
    /// in a sentence with one of these is neutral advice, not a pitch. Optional.
    #[serde(default)]
    pub ordinary_purchase: Phrases,
    /// International nonproprietary name stems ("mab", "tinib") that name a medicine the drug
    /// lexicon does not list. Optional.
    #[serde(default)]
    pub inn_stems: Vec<String>,
    /// Shortest word an INN stem is trusted on (default 8 letters).
    #[serde(default = "default_stem_min_length")]
    pub stem_min_length: usize,
    /// A document of at most this many words (an e-mail, an advert, a post) is one unit: every
    /// signal in it is near every drug it names (default 400).
    #[serde(default = "default_short_document_words")]
    pub short_document_words: usize,
    /// Promotional score a drug needs before it can be reported (default 4).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Signal weights (see [`Weights`]); every key is optional.
    #[serde(default)]
    pub weights: Weights,
}

fn default_threshold() -> f64 {
    4.0
}

fn default_stem_min_length() -> usize {
    8
}

fn default_short_document_words() -> usize {
    400
}

/// Signal weights, the `[check.weights]` table. Balance phrases are counted once per distinct
/// phrase, promotional ones per occurrence up to a cap, so repetition in spam counts but a long
/// risk section is not needed. "Sentence", "block" and "doc" weights apply to a signal in a
/// sentence that names the drug, in a paragraph that names it, and elsewhere in an article
/// about the drug.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub(crate) struct Weights {
    pub benefit_sentence: f64,
    pub benefit_block: f64,
    pub benefit_doc: f64,
    pub benefit_cap: f64,
    /// The first strength written next to the name, and each further one.
    pub strength_first: f64,
    pub strength_more: f64,
    pub strength_cap: f64,
    pub sales_near: f64,
    pub sales_doc: f64,
    pub sales_cap: f64,
    /// Sales score from which balance counts for less (two sales phrases near the drug).
    pub strong_sales: f64,
    /// What balance is multiplied by under strong sales language.
    pub sales_balance_factor: f64,
    pub minimising: f64,
    pub minimising_cap: f64,
    /// A named risk of the drug or its class, near it or elsewhere.
    pub risk_near: f64,
    pub risk_doc: f64,
    pub balance_near: f64,
    pub balance_doc: f64,
    pub prescription: f64,
    pub prescription_cap: f64,
    pub token_caveat: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            benefit_sentence: 1.5,
            benefit_block: 1.0,
            benefit_doc: 0.75,
            benefit_cap: 4.5,
            strength_first: 2.0,
            strength_more: 0.5,
            strength_cap: 3.0,
            sales_near: 2.5,
            sales_doc: 1.0,
            sales_cap: 7.5,
            strong_sales: 5.0,
            sales_balance_factor: 0.5,
            minimising: 3.0,
            minimising_cap: 6.0,
            risk_near: 2.0,
            risk_doc: 1.5,
            balance_near: 1.5,
            balance_doc: 1.0,
            prescription: 3.0,
            prescription_cap: 6.0,
            token_caveat: 1.0,
        }
    }
}

/// Layout constants, not weights.
mod limit {
    /// Bytes allowed between a drug name and its strength ("Tapentadol 100 mg", "(100mg)").
    pub const STRENGTH_GAP: usize = 3;
    /// Secondary labels per diagnostic, so that a spam page stays readable.
    pub const MAX_LABELS: usize = 6;
}

#[derive(Debug)]
pub(crate) struct Promotion {
    benefit: PatternId,
    sales: PatternId,
    minimising: PatternId,
    balance: PatternId,
    prescription: PatternId,
    token_caveat: PatternId,
    discouraging: PatternId,
    incidental: PatternId,
    list_cue: PatternId,
    research: PatternId,
    ordinary_purchase: PatternId,
    threshold: f64,
    short_words: usize,
    w: Weights,
    /// Every risk phrase of every drug and class (a plural too: "seizures"), in the shared
    /// pattern set.
    risks: Vec<PatternId>,
    /// Per drug: the ids of the risk phrases (drug and class) that balance it.
    drug_risks: Vec<Vec<usize>>,
    /// Single-word names and INN stems, for disguised and unlisted names.
    names: NameIndex,
}

/// What the article says of one drug, listed or named by its INN stem.
struct Subject<'l> {
    name: &'l str,
    listed: Option<&'l Drug>,
    rx: RxStatus,
    controlled: bool,
}

impl<'l> Subject<'l> {
    fn of(lexicon: &'l DrugLexicon, drug_idx: usize, signals: &'l Signals) -> Option<Subject<'l>> {
        Some(match lexicon.drugs.get(drug_idx) {
            Some(d) => Subject {
                name: &d.name,
                listed: Some(d),
                rx: d.rx,
                controlled: d.controlled,
            },
            // A medicine new enough to be missing from the lexicon is prescription-only.
            None => Subject {
                name: signals.unlisted.get(drug_idx - lexicon.drugs.len())?,
                listed: None,
                rx: RxStatus::Rx,
                controlled: false,
            },
        })
    }
}

/// The promotional signals found for one drug, each score capped.
#[derive(Default)]
struct Promo {
    benefit: f64,
    strength: f64,
    sales: f64,
    minimising: f64,
    labels: Vec<Label>,
    /// Where the signals start, for choosing the mention to report at.
    at: Vec<usize>,
    /// Sentences with a risk-minimising claim (sorted): balance there does not count.
    minimising_sentences: Vec<usize>,
}

/// How far a drug's signals reach: its sentences and paragraphs, or the whole article when it
/// is about the drug. Sentence, block and section indices are sorted: every membership test
/// is a binary search, so that a large file with many mentions and signals stays fast.
struct Reach {
    sentences: Vec<usize>,
    blocks: Vec<usize>,
    sections: Vec<usize>,
    main: bool,
    titled: bool,
    narrow: bool,
    short: bool,
    /// A strength written next to the name marks a product on offer ("Aspadol 100mg"): then
    /// the whole article speaks of it, as of a drug in the title.
    product: bool,
}

impl Reach {
    fn new(doc: &Document<'_>, kept: &[&Mention], scope: Scope, short: bool) -> Reach {
        let sentences = sorted(kept.iter().filter_map(|m| doc.sentence_at(m.range.start)));
        let blocks = sorted(kept.iter().filter_map(|m| doc.block_at(m.range.start)));
        let sections = sorted(blocks.iter().map(|&b| doc.blocks[b].section));
        Reach {
            sentences,
            blocks,
            sections,
            main: scope.main,
            titled: scope.titled,
            narrow: scope.narrow,
            short,
            product: kept
                .iter()
                .any(|m| strength_after(&doc.prose, m.range.end).is_some()),
        }
    }

    /// In a sentence that names the drug.
    fn in_sentence(&self, doc: &Document<'_>, r: &Range<usize>) -> bool {
        doc.sentence_at(r.start)
            .is_some_and(|s| self.sentences.binary_search(&s).is_ok())
    }

    /// Near the drug: in its paragraphs (its sentences when it is named only beside a main
    /// drug; anywhere in a short document).
    fn near(&self, doc: &Document<'_>, r: &Range<usize>) -> bool {
        if self.narrow {
            self.in_sentence(doc, r)
        } else if self.short {
            true
        } else {
            doc.block_at(r.start)
                .is_some_and(|b| self.blocks.binary_search(&b).is_ok())
        }
    }

    /// Where a promotional signal away from the drug's paragraphs still speaks of it:
    /// anywhere in an article titled with it (or selling it by strength), in the sections
    /// that name it in an article it is only salient in (a long condition page's
    /// clinical-trial boilerplate is about no drug).
    fn wide(&self, doc: &Document<'_>, r: &Range<usize>) -> bool {
        self.main
            && (self.titled
                || self.product
                || doc.block_at(r.start).is_some_and(|b| {
                    self.sections
                        .binary_search(&doc.blocks[b].section)
                        .is_ok()
                }))
    }

    /// Whether a signal at `r` reaches the drug only through the sections that name it: not
    /// in its paragraphs, in an article neither titled with it nor selling it by strength.
    fn by_section_only(&self, doc: &Document<'_>, r: &Range<usize>) -> bool {
        !self.near(doc, r) && self.wide(doc, r) && !self.titled && !self.product
    }
}

/// The sentence a range starts in.
fn sentence_of(doc: &Document<'_>, r: &Range<usize>) -> Option<Range<usize>> {
    doc.sentence_at(r.start)
        .map(|s| doc.sentences[s].range.clone())
}

impl Kind for Promotion {
    const NAME: &'static str = "promotion";
    /// `{drug}`: the drug as the article names it (with its generic name when that differs);
    /// `{signals}`: the kinds of promotional signal found ("benefit claims, sales language").
    const PLACEHOLDERS: &'static [&'static str] = &["drug", "signals"];
    type Spec = PromotionSpec;
    type Shared = ();
    type PerFile = ();

    fn compile(
        file: RuleFile<PromotionSpec>,
        source: &RuleSource,
        _shared: &mut (),
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
        let incidental = add(&c.incidental);
        let list_cue = add(&c.list_cue);
        let research = add(&c.research);
        let ordinary_purchase = add(&c.ordinary_purchase);
        let (risks, drug_risks) = risk_patterns(&compiler.lexicon.drugs, compiler.patterns);
        let names = NameIndex::new(&compiler.lexicon.drugs, &c.inn_stems, c.stem_min_length);
        Ok(Promotion {
            benefit,
            sales,
            minimising,
            balance,
            prescription,
            token_caveat,
            discouraging,
            incidental,
            list_cue,
            research,
            ordinary_purchase,
            threshold: c.threshold,
            short_words: c.short_document_words,
            w: c.weights.clone(),
            risks,
            drug_risks,
            names,
        })
    }

    fn per_file(_shared: &(), _cx: &CheckContext<'_>) {}

    fn run(&self, _shared: &(), _file: &(), cx: &CheckContext<'_>, out: &mut Vec<Diagnostic>) {
        let lexicon = &cx.lexicon.drugs;
        let doc = cx.doc;
        let promotional =
            cx.hits.any(self.benefit) || cx.hits.any(self.sales) || cx.hits.any(self.minimising);
        if !promotional {
            // Nothing promotes anything: no need to look for disguised names either.
            return;
        }
        let mut mentions = cx.drug_mentions().to_vec();
        let short = is_short(&doc.prose, self.short_words);
        // Sales language near a range: anywhere in a short document, else in its paragraph.
        let any_sales = cx.hits.any(self.sales);
        let sales_near = |r: &Range<usize>| {
            any_sales
                && (short
                    || doc
                        .block_at(r.start)
                        .is_some_and(|b| cx.hits.any_in(self.sales, doc.blocks[b].range.clone())))
        };
        let glued = Glued {
            patterns: cx.patterns,
            lexicon,
            sales: self.sales,
        };
        let mut unlisted: Vec<String> = Vec::new();
        let mut extra_sales: Vec<Range<usize>> = Vec::new();
        for f in self
            .names
            .find(&doc.prose, &mentions, &sales_near, &glued, true)
        {
            match f {
                Found::Drug { drug, range, .. } => mentions.push(Mention { drug, range }),
                Found::Sales(r) => extra_sales.push(r),
                Found::Unlisted { name, range } => {
                    let k = match unlisted.iter().position(|n| *n == name) {
                        Some(k) => k,
                        None => {
                            unlisted.push(name);
                            unlisted.len() - 1
                        }
                    };
                    mentions.push(Mention {
                        drug: lexicon.drugs.len() + k,
                        range,
                    });
                }
            }
        }
        let mentions = leftmost_longest(mentions, |m| m.range.clone());
        if mentions.is_empty() {
            return;
        }
        extra_sales.sort_by_key(|r| (r.start, r.end));
        let signals = Signals {
            short,
            extra_sales,
            unlisted,
            lists: self.list_sentences(cx, &mentions, short),
        };
        let risk_hits = self.risk_hits(cx);
        let title_drugs = title_drugs(cx, lexicon, &mentions);
        // An untitled article has no topic to be off: do not raise severity on a guess.
        let untitled = doc.title().is_none() && doc.blocks.is_empty();
        let title_names_a_drug = untitled || !title_drugs.is_empty();
        let mut by_drug: BTreeMap<usize, Vec<Mention>> = BTreeMap::new();
        for m in mentions {
            by_drug.entry(m.drug).or_default().push(m);
        }
        // A short document is about every drug it names, unless its title names some; a long
        // one about the drugs of its title, or about a salient one: named at least three times,
        // at least twice as often as any other drug, and early (in the first quarter).
        let mut counts: Vec<usize> = by_drug.values().map(Vec::len).collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let busiest = counts.first().copied().unwrap_or(0);
        let runner_up = counts.get(1).copied().unwrap_or(0);
        let early = doc.prose.len() / 4;
        let salient: Vec<usize> = by_drug
            .iter()
            .filter(|(_, m)| {
                m.len() >= 3
                    && m.len() == busiest
                    && m.len() >= 2 * runner_up
                    && m.first().is_some_and(|m| m.range.start <= early)
            })
            .map(|(d, _)| *d)
            .collect();
        // In a short document whose title names a drug, another drug named only beside it
        // is still a comparator.
        let is_main = |drug: usize, _n: usize| {
            (short && title_drugs.is_empty())
                || title_drugs.contains(&drug)
                || salient.contains(&drug)
        };
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
                .filter_map(|m| doc.sentence_at(m.range.start)),
        );
        let main_blocks = sorted(
            main_mentions
                .iter()
                .filter_map(|m| doc.block_at(m.range.start)),
        );
        let cache = ContextCache::default();
        let mut found = Vec::new();
        for (&drug, mentions) in &by_drug {
            let main = is_main(drug, mentions.len());
            let comparator = !main
                && mentions.iter().all(|m| {
                    doc.sentence_at(m.range.start)
                        .is_some_and(|s| main_sentences.binary_search(&s).is_ok())
                });
            if comparator {
                continue;
            }
            // Named only in paragraphs about a main drug: only its own sentences speak of it.
            let narrow = !main
                && mentions.iter().all(|m| {
                    doc.block_at(m.range.start)
                        .is_some_and(|b| main_blocks.binary_search(&b).is_ok())
                });
            let scope = Scope {
                main,
                titled: short || title_drugs.contains(&drug),
                narrow,
                // The title names no drug and this one is not salient either: an opioid
                // inside a fitness post.
                off_topic: !title_names_a_drug && !salient.contains(&drug),
            };
            if let Some(d) = self.weigh(cx, drug, mentions, scope, &risk_hits, &cache, &signals) {
                found.push(d);
            }
        }
        found.sort_by_key(|d| d.primary.range.start);
        out.extend(found);
    }

}

impl Promotion {
    /// Sentences that list treatments: two drugs or more after a list cue ("include", "such
    /// as"), or, in a long article, three drugs or more. A short document's bare list of names
    /// ("Viagra - Cialis - Levitra") is a product list, not treatments. Sorted indices.
    fn list_sentences(
        &self,
        cx: &CheckContext<'_>,
        mentions: &[Mention],
        short: bool,
    ) -> Vec<usize> {
        let doc = cx.doc;
        let mut per: Vec<(usize, usize)> = mentions
            .iter()
            .filter_map(|m| doc.sentence_at(m.range.start).map(|s| (s, m.drug)))
            .collect();
        per.sort_unstable();
        per.dedup();
        let mut out = Vec::new();
        let mut i = 0;
        while i < per.len() {
            let s = per[i].0;
            let n = per[i..].iter().take_while(|(t, _)| *t == s).count();
            let cued = || {
                let range = doc.sentences[s].range.clone();
                cx.hits.any_in(self.list_cue, range)
            };
            if (n >= 3 && !short) || (n >= 2 && cued()) {
                out.push(s);
            }
            i += n;
        }
        out
    }

    /// Weighs one drug; returns its diagnostic when it is promoted: which of its mentions
    /// speak of it as a product, how far its signals reach, its promotional score against
    /// the threshold, its fair balance against that score, then the finding.
    #[allow(clippy::too_many_arguments)]
    fn weigh(
        &self,
        cx: &CheckContext<'_>,
        drug_idx: usize,
        mentions: &[Mention],
        scope: Scope,
        risk_hits: &[(usize, Range<usize>)],
        cache: &ContextCache,
        signals: &Signals,
    ) -> Option<Diagnostic> {
        let subject = Subject::of(&cx.lexicon.drugs, drug_idx, signals)?;
        let kept = self.kept_mentions(cx, mentions, signals);
        if kept.is_empty() {
            return None;
        }
        let reach = Reach::new(cx.doc, &kept, scope, signals.short);
        let promo = self.promotion(cx, &kept, &reach, cache, signals);
        // A drug a long article is not about, praised but neither sold nor called harmless,
        // is one of the treatments a condition page lists, not a product on offer.
        if !scope.main && promo.sales == 0.0 && promo.minimising == 0.0 {
            return None;
        }
        let score = self.promotional_score(&promo, &subject);
        if score < self.threshold {
            return None;
        }
        let balance = self.balance(cx, drug_idx, &promo, &reach, risk_hits, cache);
        if score <= balance {
            return None;
        }
        self.finding(cx, drug_idx, &subject, &kept, promo, scope.off_topic)
    }

    /// The mentions that speak of the drug as something on offer. Mentions that the sentence
    /// negates or discourages are safety advice, unless the same sentence also sells or
    /// minimises risk ("don't suffer: order tramadol now"). Mentions as a cause, a side
    /// effect, an interaction or in a list of treatments are incidental.
    fn kept_mentions<'m>(
        &self,
        cx: &CheckContext<'_>,
        mentions: &'m [Mention],
        signals: &Signals,
    ) -> Vec<&'m Mention> {
        let doc = cx.doc;
        mentions
            .iter()
            .filter(|m| {
                let Some(sentence) = sentence_of(doc, &m.range) else {
                    return true;
                };
                let selling = cx.hits.any_in(self.sales, sentence.clone())
                    || signals.extra_sales_in(&sentence)
                    || cx.hits.any_in(self.minimising, sentence.clone());
                if selling {
                    return true;
                }
                let listed_here = doc
                    .sentence_at(m.range.start)
                    .is_some_and(|s| signals.lists.binary_search(&s).is_ok());
                if listed_here {
                    return false;
                }
                let context = cx.context.of(doc, cx.hits, m.range.clone());
                let discouraged = cx.hits.any_in(self.discouraging, sentence.clone())
                    || cx.hits.any_in(self.incidental, sentence);
                !(context.negated || context.myth || discouraged)
            })
            .collect()
    }

    /// The promotional signals that speak of the drug: benefit claims, strengths next to its
    /// name, sales language and risk-minimising claims, each weighed and labelled.
    fn promotion(
        &self,
        cx: &CheckContext<'_>,
        kept: &[&Mention],
        reach: &Reach,
        cache: &ContextCache,
        signals: &Signals,
    ) -> Promo {
        let (w, doc) = (&self.w, cx.doc);
        let whole = 0..doc.prose.len();
        let plain = |r: &Range<usize>| cache.plain(cx, r);
        let about_research = |r: &Range<usize>| {
            reach.by_section_only(doc, r)
                && sentence_of(doc, r).is_some_and(|s| cx.hits.any_in(self.research, s))
        };
        let mut p = Promo::default();

        // Benefit claims in the drug's sentences and paragraphs.
        for r in cx.hits.of_in(self.benefit, whole.clone()) {
            // Benefit claims of the article's own drug count wherever they stand ("why people
            // like it" sections rarely repeat the name).
            if !(reach.near(doc, r) || reach.wide(doc, r)) || !plain(r) || about_research(r) {
                continue;
            }
            p.benefit += if reach.in_sentence(doc, r) {
                w.benefit_sentence
            } else if reach.near(doc, r) {
                w.benefit_block
            } else {
                w.benefit_doc
            };
            p.at.push(r.start);
            p.labels.push(Label::new(r.clone(), "benefit claim"));
        }
        p.benefit = p.benefit.min(w.benefit_cap);

        // Strengths written next to the name.
        for m in kept {
            if let Some(s) = strength_after(&doc.prose, m.range.end) {
                p.strength += if p.strength == 0.0 {
                    w.strength_first
                } else {
                    w.strength_more
                };
                p.at.push(m.range.start);
                p.labels.push(Label::new(s, "strength"));
            }
        }
        p.strength = p.strength.min(w.strength_cap);

        // Buying and sales language: near the drug, or anywhere when the article is about it.
        for r in cx
            .hits
            .of_in(self.sales, whole.clone())
            .chain(signals.extra_sales.iter())
        {
            // "it may only be sold against a prescription" is a caveat, not a pitch,
            // "never buy medicines from unregulated sites" is a warning, and "you can buy it
            // from a pharmacist" is everyday advice.
            if sentence_of(doc, r).is_some_and(|s| {
                cx.hits.any_in(self.prescription, s.clone())
                    || cx.hits.any_in(self.discouraging, s.clone())
                    || cx.hits.any_in(self.ordinary_purchase, s)
            }) {
                continue;
            }
            let weight = if reach.near(doc, r) {
                w.sales_near
            } else if reach.wide(doc, r) {
                w.sales_doc
            } else {
                continue;
            };
            // Not NegEx negation: sales language negates itself ("without a prescription"),
            // and a "without" earlier in the sentence does not stop the pitch.
            let c = cache.of(cx, r);
            if c.myth || c.other_experiencer {
                continue;
            }
            p.sales += weight;
            p.at.push(r.start);
            p.labels.push(Label::new(r.clone(), "sales language"));
        }
        p.sales = p.sales.min(w.sales_cap);

        // Risk-minimising claims.
        let mut minimising_sentences = Vec::new();
        for r in cx.hits.of_in(self.minimising, whole) {
            if !(reach.near(doc, r) || reach.wide(doc, r)) || about_research(r) {
                continue;
            }
            let c = cache.of(cx, r);
            if c.myth || c.other_experiencer {
                continue;
            }
            p.minimising += w.minimising;
            p.at.push(r.start);
            minimising_sentences.extend(doc.sentence_at(r.start));
            p.labels
                .push(Label::new(r.clone(), "risk-minimising claim"));
        }
        p.minimising = p.minimising.min(w.minimising_cap);
        p.minimising_sentences = sorted(minimising_sentences.into_iter());
        p
    }

    /// The promotional score. An over-the-counter medicine named with a benefit and nothing
    /// else is everyday advice ("paracetamol can ease a fever"), not promotion. Buying one at
    /// a pharmacy is ordinary too, so an OTC drug needs a risk-minimising claim, strong sales
    /// language, or a strength and sales language together, to count as promoted.
    fn promotional_score(&self, p: &Promo, subject: &Subject<'_>) -> f64 {
        let w = &self.w;
        let mut promo = p.benefit + p.strength + p.sales + p.minimising;
        if subject.rx != RxStatus::Rx
            && p.minimising == 0.0
            && p.sales < w.strong_sales
            && (p.strength == 0.0 || p.sales == 0.0)
        {
            promo = promo.min(self.threshold - 1.0);
        }
        promo
    }

    /// The fair balance of the drug: its named risks (or its class's), balance phrases,
    /// prescription caveats and a token caveat, outside the risk-minimising sentences.
    fn balance(
        &self,
        cx: &CheckContext<'_>,
        drug_idx: usize,
        p: &Promo,
        reach: &Reach,
        risk_hits: &[(usize, Range<usize>)],
        cache: &ContextCache,
    ) -> f64 {
        let (w, doc) = (&self.w, cx.doc);
        let whole = 0..doc.prose.len();
        let plain = |r: &Range<usize>| cache.plain(cx, r);
        let in_minimising = |r: &Range<usize>| {
            doc.sentence_at(r.start)
                .is_some_and(|s| p.minimising_sentences.binary_search(&s).is_ok())
        };
        let scope_weight = |r: &Range<usize>, near_w: f64, doc_w: f64| {
            if reach.near(doc, r) {
                Some(near_w)
            } else if reach.main {
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
            if let Some(x) = scope_weight(r, w.risk_near, w.risk_doc) {
                balance += x;
                seen_risks.push(*term);
            }
        }
        let mut seen_text: Vec<String> = Vec::new();
        for r in cx.hits.of_in(self.balance, whole.clone()) {
            let key = doc.prose[r.clone()].to_lowercase();
            if seen_text.contains(&key) || in_minimising(r) {
                continue;
            }
            if let Some(x) = scope_weight(r, w.balance_near, w.balance_doc) {
                balance += x;
                seen_text.push(key);
            }
        }
        let mut prescription = 0.0;
        for r in cx.hits.of_in(self.prescription, whole.clone()) {
            if in_minimising(r) || !plain(r) {
                continue;
            }
            if scope_weight(r, 1.0, 1.0).is_some() {
                prescription += w.prescription;
            }
        }
        balance += prescription.min(w.prescription_cap);
        // Spam pastes a pro-forma side-effect list next to its order button (HEALTH-RULES C7.8):
        // with strong sales language, named risks lower the score but cannot cancel it alone.
        if p.sales >= w.strong_sales {
            balance *= w.sales_balance_factor;
        }
        if cx
            .hits
            .of_in(self.token_caveat, whole)
            .any(|r| scope_weight(r, 1.0, 1.0).is_some())
        {
            balance += w.token_caveat;
        }
        balance
    }

    /// The finding for a promoted drug, at its first mention in a paragraph with a
    /// promotional signal.
    fn finding(
        &self,
        cx: &CheckContext<'_>,
        drug_idx: usize,
        subject: &Subject<'_>,
        kept: &[&Mention],
        mut p: Promo,
        off_topic: bool,
    ) -> Option<Diagnostic> {
        let (doc, lexicon) = (cx.doc, &cx.lexicon.drugs);
        p.at.sort_unstable();
        let first = kept
            .iter()
            .find(|m| {
                let Some(b) = doc.block_at(m.range.start) else {
                    return false;
                };
                let b = &doc.blocks[b].range;
                let i = p.at.partition_point(|&at| at < b.start);
                p.at.get(i).is_some_and(|&at| at < b.end)
            })
            .or_else(|| kept.first())?;
        let class = lexicon.class_of(drug_idx);
        // The name as it reads ("Tapa&shy;day" is "Tapaday").
        let named = doc
            .text
            .get(first.range.clone())
            .map_or(subject.name.into(), hidden::readable);
        let named = named.as_ref();
        let who = if named.eq_ignore_ascii_case(subject.name) {
            named.to_string()
        } else {
            format!("{named} ({})", subject.name)
        };
        let mut found = Vec::new();
        for (score, what) in [
            (p.benefit, "benefit claims"),
            (p.strength, "strengths"),
            (p.sales, "sales language"),
            (p.minimising, "risk-minimising claims"),
        ] {
            if score > 0.0 {
                found.push(what);
            }
        }
        let message = cx.message(&[("drug", &who), ("signals", &found.join(", "))]);
        let mut d = cx.diagnostic(
            message,
            Label::new(
                first.range.clone(),
                format!("{} is promoted here", subject.name),
            ),
        );
        p.labels.sort_by_key(|l| (l.range.start, l.range.end));
        p.labels.dedup_by(|a, b| a.range == b.range);
        for l in p.labels.into_iter().take(limit::MAX_LABELS) {
            d = d.with_label(l);
        }
        d = d.with_note(match subject.listed {
            Some(_) => drug_note(lexicon, drug_idx, off_topic),
            None => format!(
                "{}: not in the drug lexicon, named as a medicine by its INN stem; a new medicine is prescription-only",
                subject.name
            ),
        });
        if let Some(help) = &cx.rule.help {
            // British and American spellings of one risk are listed both; name it once.
            let mut risks: Vec<&str> = Vec::new();
            for r in subject
                .listed
                .map(|d| d.risks.iter())
                .into_iter()
                .flatten()
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
                format!("{help} (for {}: {})", subject.name, risks.join(", "))
            };
            d = d.with_help(help);
        }
        if cx.rule.severity == Severity::Warning
            && (subject.controlled || p.minimising > 0.0 || off_topic)
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
        && gap < limit::STRENGTH_GAP
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
        .map(|p| patterns.add_phrases(&[format!("{}s?", syntax::literal(p))]))
        .collect();
    (ids, per_drug)
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

/// Per-file findings every drug of the file is weighed with.
struct Signals {
    /// The document is short: one unit (see `short-document-words`).
    short: bool,
    /// Sales language glued into words ("BuyViagra"), sorted.
    extra_sales: Vec<Range<usize>>,
    /// Names of medicines known by their INN stem only; drug index `drugs.len() + k`.
    unlisted: Vec<String>,
    /// Sentences that list treatments (see [`Promotion::list_sentences`]), sorted.
    lists: Vec<usize>,
}

impl Signals {
    /// Whether glued sales language starts inside `range`.
    fn extra_sales_in(&self, range: &Range<usize>) -> bool {
        let i = self.extra_sales.partition_point(|r| r.start < range.start);
        self.extra_sales.get(i).is_some_and(|r| r.end <= range.end)
    }
}

/// Whether the prose has at most `limit` words, counted up to the limit only.
fn is_short(prose: &str, limit: usize) -> bool {
    // Words split at whitespace (and NUL), counted when they hold a letter or digit. A byte
    // loop: splitting by `char` cost as much as the rest of the check on long articles.
    let bytes = prose.as_bytes();
    let (mut words, mut alnum, mut at) = (0, false, 0);
    while let Some(&b) = bytes.get(at) {
        let (separates, len) = if b.is_ascii() {
            (b.is_ascii_whitespace() || b == 0x0B || b == 0, 1)
        } else {
            prose[at..]
                .chars()
                .next()
                .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8()))
        };
        if separates {
            words += usize::from(alnum);
            alnum = false;
            if words > limit {
                return false;
            }
        } else {
            alnum |= b.is_ascii_alphanumeric();
        }
        at += len;
    }
    words + usize::from(alnum) <= limit
}

/// How a drug stands in the article.
#[derive(Debug, Clone, Copy)]
struct Scope {
    /// The article is about this drug (named in the title, or the most named one).
    main: bool,
    /// Named in the title (or the document is short): signals anywhere speak of it.
    titled: bool,
    /// Named only inside paragraphs about a main drug: only its own sentences count.
    narrow: bool,
    /// The title names no drug (there is one) and this drug is not salient.
    off_topic: bool,
}

/// The NegEx/ConText context of signal matches, computed once per match and file although
/// every drug of the file asks about the same matches.
#[derive(Default)]
struct ContextCache {
    known: RefCell<HashMap<(usize, usize), Context>>,
}

impl ContextCache {
    /// Whether a match is asserted: not negated, not a myth, not someone else's.
    fn plain(&self, cx: &CheckContext<'_>, r: &Range<usize>) -> bool {
        let c = self.of(cx, r);
        !(c.negated || c.myth || c.other_experiencer)
    }

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
    use super::{is_short, strength_after};

    #[test]
    fn short_counts_words_with_a_letter_or_digit_split_at_any_whitespace() {
        let reference = |text: &str, limit: usize| {
            text.split(|c: char| c.is_whitespace() || c == '\0')
                .filter(|w| w.bytes().any(|b| b.is_ascii_alphanumeric()))
                .nth(limit)
                .is_none()
        };
        let texts = [
            "",
            "one",
            "one two three",
            "one two three four",
            " -- one\u{3000}two\u{a0}three\u{b}four\0five — six ",
            "café naïve — 100 mg\n\nV I A G R A",
            "\u{2003}\u{2003}",
        ];
        for text in texts {
            for limit in 0..7 {
                assert_eq!(
                    is_short(text, limit),
                    reference(text, limit),
                    "{text:?} {limit}"
                );
            }
        }
    }

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
