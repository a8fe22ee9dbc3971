//! `--format concise`: one line per finding, `path:line:col: severity[CODE] message`, the
//! grep-style form that editors' quickfix lists and diffs read well. A cross-document
//! finding's places in other files go at the end of its line, `(related: path:line:col)`, so
//! that a `path:line:col:` parser never mistakes one for a finding of its own. Control
//! characters in a message (one that quotes the article) are written as `\u{…}` escapes, so a
//! finding is always one line.

use std::io::{self, Write};

use super::{close_for_people, position, Reporter, Summary};
use crate::report::FileReport;
use crate::source::escape_controls;

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
                report.path,
                at.line,
                at.column,
                d.severity,
                d.rule.code,
                escape_controls(&d.message)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn renders_the_sample_run_exactly() {
        let out = sample::render(Concise { quiet: false });
        let expected = concat!(
            "guide/ankle.md:3:5: warning[HL401] this article says to heat a new sprain; another says to avoid heat (related: other.md:3:5)\n",
            "guide/ankle.md:4:10: error[HL501] a figure (50%) without a source, stated as fact\n",
            "note: skipped guide/photo.md: binary file (contains NUL bytes)\n",
            "Checked 2 files: 1 error, 1 warning, 0 info; skipped 1 file.\n",
        );
        assert_eq!(out, expected);
    }
}
