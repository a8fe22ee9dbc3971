//! Consistency across the files of one run: takes each checked file's document and scan,
//! and hands on extra `consistency` diagnostics per target (rule kind `conflict` with
//! `scope = "documents"`, e.g. HL401). While the streaming pass checks the files, a
//! [`Collector`] keeps each file's compact advice facts (only those that take a position: a
//! polarity or an amount, a recognised condition, no qualifier), read from the document and
//! scan the checks already made, so no file is parsed or scanned twice. Once every file has
//! been seen, every enabled `document`-scope conflict rule compares the facts of each file
//! with those of the files that state the other side of the rule about a condition it shares,
//! or for doses per day about the same medicine (found through an index by what facts are
//! about; at most 1,000 of them, in path order): each file
//! gets at most two findings, for the first files that conflict with it, each with a
//! `related` location pointing at the other. The comparison runs in parallel,
//! one file at a time, so a folder of 100,000 articles costs time linear in its files.
//! `lib.rs` then merges these findings into the reports of the files concerned, which it
//! checks again, before writing the output in path order, identical for any number of
//! threads. Memory holds the facts only, never the texts.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analyze::advice::{Amount, Fact, Polarity, Window};
use crate::check::conflict::Conflict;
use crate::check::Check;
use crate::diagnostic::{tool, Diagnostic, Label, Related};
use crate::discover::{Target, Targets};
use crate::document::Document;
use crate::engine::Linter;
use crate::report::Counts;
use crate::report::FileReport;
use crate::rules::Rule;
use crate::source::{display_path, Format, LineCol, SourceFile};
use crate::suppress;

/// At most this many cross-document findings per file and conflict rule: the first files, in
/// path order, that conflict with it.
const MAX_PER_FILE_AND_RULE: usize = 2;
/// At most this many other files are compared with one file per rule (those that state the
/// other side, in path order), so that a run over a huge folder stays linear in its files.
const MAX_COMPARISONS: usize = 1000;

/// A fact with the line and column of its span, so that other files can point at it
/// without keeping this file's text.
#[derive(Debug, Clone)]
pub struct LocatedFact {
    fact: Fact,
    start: LineCol,
    end: LineCol,
}

#[derive(Debug)]
struct FileFacts {
    index: usize,
    /// What its `Target::File` held, to check it again: a path, not a whole `Target`.
    path: Box<Path>,
    format: Format,
    explicit: bool,
    /// The findings its report was counted with, taken back if it is checked again.
    counted: Counts,
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
    start: [u32; 2],
    end: [u32; 2],
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

fn widen(at: [u32; 2]) -> LineCol {
    LineCol {
        line: at[0] as usize,
        column: at[1] as usize,
    }
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
                    start: [narrow(start.line), narrow(start.column)],
                    end: [narrow(end.line), narrow(end.column)],
                });
            }
        }
        from..narrow(self.facts.len())
    }

    fn intern(&mut self, fact: &Fact) -> u32 {
        // Every field but where the fact is: a field added to `Fact` must be placed here.
        let Fact {
            action,
            polarity,
            harm,
            conditions,
            own_conditions,
            situation,
            subjects,
            medicine,
            qualified,
            window,
            amount,
            interval,
            range: _,
            sentence: _,
        } = *fact;
        let window = match window {
            Window::Unknown => [0, 0, 0],
            Window::Span(from, to) => [1, from.to_bits(), to.to_bits()],
            Window::Later => [2, 0, 0],
        };
        let key_of = |amount: Option<Amount>| match amount {
            None => [0, 0, 0],
            Some(a) => [
                1 + a.dimension as u64 + (u64::from(a.rough) << 4),
                a.lo.to_bits(),
                a.hi.to_bits(),
            ],
        };
        let amount = key_of(amount);
        let interval = key_of(interval);
        let head = u64::from(action)
            | (polarity as u64) << 16
            | u64::from(harm) << 24
            | u64::from(qualified) << 25
            | window[0] << 32
            | amount[0] << 40
            | interval[0] << 48;
        let key = [
            head,
            conditions,
            own_conditions,
            situation,
            subjects,
            window[1],
            window[2],
            amount[1],
            amount[2],
            interval[1],
            interval[2],
            medicine.map_or(u64::MAX, u64::from),
        ];
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

/// The cross-document pass of one run: built before the files are checked, it takes each
/// checked file's comparable facts (read from the document and scan the checks already made,
/// so no file is parsed twice), then compares them once every file has been seen.
#[derive(Debug)]
pub struct Collector<'a> {
    /// The rule that reports (HL401).
    reporter: &'a Rule,
    /// The within-document conflict rules whose sides are compared across files.
    within: Vec<(&'a Rule, &'a Conflict)>,
    /// The advice actions any of them compares.
    wanted: u64,
    kept: Kept,
}

