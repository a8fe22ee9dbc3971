//! NegEx/ConText-style context of a match, scoped to its sentence: takes the trigger hits
//! found in the same pass as everything else and hands on a [`Context`] — whether the match
//! is negated ("you don't need to worry about numbness"), hypothetical or conditional ("call
//! 999 if you have chest pain"), historical, about someone else ("my client had…"), or part
//! of a myth the article refutes. Trigger lists are data (`rules/lexicon/context.toml`).
//!
//! Scope, as in NegEx: a pre-trigger governs what follows it up to a terminator ("but",
//! "however"), a clause break (";"), another trigger of a different kind, or
//! [`MAX_SCOPE_WORDS`]; a post-trigger governs the few words before it. Only a window of
//! words around each match is read ([`WINDOW_WORDS`]), so the work per match is bounded. Pseudo-triggers ("no
//! wonder", "don't ignore", "don't wait") cancel the triggers they overlap.

use std::ops::Range;

use serde::Deserialize;

use crate::document::Document;
use healthlint_phrase::{Hits, PatternId, PatternSetBuilder};

/// How far a pre-trigger reaches, in words, when nothing ends its scope earlier.
pub const MAX_SCOPE_WORDS: usize = 8;
/// How far back a post-trigger reaches, in words (NegEx's window).
pub const POST_SCOPE_WORDS: usize = 5;
/// How many words around a match are read for triggers, terminators and pseudo-triggers:
/// the scopes above plus the length of the longest trigger phrase, with room to spare. Only
/// this window is read, so the work per match is bounded and a file that is one long
/// sentence is checked in linear time (reading the whole sentence per match was cubic).
const WINDOW_WORDS: usize = 24;
/// The same window's limit in bytes, for text whose words are not separated by ASCII spaces.
const WINDOW_BYTES: usize = 2048;

/// The trigger lists, as `rules/lexicon/context.toml` holds them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContextLexicon {
    pub negation: Negation,
    pub hypothetical: PreOnly,
    pub historical: PreOnly,
    pub other_experiencer: PreOnly,
    pub myth: PreOnly,
    pub terminators: Terms,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Negation {
    pub pre: Vec<String>,
    #[serde(default)]
    pub post: Vec<String>,
    #[serde(default)]
    pub pseudo: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreOnly {
    pub pre: Vec<String>,
}

/// A plain `terms = [...]` table, shared by the lexicons that need one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub terms: Vec<String>,
}

/// The context of one match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    pub negated: bool,
    pub hypothetical: bool,
    pub historical: bool,
    pub other_experiencer: bool,
    pub myth: bool,
}

impl Context {
    /// Asserted as the article's own statement about the reader: none of the modifiers apply.
    pub fn is_plain(&self) -> bool {
        *self == Context::default()
    }
}

/// Compiled trigger patterns.
#[derive(Debug, Clone)]
pub struct ContextRules {
    negation_pre: PatternId,
    negation_post: Option<PatternId>,
    pseudo: Option<PatternId>,
    hypothetical: PatternId,
    historical: PatternId,
    other: PatternId,
    myth: PatternId,
    terminators: PatternId,
}

impl ContextRules {
    pub fn compile(lexicon: &ContextLexicon, patterns: &mut PatternSetBuilder) -> ContextRules {
        let optional = |b: &mut PatternSetBuilder, list: &[String]| {
            (!list.is_empty()).then(|| b.add_phrases(list))
        };
        ContextRules {
            negation_pre: patterns.add_phrases(&lexicon.negation.pre),
            negation_post: optional(patterns, &lexicon.negation.post),
            pseudo: optional(patterns, &lexicon.negation.pseudo),
            hypothetical: patterns.add_phrases(&lexicon.hypothetical.pre),
            historical: patterns.add_phrases(&lexicon.historical.pre),
            other: patterns.add_phrases(&lexicon.other_experiencer.pre),
            myth: patterns.add_phrases(&lexicon.myth.pre),
            terminators: patterns.add_phrases(&lexicon.terminators.terms),
        }
    }

    /// The pattern ids of hypothetical triggers ("if", "watch for"), for checks that look for
    /// conditional guidance themselves.
    pub fn hypothetical_pattern(&self) -> PatternId {
        self.hypothetical
    }

