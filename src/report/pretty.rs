//! `--format pretty`: annotated source snippets for people, rendered by ariadne with byte
//! indexing (spans are byte offsets; ariadne's default is characters, which would misplace
//! every underline on a line with "µg" or "–"). ariadne stays inside this file: the rest of the
//! crate knows only its own `Diagnostic`. Also renders setup errors (broken rule or config
//! files) against the TOML text, pointing at the key.
//!
//! Output stays proportional to the findings, not to the text: a labelled line longer than
//! [`LONG_LINE`] bytes is shown as windows around its labels, and past [`MAX_SHOWN_PER_RULE`]
//! findings of one rule in one file the rest are counted in a note (the other formats list
//! them all). Without this, one long line with many findings rendered the whole line once
//! per finding: hundreds of megabytes for a 50 KB file.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

use super::{close_for_people, Reporter, Summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileReport;
use crate::error::{SetupError, SpannedError};

pub struct Pretty {
    pub color: bool,
    pub quiet: bool,
}

/// ariadne's span type, private to this file.
type Span = (String, Range<usize>);

/// A labelled line longer than this (in bytes) is shown around its labels only.
const LONG_LINE: usize = 2000;
/// Bytes of a long line kept on each side of a label.
const CONTEXT: usize = 80;
/// Findings of one rule shown in full for one file; the rest are counted in a note.
const MAX_SHOWN_PER_RULE: usize = 50;

/// What ariadne is given to render one diagnostic: the whole text, or an excerpt of the
/// labelled lines with long lines cut down, its labels moved into it.
struct View {
    /// `None`: render against the file's whole text.
    excerpt: Option<String>,
    labels: Vec<Range<usize>>,
}

/// The view of `labels` (clamped, primary first) in `text`: the whole text when every
/// labelled line is short (the usual case, rendered as it always was), otherwise the lines
/// from the first labelled one to the last, with long ones cut to windows around their
/// labels and every other line left empty (ariadne does not show them), so that line
/// numbers stay right.
fn view(text: &str, lines: &crate::source::LineIndex, labels: Vec<Range<usize>>) -> View {
    let line_of = |offset: usize| lines.line_of(offset);
    let bounds = |line: usize| {
        let start = lines.line_start(line).unwrap_or(text.len());
        let end = lines
            .line_start(line + 1)
            .map_or(text.len(), |next| next - 1);
        start..end.max(start)
    };
    let single_line = labels
        .iter()
        .all(|r| line_of(r.start) == line_of(r.end.max(r.start + 1) - 1));
    let long = labels
        .iter()
        .any(|r| bounds(line_of(r.start)).len() > LONG_LINE);
    if !long || !single_line || labels.is_empty() {
        return View {
            excerpt: None,
            labels,
        };
    }
    let mut by_line: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, r) in labels.iter().enumerate() {
        by_line.entry(line_of(r.start)).or_default().push(i);
    }
    let first = *by_line.keys().next().unwrap_or(&0);
    let last = *by_line.keys().next_back().unwrap_or(&0);
    // ariadne 0.6 numbers the gutter from the source's first line whatever its display
    // offset, so the lines before the first labelled one stay, empty.
    let mut excerpt = "\n".repeat(first);
    let mut moved = labels.clone();
    let snap = |mut i: usize, forward: bool| {
        while !text.is_char_boundary(i) {
            if forward {
                i += 1
            } else {
                i -= 1
            }
        }
        i
    };
    for line in first..=last {
        if line > first {
            excerpt.push('\n');
        }
        let Some(ids) = by_line.get(&line) else {
            continue;
        };
        let span = bounds(line);
        if span.len() <= LONG_LINE {
            for &i in ids {
                moved[i] = labels[i].start - span.start + excerpt.len()
                    ..labels[i].end - span.start + excerpt.len();
            }
            excerpt.push_str(&text[span]);
            continue;
        }
        // Windows around the labels, merged where they meet, joined by an ellipsis. A label
        // longer than two contexts (a whole paragraph) is shown by its head.
        let head = |i: usize| {
            let r = &labels[i];
            r.start..r.end.min(snap(r.start + 2 * CONTEXT, false)).max(r.start)
        };
        let mut order = ids.clone();
        order.sort_by_key(|&i| (head(i).start, head(i).end));
        let mut windows: Vec<(Range<usize>, Vec<usize>)> = Vec::new();
        for i in order {
            let r = head(i);
            let w = snap(r.start.saturating_sub(CONTEXT).max(span.start), false)
                ..snap((r.end + CONTEXT).min(span.end), true);
            match windows.last_mut() {
                Some((last, members)) if w.start <= last.end => {
                    last.end = last.end.max(w.end);
                    members.push(i);
                }
                _ => windows.push((w, vec![i])),
            }
        }
        for (n, (w, members)) in windows.iter().enumerate() {
            if n > 0 || w.start > span.start {
                excerpt.push_str(if n > 0 { " … " } else { "… " });
            }
            let at = excerpt.len();
            for &i in members {
                let r = head(i);
                moved[i] = r.start - w.start + at..r.end - w.start + at;
            }
            excerpt.push_str(&text[w.clone()]);
        }
        if windows.last().is_some_and(|(w, _)| w.end < span.end) {
            excerpt.push_str(" …");
        }
    }
    View {
        excerpt: Some(excerpt),
        labels: moved,
    }
}

