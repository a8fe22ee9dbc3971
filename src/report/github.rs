//! `--format github`: GitHub Actions workflow commands, so that findings show as annotations
//! on the pull request. Columns are only given for single-line spans, because GitHub rejects
//! `col` when `line` and `endLine` differ.

use std::io::{self, Write};

use super::{position, Reporter, Summary};
use crate::diagnostic::Severity;
use crate::report::FileReport;

pub struct Github;

impl Reporter for Github {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        for d in &report.diagnostics {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let start = position(report, d.primary.range.start);
            let end = position(report, d.primary.range.end);
            let mut props = format!(
                "file={},line={},endLine={}",
                escape_property(&report.path),
                start.line,
                end.line
            );
            if start.line == end.line {
                props.push_str(&format!(",col={},endColumn={}", start.column, end.column));
            }
            props.push_str(&format!(
                ",title={}",
                escape_property(&format!("{} {}", d.rule.code, d.rule.name))
            ));
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            writeln!(out, "::{level} {props}::{}", escape_data(&message))?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        // Only annotations go to standard output; `main` prints the summary to the log. A
        // skipped file is an annotation too, so that a pull request shows what was not read.
        for (path, reason) in &summary.skipped {
            writeln!(
                out,
                "::notice file={}::{}",
                escape_property(path),
                escape_data(&format!("skipped: {reason}"))
            )?;
        }
        Ok(())
    }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn renders_the_sample_run_exactly() {
        let out = sample::render(Github);
        let expected = concat!(
            "::warning file=guide/ankle.md,line=3,endLine=3,col=5,endColumn=15,title=HL401 cross-document-conflict::this article says to heat a new sprain; another says to avoid heat%0Ahelp: make the articles agree\n",
            "::error file=guide/ankle.md,line=4,endLine=5,title=HL501 unsupported-claim::a figure (50%25) without a source, stated as fact\n",
            "::notice file=guide/photo.md::skipped: binary file (contains NUL bytes)\n",
        );
        assert_eq!(out, expected);
    }
}
