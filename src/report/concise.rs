//! `--format concise`: one line per finding, `path:line:col: severity[CODE] message`, the
//! grep-style form that editors' quickfix lists and diffs read well. A cross-document
//! finding's places in other files go at the end of its line, `(related: path:line:col)`, so
//! that a `path:line:col:` parser never mistakes one for a finding of its own.

use std::io::{self, Write};

use super::{close_for_people, position, Reporter, Summary};
use crate::engine::FileReport;

pub struct Concise {
    pub quiet: bool,
}

impl Reporter for Concise {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        for d in &report.diagnostics {
            let at = position(report, d.primary.range.start);
            write!(
                out,
                "{}:{}:{}: {}[{}] {}",
                report.path, at.line, at.column, d.severity, d.rule.code, d.message
            )?;
            for related in &d.related {
                write!(
                    out,
                    " (related: {}:{}:{})",
                    related.path, related.start.line, related.start.column
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        close_for_people(summary, self.quiet, out)
    }
}
