//! HL401's comparison: the conflict rules' statements compared across the files of one run
//! (a rule with `scope = "documents"` reports, the `document` rules with `across-documents`
//! say what is compared). Each checked file hands on its compact advice facts (only those that
//! take a position: a polarity or an amount, a recognised condition, no qualifier), taken from
//! the facts its checks extracted, so no file is parsed or scanned twice. Once every file has
//! been seen, each rule compares the facts of each file with those of the files that state the
//! other side of the rule about a condition it shares, or for doses per day about the same
//! medicine (found through an index by what facts are about; at most 1,000 of them, in path
//! order): each file gets at most two findings, for the first files that conflict with it,
//! each with a `related` location pointing at the other. The comparison runs in parallel, one
//! file at a time, so a folder of 100,000 articles costs time linear in its files. Memory
//! holds the facts only, never the texts.

use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Advice, Conflict};
use crate::analyze::advice::{Fact, Polarity};
use crate::check::{fill, Across, CheckContext, Handed, State};
use crate::diagnostic::{Diagnostic, Label, Related};
use crate::rules::RuleMeta;
use crate::source::{display_path, LineCol, SourceFile};

/// At most this many cross-document findings per file and conflict rule: the first files, in
/// path order, that conflict with it.
const MAX_PER_FILE_AND_RULE: usize = 2;
/// At most this many other files are compared with one file per rule (those that state the
/// other side, in path order), so that a run over a huge folder stays linear in its files.
const MAX_COMPARISONS: usize = 1000;

/// A fact with the line and column of its span, so that other files can point at it
/// without keeping this file's text.
#[derive(Debug, Clone)]
struct LocatedFact {
    fact: Fact,
    start: LineCol,
    end: LineCol,
}

#[derive(Debug)]
struct FileFacts {
    /// The target index (path order).
    index: usize,
    /// The path as findings of other files name it.
    path: String,
    /// Where its facts start in [`Kept::facts`] (they end where the next file's start).
    first: u32,
}

/// A kept fact: what it says, by [`Kept::said`] index, and where it is. A fact says nothing
/// about where it is, and files repeat the same advice in the same words, so each distinct
/// statement is kept once and each fact takes 28 bytes.
#[derive(Debug, Clone, Copy)]
struct KeptFact {
    said: u32,
    range: [u32; 2],
    /// Line, column and UTF-16 column.
    start: [u32; 3],
    end: [u32; 3],
}

impl KeptFact {
    fn range(&self) -> Range<usize> {
        self.range[0] as usize..self.range[1] as usize
    }
}

/// Files hold at most [`crate::source::MAX_FILE_BYTES`], so offsets, lines and columns fit.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn widen(at: [u32; 3]) -> LineCol {
    LineCol {
        line: at[0] as usize,
        column: at[1] as usize,
        column_utf16: at[2] as usize,
    }
}

fn narrow_line_col(at: LineCol) -> [u32; 3] {
    [narrow(at.line), narrow(at.column), narrow(at.column_utf16)]
}

/// The facts of every file that has some, in lists owned by the collecting thread: thousands
/// of small lists made on worker threads would each hold their own allocation, scattered
/// among the pages that those threads reuse for everything else.
#[derive(Debug, Default)]
struct Kept {
    files: Vec<FileFacts>,
    facts: Vec<KeptFact>,
    /// Every distinct statement kept, its range and sentence cleared.
    said: Vec<Fact>,
    said_ids: FxHashMap<[u64; 12], u32>,
    /// Scratch for [`Kept::push`]: the statements of the file being kept.
    in_file: FxHashSet<u32>,
}

impl Kept {
    /// The facts of the `i`th kept file.
    fn of(&self, i: usize) -> &[KeptFact] {
        let from = self.files[i].first as usize;
        let to = self
            .files
            .get(i + 1)
            .map_or(self.facts.len(), |f| f.first as usize);
        &self.facts[from..to]
    }

    /// What a kept fact says.
    fn said(&self, fact: &KeptFact) -> &Fact {
        &self.said[fact.said as usize]
    }

