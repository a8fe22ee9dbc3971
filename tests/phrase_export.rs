//! The regexes `healthlint debug-patterns` exports for the benchmark's ripgrep run, against the
//! phrase engine, for every pattern of the built-in rules, on generated text. The phrase
//! crate's own differential test (`crates/phrase/tests/differential.rs`) covers the syntax on
//! generated phrases; this one covers the phrases the rules really hold (drug names, sign
//! lists, advice families), so the benchmark's comparison is between like and like.
//!
//! The text is built from the patterns' own words, taken in the order a pattern writes them
//! (so runs of them are often a phrase, or a phrase cut short), with varied case, separators
//! and punctuation, and numbers. For each pattern, every match the engine reports starts where
//! the regex's leftmost match from there starts, is itself a match of the regex, and after the
//! last the regex finds nothing.

use healthlint::config::Overrides;
use regex::Regex;

/// A fixed-seed xorshift64*, so that a failure names a reproducible text.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

/// The words of a regex source in the order it writes them: its letters, digits and
/// apostrophes, with the syntax around them dropped.
fn words_of(source: &str) -> Vec<String> {
    let plain = source
        .replace("(?:'|(?u:’))", "'")
        .replace(r"\b", " ")
        .replace(r"[\s\-]+", " ")
        .replace(r"[\s\-]*", " ")
        .replace("[0-9]+", " 25 ")
        .replace("[0-9]", " 7 ")
        .replace("(?i-u:", " ")
        .replace("(?u-i:", "");
    plain
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty() && *w != "'")
        .map(str::to_string)
        .collect()
}

#[test]
fn exported_regexes_match_as_the_engine_does_on_every_built_in_pattern() {
    let cwd = std::env::temp_dir();
    let linter = healthlint::load(&cwd, &Overrides::default()).expect("built-in rules load");
    let set = &linter.rules.patterns;
    let sources: Vec<String> = set.sources().collect();
    assert!(sources.len() > 1000, "{} patterns", sources.len());
    let regexes: Vec<Regex> = sources
        .iter()
        .map(|s| Regex::new(s).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect();
    let wholes: Vec<Regex> = sources
        .iter()
        .map(|s| Regex::new(&format!(r"\A(?:{s})\z")).expect("as above"))
        .collect();
    let runs: Vec<Vec<String>> = sources.iter().map(|s| words_of(s)).collect();

    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let separators = [
        " ", " ", " ", "  ", "-", "\n", ", ", ". ", " (", ") ", "’s ", "; ",
    ];
    let mut matched = 0usize;
    for round in 0..300 {
        let mut text = String::new();
        for _ in 0..12 {
            let run = &runs[rng.below(runs.len())];
            if run.is_empty() {
                continue;
            }
            let from = rng.below(run.len());
            let len = 1 + rng.below(4);
            for word in run.iter().skip(from).take(len) {
                let upper = rng.below(4);
                for c in word.chars() {
                    text.push(if upper == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    });
                }
                text.push_str(separators[rng.below(separators.len())]);
            }
        }
        let hits = set.scan(&text);
        for (k, regex) in regexes.iter().enumerate() {
            let id = healthlint_phrase::PatternId(k as u32);
            let mut from = 0;
            for found in hits.of(id) {
                let context = || {
                    format!(
                        "round {round}, pattern {k} ({}), text {text:?}",
                        &sources[k]
                    )
                };
                let start = regex.find_at(&text, from).map(|m| m.start());
                assert_eq!(start, Some(found.start), "{}", context());
                assert!(wholes[k].is_match(&text[found.clone()]), "{}", context());
                from = found.end;
                matched += 1;
            }
            let rest = regex.find_at(&text, from).map(|m| m.range());
            assert_eq!(
                rest, None,
                "round {round}, pattern {k} ({}), text {text:?}",
                &sources[k]
            );
        }
    }
    assert!(
        matched > 1000,
        "only {matched} matches: the text exercises nothing"
    );
}