fn config(color: bool) -> Config {
    Config::new()
        .with_index_type(IndexType::Byte)
        .with_color(color)
}

fn kind(severity: Severity) -> ReportKind<'static> {
    match severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Info => ReportKind::Custom("Info", Color::Blue),
    }
}

/// Clamps a span into the text and onto character boundaries, so that no span from any
/// check can make ariadne panic.
fn clamp(text: &str, range: &Range<usize>) -> Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(range.start);
    start..fix(range.end).max(start)
}

fn render(
    report: &FileReport,
    source: &Source<&str>,
    d: &Diagnostic,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = report.source.as_ref().map_or("", |s| s.text.as_str());
    let path = report.path.clone();
    let ranges: Vec<Range<usize>> = std::iter::once(&d.primary)
        .chain(&d.secondary)
        .map(|l| clamp(text, &l.range))
        .collect();
    let view = match &report.source {
        Some(file) => view(text, &file.lines, ranges),
        None => View {
            excerpt: None,
            labels: ranges,
        },
    };
    let primary = view.labels[0].clone();
    let mut builder = Report::<Span>::build(kind(d.severity), (path.clone(), primary.clone()))
        .with_config(config(color))
        .with_code(&d.rule.code)
        .with_message(format!("{} ({})", d.message, d.rule.name));
    if report.source.is_some() {
        let mut label = Label::new((path.clone(), primary))
            .with_color(Color::Red)
            .with_order(0);
        if let Some(m) = &d.primary.message {
            label = label.with_message(m);
        }
        builder = builder.with_label(label);
        for (i, (secondary, range)) in d.secondary.iter().zip(&view.labels[1..]).enumerate() {
            let mut label = Label::new((path.clone(), range.clone()))
                .with_color(Color::Cyan)
                .with_order(i as i32 + 1);
            if let Some(m) = &secondary.message {
                label = label.with_message(m);
            }
            builder = builder.with_label(label);
        }
    }
    if let Some(help) = &d.help {
        builder = builder.with_help(help);
    }
    if let Some(note) = &d.note {
        builder = builder.with_note(note);
    }
    for related in &d.related {
        builder = builder.with_note(format!(
            "related: {}:{}:{}: {}",
            related.path, related.start.line, related.start.column, related.message
        ));
    }
    let mut buf = Vec::new();
    match (&view.excerpt, &report.source) {
        (Some(excerpt), Some(file)) => {
            let excerpt_source = Source::from(excerpt.as_str());
            builder
                .finish()
                .write((path.clone(), excerpt_source), &mut buf)?;
            // ariadne names the column within the excerpt; the header must name the file's.
            let shown = {
                let at = view.labels[0].start;
                let line_start = excerpt[..at].rfind('\n').map_or(0, |i| i + 1);
                let line = excerpt[..line_start].matches('\n').count() + 1;
                format!(
                    "{path}:{line}:{}",
                    excerpt[line_start..at].chars().count() + 1
                )
            };
            let real = file.lines.line_col(text, d.primary.range.start);
            let real = format!("{path}:{}:{}", real.line, real.column);
            buf = replace_first(&buf, shown.as_bytes(), real.as_bytes());
        }
        _ => builder.finish().write((path, source), &mut buf)?,
    }
    write_colored(&buf, color, out)
}

