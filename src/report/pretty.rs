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
//!
//! Help and notes are wrapped to [`Pretty::width`] columns (the terminal's, `COLUMNS`, or
//! [`DEFAULT_WIDTH`]; chosen in `main.rs`): some are several hundred characters long. Each
//! section header (`╭─[ path:line:col ]`, `├─[ … ]`) names the first place its section shows;
//! ariadne 0.6 names the primary label's place in every section of the same file, which is
//! wrong for a section that shows a secondary label on another line (see [`fix_headers`]).
//!
//! Lines are numbered as in every other format: a line ends at LF (a CR before it is part of
//! the break). ariadne also breaks lines at a lone CR, VT, FF, NEL, U+2028 and U+2029, so
//! they are given to it as visible stand-ins (`␍`, `␋`, `␌`, `␤`, `␤`, `¶`) that break
//! nothing ([`Shown`]): the gutter and the underlines then agree with `path:line:col`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

use super::{close_for_people, Reporter, Summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{SetupError, SpannedError};
use crate::report::FileReport;
use crate::source::escape_controls;

pub struct Pretty {
    pub color: bool,
    pub quiet: bool,
    /// Columns that help and notes are wrapped to.
    pub width: usize,
}

/// Columns for help and notes when the output is not a terminal and `COLUMNS` is not set:
/// a log or a file read in a wide window, yet no 900-character lines.
pub(crate) const DEFAULT_WIDTH: usize = 100;
/// Help and notes keep at least this many columns of text beside the margin, however narrow
/// the terminal, so that they never become a column of single words.
const MIN_TEXT_WIDTH: usize = 30;

/// The name ariadne is given for the rendered text. The section headers it writes are then
/// found by this name and given the right place (see [`fix_headers`]); a NUL never occurs in
/// a reported path, whose control characters are escaped.
const SOURCE_ID: &str = "\0";

/// ariadne's span type, private to this file.
type Span = (String, Range<usize>);

/// A labelled line longer than this (in bytes) is shown around its labels only.
const LONG_LINE: usize = 2000;
/// Bytes of a long line kept on each side of a label.
const CONTEXT: usize = 80;
/// Findings of one rule shown in full for one file; the rest are counted in a note.
const MAX_SHOWN_PER_RULE: usize = 50;

/// The text as ariadne is given it when it holds a character that ariadne, and no other
/// format, takes for a line break: each written as a visible stand-in (see the module's
/// doc), with the offsets moved to match.
struct Shown {
    text: String,
    lines: crate::source::LineIndex,
    /// For each character replaced, the offset in the file's text where it ends, and how
    /// many bytes longer (or, past a `¶` for a U+2029, shorter) the shown text is from there.
    shifts: Vec<(usize, isize)>,
}

impl Shown {
    /// `None` when the text has no such character (the usual case: it is shown as it is).
    fn of(text: &str) -> Option<Shown> {
        let stand_in = |c: char, next: Option<char>| match c {
            '\r' if next != Some('\n') => Some("␍"),
            '\x0B' => Some("␋"),
            '\x0C' => Some("␌"),
            '\u{85}' | '\u{2028}' => Some("␤"),
            '\u{2029}' => Some("¶"),
            _ => None,
        };
        // Each of them starts with one of these bytes; most texts have none but 0xE2 (curly
        // quotes, dashes), and are read once more only then.
        if !text
            .bytes()
            .any(|b| matches!(b, b'\r' | 0x0B | 0x0C | 0xC2 | 0xE2))
        {
            return None;
        }
        let mut shown = String::new();
        let mut shifts = Vec::new();
        let mut copied = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let Some(picture) = stand_in(c, chars.peek().map(|&(_, next)| next)) else {
                continue;
            };
            shown.push_str(&text[copied..at]);
            shown.push_str(picture);
            copied = at + c.len_utf8();
            shifts.push((copied, shown.len() as isize - copied as isize));
        }
        if shifts.is_empty() {
            return None;
        }
        shown.push_str(&text[copied..]);
        Some(Shown {
            lines: crate::source::LineIndex::new(&shown),
            text: shown,
            shifts,
        })
    }

    /// Where an offset of the file's text is in the shown text: a range that starts at a
    /// replaced character starts at its stand-in, and one that ends after it ends after it.
    fn offset(&self, offset: usize) -> usize {
        let before = self.shifts.partition_point(|&(end, _)| end <= offset);
        offset.saturating_add_signed(before.checked_sub(1).map_or(0, |i| self.shifts[i].1))
    }

    fn range(&self, r: &Range<usize>) -> Range<usize> {
        self.offset(r.start)..self.offset(r.end)
    }
}

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
    visible: Option<&Shown>,
    d: &Diagnostic,
    color: bool,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = report.source.as_ref().map_or("", |s| s.text.as_str());
    let path = &report.path;
    let ranges: Vec<Range<usize>> = std::iter::once(&d.primary)
        .chain(&d.secondary)
        .map(|l| clamp(text, &l.range))
        .collect();
    let view = match (&report.source, visible) {
        (Some(_), Some(shown)) => view(
            &shown.text,
            &shown.lines,
            ranges.iter().map(|r| shown.range(r)).collect(),
        ),
        (Some(file), None) => view(text, &file.lines, ranges.clone()),
        (None, _) => View {
            excerpt: None,
            labels: ranges.clone(),
        },
    };
    let excerpt_source = view.excerpt.as_deref().map(Source::from);
    let shown = excerpt_source.as_ref().unwrap_or(source);
    let id = || SOURCE_ID.to_string();
    let primary = view.labels[0].clone();
    let mut builder = Report::<Span>::build(kind(d.severity), (id(), primary.clone()))
        .with_config(config(color))
        .with_code(&d.rule.code)
        .with_message(format!("{} ({})", escape_controls(&d.message), d.rule.name));
    // The real place each section starts at, in the order ariadne draws them.
    let mut headers = Vec::new();
    let mut margin = 0;
    if let Some(file) = &report.source {
        let mut label = Label::new((id(), primary))
            .with_color(Color::Red)
            .with_order(0);
        if let Some(m) = &d.primary.message {
            label = label.with_message(escape_controls(m));
        }
        builder = builder.with_label(label);
        for (i, (secondary, range)) in d.secondary.iter().zip(&view.labels[1..]).enumerate() {
            let mut label = Label::new((id(), range.clone()))
                .with_color(Color::Cyan)
                .with_order(i as i32 + 1);
            if let Some(m) = &secondary.message {
                label = label.with_message(escape_controls(m));
            }
            builder = builder.with_label(label);
        }
        let messages: Vec<bool> = std::iter::once(&d.primary)
            .chain(&d.secondary)
            .map(|l| l.message.is_some())
            .collect();
        let layout = layout(shown, &view.labels, &messages);
        headers = layout
            .starts
            .into_iter()
            .map(|i| {
                let at = file.lines.line_col(text, ranges[i].start);
                format!("{path}:{}:{}", at.line, at.column)
            })
            .collect();
        margin = layout.margin;
    }
    if let Some(help) = &d.help {
        builder = builder.with_help(wrap(help, width.saturating_sub(margin + "Help: ".len())));
    }
    let notes: Vec<String> = d
        .note
        .iter()
        .cloned()
        .chain(d.related.iter().map(|related| {
            format!(
                "related: {}:{}:{}: {}",
                related.path, related.start.line, related.start.column, related.message
            )
        }))
        .collect();
    // One note is headed "Note: ", several "Note 1: ", "Note 2: "...
    let prefix = if notes.len() > 1 {
        format!("Note {}: ", notes.len())
    } else {
        "Note: ".to_string()
    };
    for note in notes {
        builder = builder.with_note(wrap(&note, width.saturating_sub(margin + prefix.len())));
    }
    let mut buf = Vec::new();
    builder.finish().write((id(), shown), &mut buf)?;
    write_colored(&fix_headers(&buf, &headers, path), color, out)
}

