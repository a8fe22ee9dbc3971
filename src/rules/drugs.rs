//! The drug lexicon: takes the built-in `rules/lexicon/drugs/*.toml` files (one `[[drug]]` per
//! active substance) and `rules/lexicon/drug-classes.toml` (`[[class]]`), validates them and
//! hands on a [`DrugLexicon`] — typed drugs and classes, and every generic name, alias and
//! brand, which [`DrugLexicon::register`] adds to the shared pattern set so that the one scan
//! of a file finds them. [`DrugLexicon::mentions`] reads them from that scan:
//! case-insensitive, whole word, the longest name winning where names overlap ("Nurofen
//! Plus" over "Nurofen"), and a strength glued to the name accepted ("Aspadol100mg",
//! "Soma350"). Errors point at the offending key.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;

use super::builtin;
pub use crate::analyze::mention::Mention;
use crate::analyze::{Hits, PatternId, PatternSet, PatternSetBuilder};
use crate::error::SpannedError;

/// Prescription status, as the lexicon states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RxStatus {
    /// Prescription-only (in the US and the UK).
    Rx,
    /// Sold over the counter.
    Otc,
    /// Prescription-only in some countries or strengths, OTC in others.
    Varies,
}

/// A US Controlled Substances Act schedule.
// Schedules are Roman numerals, not acronyms.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum ScheduleUs {
    #[serde(rename = "C-I")]
    I,
    #[serde(rename = "C-II")]
    II,
    #[serde(rename = "C-III")]
    III,
    #[serde(rename = "C-IV")]
    IV,
    #[serde(rename = "C-V")]
    V,
}

impl ScheduleUs {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleUs::I => "C-I",
            ScheduleUs::II => "C-II",
            ScheduleUs::III => "C-III",
            ScheduleUs::IV => "C-IV",
            ScheduleUs::V => "C-V",
        }
    }
}

/// One `[[drug]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DrugSpec {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    brands: Vec<Spanned<String>>,
    /// Brands that are also ordinary words ("Soma", "Alli"): matched only with the
    /// capitalisation written here.
    #[serde(default)]
    word_like: Vec<Spanned<String>>,
    class: Spanned<String>,
    rx: RxStatus,
    controlled: bool,
    schedule_us: Option<ScheduleUs>,
    schedule_uk: Option<String>,
    #[serde(default)]
    risks: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DrugFile {
    drug: Vec<DrugSpec>,
}

/// One `[[class]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DrugClass {
    /// Identifier used by `class = "…"` in drug files.
    pub name: String,
    /// How the class is named to readers ("opioid painkiller").
    pub label: String,
    /// Risk phrases that count as fair balance for every drug of the class.
    #[serde(default)]
    pub risks: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassFile {
    class: Vec<DrugClass>,
}

/// A validated drug.
#[derive(Debug, Clone)]
pub(crate) struct Drug {
    /// Generic name, lowercase, unique.
    pub name: String,
    /// Index into [`DrugLexicon::classes`].
    pub class: usize,
    pub rx: RxStatus,
    pub controlled: bool,
    pub schedule_us: Option<ScheduleUs>,
    pub schedule_uk: Option<String>,
    /// Drug-specific risk phrases.
    pub risks: Vec<String>,
}

/// Every drug, its class, and their names.
#[derive(Debug, Clone, Default)]
pub(crate) struct DrugLexicon {
    pub drugs: Vec<Drug>,
    pub classes: Vec<DrugClass>,
    /// Every name as registered: (text, drug index, exact spelling when word-like).
    terms: Vec<(String, usize, Option<String>)>,
    /// Per registered pattern: (pattern id, drug index, exact spelling); empty until
    /// [`DrugLexicon::register`].
    patterns: Vec<(PatternId, usize, Option<String>)>,
    /// (pattern id, index into `patterns`), sorted: which names a scan's hits are.
    by_pattern: Vec<(PatternId, u32)>,
}

const CLASSES_PATH: &str = "lexicon/drug-classes.toml";
const DRUGS_DIR: &str = "lexicon/drugs/";