fn replace_first(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    match haystack.windows(from.len().max(1)).position(|w| w == from) {
        Some(at) => [&haystack[..at], to, &haystack[at + from.len()..]].concat(),
        None => haystack.to_vec(),
    }
}

/// ariadne colours a custom report kind ("Info") even when colour is off, so uncoloured
/// output is stripped of escape sequences here rather than trusted.
fn write_colored(buf: &[u8], color: bool, out: &mut dyn Write) -> io::Result<()> {
    if color {
        return out.write_all(buf);
    }
    let mut plain = Vec::with_capacity(buf.len());
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == 0x1b && buf.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < buf.len() && !buf[i].is_ascii_alphabetic() {
                i += 1;
            }
            i += 1;
        } else {
            plain.push(buf[i]);
            i += 1;
        }
    }
    out.write_all(&plain)
}

impl Reporter for Pretty {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        if report.diagnostics.is_empty() {
            return Ok(());
        }
        // ariadne's line index of the file, built once for all its diagnostics: building it
        // per diagnostic re-read a long article once per finding.
        let text = report.source.as_ref().map_or("", |s| s.text.as_str());
        let source = Source::from(text);
        let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &report.diagnostics {
            let count = shown.entry(d.rule.code.as_ref()).or_default();
            *count += 1;
            if *count <= MAX_SHOWN_PER_RULE {
                render(report, &source, d, self.color, out)?;
            }
        }
        for (code, count) in shown {
            if count > MAX_SHOWN_PER_RULE {
                writeln!(
                    out,
                    "note: {}: {} more {code} findings are not shown here; `--format concise` or `json` lists every finding",
                    report.path,
                    count - MAX_SHOWN_PER_RULE
                )?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        close_for_people(summary, self.quiet, out)
    }
}

/// Renders a setup error (rule, lexicon or config file) for people.
pub fn render_setup_error(err: &SetupError, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match err {
        SetupError::Message(m) => writeln!(out, "error: {m}"),
        SetupError::Files(errors) => {
            for e in errors {
                render_spanned(e, color, out)?;
            }
            Ok(())
        }
    }
}

fn render_spanned(e: &SpannedError, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let Some(span) = &e.span else {
        return writeln!(out, "error: {}: {}", e.origin, e.message);
    };
    let span = clamp(&e.text, span);
    let mut buf = Vec::new();
    Report::<Span>::build(ReportKind::Error, (e.origin.clone(), span.clone()))
        .with_config(config(color))
        .with_message(format!("invalid settings file {}", e.origin))
        .with_label(
            Label::new((e.origin.clone(), span))
                .with_message(&e.message)
                .with_color(Color::Red),
        )
        .finish()
        .write((e.origin.clone(), Source::from(&*e.text)), &mut buf)?;
    write_colored(&buf, color, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn renders_the_sample_run_exactly() {
        let out = sample::render(Pretty {
            color: false,
            quiet: false,
        });
        let expected = concat!(
            "[HL401] Warning: this article says to heat a new sprain; another says to avoid heat (cross-document-conflict)\n",
            "   ╭─[ guide/ankle.md:3:5 ]\n",
            "   │\n",
            " 3 │ Put heat on it straight away.\n",
            "   │     ─────┬────  \n",
            "   │          ╰────── heat here\n",
            " 4 │ Use ice: 50% of pain goes,\n",
            "   │     ─┬─  \n",
            "   │      ╰─── ice here\n",
            "   │ \n",
            "   │ Help: make the articles agree\n",
            "   │ \n",
            "   │ Note 1: first 48 hours\n",
            "   │ \n",
            "   │ Note 2: related: other.md:3:5: says to avoid heat\n",
            "───╯\n",
            "[HL501] Error: a figure (50%) without a source, stated as fact (unsupported-claim)\n",
            "   ╭─[ guide/ankle.md:4:10 ]\n",
            "   │\n",
            " 4 │ ╭─▶ Use ice: 50% of pain goes,\n",
            " 5 │ ├─▶ then rest.\n",
            "   │ │                \n",
            "   │ ╰──────────────── stated here\n",
            "───╯\n",
            "note: skipped guide/photo.md: binary file (contains NUL bytes)\n",
            "Checked 2 files: 1 error, 1 warning, 0 info; skipped 1 file.\n",
        );
        assert_eq!(out, expected);
    }
}
