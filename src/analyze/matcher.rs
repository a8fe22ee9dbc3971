//! The multi-pattern matcher. Rules register phrase lists while they compile; each list
//! becomes one pattern with an id. All patterns are compiled once into a `RegexSet`, which
//! finds in a single pass over a file's prose which patterns occur at all; only those are then
//! searched for their positions, and only when a check first asks for them ([`Hits::of`]).
//! Most patterns occur in few files, and the context triggers ("no", "if", "when"), which
//! occur in every file, are only needed where a rule has matched, so the cost per file is
//! close to one scan, however many rules there are.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::{meta, util::syntax, Input, MatchKind};

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

    /// Compiles the set that finds which patterns occur. Each pattern's own regex (for match
    /// positions) is compiled the first time a file needs it: most runs need few of them, and
    /// compiling all of them up front was a third of the start-up time.
    pub fn build(self) -> Result<PatternSet, BuildError> {
        let set = meta::Regex::builder()
            .configure(
                meta::Config::new()
                    .match_kind(MatchKind::All)
                    .which_captures(WhichCaptures::None)
                    // Only "which patterns match" is asked of the set: no captures, and the
                    // engines that serve capture and leftmost searches are not worth building.
                    .onepass(false)
                    .backtrack(false)
                    .auto_prefilter(false)
                    // A larger lazy-DFA cache: with the advice lexicon's lists the default one
                    // kept overflowing and the set fell back to the PikeVM (a 2 MB file took
                    // 16 s instead of 0.7 s).
                    .hybrid_cache_capacity(DFA_SIZE_LIMIT)
                    .nfa_size_limit(Some(SIZE_LIMIT)),
            )
            .syntax(syntax::Config::new().utf8(true))
            .build_many(&self.sources)
            .map_err(|e| BuildError(e.to_string()))?;
        let regexes = self
            .sources
            .into_iter()
            .map(|source| LazyRegex {
                source,
                regex: OnceLock::new(),
            })
            .collect();
        Ok(PatternSet {
            set,
            regexes: Arc::new(regexes),
        })
    }
}

/// A combined pattern set that does not compile.
#[derive(Debug, Clone)]
pub struct BuildError(pub String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One pattern's regex, compiled on first use and then shared by every thread.
#[derive(Debug)]
struct LazyRegex {
    source: String,
    regex: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// The compiled regex; `None` only if it does not compile on its own, which cannot happen
    /// once the set holding it has compiled (same syntax, smaller size).
    fn get(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                RegexBuilder::new(&self.source)
                    .size_limit(SIZE_LIMIT)
                    .dfa_size_limit(DFA_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

/// All patterns of a rule set, compiled once and shared read-only by every thread.
#[derive(Debug)]
pub struct PatternSet {
    set: meta::Regex,
    /// Shared with every file's [`Hits`], which search them lazily.
    regexes: Arc<Vec<LazyRegex>>,
}

impl PatternSet {
    pub fn len(&self) -> usize {
        self.regexes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }

    /// The regex source of every pattern, in id order (for `healthlint debug-patterns`).
    pub fn sources(&self) -> impl Iterator<Item = &str> + '_ {
        self.regexes.iter().map(|r| r.source.as_str())
    }

    /// Finds which patterns occur in each block of `prose` (one pass over it for all
    /// patterns, block by block); the positions of a pattern's matches are found the first time
    /// a check asks for them, by searching only the blocks where it occurs. With many rules,
    /// most files hold dozens of patterns: a whole-file search per pattern was the largest
    /// cost of a run.
    pub fn scan(&self, prose: &str) -> Hits {
        let mut matches = regex_automata::PatternSet::new(self.set.pattern_len());
        let mut blocks = Vec::new();
        let mut occurrences: Vec<(u32, u32)> = Vec::new();
        for block in blocks_of(prose) {
            matches.clear();
            // The input keeps the whole prose, so look-behind for `\b` at the block's start
            // sees the `\0` before it, as a whole-file search would.
            self.set
                .which_overlapping_matches(&Input::new(prose).range(block.clone()), &mut matches);
            if matches.is_empty() {
                continue;
            }
            let index = blocks.len() as u32;
            blocks.push(block);
            occurrences.extend(matches.iter().map(|id| (id.as_u32(), index)));
        }
        if occurrences.is_empty() {
            return Hits::default();
        }
        occurrences.sort_unstable();
        let mut present: Vec<u32> = occurrences.iter().map(|&(id, _)| id).collect();
        present.dedup();
        Hits {
            present,
            found: (0..matches.capacity()).map(|_| OnceLock::new()).collect(),
            blocks,
            occurrences,
            prose: Arc::from(prose),
            regexes: Some(Arc::clone(&self.regexes)),
        }
    }

    /// Matches of one pattern inside `range` only (for checks that need a narrower view).
    pub fn find_in<'p>(
        &'p self,
        id: PatternId,
        prose: &'p str,
        range: Range<usize>,
    ) -> impl Iterator<Item = Range<usize>> + 'p {
        let start = range.start;
        self.regexes
            .get(id.0 as usize)
            .and_then(LazyRegex::get)
            .into_iter()
            .flat_map(move |re| re.find_iter(&prose[range.clone()]))
            .map(move |m| start + m.start()..start + m.end())
    }
}

/// The maximal runs of `prose` that hold no `\0` (the separator between blocks).
fn blocks_of(prose: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = prose.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && bytes[at] == 0 {
            at += 1;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        at += bytes[at..]
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(bytes.len() - at);
        Some(start..at)
    })
}

