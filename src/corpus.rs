//! Consistency across the files of one run: takes the targets, the compiled rules and the
//! settings, and hands on extra `consistency` diagnostics per target (rule kind `conflict`
//! with `scope = "documents"`, e.g. HL401). A first pass extracts the compact advice facts of
//! every file (in parallel, batch by batch, keeping only facts that take a position: a
//! polarity or an amount, a recognised condition, no qualifier), then every enabled
//! `document`-scope conflict rule compares the facts of each file with those of the files
//! that state the other side of the rule (at most 1,000 of them, in path order): each file
//! gets at most two findings, for the first files that conflict with it, each with a `related`
//! location pointing at the other. The first pass scans only for the advice vocabulary and
//! context triggers, and the comparison runs in parallel, one file at a time, so a folder of
//! 100,000 articles costs time linear in its files. The streaming pass in `lib.rs` then
//! merges these findings into each file's report before it is written, so output stays
//! sorted by path and identical for any number of threads. Memory holds the facts only,
//! never the texts.

use std::collections::BTreeMap;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use crate::analyze::advice::{Fact, Polarity};
use crate::analyze::PatternSet;
use crate::check::conflict::Conflict;
use crate::check::Check;
use crate::diagnostic::{Diagnostic, Label, Related};
use crate::discover::{Target, Targets};
use crate::document::Document;
use crate::engine::{FileReport, Linter};
use crate::rules::Rule;
use crate::source::{display_path, LineCol, SourceFile};
use crate::suppress;

/// Files whose facts are extracted in parallel at a time (as in the streaming pass).
const BATCH: usize = 256;
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
    index: usize,
    path: String,
    facts: Vec<LocatedFact>,
}

/// Cross-document findings, by target index, waiting to be merged into their reports.
#[derive(Debug, Default)]
pub struct CrossDocument {
    found: BTreeMap<usize, Vec<Diagnostic>>,
}

impl CrossDocument {
    /// Runs the first pass and the comparison. `None` when cross-document checks are off,
    /// fewer than two files are checked, or no cross-document rule is enabled.
    pub fn collect(
        linter: &Linter,
        targets: &Targets,
        stdin: Option<&[u8]>,
        pool: &rayon::ThreadPool,
    ) -> Option<CrossDocument> {
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
        let (_, first) = within.first()?;
        let wanted = within.iter().fold(0u64, |acc, (_, c)| acc | c.wanted());
        // The first pass reads only the advice vocabulary and the context triggers: a scan
        // for them alone tries far fewer phrases per word than the full rule set.
        let mut ids = first.model.pattern_ids();
        ids.extend(linter.rules.context.pattern_ids());
        let subset = linter.rules.patterns.subset(&ids).ok();
        let patterns = subset.as_ref().unwrap_or(&linter.rules.patterns);
        let mut files: Vec<FileFacts> = Vec::new();
        for (b, batch) in targets.batches(BATCH).enumerate() {
            let part: Vec<FileFacts> = pool.install(|| {
                batch
                    .par_iter()
                    .enumerate()
                    .map(|(i, t)| {
                        facts_of(linter, patterns, &within, t, stdin, b * BATCH + i, wanted)
                    })
                    .collect()
            });
            files.extend(part.into_iter().filter(|f| !f.facts.is_empty()));
        }
        let severity = linter
            .settings
            .severity_for(&reporter.meta.id.code)
            .unwrap_or(reporter.meta.severity);
        let mut out = CrossDocument::default();
        for (rule, conflict) in &within {
            let found: Vec<(usize, Vec<Diagnostic>)> = pool.install(|| {
                let sides = Sides::of(conflict, &files);
                (0..files.len())
                    .into_par_iter()
                    .map(|i| {
                        let this = &files[i];
                        let mut diagnostics = Vec::new();
                        for j in sides.partners(i).take(MAX_COMPARISONS) {
                            let Some((mine, theirs)) = first_conflict(conflict, this, &files[j])
                            else {
                                continue;
                            };
                            let mine_text = conflict.describe(&mine.fact);
                            let theirs_text = conflict.describe(&theirs.fact);
                            let other = &files[j];
                            let message = reporter
                                .meta
                                .message
                                .replace("{first}", &mine_text)
                                .replace("{second}", &theirs_text)
                                .replace("{other}", &other.path);
                            let mut d = Diagnostic::new(
                                reporter.meta.id.clone(),
                                severity,
                                message,
                                Label::new(mine.fact.range.clone(), format!("this {mine_text}")),
                            );
                            d.help = reporter.meta.help.clone();
                            d.note = Some(format!(
                                "compared with {} ({}): {}",
                                rule.meta.id.code,
                                rule.meta.id.name,
                                conflict.reconcile_note(&mine.fact, &theirs.fact)
                            ));
                            d.related.push(Related {
                                path: other.path.clone(),
                                range: theirs.fact.range.clone(),
                                start: theirs.start,
                                end: theirs.end,
                                message: format!("but this article {theirs_text}"),
                            });
                            diagnostics.push(d);
                            if diagnostics.len() == MAX_PER_FILE_AND_RULE {
                                break;
                            }
                        }
                        (this.index, diagnostics)
                    })
                    .collect()
            });
            for (index, diagnostics) in found {
                if !diagnostics.is_empty() {
                    out.found.entry(index).or_default().extend(diagnostics);
                }
            }
        }
        Some(out)
    }