    /// Keeps one file's facts, the first of each distinct statement only: a later one could
    /// never be reported, because comparisons take the first fact of a file that conflicts
    /// and the same statement conflicts with the same facts.
    fn push(&mut self, facts: Vec<LocatedFact>) -> Range<u32> {
        let from = narrow(self.facts.len());
        self.in_file.clear();
        for LocatedFact { fact, start, end } in facts {
            let said = self.intern(&fact);
            if self.in_file.insert(said) {
                self.facts.push(KeptFact {
                    said,
                    range: [narrow(fact.range.start), narrow(fact.range.end)],
                    start: narrow_line_col(start),
                    end: narrow_line_col(end),
                });
            }
        }
        from..narrow(self.facts.len())
    }

    fn intern(&mut self, fact: &Fact) -> u32 {
        let key = fact.said_key();
        let next = narrow(self.said.len());
        let said = &mut self.said;
        *self.said_ids.entry(key).or_insert_with(|| {
            said.push(Fact {
                range: 0..0,
                sentence: 0,
                ..fact.clone()
            });
            next
        })
    }
}

/// The comparison of one run: built before the files are checked, it takes each checked
/// file's comparable facts, then compares them once every file has been seen.
pub(super) struct AcrossDocuments<'r> {
    shared: &'r Advice,
    state: State,
    /// The rule that reports (HL401).
    reporter: &'r RuleMeta,
    /// The within-document conflict rules whose sides are compared across files.
    within: Vec<(&'r RuleMeta, &'r Conflict)>,
    /// The advice actions any of them compares.
    wanted: u64,
    kept: Kept,
}

impl<'r> AcrossDocuments<'r> {
    /// `None` when no rule compares across documents, or none has sides to compare.
    pub(super) fn new(
        shared: &'r Advice,
        rules: Vec<(&'r RuleMeta, &'r Conflict)>,
        state: State,
    ) -> Option<AcrossDocuments<'r>> {
        let reporter = rules.iter().find(|(_, c)| c.across_documents)?.0;
        let within: Vec<(&RuleMeta, &Conflict)> = rules
            .into_iter()
            .filter(|(_, c)| !c.across_documents && c.comparable_across)
            .collect();
        if within.is_empty() {
            return None;
        }
        let wanted = within.iter().fold(0u64, |acc, (_, c)| acc | c.wanted());
        Some(AcrossDocuments {
            shared,
            state,
            reporter,
            within,
            wanted,
            kept: Kept::default(),
        })
    }

    /// The findings of kept file `i` under one rule: for the first files (in path order)
    /// that conflict with it.
    fn findings(&self, rule: &RuleMeta, conflict: &Conflict, sides: &Sides, i: usize) -> Vec<Diagnostic> {
        let (kept, reporter) = (&self.kept, self.reporter);
        let mut diagnostics = Vec::new();
        // Files repeat statements: a partner that says what an earlier partner without a
        // conflict said has none either.
        let mut clear: FxHashSet<&[u32]> = FxHashSet::default();
        for j in sides.partners(i) {
            if clear.contains(sides.said[j].as_slice()) {
                continue;
            }
            let Some((mine, theirs)) = sides.first_conflict(conflict, kept, i, j) else {
                clear.insert(sides.said[j].as_slice());
                continue;
            };
            let (mine_says, theirs_say) = (kept.said(mine), kept.said(theirs));
            let mine_text = conflict.describe(mine_says);
            let theirs_text = conflict.describe(theirs_say);
            let other_path = kept.files[j].path.clone();
            let message = fill(
                &reporter.message,
                &[
                    ("first", &mine_text),
                    ("second", &theirs_text),
                    ("other", &other_path),
                ],
            );
            let mut d = Diagnostic::new(
                reporter.id.clone(),
                reporter.severity,
                message,
                Label::new(mine.range(), format!("this {mine_text}")),
            );
            d.help = reporter.help.clone();
            d.note = Some(format!(
                "compared with {} ({}): {}",
                rule.id.code,
                rule.id.name,
                conflict.reconcile_note(mine_says, theirs_say)
            ));
            d.related.push(Related {
                path: other_path,
                range: theirs.range(),
                start: widen(theirs.start),
                end: widen(theirs.end),
                message: format!("but this article {theirs_text}"),
            });
            diagnostics.push(d);
            if diagnostics.len() == MAX_PER_FILE_AND_RULE {
                break;
            }
        }
        diagnostics
    }
}

