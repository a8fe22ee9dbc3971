//! The multi-pattern matcher. Rules register phrase lists while they compile; each list
//! becomes one pattern with an id. All patterns are compiled once into a `RegexSet`, which
//! finds in a single pass over a file's prose which patterns occur at all; only those are then
//! searched for their positions. Most patterns occur in few files, so the cost per file is
//! close to one scan, however many rules there are.

use std::collections::HashMap;
use std::ops::Range;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// Compiled-size limit of the combined set and of each pattern. The red-flag packs alone hold
/// thousands of phrase alternatives; the default 10 MiB limit is too small for the set.
const SIZE_LIMIT: usize = 256 << 20;
/// Lazy-DFA cache per pattern and thread: with a cache too small for the combined set, the
/// DFA keeps clearing its cache and the search falls back to a slow NFA simulation.
const DFA_SIZE_LIMIT: usize = 64 << 20;

use crate::rules::pattern;

/// Identifies one registered phrase list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatternId(pub u32);

/// Collects phrase lists while rules compile. Identical lists share one id.
#[derive(Default)]
pub struct PatternSetBuilder {
    sources: Vec<String>,
    by_source: HashMap<String, PatternId>,
}

impl PatternSetBuilder {
    /// Registers a list of phrases (see [`pattern`]) matched as one alternation. Phrases must
    /// have been validated by the caller, which knows where they stand in a rule file.
    pub fn add_phrases<S: AsRef<str>>(&mut self, phrases: &[S]) -> PatternId {
        self.add_regex(pattern::any_of(phrases))
    }

    /// Registers a raw regex (used for built-in structural patterns such as strengths).
    pub fn add_regex(&mut self, source: String) -> PatternId {
        if let Some(&id) = self.by_source.get(&source) {
            return id;
        }
        let id = PatternId(self.sources.len() as u32);
        self.by_source.insert(source.clone(), id);
        self.sources.push(source);
        id
    }

    pub fn build(self) -> Result<PatternSet, regex::Error> {
        let regexes = self
            .sources
            .iter()
            .map(|s| {
                RegexBuilder::new(s)
                    .size_limit(SIZE_LIMIT)
                    .dfa_size_limit(DFA_SIZE_LIMIT)
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let set = RegexSetBuilder::new(&self.sources)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .build()?;
        Ok(PatternSet { set, regexes })
    }
}

/// All patterns of a rule set, compiled once and shared read-only by every thread.
#[derive(Debug)]
pub struct PatternSet {
    set: RegexSet,
    regexes: Vec<Regex>,
}

impl PatternSet {
    pub fn len(&self) -> usize {
        self.regexes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }

    /// Finds every match of every pattern in `prose`.
    pub fn scan(&self, prose: &str) -> Hits {
        let mut found = Vec::new();
        for id in self.set.matches(prose).iter() {
            for m in self.regexes[id].find_iter(prose) {
                found.push((PatternId(id as u32), m.range()));
            }
        }
        // RegexSet ids come in ascending order and find_iter in text order: already sorted.
        Hits { found }
    }

    /// Matches of one pattern inside `range` only (for checks that need a narrower view).
    pub fn find_in<'p>(
        &'p self,
        id: PatternId,
        prose: &'p str,
        range: Range<usize>,
    ) -> impl Iterator<Item = Range<usize>> + 'p {
        let start = range.start;
        self.regexes[id.0 as usize]
            .find_iter(&prose[range])
            .map(move |m| start + m.start()..start + m.end())
    }
}

/// Matches in one file, grouped by pattern and in text order within a pattern.
#[derive(Debug, Default)]
pub struct Hits {
    found: Vec<(PatternId, Range<usize>)>,
}

impl Hits {
    /// All matches of a pattern, in text order.
    pub fn of(&self, id: PatternId) -> impl Iterator<Item = &Range<usize>> + '_ {
        let start = self.found.partition_point(|(p, _)| *p < id);
        self.found[start..]
            .iter()
            .take_while(move |(p, _)| *p == id)
            .map(|(_, r)| r)
    }

    /// Matches of a pattern inside a byte range.
    pub fn of_in(
        &self,
        id: PatternId,
        range: Range<usize>,
    ) -> impl Iterator<Item = &Range<usize>> + '_ {
        self.of(id)
            .filter(move |r| r.start >= range.start && r.end <= range.end)
    }

    pub fn any(&self, id: PatternId) -> bool {
        self.of(id).next().is_some()
    }

    pub fn any_in(&self, id: PatternId, range: Range<usize>) -> bool {
        self.of_in(id, range).next().is_some()
    }

    pub fn len(&self) -> usize {
        self.found.len()
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_all_patterns_in_one_set() {
        let mut b = PatternSetBuilder::default();
        let chest = b.add_phrases(&["chest pain"]);
        let ice = b.add_phrases(&["ice", "cold pack"]);
        assert_eq!(b.add_phrases(&["chest pain"]), chest);
        let set = b.build().unwrap();
        let prose = "Ice it. Chest pain? A cold pack. Advice.";
        let hits = set.scan(prose);
        let ice_hits: Vec<_> = hits.of(ice).map(|r| &prose[r.clone()]).collect();
        assert_eq!(ice_hits, vec!["Ice", "cold pack"]);
        assert_eq!(hits.of(chest).count(), 1);
        assert!(hits.any_in(ice, 20..40));
        assert!(!hits.any_in(chest, 20..40));
    }
}