/// How ariadne 0.6 lays out a report: where its sections start, and how wide the margin is
/// beside its help and notes.
struct Layout {
    /// The label each section starts at: the primary for the first section, the one that
    /// starts first for the others.
    starts: Vec<usize>,
    /// Columns before the text of a help or a note (before its `Help: ` head).
    margin: usize,
}

/// The layout ariadne 0.6 gives these labels (all in one text, in this order; `messages`
/// tells which have one). It takes them in order and opens a new section whenever a label
/// ends on an earlier line than the one before it (`Report::get_source_groups`), skipping a
/// label it cannot place. Its margin is the widest line number with a space either side, the
/// bar and a space, and, where the last section (which the help and notes close) has
/// labels over several lines with a message, two columns for each of them and two more.
fn layout(source: &Source<&str>, labels: &[Range<usize>], messages: &[bool]) -> Layout {
    let mut starts: Vec<usize> = Vec::new();
    let mut last: Option<usize> = None;
    let mut last_line = 0;
    let mut multi_line = 0;
    for (i, r) in labels.iter().enumerate() {
        let end = if r.start >= r.end { r.start } else { r.end - 1 };
        let (Some((_, first, _)), Some((_, line, _))) =
            (source.get_byte_line(r.start), source.get_byte_line(end))
        else {
            continue;
        };
        last_line = last_line.max(line + 1);
        match last {
            Some(previous) if previous <= line => {
                let open = starts.len();
                if let Some(first) = starts.last_mut() {
                    if open > 1 && r.start < labels[*first].start {
                        *first = i;
                    }
                }
            }
            _ => {
                starts.push(i);
                multi_line = 0;
            }
        }
        if first != line && messages.get(i).copied().unwrap_or(false) {
            multi_line += 1;
        }
        last = Some(line);
    }
    let arrows = if multi_line > 0 {
        2 * (multi_line + 1)
    } else {
        0
    };
    Layout {
        starts,
        margin: last_line.to_string().len() + 4 + arrows,
    }
}