    /// The context of `target` (a byte range in the prose) within its sentence.
    pub fn of(&self, doc: &Document<'_>, hits: &Hits, target: Range<usize>) -> Context {
        match doc.sentence_at(target.start) {
            Some(sentence) => self.of_in_sentence(doc, hits, sentence, target),
            None => Context::default(),
        }
    }

    /// [`ContextRules::of`] for a caller that has found the target's sentence (its index in
    /// `doc.sentences`) already.
    pub fn of_in_sentence(
        &self,
        doc: &Document<'_>,
        hits: &Hits,
        sentence: usize,
        target: Range<usize>,
    ) -> Context {
        // Asked once per match by most rules: where a slow file is stopped (`budget`).
        crate::budget::check();
        let block_index = doc.sentences[sentence].block;
        let sentence = doc.sentences[sentence].range.clone();
        let prose = &doc.prose;
        let window = word_window(prose, &sentence, &target);
        // Every trigger list is looked up once, for the window around the target only (a
        // binary search in [`Hits::of_in`]); the matches found are read where they are, not
        // copied (this runs for nearly every match of every rule).
        let local = |id: Option<PatternId>| {
            id.map(|p| hits.of_in(p, window.clone()))
                .into_iter()
                .flatten()
        };
        let pseudo = local(self.pseudo);
        let overlaps_pseudo =
            |r: &Range<usize>| pseudo.clone().any(|p| p.start < r.end && r.start < p.end);
        // A trigger glued into a hyphenated word ("risk-free", "no-nonsense") is part of that
        // word, not a clause-level trigger.
        let in_compound = |r: &Range<usize>| {
            prose.as_bytes().get(r.start.wrapping_sub(1)) == Some(&b'-')
                || prose.as_bytes().get(r.end) == Some(&b'-')
        };
        let ignored = |r: &Range<usize>| overlaps_pseudo(r) || in_compound(r);
        // Every trigger start in the sentence ends the scope of an earlier trigger of another kind.
        let kinds = [
            self.negation_pre,
            self.hypothetical,
            self.historical,
            self.other,
            self.myth,
        ]
        .map(|k| (k, local(Some(k))));
        let terminators = local(Some(self.terminators));
        // Whether a terminator or a clause break (";") starts in `from..=to`: only the stretch
        // between a trigger and the target is read, and only when there is such a trigger
        // (most matches have none, and reading the whole window per match was a tenth of a
        // long paragraph's time).
        let broken = |from: usize, to: usize| {
            terminators.clone().any(|r| (from..=to).contains(&r.start))
                || memchr::memchr(b';', &prose.as_bytes()[from..=to]).is_some()
        };
        let governs = |kind: PatternId| {
            let Some((_, triggers)) = kinds.iter().find(|(k, _)| *k == kind) else {
                return false;
            };
            triggers.clone().any(|trigger| {
                if trigger.end > target.start || ignored(trigger) {
                    return false;
                }
                // The trigger must not cover the target itself, and its scope must reach it:
                // nothing between them ends it.
                let other_kind_between = kinds.iter().filter(|(k, _)| *k != kind).any(|(_, o)| {
                    o.clone()
                        .any(|r| r.start >= trigger.end && r.end <= target.start)
                });
                !broken(trigger.end, target.start)
                    && !other_kind_between
                    && words_between(prose, trigger.end, target.start) <= MAX_SCOPE_WORDS
            })
        };
        let post_negated = local(self.negation_post).any(|t| {
            t.start >= target.end
                && !ignored(t)
                && words_between(prose, target.end, t.start) <= POST_SCOPE_WORDS
        });
        let block = &doc.blocks[block_index];
        // A "Myth:" heading or lead-in makes everything under it a refuted claim.
        let has_myth = |range: Range<usize>| hits.any_in(self.myth, range);
        let myth_by_structure = block
            .lead_in
            .is_some_and(|li| has_myth(doc.blocks[li].range.clone()))
            || doc.section_chain(block_index).take(1).any(|s| {
                s.heading
                    .is_some_and(|h| has_myth(doc.blocks[h].range.clone()))
            });
        Context {
            negated: governs(self.negation_pre) || post_negated,
            hypothetical: governs(self.hypothetical),
            historical: governs(self.historical),
            other_experiencer: governs(self.other),
            myth: governs(self.myth) || myth_by_structure,
        }
    }
}