/// Matches in one file, by pattern and in text order within a pattern. Holds its own copy of
/// the prose (a memcpy, cheap next to one regex pass) so that it needs no lifetime and can
/// search a pattern on first use.
#[derive(Debug, Default)]
pub struct Hits {
    /// Ids of the patterns that occur at all, ascending.
    present: Vec<u32>,
    /// Per pattern id: its matches, once asked for.
    found: Vec<OnceLock<Vec<Range<usize>>>>,
    /// The runs of prose between `\0` separators in which some pattern occurs.
    blocks: Vec<Range<usize>>,
    /// (pattern id, index into `blocks`) for every pattern occurring in a block, sorted.
    occurrences: Vec<(u32, u32)>,
    prose: Arc<str>,
    regexes: Option<Arc<Vec<LazyRegex>>>,
}

impl Hits {
    /// The matches of one pattern (searched on first use; empty when it does not occur).
    fn matches(&self, id: PatternId) -> &[Range<usize>] {
        let (Some(regexes), Some(slot)) = (&self.regexes, self.found.get(id.0 as usize)) else {
            return &[];
        };
        if self.present.binary_search(&id.0).is_err() {
            return &[];
        }
        slot.get_or_init(|| {
            let Some(re) = regexes.get(id.0 as usize).and_then(LazyRegex::get) else {
                return Vec::new();
            };
            let first = self.occurrences.partition_point(|&(p, _)| p < id.0);
            let mut out = Vec::new();
            for &(_, block) in self.occurrences[first..]
                .iter()
                .take_while(|&&(p, _)| p == id.0)
            {
                let range = self.blocks[block as usize].clone();
                // Searching the block's slice is the same as searching the file there: no
                // match contains a `\0`, and a slice's edges are non-word, as `\0` is.
                let start = range.start;
                out.extend(
                    re.find_iter(&self.prose[range])
                        .map(|m| start + m.start()..start + m.end()),
                );
            }
            out
        })
    }