/// Names each section header `path:line:col` with the place computed for it, in order: ariadne
/// writes `SOURCE_ID:line:col` there, with the primary label's place in every section (and
/// with places in an excerpt, for long lines). A header beyond the computed ones (which
/// would mean ariadne grouped differently) is given the path alone rather than a wrong line.
fn fix_headers(rendered: &[u8], headers: &[String], path: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(rendered.len() + headers.len() * path.len());
    let mut rest = rendered;
    let mut n = 0;
    while let Some(at) = memchr::memchr(0, rest) {
        out.extend_from_slice(&rest[..at]);
        let tail = &rest[at + 1..];
        let skip = tail
            .iter()
            .take_while(|b| b.is_ascii_digit() || matches!(b, b':' | b'?'))
            .count();
        out.extend_from_slice(headers.get(n).map_or(path, String::as_str).as_bytes());
        n += 1;
        rest = &tail[skip..];
    }
    out.extend_from_slice(rest);
    out
}

/// `text` wrapped at spaces to lines of at most `width` columns (but never fewer than
/// [`MIN_TEXT_WIDTH`]), keeping its own line breaks; a word longer than a line (a link) is
/// left whole on a line of its own. ariadne indents the lines after the first under it.
fn wrap(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(MIN_TEXT_WIDTH);
    let mut out = String::with_capacity(text.len() + text.len() / width.max(1) + 1);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut used = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let w = word.width();
            if used > 0 && used + 1 + w > width {
                out.push('\n');
                used = 0;
            } else if used > 0 {
                out.push(' ');
                used += 1;
            }
            out.push_str(word);
            used += w;
        }
    }
    out
}

/// Writes ariadne's output, tidied: ariadne colours a custom report kind ("Info") even when
/// colour is off, so uncoloured output is stripped of escape sequences here rather than
/// trusted; and it pads lines with spaces after the last underline, which are dropped (a
/// copied sample or a diff of two runs would otherwise carry invisible trailing spaces).
fn write_colored(buf: &[u8], color: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut tidy = Vec::with_capacity(buf.len());
    let mut spaces = 0;
    let mut i = 0;
    while i < buf.len() {
        match buf[i] {
            0x1b if !color && buf.get(i + 1) == Some(&b'[') => {
                i += 2;
                while i < buf.len() && !buf[i].is_ascii_alphabetic() {
                    i += 1;
                }
                i += 1;
                continue;
            }
            b' ' => spaces += 1,
            b'\n' => {
                spaces = 0;
                tidy.push(b'\n');
            }
            b => {
                tidy.resize(tidy.len() + spaces, b' ');
                spaces = 0;
                tidy.push(b);
            }
        }
        i += 1;
    }
    tidy.resize(tidy.len() + spaces, b' ');
    out.write_all(&tidy)
}

