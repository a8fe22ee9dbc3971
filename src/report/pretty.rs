//! `--format pretty`: annotated source snippets for people, rendered by ariadne with byte
//! indexing (spans are byte offsets; ariadne's default is characters, which would misplace
//! every underline on a line with "µg" or "–"). ariadne stays inside this file: the rest of the
//! crate knows only its own `Diagnostic`. Also renders setup errors (broken rule or config
//! files) against the TOML text, pointing at the key.

use std::io::{self, Write};
use std::ops::Range;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

use super::{Reporter, Summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileReport;
use crate::error::{SetupError, SpannedError};

pub struct Pretty {
    pub color: bool,
}

/// ariadne's span type, private to this file.
type Span = (String, Range<usize>);

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
    let primary = clamp(text, &d.primary.range);
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
        for (i, secondary) in d.secondary.iter().enumerate() {
            let mut label = Label::new((path.clone(), clamp(text, &secondary.range)))
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
    builder.finish().write((path, source), &mut buf)?;
    write_colored(&buf, color, out)
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
        for d in &report.diagnostics {
            render(report, &source, d, self.color, out)?;
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