    /// All matches of a pattern, in text order.
    pub fn of(&self, id: PatternId) -> impl Iterator<Item = &Range<usize>> + '_ {
        self.matches(id).iter()
    }

    /// Matches of a pattern inside a byte range. A pattern's matches do not overlap and come
    /// in text order, so a binary search finds the first one: a check that asks about every
    /// sentence of a large file stays linear instead of quadratic.
    pub fn of_in(
        &self,
        id: PatternId,
        range: Range<usize>,
    ) -> impl Iterator<Item = &Range<usize>> + '_ {
        // Matches are sorted by start and do not overlap within a pattern: jump to the first
        // one that starts inside the range instead of filtering from the top of the file.
        let all = self.matches(id);
        let first = all.partition_point(|r| r.start < range.start);
        all[first..]
            .iter()
            .take_while(move |r| r.start < range.end)
            .filter(move |r| r.end <= range.end)
    }

    /// Matches of a pattern inside a byte range, as owned ranges: the same result as
    /// [`Hits::of_in`], but when the pattern has not been searched over the whole file yet it
    /// searches only from the start of the block holding `range` to the end of `range`.
    /// Exact: no match can contain a `\0` (the prose's block separator), so matching restarted
    /// just after one finds what a scan from the top of the file finds there. Context
    /// triggers ("no", "if") occur in every file but are needed only around the few matches of
    /// rules: this keeps them off a whole-file pass.
    pub fn local(&self, id: PatternId, range: Range<usize>) -> Vec<Range<usize>> {
        let Some(regexes) = &self.regexes else {
            return Vec::new();
        };
        if self.present.binary_search(&id.0).is_err() {
            return Vec::new();
        }
        if self
            .found
            .get(id.0 as usize)
            .is_some_and(|slot| slot.get().is_some())
        {
            return self.of_in(id, range).cloned().collect();
        }
        let Some(re) = regexes.get(id.0 as usize).and_then(LazyRegex::get) else {
            return Vec::new();
        };
        let bytes = self.prose.as_bytes();
        let end = range.end.min(bytes.len());
        let start = range.start.min(end);
        let restart = bytes[..start]
            .iter()
            .rposition(|&b| b == 0)
            .map_or(0, |i| i + 1);
        // The haystack stops at the end of the block too (the next `\0`): otherwise a search
        // that finds nothing in the range would run on to the next match, possibly megabytes
        // away. `find_at` keeps the text before `restart` as look-behind for `\b`.
        let stop = bytes[end..]
            .iter()
            .position(|&b| b == 0)
            .map_or(bytes.len(), |i| end + i);
        let haystack = &self.prose[..stop];
        let mut out = Vec::new();
        let mut at = restart;
        while at <= end {
            let Some(m) = re.find_at(haystack, at) else {
                break;
            };
            if m.start() >= end {
                break;
            }
            if m.start() >= start && m.end() <= end {
                out.push(m.range());
            }
            at = if m.end() > m.start() {
                m.end()
            } else {
                // An empty match: step over one character, as find_iter does.
                m.end()
                    + self.prose[m.end()..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8)
            };
        }
        out
    }

    pub fn any(&self, id: PatternId) -> bool {
        self.of(id).next().is_some()
    }

    pub fn any_in(&self, id: PatternId, range: Range<usize>) -> bool {
        self.of_in(id, range).next().is_some()
    }

    /// The number of matches of all patterns (searches every pattern that occurs).
    pub fn len(&self) -> usize {
        self.present
            .iter()
            .map(|&id| self.matches(PatternId(id)).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
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

    /// `Hits::local` (searched from the block start, before any whole-file search) must give
    /// what `of_in` gives after one: guards the sentence-local context trigger search.
    #[test]
    fn local_search_equals_whole_file_search() {
        let mut b = PatternSetBuilder::default();
        let no = b.add_phrases(&["no", "not", "no longer", "pins and needles", "if"]);
        let set = b.build().unwrap();
        let prose = "No, not if.\0\0pins and\nneedles; no-one knows if not.\0It is not notable, \
                     nor is it no longer if-y. Pins and needles no\0";
        let fresh = || set.scan(prose);
        for start in 0..prose.len() {
            for end in start..=prose.len() {
                if !prose.is_char_boundary(start) || !prose.is_char_boundary(end) {
                    continue;
                }
                let lazy = fresh().local(no, start..end);
                let hits = fresh();
                let whole: Vec<_> = hits.of_in(no, start..end).cloned().collect();
                assert_eq!(lazy, whole, "{start}..{end}");
                // Once searched over the whole file, `local` reads the stored matches.
                assert_eq!(hits.local(no, start..end), whole);
            }
        }
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

    #[test]
    fn block_by_block_search_equals_whole_file_search() {
        // Guards `scan`: patterns are searched only in the blocks where the set saw them.
        let phrases = ["no", "chest pain", "if", "pins and needles", "a&e"];
        let mut b = PatternSetBuilder::default();
        let ids: Vec<_> = phrases.iter().map(|p| b.add_phrases(&[*p])).collect();
        let set = b.build().unwrap();
        let prose =
            "\0\0Chest pain? No.\0if\0\0pins and\nneedles, no-one; go to A&E if chest pain\0no";
        let hits = set.scan(prose);
        for (phrase, id) in phrases.iter().zip(ids) {
            let whole: Vec<_> = Regex::new(&crate::rules::pattern::any_of(&[*phrase]))
                .unwrap()
                .find_iter(prose)
                .map(|m| m.range())
                .collect();
            let by_block: Vec<_> = hits.of(id).cloned().collect();
            assert_eq!(by_block, whole, "{phrase}");
        }
    }
}
