//! `--format junit`: JUnit XML, for CI systems that show test reports (GitLab's
//! `artifacts:reports:junit`, Jenkins, Azure Pipelines). One `<testsuite>` per file, in path
//! order (streamed, so memory does not grow with the number of files):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <testsuites name="healthlint">
//!   <testsuite name="a.md" tests="1" failures="1" errors="0" skipped="0">
//!     <testcase name="HL502 miracle-cure-claim (3:6)" classname="a.md" file="a.md" line="3">
//!       <failure type="HL502" message="the article promises a cure …">a.md:3:6: warning[HL502] the article promises a cure …
//! help: describe what the evidence shows …</failure>
//!     </testcase>
//!   </testsuite>
//!   <testsuite name="b.md" tests="1" failures="0" errors="0" skipped="0">
//!     <testcase name="b.md" classname="b.md" file="b.md"/>
//!   </testsuite>
//!   <testsuite name="photo.md" tests="1" failures="0" errors="0" skipped="1">
//!     <testcase name="photo.md" classname="photo.md" file="photo.md"><skipped message="binary file …"/></testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! - Every file gets a testsuite named by its path, and at least one testcase: one per
//!   finding, each with exactly one `<failure>`, or, for a file with no findings, one
//!   passing testcase named by the path. One failure per testcase because that is what JUnit
//!   readers show (Jenkins and GitLab read only the first `<failure>` of a testcase). A file
//!   skipped on purpose (binary content met while walking, a named pipe) is a testcase with
//!   `<skipped>`.
//! - A finding's testcase is named `CODE rule-name (line:column)`, with `classname` and
//!   `file` the path and `line` its first line. Its `<failure>` has the rule's code as
//!   `type`, the message as `message`, and as text the finding as `--format concise` writes
//!   it (`path:line:col: severity[CODE] message`), then a line `related: path:line:col` for
//!   each place in another file (cross-document findings), then `help:` and `note:` lines.
//! - Every finding is a failure, whatever its severity and `fail-on`: the severity is in the
//!   text; the exit code says whether the run failed.
//! - `<testsuites>` carries no totals (they are known only at the end) and no timestamps or
//!   times, so that the output is the same bytes for the same input.
//! - Text and attribute values are escaped; characters XML 1.0 cannot hold (control
//!   characters other than tab and line breaks) are written as U+FFFD.
//!
//! The summary line goes to standard error (see `main.rs`), as for `github`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{position, Reporter, Summary};
use crate::report::FileReport;

#[derive(Default)]
pub struct Junit {
    started: bool,
}

impl Junit {
    /// Writes the document's opening, once, before the first fragment.
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.started {
            out.write_all(HEAD.as_bytes())?;
            self.started = true;
        }
        Ok(())
    }
}

impl Reporter for Junit {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        let path = escape(&report.path, true);
        let (tests, failures, skipped) = if report.skipped.is_some() {
            (1, 0, 1)
        } else {
            let n = report.diagnostics.len();
            (n.max(1), n, 0)
        };
        let mut xml = format!(
            "  <testsuite name=\"{path}\" tests=\"{tests}\" failures=\"{failures}\" \
             errors=\"0\" skipped=\"{skipped}\">\n"
        );
        if let Some(reason) = &report.skipped {
            let _ = writeln!(
                xml,
                "    <testcase name=\"{path}\" classname=\"{path}\" file=\"{path}\">\
                 <skipped message=\"{}\"/></testcase>",
                escape(reason, true)
            );
        } else if report.diagnostics.is_empty() {
            let _ = writeln!(
                xml,
                "    <testcase name=\"{path}\" classname=\"{path}\" file=\"{path}\"/>"
            );
        }
        for d in &report.diagnostics {
            let at = position(report, d.primary.range.start);
            let mut text = format!(
                "{}:{}:{}: {}[{}] {}",
                report.path, at.line, at.column, d.severity, d.rule.code, d.message
            );
            for related in &d.related {
                let _ = write!(
                    text,
                    "\nrelated: {}:{}:{}: {}",
                    related.path, related.start.line, related.start.column, related.message
                );
            }
            if let Some(help) = &d.help {
                let _ = write!(text, "\nhelp: {help}");
            }
            if let Some(note) = &d.note {
                let _ = write!(text, "\nnote: {note}");
            }
            let name = format!(
                "{} {} ({}:{})",
                d.rule.code, d.rule.name, at.line, at.column
            );
            let _ = write!(
                xml,
                "    <testcase name=\"{}\" classname=\"{path}\" file=\"{path}\" line=\"{}\">\n      \
                 <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                escape(&name, true),
                at.line,
                escape(&d.rule.code, true),
                escape(&d.message, true),
                escape(&text, false)
            );
        }
        xml.push_str("  </testsuite>\n");
        out.extend_from_slice(xml.as_bytes());
        Ok(())
    }

    fn write_fragment(&mut self, fragment: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        out.write_all(fragment)
    }

    fn finish(&mut self, _summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        out.write_all(b"</testsuites>\n")
    }
}

/// The opening of the document.
const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"healthlint\">\n";

/// `s` escaped as XML 1.0 text or, with `attribute`, as a double-quoted attribute value
/// (where line breaks and tabs are written as character references, which parsers keep,
/// rather than as themselves, which they turn into spaces). Characters XML 1.0 cannot hold
/// at all become U+FFFD.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            // A carriage return is read as a line feed unless it is a reference.
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_quotes_line_breaks_and_forbidden_characters() {
        let raw = "a < b && c > \"d\" 'e' ]]> x\ny\tz\r\u{0}\u{7}\u{fffe}é";
        assert_eq!(
            escape(raw, true),
            "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &apos;e&apos; ]]&gt; x&#10;y&#9;z&#13;\u{fffd}\u{fffd}\u{fffd}é"
        );
        assert_eq!(
            escape(raw, false),
            "a &lt; b &amp;&amp; c &gt; \"d\" 'e' ]]&gt; x\ny\tz&#13;\u{fffd}\u{fffd}\u{fffd}é"
        );
        assert_eq!(escape("plain text", true), "plain text");
    }
}
