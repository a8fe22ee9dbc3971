//! The phrase engine against the regexes it exports (`syntax::phrase_regex`, which the
//! benchmark feeds to ripgrep), on generated text. Phrases are generated from a small grammar
//! of the syntax (words, optional letters, groups, optional groups, optional spaces, digits,
//! apostrophes, hyphens), and texts from the same trees: instances of each phrase with mixed
//! case and varied separators, near misses glued to other words, and filler. The two engines
//! must agree on every text:
//!
//! - the engine finds a match exactly where the regex finds its leftmost match, and after
//!   each match the next one starts where the regex's next match (searched from the end of the
//!   engine's match) starts; after the last, the regex finds nothing;
//! - each match the engine reports is a match of the regex, end to end.
//!
//! The engine's matches are leftmost-longest and the regex's leftmost-first, so their ends may
//! differ ("(pain|pain killer)"); the second condition is what holds them to the same
//! meaning. The generator is a fixed-seed xorshift, so a failure names a reproducible case.

use healthlint_phrase::{syntax, PatternSetBuilder};
use regex::Regex;

/// A small deterministic generator (xorshift64*), so that no failure depends on the run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Words of the grammar: short, sharing prefixes ("pain", "painful", "pains") so that word
/// boundaries and optional letters are tested, with an apostrophe, a hyphenated word and a
/// unit.
const WORDS: &[&str] = &[
    "pain", "painful", "back", "low", "lower", "chest", "arm", "ache", "aches", "don't", "can't",
    "x-ray", "mg", "dose", "doses", "take", "taken", "cure", "safe", "a", "an", "of", "the",
];

/// One element of a generated phrase.
#[derive(Debug, Clone)]
enum Gen {
    Word(&'static str),
    /// A word whose last letter is optional ("doses?").
    OptLast(&'static str),
    /// `(a|b|…)`, each alternative a run of words.
    Group(Vec<Vec<&'static str>>),
    Digit,
    Digits,
}

/// A generated phrase: elements joined by separators, each a space or an optional space.
#[derive(Debug, Clone)]
struct GenPhrase {
    parts: Vec<Gen>,
    /// For each gap between parts: whether the space is optional (` ?`).
    optional_gaps: Vec<bool>,
}

fn gen_phrase(rng: &mut Rng) -> GenPhrase {
    let len = 1 + rng.below(4);
    let mut parts = Vec::with_capacity(len);
    for i in 0..len {
        let part = match rng.below(10) {
            0..=3 => Gen::Word(rng.pick(WORDS)),
            // Only words that stay words without their last letter ("a?" could match nothing).
            4 | 5 => match rng.pick(WORDS) {
                word if word.len() > 2 => Gen::OptLast(word),
                word => Gen::Word(word),
            },
            6 | 7 => {
                let alternatives = (0..2 + rng.below(2))
                    .map(|_| (0..1 + rng.below(2)).map(|_| rng.pick(WORDS)).collect())
                    .collect();
                Gen::Group(alternatives)
            }
            // Digits are never first (a phrase starting with a number is keyed differently),
            // and never follow `\d+`: the engine takes a run of digits whole, as its syntax
            // says, where a regex gives some back ("\d+ ?\d+" on "2024"). No possessive
            // quantifier exists in the regexes ripgrep reads, so that phrase cannot be
            // exported; it says nothing a rule would want to say.
            8 if i > 0 && !matches!(parts.last(), Some(Gen::Digits)) => Gen::Digit,
            9 if i > 0 && !matches!(parts.last(), Some(Gen::Digits)) => Gen::Digits,
            _ => Gen::Word(rng.pick(WORDS)),
        };
        parts.push(part);
    }
    let optional_gaps = (1..len).map(|_| rng.chance(25)).collect();
    GenPhrase {
        parts,
        optional_gaps,
    }
}

impl GenPhrase {
    /// The phrase as a rule author writes it.
    fn syntax(&self) -> String {
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push(' ');
                if self.optional_gaps[i - 1] {
                    out.push('?');
                }
            }
            match part {
                Gen::Word(word) => out.push_str(word),
                Gen::OptLast(word) => {
                    out.push_str(word);
                    out.push('?');
                }
                Gen::Group(alternatives) => {
                    out.push('(');
                    let written: Vec<String> = alternatives.iter().map(|a| a.join(" ")).collect();
                    out.push_str(&written.join("|"));
                    out.push(')');
                }
                Gen::Digit => out.push_str(r"\d"),
                Gen::Digits => out.push_str(r"\d+"),
            }
        }
        out
    }

    /// Text that reads as the phrase: random case, separators and apostrophes.
    fn instance(&self, rng: &mut Rng) -> String {
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                let optional = self.optional_gaps[i - 1];
                if !(optional && rng.chance(40)) {
                    out.push_str(separator(rng));
                }
            }
            match part {
                Gen::Word(word) => push_word(&mut out, word, rng),
                Gen::OptLast(word) => {
                    let cut = if rng.chance(50) {
                        word.len() - 1
                    } else {
                        word.len()
                    };
                    push_word(&mut out, &word[..cut], rng);
                }
                Gen::Group(alternatives) => {
                    let alternative = &alternatives[rng.below(alternatives.len())];
                    for (j, word) in alternative.iter().enumerate() {
                        if j > 0 {
                            out.push_str(separator(rng));
                        }
                        push_word(&mut out, word, rng);
                    }
                }
                Gen::Digit => out.push(char::from(b'0' + rng.below(10) as u8)),
                Gen::Digits => {
                    for _ in 0..1 + rng.below(4) {
                        out.push(char::from(b'0' + rng.below(10) as u8));
                    }
                }
            }
        }
        out
    }
}