impl Across for AcrossDocuments<'_> {
    fn hand_on(&self, cx: &CheckContext<'_>, source: &SourceFile) -> Option<Handed> {
        let facts = cx.state::<Conflict>(self.state, self.shared)?;
        let located: Vec<LocatedFact> = facts
            .iter()
            .filter(|f| {
                // Only facts that some rule can compare are kept: memory grows with the
                // number of files, so each one should hold as little as it can.
                self.wanted & (1u64 << f.action.min(63)) != 0
                    && !f.qualified
                    && (f.polarity != Polarity::Neutral || f.amount.is_some())
                    && self.within.iter().any(|(_, c)| {
                        let (a, b) = c.sides_across(f);
                        (a || b) && c.about(f) != 0
                    })
            })
            .cloned()
            .map(|fact| {
                let Range { start, end } = fact.range;
                LocatedFact {
                    start: source.lines.line_col(&source.text, start),
                    end: source.lines.line_col(&source.text, end),
                    fact,
                }
            })
            .collect();
        (!located.is_empty()).then(|| Box::new(located) as Handed)
    }

    fn keep(&mut self, index: usize, path: &Path, handed: Handed) {
        let Ok(facts) = handed.downcast::<Vec<LocatedFact>>() else {
            return;
        };
        let first = self.kept.push(*facts).start;
        self.kept.files.push(FileFacts {
            index,
            path: display_path(path),
            first,
        });
    }

    fn compare(&self, pool: &rayon::ThreadPool) -> Vec<(usize, Vec<Diagnostic>)> {
        let mut out = Vec::new();
        for (rule, conflict) in &self.within {
            let found: Vec<(usize, Vec<Diagnostic>)> = pool.install(|| {
                let sides = Sides::of(conflict, &self.kept);
                (0..self.kept.files.len())
                    .into_par_iter()
                    .map(|i| (i, self.findings(rule, conflict, &sides, i)))
                    .collect()
            });
            out.extend(
                found
                    .into_iter()
                    .filter(|(_, d)| !d.is_empty())
                    .map(|(i, d)| (self.kept.files[i].index, d)),
            );
        }
        out
    }
}

/// Which files state which side of one conflict rule about which condition, so that each
/// file is compared only with the files that state the other side about a condition it
/// shares (two statements conflict across files only when their conditions meet): a folder
/// of thousands of articles would otherwise cost a comparison for every pair, and a file
/// would spend its comparisons on articles about other problems.
struct Sides {
    /// Per file: the conditions of its facts on side a, and on side b (bit sets).
    of_file: Vec<(u64, u64)>,
    /// Per file: its facts that take a side of the rule, in file order (the others can
    /// conflict with nothing under it).
    taking_part: Vec<Vec<KeptFact>>,
    /// Per file: what those facts say, as sorted and distinct [`Kept::said`] indices.
    said: Vec<Vec<u32>>,
    /// Per condition bit: the files stating side a (side b) about it, in path order.
    on_a: Vec<Vec<usize>>,
    on_b: Vec<Vec<usize>>,
}