    /// Adds the cross-document findings of target `index` to its report, after the file's
    /// own suppression comments.
    pub fn merge(&mut self, index: usize, report: &mut FileReport) {
        let Some(extra) = self.found.remove(&index) else {
            return;
        };
        let Some(source) = &report.source else {
            return;
        };
        let codes: Vec<String> = extra.iter().map(|d| d.rule.code.to_string()).collect();
        let doc = Document::parse(source);
        // `is_enabled` answers false so that directives aimed at other rules are not reported
        // unused a second time; only our own findings are kept from the result.
        let kept = suppress::apply(&source.text, &source.lines, &doc.directives, extra, &|_| {
            false
        });
        report.diagnostics.extend(
            kept.into_iter()
                .filter(|d| codes.iter().any(|c| c.as_str() == d.rule.code.as_ref())),
        );
        report
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        report.diagnostics.dedup();
    }
}

/// Which files state which side of one conflict rule, so that each file is compared only
/// with the files that state the other side (a folder of thousands of articles would
/// otherwise cost a comparison for every pair).
struct Sides {
    /// Per file: (states side a, states side b).
    of_file: Vec<(bool, bool)>,
    on_a: Vec<usize>,
    on_b: Vec<usize>,
    /// Files on either side.
    either: Vec<usize>,
}

impl Sides {
    fn of(conflict: &Conflict, files: &[FileFacts]) -> Sides {
        let of_file: Vec<(bool, bool)> = files
            .iter()
            .map(|f| {
                f.facts.iter().fold((false, false), |(a, b), lf| {
                    let (x, y) = conflict.sides_across(&lf.fact);
                    (a || x, b || y)
                })
            })
            .collect();
        let which = |pick: fn(&(bool, bool)) -> bool| -> Vec<usize> {
            (0..files.len()).filter(|&i| pick(&of_file[i])).collect()
        };
        Sides {
            on_a: which(|s| s.0),
            on_b: which(|s| s.1),
            either: which(|s| s.0 || s.1),
            of_file,
        }
    }

    /// The files that may conflict with file `i`, in path order.
    fn partners(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let list: &[usize] = match self.of_file[i] {
            (true, true) => &self.either,
            (true, false) => &self.on_b,
            (false, true) => &self.on_a,
            (false, false) => &[],
        };
        list.iter().copied().filter(move |&j| j != i)
    }
}

/// The first pair of facts, one from each file, that the rule finds in conflict.
fn first_conflict<'a>(
    conflict: &Conflict,
    a: &'a FileFacts,
    b: &'a FileFacts,
) -> Option<(&'a LocatedFact, &'a LocatedFact)> {
    for fa in &a.facts {
        for fb in &b.facts {
            if conflict.conflicts(&fa.fact, &fb.fact, false) {
                return Some((fa, fb));
            }
        }
    }
    None
}

/// The compact facts of one target; an unreadable file or a panic gives none (the
/// streaming pass reports those files).
fn facts_of(
    linter: &Linter,
    patterns: &PatternSet,
    within: &[(&Rule, &Conflict)],
    target: &Target,
    stdin: Option<&[u8]>,
    index: usize,
    wanted: u64,
) -> FileFacts {
    let path = display_path(target.path());
    let source = match target {
        Target::File {
            path: p, format, ..
        } => SourceFile::read(p, *format).ok(),
        Target::Stdin { name, format } => SourceFile::from_bytes(
            name.clone(),
            *format,
            stdin.map(<[u8]>::to_vec).unwrap_or_default(),
        )
        .ok(),
        Target::Unreadable { .. } => None,
    };
    let facts = source
        .and_then(|source| {
            catch_unwind(AssertUnwindSafe(|| {
                let doc = Document::parse(&source);
                let hits = patterns.scan(&doc.prose);
                // Every conflict rule shares one advice model (the lexicon's).
                let model = &within.first()?.1.model;
                let facts = model
                    .extract(&doc, &hits, &linter.rules.context, wanted)
                    .into_iter()
                    .filter(|f| {
                        // Only facts that some rule can compare are kept: memory grows with
                        // the number of files, so each one should hold as little as it can.
                        !f.qualified
                            && f.conditions != 0
                            && (f.polarity != Polarity::Neutral || f.amount.is_some())
                            && within.iter().any(|(_, c)| {
                                let (a, b) = c.sides_across(f);
                                a || b
                            })
                    })
                    .map(|fact| {
                        let Range { start, end } = fact.range;
                        LocatedFact {
                            start: source.lines.line_col(&source.text, start),
                            end: source.lines.line_col(&source.text, end),
                            fact,
                        }
                    })
                    .collect::<Vec<_>>();
                Some(facts)
            }))
            .ok()
            .flatten()
        })
        .unwrap_or_default();
    FileFacts { index, path, facts }
}