impl Reporter for Pretty {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        if report.diagnostics.is_empty() {
            return Ok(());
        }
        // ariadne's line index of the file, built once for all its diagnostics: building it
        // per diagnostic re-read a long article once per finding.
        let text = report.source.as_ref().map_or("", |s| s.text.as_str());
        let visible = Shown::of(text);
        let source = Source::from(visible.as_ref().map_or(text, |v| v.text.as_str()));
        let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &report.diagnostics {
            let count = shown.entry(d.rule.code.as_ref()).or_default();
            *count += 1;
            if *count <= MAX_SHOWN_PER_RULE {
                render(
                    report,
                    &source,
                    visible.as_ref(),
                    d,
                    self.color,
                    self.width,
                    out,
                )?;
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
            width: DEFAULT_WIDTH,
        });
        let expected = concat!(
            "[HL401] Warning: this article says to heat a new sprain; another says to avoid heat (cross-document-conflict)\n",
            "   ╭─[ guide/ankle.md:3:5 ]\n",
            "   │\n",
            " 3 │ Put heat on it straight away.\n",
            "   │     ─────┬────\n",
            "   │          ╰────── heat here\n",
            " 4 │ Use ice: 50% of pain goes,\n",
            "   │     ─┬─\n",
            "   │      ╰─── ice here\n",
            "   │\n",
            "   │ Help: make the articles agree\n",
            "   │\n",
            "   │ Note 1: first 48 hours\n",
            "   │\n",
            "   │ Note 2: related: other.md:3:5: says to avoid heat\n",
            "───╯\n",
            "[HL501] Error: a figure (50%) without a source, stated as fact (unsupported-claim)\n",
            "   ╭─[ guide/ankle.md:4:10 ]\n",
            "   │\n",
            " 4 │ ╭─▶ Use ice: 50% of pain goes,\n",
            " 5 │ ├─▶ then rest.\n",
            "   │ │\n",
            "   │ ╰──────────────── stated here\n",
            "───╯\n",
            "note: skipped guide/photo.md: binary file (contains NUL bytes)\n",
            "Checked 2 files: 1 error, 1 warning, 0 info; skipped 1 file.\n",
        );
        assert_eq!(out, expected);
    }

    /// The article with `sep` inside its third line, rendered with a finding on "miracle
    /// cure" after it and a second label on the fourth line.
    fn rendered_around(sep: &str) -> String {
        use crate::diagnostic::{Label, RuleId};
        use crate::source::{Format, SourceFile};
        let text = format!("# Knee\n\nA gel.{sep}It is a miracle cure.\nAsk a pharmacist.\n");
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            start..start + needle.len()
        };
        let d = Diagnostic::new(
            RuleId {
                code: "HL502".into(),
                name: "miracle-cure-claim".into(),
                category: "claims".into(),
            },
            Severity::Warning,
            "a promise",
            Label::new(at("miracle cure"), "here"),
        )
        .with_label(Label::new(at("pharmacist"), "and here"));
        let report = FileReport {
            path: "a.md".to_string(),
            source: Some(std::sync::Arc::new(SourceFile::from_text(
                "a.md",
                Format::Markdown,
                text.clone(),
            ))),
            diagnostics: vec![d],
            skipped: None,
            failed: false,
        };
        let pretty = Pretty {
            color: false,
            quiet: true,
            width: DEFAULT_WIDTH,
        };
        String::from_utf8(pretty.render(&report).unwrap()).unwrap()
    }

    /// `sep` inside a line ends no line in any other format, so it ends none here either
    /// (issue 20, D9): it is shown as `picture`, the gutter numbers the lines as
    /// `path:line:col` does, and the underline stands under its words.
    fn shown_in_its_line(sep: &str, picture: &str) {
        let out = rendered_around(sep);
        let shown = format!(" 3 │ A gel.{picture}It is a miracle cure.\n");
        assert!(out.contains("╭─[ a.md:3:16 ]"), "{out}");
        assert!(out.contains(&shown), "{out}");
        assert!(out.contains(" 4 │ Ask a pharmacist.\n"), "{out}");
        assert!(!out.contains(sep), "shown raw:\n{out}");
        // The underline starts in the column of "miracle".
        let lines: Vec<&str> = out.lines().collect();
        let row = lines.iter().position(|l| l.starts_with(" 3 │")).unwrap();
        let column = |line: &str, pattern: &str| {
            let byte = line.find(pattern).unwrap();
            line[..byte].chars().count()
        };
        assert_eq!(
            column(lines[row + 1], "─"),
            column(lines[row], "miracle"),
            "{out}"
        );
    }

    #[test]
    fn a_lone_cr_breaks_no_line() {
        shown_in_its_line("\r", "␍");
    }

    #[test]
    fn a_vertical_tab_breaks_no_line() {
        shown_in_its_line("\u{0B}", "␋");
    }

    #[test]
    fn a_form_feed_breaks_no_line() {
        shown_in_its_line("\u{0C}", "␌");
    }

    #[test]
    fn a_next_line_character_breaks_no_line() {
        shown_in_its_line("\u{85}", "␤");
    }

    #[test]
    fn a_line_separator_breaks_no_line() {
        shown_in_its_line("\u{2028}", "␤");
    }

    #[test]
    fn a_paragraph_separator_breaks_no_line() {
        shown_in_its_line("\u{2029}", "¶");
    }

    /// A CR before a LF is part of the line break, and not shown.
    #[test]
    fn crlf_is_one_line_break_and_not_shown() {
        let crlf = rendered_around("\r\n");
        assert!(crlf.contains("╭─[ a.md:4:9 ]"), "{crlf}");
        assert!(crlf.contains(" 4 │ It is a miracle cure.\n"), "{crlf}");
        assert!(crlf.contains(" 5 │ Ask a pharmacist.\n"), "{crlf}");
        assert!(!crlf.contains('␍'), "{crlf}");
    }
}