impl Sides {
    fn of(conflict: &Conflict, kept: &Kept) -> Sides {
        let taking_part: Vec<Vec<KeptFact>> = (0..kept.files.len())
            .map(|i| {
                kept.of(i)
                    .iter()
                    .filter(|f| {
                        let (a, b) = conflict.sides_across(kept.said(f));
                        a || b
                    })
                    .copied()
                    .collect()
            })
            .collect();
        let said = taking_part
            .iter()
            .map(|facts| {
                let mut said: Vec<u32> = facts.iter().map(|f| f.said).collect();
                said.sort_unstable();
                said.dedup();
                said
            })
            .collect();
        let of_file: Vec<(u64, u64)> = (0..kept.files.len())
            .map(|i| {
                kept.of(i).iter().fold((0, 0), |(a, b), fact| {
                    let said = kept.said(fact);
                    let (x, y) = conflict.sides_across(said);
                    let c = conflict.about(said);
                    (a | if x { c } else { 0 }, b | if y { c } else { 0 })
                })
            })
            .collect();
        let mut on_a = vec![Vec::new(); 64];
        let mut on_b = vec![Vec::new(); 64];
        for (i, (a, b)) in of_file.iter().enumerate() {
            for bit in 0..64 {
                if a & (1u64 << bit) != 0 {
                    on_a[bit].push(i);
                }
                if b & (1u64 << bit) != 0 {
                    on_b[bit].push(i);
                }
            }
        }
        Sides {
            of_file,
            taking_part,
            said,
            on_a,
            on_b,
        }
    }

    /// The first pair of facts, one from kept file `a` and one from `b`, that the rule finds
    /// in conflict.
    fn first_conflict<'s>(
        &'s self,
        conflict: &Conflict,
        kept: &Kept,
        a: usize,
        b: usize,
    ) -> Option<(&'s KeptFact, &'s KeptFact)> {
        for fa in &self.taking_part[a] {
            for fb in &self.taking_part[b] {
                if conflict.conflicts(kept.said(fa), kept.said(fb), false) {
                    return Some((fa, fb));
                }
            }
        }
        None
    }

    /// The first `MAX_COMPARISONS` files, in path order, that state the other side about a
    /// condition file `i` states a side about. Each list is read only as far as that limit,
    /// so a file costs at most 64 short lists, however many files share its conditions.
    fn partners(&self, i: usize) -> Vec<usize> {
        let (a, b) = self.of_file[i];
        let mut found: Vec<usize> = Vec::new();
        for bit in 0..64 {
            for (mine, theirs) in [(a, &self.on_b), (b, &self.on_a)] {
                if mine & (1u64 << bit) != 0 {
                    found.extend(
                        theirs[bit]
                            .iter()
                            .copied()
                            .filter(|&j| j != i)
                            .take(MAX_COMPARISONS),
                    );
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found.truncate(MAX_COMPARISONS);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::advice::Window;

    fn fact(action: u16, range: Range<usize>) -> LocatedFact {
        LocatedFact {
            fact: Fact {
                action,
                polarity: Polarity::Recommend,
                harm: false,
                conditions: 1,
                own_conditions: 1,
                situation: 1,
                subjects: 0,
                medicine: None,
                qualified: false,
                window: Window::Span(0.0, 48.0),
                amount: None,
                interval: None,
                range,
                sentence: 0,
            },
            start: LineCol { line: 3, column: 7, column_utf16: 7 },
            end: LineCol {
                line: 3,
                column: 12,
                column_utf16: 12,
            },
        }
    }

    #[test]
    fn a_file_keeps_the_first_fact_of_each_statement_and_files_share_statements() {
        let mut kept = Kept::default();
        let first = kept.push(vec![fact(1, 10..15), fact(2, 20..25), fact(1, 30..35)]);
        assert_eq!(first, 0..2);
        let ranges: Vec<Range<usize>> = kept.facts.iter().map(KeptFact::range).collect();
        assert_eq!(ranges, [10..15, 20..25]);
        assert_eq!(widen(kept.facts[0].start), LineCol { line: 3, column: 7, column_utf16: 7 });

        // The same statement in another file is kept there too, and stored once.
        let second = kept.push(vec![fact(1, 40..45)]);
        assert_eq!(second, 2..3);
        assert_eq!(kept.said.len(), 2);
        assert_eq!(kept.facts[2].said, kept.facts[0].said);
        assert_eq!(kept.said(&kept.facts[2]).range, 0..0);

        // Any difference in what is said makes another statement.
        let mut later = fact(1, 50..55);
        later.fact.window = Window::Span(48.0, f64::INFINITY);
        kept.push(vec![later]);
        assert_eq!(kept.said.len(), 3);
    }
}
