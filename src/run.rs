//! The run loop: takes the checking [`Linter`] and the sorted targets and hands on every
//! file's report, in target order, to the reporter, and an [`Outcome`] for the exit code.
//! Files are checked in batches on a thread pool (memory holds one batch); with the
//! cross-document stage ([`crate::cross`]) the output waits in a spill file until every file
//! has been seen, and the files with cross-document findings are finished then.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use rayon::prelude::*;

use crate::cross::Stage;
use crate::discover::Targets;
use crate::engine::{Handing, Linter};
use crate::report::{self, Counts, FileReport, Reporter, Summary};
use crate::spill;

/// How many files are checked in parallel before their reports are written: results stream
/// out in path order and memory stays bounded by one batch, not the whole corpus.
const BATCH: usize = 256;

/// What a check run found, for the exit code.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub summary: Summary,
    /// Some file could not be checked (exit 2).
    pub tool_error: bool,
    /// Some finding is at or above `fail-on` (exit 1).
    pub findings_fail: bool,
    /// With a baseline: how many findings it matched in each of its files that was checked
    /// (a file checked again for cross-document findings counts as its last report).
    baseline_matched: HashMap<String, usize>,
}

impl Outcome {
    /// Counts one file's report, and what the baseline matched in it.
    pub(crate) fn add(&mut self, linter: &Linter, report: &FileReport, matched: Option<usize>) {
        if let Some(n) = matched {
            self.baseline_matched.insert(report.path.clone(), n);
        }
        self.summary.add(report);
        self.tool_error |= report.failed;
        self.findings_fail |= report.diagnostics.iter().any(|d| linter.fails(d.severity));
    }

    /// 0 clean, 1 findings at or above `fail-on`, 2 a file could not be checked.
    pub fn exit_code(&self) -> u8 {
        if self.tool_error {
            2
        } else if self.findings_fail {
            1
        } else {
            0
        }
    }
}

/// Checks `targets` with `jobs` threads and streams the reports, in target order, to `out`.
///
/// Worker threads check a batch of files and render each report into a fragment; the
/// fragments are then written in path order, so memory holds one batch, not the corpus. With
/// the cross-document stage, a file's report is complete only once every file has been seen:
/// the fragments wait in a [`spill::Spill`] while the stage collects what the files hand on,
/// and the few files with cross-document findings are finished from their held-back reports
/// and rendered again when their turn comes. Either way each file is read, parsed and scanned
/// once.
pub fn run_check(
    linter: &Linter,
    targets: &Targets,
    stdin: Option<&[u8]>,
    jobs: usize,
    reporter: &mut dyn Reporter,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let pool = thread_pool(jobs)?;
    let mut outcome = Outcome::default();
    let mut stage = Stage::new(linter, targets);
    let mut spill = stage.as_ref().map(|_| spill::Spill::new());
    let mut index = 0;
    for batch in targets.batches(BATCH) {
        let shared: &dyn Reporter = reporter;
        let comparisons = stage.as_ref().map_or(&[][..], Stage::comparisons);
        type Checked = (FileReport, Option<usize>, Option<(Handing, Vec<u8>)>);
        let checked: Vec<(Checked, io::Result<Vec<u8>>)> = pool.install(|| {
            batch
                .par_iter()
                .map(|t| {
                    let (report, handing) = linter.check_target_handing_on(t, stdin, comparisons);
                    // A file that hands something on may get cross-document findings: its
                    // report is held back as it is before filtering, to be finished then.
                    let held = handing.filter(Handing::any).and_then(|h| {
                        let record = Stage::hold(&report, &h)?;
                        Some((h, record))
                    });
                    let (report, matched, fragment) = rendered(linter, shared, report);
                    ((report, matched, held), fragment)
                })
                .collect()
        });
        for (((report, matched, held), fragment), target) in checked.into_iter().zip(&batch) {
            outcome.add(linter, &report, matched);
            match (&mut spill, &mut stage) {
                (Some(spill), Some(stage)) => {
                    if let Some((handing, record)) = held {
                        let counted = Counts::of(&report.diagnostics);
                        stage.keep(index, target, handing, record, counted)?;
                    }
                    spill.push(&fragment?)?;
                }
                _ => reporter.write_fragment(&fragment?, out)?,
            }
            index += 1;
        }
    }
    if let (Some(spill), Some(stage)) = (spill, stage) {
        let mut found = stage.compare(&linter.settings, &pool);
        let mut replay = spill.replay()?;
        for first in (0..index).step_by(BATCH) {
            let last = (first + BATCH).min(index);
            // The files of this stretch with cross-document findings, finished (in parallel)
            // from their held-back reports; each replaces the first report in the output and
            // in the counts.
            let unfinished = found.take(first..last)?;
            type Redone = (FileReport, Option<usize>, Counts, io::Result<Vec<u8>>);
            let redone: BTreeMap<usize, io::Result<Redone>> = {
                let shared: &dyn Reporter = reporter;
                pool.install(|| {
                    unfinished
                        .into_par_iter()
                        .map(|u| {
                            let (i, counted) = (u.index, u.counted);
                            let redone = u.finish(linter).map(|report| {
                                let (report, matched, fragment) = rendered(linter, shared, report);
                                (report, matched, counted, fragment)
                            });
                            (i, redone)
                        })
                        .collect()
                })
            };
            let mut redone = redone.into_iter().peekable();
            for i in first..last {
                let kept = replay.next_fragment().ok_or_else(|| {
                    io::Error::other("the held-back output ended early (temporary file changed?)")
                })??;
                match redone.next_if(|(j, _)| *j == i) {
                    Some((_, redone)) => {
                        let (report, matched, counted, fragment) = redone?;
                        outcome.summary.retract(counted);
                        outcome.add(linter, &report, matched);
                        reporter.write_fragment(&fragment?, out)?;
                    }
                    None => reporter.write_fragment(kept, out)?,
                }
            }
        }
    }
    if let Some(baseline) = &linter.baseline {
        outcome.summary.baseline = Some(report::BaselineCounts {
            matched: outcome.baseline_matched.values().sum(),
            gone: baseline.gone(&outcome.baseline_matched),
        });
    }
    reporter.finish(&outcome.summary, out)?;
    Ok(outcome)
}

/// A finished report (cross-document findings merged in) without what per-file ignores and
/// the baseline leave out, with what the baseline matched, and its output fragment. The
/// report is kept for counting; its text, needed only to render the fragment, is let go so
/// that a batch holds no file's text once it is rendered.
fn rendered(
    linter: &Linter,
    reporter: &dyn Reporter,
    mut report: FileReport,
) -> (FileReport, Option<usize>, io::Result<Vec<u8>>) {
    let matched = linter.filter_report(&mut report);
    let fragment = reporter.render(&report);
    report.source = None;
    (report, matched, fragment)
}

/// The worker threads of one run.
pub(crate) fn thread_pool(jobs: usize) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| io::Error::other(format!("cannot start {jobs} threads: {e}")))
}
