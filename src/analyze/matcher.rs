//! The multi-pattern matcher. Rules register phrase lists while they compile; each list
//! becomes one pattern with an id. All patterns are compiled once into a `RegexSet`, which
//! finds in a single pass over a file's prose which patterns occur at all; only those are then
//! searched for their positions. Most patterns occur in few files, so the cost per file is
//! close to one scan, however many rules there are.

use std::collections::HashMap;
use std::ops::Range;

use regex::{Regex, RegexSet};

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
            .map(|s| Regex::new(s))
            .collect::<Result<Vec<_>, _>>()?;
        // The lazy DFA of a large set (the drug-promotion signal lists alone hold ~200
        // phrases) outgrows the default cache on big files and falls back to the PikeVM: 15 s
        // instead of 0.8 s on a 3 MB file. The cache only grows as states are needed.
        let set = regex::RegexSetBuilder::new(&self.sources)
            .dfa_size_limit(64 << 20)
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

    /// Matches of a pattern inside a byte range. A pattern's matches do not overlap and come
    /// in text order, so a binary search finds the first one: a check that asks about every
    /// sentence of a large file stays linear instead of quadratic.
    pub fn of_in(
        &self,
        id: PatternId,
        range: Range<usize>,
    ) -> impl Iterator<Item = &Range<usize>> + '_ {
        let lo = self
            .found
            .partition_point(|(p, r)| (*p, r.start) < (id, range.start));
        self.found[lo..]
            .iter()
            .take_while(move |(p, r)| *p == id && r.start < range.end)
            .map(|(_, r)| r)
            .filter(move |r| r.end <= range.end)
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

    #[test]
    fn of_in_matches_a_filter_over_all_hits() {
        // Guards the binary search in `of_in`: same answers as filtering every hit.
        let mut b = PatternSetBuilder::default();
        let ice = b.add_phrases(&["ice"]);
        let heat = b.add_phrases(&["heat"]);
        let set = b.build().unwrap();
        let prose = "ice heat ice, ice. heat ice heat ice";
        let hits = set.scan(prose);
        for start in 0..prose.len() {
            for end in start..=prose.len() {
                for id in [ice, heat] {
                    let fast: Vec<_> = hits.of_in(id, start..end).cloned().collect();
                    let slow: Vec<_> = hits
                        .of(id)
                        .filter(|r| r.start >= start && r.end <= end)
                        .cloned()
                        .collect();
                    assert_eq!(fast, slow, "{start}..{end}");
                }
            }
        }
    }
}
