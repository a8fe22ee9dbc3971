//! `--statistics`: how many findings each rule has, in place of the findings, for a first
//! look at a repository with thousands of them. Written as a table for the formats read by
//! people (`pretty`, `concise`), closed like them by the skipped-file notes and the summary
//! line (left out with `--quiet`):
//!
//! ```text
//! COUNT  CODE   SEVERITY  NAME
//!     3  HL502  warning   miracle-cure-claim
//!     1  HL113  warning   sciatica-without-warning-signs
//! Checked 2 files: 0 errors, 4 warnings, 0 info.
//! ```
//!
//! and as one JSON object for `--format json`:
//!
//! ```json
//! {
//!   "version": 1,
//!   "statistics": [
//!     { "code": "HL502", "name": "miracle-cure-claim", "category": "claims",
//!       "severity": "warning", "count": 3 }
//!   ],
//!   "skipped": [ { "path": "img.md", "reason": "binary file (contains NUL bytes)" } ],
//!   "summary": { "files": 3, "checked": 2, "skipped": 1, "failed": 0,
//!                "error": 0, "warning": 4, "info": 0 }
//! }
//! ```
//!
//! - There is one row per rule and severity: most rules report at one severity, but some
//!   raise or lower a finding's (a claim about a controlled drug is an error; incomplete
//!   red-flag coverage is `info`), and the severity is what decides the exit code. The counts
//!   add up to the findings `--format json` lists.
//! - Rows are sorted by count, largest first, then by code, then by severity, most severe
//!   first. With no findings, the table is left out (only the closing lines remain) and
//!   `statistics` is empty.
//! - `version`, `skipped` and `summary` are those of `--format json` (see `json.rs`), under
//!   the same rule: `version` changes only when a field is removed or changes meaning.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::{close_for_people, json, Reporter, Summary};
use crate::diagnostic::Severity;
use crate::report::FileReport;

/// How the counts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// A table, then the closing lines of `pretty` and `concise`.
    Table,
    /// One JSON object.
    Json,
}

/// The counts of one rule at one severity: a row of the output, and also what a file's
/// fragment holds (one JSON line per row). Counting from the fragments, rather than from the
/// reports as they are checked, keeps the counts right when the cross-document pass replaces
/// a file's first report with a second one: only the fragment written is counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Row {
    code: String,
    name: String,
    category: String,
    severity: Severity,
    count: usize,
}

pub struct Statistics {
    style: Style,
    quiet: bool,
    rows: BTreeMap<(String, Severity), Row>,
}

impl Statistics {
    pub fn new(style: Style, quiet: bool) -> Statistics {
        Statistics {
            style,
            quiet,
            rows: BTreeMap::new(),
        }
    }

    fn add(&mut self, row: Row) {
        self.rows
            .entry((row.code.clone(), row.severity))
            .and_modify(|r| r.count += row.count)
            .or_insert(row);
    }

    /// The rows in output order.
    fn sorted(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = self.rows.values().collect();
        rows.sort_by_key(|r| (Reverse(r.count), &r.code, Reverse(r.severity)));
        rows
    }

    fn table(&self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        let rows = self.sorted();
        if !rows.is_empty() {
            let count_width = rows
                .iter()
                .map(|r| r.count.to_string().len())
                .chain(["COUNT".len()])
                .max()
                .unwrap_or(0);
            let code_width = rows
                .iter()
                .map(|r| r.code.chars().count())
                .chain(["CODE".len()])
                .max()
                .unwrap_or(0);
            writeln!(
                out,
                "{:>count_width$}  {:<code_width$}  {:<8}  NAME",
                "COUNT", "CODE", "SEVERITY"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{:>count_width$}  {:<code_width$}  {:<8}  {}",
                    r.count,
                    r.code,
                    r.severity.as_str(),
                    r.name
                )?;
            }
        }
        close_for_people(summary, self.quiet, out)
    }

    fn json(&self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        write!(out, "{{\"version\":{},\"statistics\":[", json::VERSION)?;
        for (i, row) in self.sorted().into_iter().enumerate() {
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, row)?;
        }
        write!(
            out,
            "\n],\"skipped\":{},\"summary\":{}}}\n",
            json::skipped(summary),
            json::summary(summary)
        )
    }
}

impl Reporter for Statistics {
    /// The file's rows, one JSON line each.
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        let mut rows: BTreeMap<(&str, Severity), Row> = BTreeMap::new();
        for d in &report.diagnostics {
            rows.entry((&d.rule.code, d.severity))
                .or_insert_with(|| Row {
                    code: d.rule.code.to_string(),
                    name: d.rule.name.to_string(),
                    category: d.rule.category.to_string(),
                    severity: d.severity,
                    count: 0,
                })
                .count += 1;
        }
        for row in rows.values() {
            serde_json::to_writer(&mut *out, row)?;
            out.push(b'\n');
        }
        Ok(())
    }

    /// Counts the fragment's rows; nothing is written until the end.
    fn write_fragment(&mut self, fragment: &[u8], _out: &mut dyn Write) -> io::Result<()> {
        for line in fragment.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            self.add(serde_json::from_slice(line)?);
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        match self.style {
            Style::Table => self.table(summary, out),
            Style::Json => self.json(summary, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::tool;

    fn report(path: &str, findings: &[(&tool::ToolRule, Severity)]) -> FileReport {
        FileReport {
            path: path.to_string(),
            source: None,
            diagnostics: findings
                .iter()
                .map(|(rule, severity)| {
                    let mut d = rule.file_diagnostic("x");
                    d.severity = *severity;
                    d
                })
                .collect(),
            skipped: None,
            failed: false,
        }
    }

    /// Rows add up across files, one per rule and severity, largest count first, ties by
    /// code and then by severity, most severe first.
    #[test]
    fn rows_add_up_across_files_and_sort_by_count_then_code() {
        use Severity::*;
        let reports = [
            report(
                "a.md",
                &[
                    (&tool::UNUSED_SUPPRESSION, Warning),
                    (&tool::UNREADABLE, Error),
                    (&tool::UNUSED_SUPPRESSION, Info),
                ],
            ),
            report("b.md", &[]),
            report(
                "c.md",
                &[
                    (&tool::UNUSED_SUPPRESSION, Warning),
                    (&tool::UNREADABLE, Warning),
                ],
            ),
        ];
        let mut stats = Statistics::new(Style::Table, true);
        let mut summary = Summary::default();
        let mut out = Vec::new();
        for r in &reports {
            summary.add(r);
            stats.file(r, &mut out).unwrap();
        }
        assert!(out.is_empty(), "nothing is written before the end");
        let rows: Vec<(&str, Severity, usize)> = stats
            .sorted()
            .iter()
            .map(|r| (r.code.as_str(), r.severity, r.count))
            .collect();
        let (unreadable, unused) = (tool::UNREADABLE.code, tool::UNUSED_SUPPRESSION.code);
        assert!(unreadable < unused);
        assert_eq!(
            rows,
            [
                (unused, Warning, 2),
                (unreadable, Error, 1),
                (unreadable, Warning, 1),
                (unused, Info, 1),
            ]
        );
        stats.finish(&summary, &mut out).unwrap();
        let table = String::from_utf8(out).unwrap();
        let first = table.lines().nth(1).unwrap();
        assert_eq!(
            first,
            format!(
                "    2  {unused}  warning   {}",
                tool::UNUSED_SUPPRESSION.name
            )
        );
        assert_eq!(table.lines().count(), 5, "quiet: no summary line\n{table}");
    }
}