fn separator(rng: &mut Rng) -> &'static str {
    rng.pick(&[" ", " ", " ", "  ", "-", "\n", "\t", " - ", " \n "])
}

fn push_word(out: &mut String, word: &str, rng: &mut Rng) {
    let upper = rng.below(3);
    for c in word.chars() {
        match c {
            '\'' if rng.chance(30) => out.push('’'),
            c if upper == 1 || (upper == 2 && rng.chance(30)) => out.push(c.to_ascii_uppercase()),
            c => out.push(c),
        }
    }
}

/// A text around instances of `phrases`: filler words and punctuation, instances as they
/// are, glued to a letter or digit before or after (never a match), or cut short.
fn gen_text(phrases: &[GenPhrase], rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..6 + rng.below(10) {
        match rng.below(10) {
            0..=3 => push_word(&mut out, rng.pick(WORDS), rng),
            4..=6 => out.push_str(&phrases[rng.below(phrases.len())].instance(rng)),
            7 => {
                out.push(rng.pick(&['x', '7', '_']));
                out.push_str(&phrases[rng.below(phrases.len())].instance(rng));
            }
            8 => {
                out.push_str(&phrases[rng.below(phrases.len())].instance(rng));
                out.push(rng.pick(&['s', '9', '_']));
            }
            _ => {
                let instance = phrases[rng.below(phrases.len())].instance(rng);
                let cut = instance.char_indices().nth(instance.chars().count() / 2);
                out.push_str(&instance[..cut.map_or(0, |(i, _)| i)]);
            }
        }
        out.push_str(rng.pick(&[" ", " ", ", ", ". ", "\n", " (", ") ", "; ", "-", " ’"]));
    }
    out
}

#[test]
fn the_engine_and_the_exported_regexes_agree_on_generated_text() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0usize;
    let mut matches = 0usize;
    for round in 0..40 {
        let generated: Vec<GenPhrase> = (0..50).map(|_| gen_phrase(&mut rng)).collect();
        let written: Vec<String> = generated.iter().map(GenPhrase::syntax).collect();
        let mut builder = PatternSetBuilder::default();
        let ids: Vec<_> = written
            .iter()
            .map(|phrase| builder.add_phrases(&[phrase]))
            .collect();
        let set = builder.build().expect("generated phrases are valid");
        let regexes: Vec<Regex> = written
            .iter()
            .map(|phrase| Regex::new(&syntax::phrase_regex(phrase)).expect("exported regex"))
            .collect();
        let whole: Vec<Regex> = written
            .iter()
            .map(|phrase| {
                Regex::new(&format!(r"\A(?:{})\z", syntax::phrase_regex(phrase))).unwrap()
            })
            .collect();
        for _ in 0..25 {
            let text = gen_text(&generated, &mut rng);
            let hits = set.scan(&text);
            for (k, id) in ids.iter().enumerate() {
                let context = || format!("round {round}, phrase {:?}, text {text:?}", written[k]);
                let mut from = 0;
                for found in hits.of(*id) {
                    let expected = regexes[k].find_at(&text, from).map(|m| m.start());
                    assert_eq!(Some(found.start), expected, "{}", context());
                    assert!(
                        whole[k].is_match(&text[found.clone()]),
                        "{:?} is not a match of the regex: {}",
                        &text[found.clone()],
                        context()
                    );
                    from = found.end;
                    matches += 1;
                }
                assert_eq!(
                    regexes[k].find_at(&text, from).map(|m| m.range()),
                    None,
                    "the regex finds a match the engine does not: {}",
                    context()
                );
                checked += 1;
            }
        }
    }
    // The generator must exercise the engine, not only texts where nothing matches.
    assert!(
        checked == 40 * 50 * 25 && matches > 10_000,
        "{matches} matches"
    );
}