impl DrugLexicon {
    /// Loads the built-in drug and class files, collecting every error.
    pub fn builtin() -> Result<DrugLexicon, Vec<SpannedError>> {
        let mut files: Vec<(String, Arc<str>)> = builtin::files_under(DRUGS_DIR)
            .map(|(p, t)| (format!("rules/{p}"), Arc::from(t)))
            .collect();
        files.sort();
        let classes = builtin::files_under(CLASSES_PATH)
            .next()
            .map(|(p, t)| (format!("rules/{p}"), Arc::from(t)));
        let Some(classes) = classes else {
            return Err(vec![SpannedError::new(
                &format!("rules/{CLASSES_PATH}"),
                &Arc::from(""),
                None,
                "built-in lexicon file is missing",
            )]);
        };
        DrugLexicon::from_texts(&classes, &files)
    }

    /// Parses and validates a class file and drug files given as (origin, text).
    pub(crate) fn from_texts(
        classes: &(String, Arc<str>),
        drug_files: &[(String, Arc<str>)],
    ) -> Result<DrugLexicon, Vec<SpannedError>> {
        let mut errors = Vec::new();
        let class_list: Vec<DrugClass> = match toml::from_str::<ClassFile>(&classes.1) {
            Ok(f) => f.class,
            Err(e) => return Err(vec![SpannedError::from_toml(&classes.0, &classes.1, &e)]),
        };
        let class_index: HashMap<&str, usize> = class_list
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let mut drugs = Vec::new();
        // (term lowercased) -> drug name, to catch one name given to two drugs.
        let mut seen_terms: HashMap<String, String> = HashMap::new();
        let mut seen_names: HashMap<String, String> = HashMap::new();
        let mut terms: Vec<(String, usize, Option<String>)> = Vec::new();
        // The files parse independently: in parallel, validated below in file order.
        let parsed: Vec<Result<DrugFile, toml::de::Error>> = drug_files
            .par_iter()
            .map(|(_, text)| toml::from_str(text))
            .collect();
        for ((origin, text), parsed) in drug_files.iter().zip(parsed) {
            let file = match parsed {
                Ok(f) => f,
                Err(e) => {
                    errors.push(SpannedError::from_toml(origin, text, &e));
                    continue;
                }
            };
            for spec in file.drug {
                let err = |errors: &mut Vec<SpannedError>, span: Range<usize>, msg: String| {
                    errors.push(SpannedError::new(origin, text, Some(span), msg));
                };
                let name = spec.name.get_ref().trim().to_string();
                if name.is_empty() || name != name.to_lowercase() {
                    err(
                        &mut errors,
                        spec.name.span(),
                        format!("drug name `{name}` must be a non-empty lowercase generic name"),
                    );
                    continue;
                }
                if let Some(first) = seen_names.insert(name.clone(), origin.clone()) {
                    err(
                        &mut errors,
                        spec.name.span(),
                        format!("duplicate drug `{name}`: already defined in {first}"),
                    );
                    continue;
                }
                let Some(&class) = class_index.get(spec.class.get_ref().as_str()) else {
                    err(
                        &mut errors,
                        spec.class.span(),
                        format!(
                            "unknown drug class `{}`: add it to rules/{CLASSES_PATH}",
                            spec.class.get_ref()
                        ),
                    );
                    continue;
                };
                let idx = drugs.len();
                let word_like: Vec<String> = spec
                    .word_like
                    .iter()
                    .map(|w| w.get_ref().trim().to_string())
                    .collect();
                for w in &spec.word_like {
                    if !spec
                        .brands
                        .iter()
                        .any(|b| b.get_ref().trim() == w.get_ref().trim())
                    {
                        err(
                            &mut errors,
                            w.span(),
                            format!("`{}` in word-like is not one of the brands", w.get_ref()),
                        );
                    }
                }
                let all = std::iter::once((name.clone(), spec.name.span()))
                    .chain(
                        spec.aliases
                            .iter()
                            .chain(&spec.brands)
                            .map(|t| (t.get_ref().trim().to_string(), t.span())),
                    )
                    .collect::<Vec<_>>();
                for (term, span) in all {
                    if term.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                        err(
                            &mut errors,
                            span,
                            format!("drug term `{term}` is too short"),
                        );
                        continue;
                    }
                    let key = normalise(&term);
                    match seen_terms.get(&key) {
                        Some(other) if *other != name => {
                            err(
                                &mut errors,
                                span,
                                format!("`{term}` already names the drug `{other}`"),
                            );
                            continue;
                        }
                        Some(_) => continue,
                        None => {
                            seen_terms.insert(key, name.clone());
                        }
                    }
                    let exact = word_like.contains(&term).then(|| term.clone());
                    terms.push((term, idx, exact));
                }
                drugs.push(Drug {
                    name,
                    class,
                    rx: spec.rx,
                    controlled: spec.controlled,
                    schedule_us: spec.schedule_us,
                    schedule_uk: spec.schedule_uk,
                    risks: spec.risks,
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        DrugLexicon::build(drugs, class_list, terms).map_err(|message| {
            vec![SpannedError::new(
                &classes.0,
                &classes.1,
                None,
                format!("the drug name automaton does not build: {message}"),
            )]
        })
    }

    fn build(
        drugs: Vec<Drug>,
        classes: Vec<DrugClass>,
        terms: Vec<(String, usize, Option<String>)>,
    ) -> Result<DrugLexicon, String> {
        // A multi-word term matches with spaces or hyphens ("Pain O Soma", "Pain-O-Soma") as
        // every phrase does, and is registered written as one word too ("PainOSoma").
        let mut variants = Vec::new();
        for (term, drug, exact) in terms {
            let words = term
                .split([' ', '-'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>();
            let mut forms = vec![words.join(" ")];
            if words.len() > 1 {
                forms.push(words.concat());
            }
            for form in forms {
                let exact = exact.as_ref().map(|_| form.clone());
                variants.push((form, drug, exact));
            }
        }
        Ok(DrugLexicon {
            drugs,
            classes,
            terms: variants,
            patterns: Vec::new(),
            by_pattern: Vec::new(),
        })
    }

    /// Adds every name to the shared pattern set (names are plain text, and a strength may
    /// be glued to them), so that [`DrugLexicon::mentions`] can read them from a file's scan.
    pub(crate) fn register(&mut self, patterns: &mut PatternSetBuilder) {
        self.patterns = self
            .terms
            .iter()
            .map(|(form, drug, exact)| (patterns.add_names(&[form]), *drug, exact.clone()))
            .collect();
        self.by_pattern = (0u32..)
            .zip(&self.patterns)
            .map(|(i, (id, ..))| (*id, i))
            .collect();
        self.by_pattern.sort_unstable();
    }

    /// The class of a drug.
    pub(crate) fn class_of(&self, drug: usize) -> Option<&DrugClass> {
        self.drugs.get(drug).and_then(|d| self.classes.get(d.class))
    }

    /// Every drug name in `prose`, in text order: whole words, except that digits may follow
    /// the name directly (a glued strength such as "Aspadol100mg").
    pub(crate) fn mentions(&self, hits: &Hits, prose: &str) -> Vec<Mention> {
        // The names a scan found, in registration order (which breaks ties below), read from
        // the patterns with hits rather than by asking about each of thousands of names.
        let mut named: Vec<u32> = Vec::new();
        for &id in hits.found() {
            let from = self.by_pattern.partition_point(|(p, _)| *p < id);
            named.extend(
                self.by_pattern[from..]
                    .iter()
                    .take_while(|(p, _)| *p == id)
                    .map(|(_, i)| *i),
            );
        }
        named.sort_unstable();
        let mut found: Vec<Mention> = Vec::new();
        for i in named {
            let (id, drug, exact) = &self.patterns[i as usize];
            for range in hits.of(*id) {
                // A word-like brand ("Soma") counts only as capitalised in the lexicon.
                // A hyphen stands for the space of the registered form ("Retin-A").
                if exact.as_deref().is_some_and(|e| {
                    prose.get(range.clone()).is_none_or(|p| {
                        !p.bytes()
                            .map(|b| if b == b'-' { b' ' } else { b })
                            .eq(e.bytes())
                    })
                }) {
                    continue;
                }
                found.push(Mention {
                    drug: *drug,
                    range: range.clone(),
                });
            }
        }
        leftmost_longest(found, |m| m.range.clone())
    }

    /// Drug names in a short text that is not a file's prose (a title, a front-matter
    /// field), scanned with the shared pattern set.
    pub(crate) fn mentions_in(&self, patterns: &PatternSet, text: &str) -> Vec<Mention> {
        self.mentions(&patterns.scan(text), text)
    }

    /// Every one-word name that is not also an ordinary word (word-like brands are left out),
    /// with its drug: what a disguised name is compared against.
    pub(crate) fn fuzzy_terms(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.terms
            .iter()
            .filter(|(t, _, exact)| exact.is_none() && !t.contains(' '))
            .map(|(t, d, _)| (t.as_str(), *d))
    }
}

/// Keeps, of items found at overlapping places, the one that starts first and, among those,
/// the longest ("Nurofen Plus" over "Nurofen"); the result is in text order.
pub(crate) fn leftmost_longest<T>(mut items: Vec<T>, range: impl Fn(&T) -> Range<usize>) -> Vec<T> {
    items.sort_by(|a, b| {
        let (a, b) = (range(a), range(b));
        a.start.cmp(&b.start).then(b.end.cmp(&a.end))
    });
    let mut reached = 0;
    items.retain(|item| {
        let r = range(item);
        let keep = r.start >= reached;
        if keep {
            reached = r.end;
        }
        keep
    });
    items
}

fn normalise(term: &str) -> String {
    term.to_lowercase()
        .split([' ', '-'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> (DrugLexicon, PatternSet) {
        let mut lex = DrugLexicon::builtin().expect("built-in drug lexicon loads");
        let mut patterns = PatternSetBuilder::default();
        lex.register(&mut patterns);
        (lex, patterns.build().expect("drug names build"))
    }

    fn names((lex, patterns): &(DrugLexicon, PatternSet), text: &str) -> Vec<(String, String)> {
        lex.mentions_in(patterns, text)
            .into_iter()
            .map(|m| (lex.drugs[m.drug].name.clone(), text[m.range].to_string()))
            .collect()
    }

    #[test]
    fn builtin_lexicon_is_large_and_valid() {
        let (lex, _) = lexicon();
        assert!(lex.drugs.len() >= 150, "{} drugs", lex.drugs.len());
        assert!(lex.terms.len() > lex.drugs.len());
    }

    #[test]
    fn matches_case_insensitively_with_glued_strengths() {
        let lex = lexicon();
        assert_eq!(
            names(&lex, "Buy Aspadol100mg or TAPENTADOL 100 mg today"),
            vec![
                ("tapentadol".into(), "Aspadol".into()),
                ("tapentadol".into(), "TAPENTADOL".into())
            ]
        );
        let found = names(&lex, "Pain O Soma 500 and Soma 350, also Pain-O-Soma");
        assert!(found.iter().all(|(n, _)| n == "carisoprodol"), "{found:?}");
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn whole_words_only_and_word_like_brands_need_their_capitals() {
        let lex = lexicon();
        assert!(names(&lex, "the somatic nervous system").is_empty());
        assert!(names(&lex, "the soma of a neuron").is_empty());
        assert_eq!(names(&lex, "Soma helps").len(), 1);
    }

    #[test]
    fn longest_name_wins() {
        let lex = lexicon();
        let found = names(&lex, "Nurofen Plus tablets");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "Nurofen Plus");
        assert_eq!(found[0].0, "codeine");
    }

    #[test]
    fn errors_point_at_the_key() {
        let classes = (
            "classes.toml".to_string(),
            Arc::from("[[class]]\nname = \"opioid\"\nlabel = \"opioid\"\n"),
        );
        let drugs = vec![(
            "d.toml".to_string(),
            Arc::from(
                "[[drug]]\nname = \"x-drug\"\nclass = \"nope\"\nrx = \"rx\"\ncontrolled = false\n",
            ),
        )];
        let errs = DrugLexicon::from_texts(&classes, &drugs).unwrap_err();
        assert_eq!(errs.len(), 1);
        let span = errs[0].span.clone().unwrap();
        assert_eq!(&drugs[0].1[span], "\"nope\"");
        let bad_rx = vec![(
            "d.toml".to_string(),
            Arc::from(
                "[[drug]]\nname = \"x\"\nclass = \"opioid\"\nrx = \"maybe\"\ncontrolled = false\n",
            ),
        )];
        let errs = DrugLexicon::from_texts(&classes, &bad_rx).unwrap_err();
        assert!(errs[0].span.is_some());
    }
}