/// The part of `sentence` within [`WINDOW_WORDS`] words (and [`WINDOW_BYTES`] bytes) of
/// `target` on either side, on character boundaries.
fn word_window(prose: &str, sentence: &Range<usize>, target: &Range<usize>) -> Range<usize> {
    let bytes = prose.as_bytes();
    let is_space = |b: u8| b.is_ascii_whitespace() || b == 0;
    let floor = sentence
        .start
        .max(target.start.saturating_sub(WINDOW_BYTES));
    let mut start = target.start.max(floor);
    for _ in 0..WINDOW_WORDS {
        while start > floor && is_space(bytes[start - 1]) {
            start -= 1;
        }
        while start > floor && !is_space(bytes[start - 1]) {
            start -= 1;
        }
    }
    let ceiling = sentence.end.min(target.end.saturating_add(WINDOW_BYTES));
    let mut end = target.end.min(ceiling);
    for _ in 0..WINDOW_WORDS {
        while end < ceiling && is_space(bytes[end]) {
            end += 1;
        }
        while end < ceiling && !is_space(bytes[end]) {
            end += 1;
        }
    }
    while !prose.is_char_boundary(start) {
        start += 1;
    }
    while !prose.is_char_boundary(end) {
        end -= 1;
    }
    start.min(end)..end
}