/// Cross-document findings, by target index, waiting to be merged into their reports.
#[derive(Debug, Default)]
pub struct CrossDocument {
    found: BTreeMap<usize, Vec<Diagnostic>>,
    /// The files with findings, to check them again when their turn comes: each target and
    /// what its first report was counted with.
    redo: BTreeMap<usize, (Target, Counts)>,
}

impl<'a> Collector<'a> {
    /// `None` when cross-document checks are off, fewer than two files are checked, or no
    /// cross-document rule is enabled.
    pub fn new(linter: &'a Linter, targets: &Targets) -> Option<Collector<'a>> {
        if !linter.settings.cross_document || !targets.several() {
            return None;
        }
        let reporter = linter
            .rules
            .rules
            .iter()
            .find(|r| matches!(&r.check, Some(Check::Conflict(c)) if c.across_documents))?;
        let within: Vec<(&Rule, &Conflict)> = linter
            .rules
            .rules
            .iter()
            .filter_map(|r| match &r.check {
                Some(Check::Conflict(c)) if !c.across_documents && c.comparable_across => {
                    Some((r, c.as_ref()))
                }
                _ => None,
            })
            .collect();
        if within.is_empty() {
            return None;
        }
        let wanted = within.iter().fold(0u64, |acc, (_, c)| acc | c.wanted());
        Some(Collector {
            reporter,
            within,
            wanted,
            kept: Kept::default(),
        })
    }

    /// The comparable facts of one checked file, from the facts its checks extracted.
    /// Called on worker threads.
    pub fn facts(&self, source: &SourceFile, facts: &[Fact]) -> Vec<LocatedFact> {
        facts
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
            .collect()
    }

    /// Keeps the facts of target `index` (in path order) for the comparison, with the
    /// findings its report was counted with.
    pub fn keep(
        &mut self,
        index: usize,
        target: &Target,
        facts: Vec<LocatedFact>,
        counted: Counts,
    ) {
        if facts.is_empty() {
            return;
        }
        // Standard input is never one of several targets, and a target that could not be
        // read has no facts.
        let Target::File {
            path,
            format,
            explicit,
        } = target
        else {
            return;
        };
        let first = self.kept.push(facts).start;
        self.kept.files.push(FileFacts {
            index,
            path: path.as_path().into(),
            format: *format,
            explicit: *explicit,
            counted,
            first,
        });
    }

    /// Compares every kept file with the files that state the other side of each rule.
    pub fn compare(self, linter: &Linter, pool: &rayon::ThreadPool) -> CrossDocument {
        let Collector {
            reporter,
            within,
            kept,
            ..
        } = self;
        let severity = linter
            .settings
            .severity_for(&reporter.meta.id.code)
            .unwrap_or(reporter.meta.severity);
        let mut out = CrossDocument::default();
        for (rule, conflict) in &within {
            let found: Vec<(usize, Vec<Diagnostic>)> = pool.install(|| {
                let sides = Sides::of(conflict, &kept);
                (0..kept.files.len())
                    .into_par_iter()
                    .map(|i| {
                        let mut diagnostics = Vec::new();
                        // Files repeat statements: a partner that says what an earlier partner
                        // without a conflict said has none either.
                        let mut clear: FxHashSet<&[u32]> = FxHashSet::default();
                        for j in sides.partners(i) {
                            if clear.contains(sides.said[j].as_slice()) {
                                continue;
                            }
                            let Some((mine, theirs)) = sides.first_conflict(conflict, &kept, i, j)
                            else {
                                clear.insert(sides.said[j].as_slice());
                                continue;
                            };
                            let (mine_says, theirs_say) = (kept.said(mine), kept.said(theirs));
                            let mine_text = conflict.describe(mine_says);
                            let theirs_text = conflict.describe(theirs_say);
                            let other_path = display_path(&kept.files[j].path);
                            let message = reporter
                                .meta
                                .message
                                .replace("{first}", &mine_text)
                                .replace("{second}", &theirs_text)
                                .replace("{other}", &other_path);
                            let mut d = Diagnostic::new(
                                reporter.meta.id.clone(),
                                severity,
                                message,
                                Label::new(mine.range(), format!("this {mine_text}")),
                            );
                            d.help = reporter.meta.help.clone();
                            d.note = Some(format!(
                                "compared with {} ({}): {}",
                                rule.meta.id.code,
                                rule.meta.id.name,
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
                        (i, diagnostics)
                    })
                    .collect()
            });
            for (i, diagnostics) in found {
                if !diagnostics.is_empty() {
                    let file = &kept.files[i];
                    out.found.entry(file.index).or_default().extend(diagnostics);
                    out.redo.entry(file.index).or_insert_with(|| {
                        let target = Target::File {
                            path: file.path.to_path_buf(),
                            format: file.format,
                            explicit: file.explicit,
                        };
                        (target, file.counted)
                    });
                }
            }
        }
        out
    }
}

impl CrossDocument {
    /// The target at `index` and what its first report was counted with, when it has
    /// findings.
    pub fn redo(&self, index: usize) -> Option<(&Target, Counts)> {
        self.redo
            .get(&index)
            .map(|(target, counted)| (target, *counted))
    }

    /// Adds the cross-document findings of target `index` to its report, after the file's
    /// own suppression comments.
    pub fn merge(&self, index: usize, report: &mut FileReport) {
        let (Some(extra), Some(source)) = (self.found.get(&index), &report.source) else {
            return;
        };
        let doc = Document::parse(source);
        // `is_enabled` answers false so that directives aimed at other rules are not reported
        // unused a second time; only our own findings are kept from the result.
        let kept = suppress::apply(
            &source.text,
            &source.lines,
            &doc.directives,
            extra.clone(),
            &|_| false,
        )
        .into_iter()
        .filter(|d| extra.iter().any(|e| e.rule.code == d.rule.code));
        // The file's own pass could not see these findings, so it reported the comments
        // that silence them as unused (HL003): keep only the reports of comments that
        // silence none of them either.
        let unused = tool::UNUSED_SUPPRESSION.code;
        let still_unused: Vec<Range<usize>> = suppress::apply(
            &source.text,
            &source.lines,
            &doc.directives,
            extra.clone(),
            &|_| true,
        )
        .into_iter()
        .filter(|d| &*d.rule.code == unused)
        .map(|d| d.primary.range)
        .collect();
        report
            .diagnostics
            .retain(|d| &*d.rule.code != unused || still_unused.contains(&d.primary.range));
        report.diagnostics.extend(kept);
        report
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        report.diagnostics.dedup();
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
            start: LineCol { line: 3, column: 7 },
            end: LineCol {
                line: 3,
                column: 12,
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
        assert_eq!(widen(kept.facts[0].start), LineCol { line: 3, column: 7 });

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
