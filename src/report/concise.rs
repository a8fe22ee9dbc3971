//! `--format concise`: one line per finding, `path:line:col: severity[CODE] message`, the
//! grep-style form that editors' quickfix lists and diffs read well.

use std::io::{self, Write};

use super::{position, Reporter, Summary};
use crate::engine::FileReport;

pub struct Concise;

impl Reporter for Concise {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        for d in &report.diagnostics {
            let at = position(report, d.primary.range.start);
            writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                report.path, at.line, at.column, d.severity, d.rule.code, d.message
            )?;
            for related in &d.related {
                writeln!(
                    out,
                    "  related: {}:{}:{}: {}",
                    related.path, related.start.line, related.start.column, related.message
                )?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        for (path, reason) in &summary.skipped {
            writeln!(out, "note: skipped {path}: {reason}")?;
        }
        writeln!(out, "{}", summary.line())
    }
}