fn words_between(prose: &str, start: usize, end: usize) -> usize {
    if start >= end {
        return 0;
    }
    prose[start..end]
        .split(|c: char| c.is_whitespace() || c == '\0')
        .filter(|w| !w.is_empty())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The work per match is bounded by the window, whatever the sentence's length: this is
    /// what keeps a one-sentence file linear (issue 20, D1: a 50 KB sentence took 46 s).
    #[test]
    fn the_window_around_a_match_is_bounded_in_a_long_sentence() {
        let prose = "word ".repeat(20_000);
        let sentence = 0..prose.len();
        let middle = prose.len() / 2;
        let target = middle..middle + 4;
        let window = word_window(&prose, &sentence, &target);
        let words = prose[window.clone()].split_whitespace().count();
        assert!(words <= 2 * WINDOW_WORDS + 1, "{words} words in {window:?}");
        // Near the sentence's edges the window stops there.
        let first = word_window(&prose, &sentence, &(0..4));
        assert_eq!(first.start, 0);
        // Words without ASCII spaces are cut by bytes, on character boundaries.
        let glued = "é".repeat(10_000);
        let all = 0..glued.len();
        let w = word_window(&glued, &all, &(10_000..10_002));
        assert!(w.len() <= 2 * WINDOW_BYTES + 2);
        assert!(glued.is_char_boundary(w.start) && glued.is_char_boundary(w.end));
    }

    #[test]
    fn the_window_reaches_every_trigger_in_scope() {
        // A trigger within MAX_SCOPE_WORDS words of the match lies inside the window.
        let prose = format!(
            "{}do not use heat {}",
            "filler ".repeat(100),
            "filler ".repeat(100)
        );
        let target_start = prose.find("heat").unwrap();
        let window = word_window(&prose, &(0..prose.len()), &(target_start..target_start + 4));
        let trigger = prose.find("do not").unwrap();
        assert!(window.start <= trigger && window.end >= target_start + 4);
        assert!(words_between(&prose, window.start, trigger) >= MAX_SCOPE_WORDS);
    }

    /// The context of the first `needle` in the prose of `text`, with the built-in trigger
    /// lists.
    fn context_of(text: &str, needle: &str) -> Context {
        use crate::source::{Format, SourceFile};
        let lexicon = crate::rules::Lexicon::builtin().unwrap();
        let mut builder = PatternSetBuilder::default();
        let rules = ContextRules::compile(&lexicon.context, &mut builder);
        let patterns = builder.build().unwrap();
        let source = SourceFile::from_text("t.md", Format::Markdown, text);
        let doc = Document::parse(&source);
        let hits = patterns.scan(&doc.prose);
        let start = doc
            .prose
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` is not in the prose {:?}", doc.prose));
        rules.of(&doc, &hits, start..start + needle.len())
    }

    const PLAIN: Context = Context {
        negated: false,
        hypothetical: false,
        historical: false,
        other_experiencer: false,
        myth: false,
    };
    const NEGATED: Context = Context {
        negated: true,
        ..PLAIN
    };

    #[test]
    fn a_plain_statement_has_no_modifier() {
        let c = context_of(
            "# Sprains\n\nPut ice on the swollen ankle.\n",
            "swollen ankle",
        );
        assert_eq!(c, PLAIN);
        assert!(c.is_plain());
    }

    #[test]
    fn pre_and_post_negation() {
        let text = "# Sprains\n\nDo not put heat on a new sprain.\n";
        assert_eq!(context_of(text, "heat"), NEGATED);
        assert!(!context_of(text, "heat").is_plain());
        let text = "# Bruises\n\nA fracture is unlikely after a light knock.\n";
        assert_eq!(context_of(text, "fracture"), NEGATED);
        // A post-trigger reaches back at most POST_SCOPE_WORDS words.
        let text =
            "# Bruises\n\nA fracture after this kind of light knock to the shin is unlikely.\n";
        assert_eq!(context_of(text, "fracture"), PLAIN);
    }

    #[test]
    fn pseudo_triggers_and_hyphenated_words_do_not_negate() {
        let text = "# Sprains\n\nNo wonder the swelling came back.\n";
        assert_eq!(context_of(text, "swelling"), PLAIN);
        let text = "# Sprains\n\nThis no-nonsense guide covers swelling.\n";
        assert_eq!(context_of(text, "swelling"), PLAIN);
    }

    #[test]
    fn a_terminator_a_semicolon_or_a_new_sentence_ends_the_scope() {
        let text = "# Sprains\n\nDo not use ice on the ankle, but use heat after two days.\n";
        assert_eq!(context_of(text, "ice"), NEGATED);
        assert_eq!(context_of(text, "heat"), PLAIN);
        let text = "# Sprains\n\nDo not rub the ankle; use heat after two days.\n";
        assert_eq!(context_of(text, "heat"), PLAIN);
        let text = "# Sprains\n\nDo not panic. Heat helps after two days.\n";
        assert_eq!(context_of(text, "Heat"), PLAIN);
    }

    #[test]
    fn a_pre_trigger_reaches_max_scope_words_and_no_further() {
        let words = [
            "alpha", "bravo", "delta", "echo", "golf", "hotel", "india", "juliet", "kilo",
        ];
        let near = format!(
            "# Sprains\n\nNever {} heat.\n",
            words[..MAX_SCOPE_WORDS].join(" ")
        );
        assert_eq!(context_of(&near, "heat"), NEGATED);
        let far = format!(
            "# Sprains\n\nNever {} heat.\n",
            words[..MAX_SCOPE_WORDS + 1].join(" ")
        );
        assert_eq!(context_of(&far, "heat"), PLAIN);
    }

    #[test]
    fn a_trigger_of_another_kind_ends_the_scope_and_starts_its_own() {
        let text = "# Sprains\n\nNever rub the ankle if it is badly swollen.\n";
        assert_eq!(context_of(text, "rub"), NEGATED);
        assert_eq!(
            context_of(text, "swollen"),
            Context {
                hypothetical: true,
                ..PLAIN
            }
        );
        // "Do not drive yourself" is a pseudo-trigger (an urgency marker): nothing is negated.
        let text = "# Chest pain\n\nDo not drive yourself to hospital if you have chest pain.\n";
        assert_eq!(context_of(text, "hospital"), PLAIN);
        assert_eq!(
            context_of(text, "chest pain."),
            Context {
                hypothetical: true,
                ..PLAIN
            }
        );
    }

    #[test]
    fn historical_other_experiencer_and_myth_triggers() {
        let text = "# Asthma\n\nShe has a history of wheezing at night.\n";
        assert_eq!(
            context_of(text, "wheezing"),
            Context {
                historical: true,
                ..PLAIN
            }
        );
        let text = "# Numbness\n\nMy client felt numbness in her left leg.\n";
        assert_eq!(
            context_of(text, "numbness"),
            Context {
                other_experiencer: true,
                ..PLAIN
            }
        );
        let text = "# Sprains\n\nIt is a myth that heat heals a fresh sprain.\n";
        assert_eq!(
            context_of(text, "heat"),
            Context {
                myth: true,
                ..PLAIN
            }
        );
    }

    #[test]
    fn a_myth_heading_makes_its_section_a_refuted_claim() {
        let text = "# Sprains\n\n## Myth: heat heals\n\nPut heat on a fresh sprain at once.\n\n\
                    ## What helps\n\nPut ice on a fresh sprain.\n";
        assert_eq!(
            context_of(text, "heat on"),
            Context {
                myth: true,
                ..PLAIN
            }
        );
        assert_eq!(context_of(text, "ice"), PLAIN);
    }
}
