//! Plain text (`.txt`) into blocks: a title line, blank-line paragraphs, bullet-like lines
//! (`•`, `-`, `*`, `–`, `1.`, `1)`) as list items whose lead-in is the text line before them,
//! and short unpunctuated lines followed by more text as headings — the way people lay out
//! articles when they have no markup.

use std::ops::Range;

use super::{BlockKind, Builder};

/// A line of the file without its line break.
struct Line {
    range: Range<usize>,
    /// The range after a bullet marker, when the line is a list item.
    bullet: Option<Range<usize>>,
}

pub(super) fn parse(b: &mut Builder<'_>) {
    let text = b.text;
    let lines = split_lines(text);
    // Groups of consecutive non-blank lines.
    let mut groups: Vec<&[Line]> = Vec::new();
    let mut start = None;
    for (i, line) in lines.iter().enumerate() {
        let blank = text[line.range.clone()].trim().is_empty();
        match (blank, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                groups.push(&lines[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        groups.push(&lines[s..]);
    }

    let mut seen_title = false;
    for (gi, group) in groups.iter().enumerate() {
        let more_follows = gi + 1 < groups.len() || group.len() > 1;
        let mut i = 0;
        // A first line that reads as a heading: `# Title`, or a short unpunctuated line that
        // starts the group (the title first, then section headings).
        if group[0].bullet.is_none() {
            let first = text[group[0].range.clone()].trim();
            let level = markdown_heading_level(first).or_else(|| {
                let heading_like = more_follows
                    && looks_like_heading(first)
                    && (group.len() == 1 || starts_block(text, &group[1]));
                heading_like.then_some(if seen_title { 2 } else { 1 })
            });
            if let Some(level) = level {
                b.push_block(
                    BlockKind::Heading { level },
                    &[group[0].range.clone()],
                    None,
                    None,
                );
                i = 1;
            }
        }
        seen_title = true;
        let mut lead_in: Option<usize> = None;
        let mut list: Option<u32> = None;
        while i < group.len() {
            if let Some(item) = &group[i].bullet {
                if list.is_none() {
                    list = Some(b.new_list());
                }
                // Continuation lines (not bullets) belong to the item.
                let mut segments = vec![item.clone()];
                let mut j = i + 1;
                while j < group.len()
                    && group[j].bullet.is_none()
                    && starts_indented(text, &group[j].range)
                {
                    segments.push(group[j].range.clone());
                    j += 1;
                }
                b.push_block(BlockKind::ListItem, &segments, lead_in, list);
                i = j;
            } else {
                // A run of text lines up to the next bullet is one paragraph.
                let mut j = i;
                while j < group.len() && group[j].bullet.is_none() {
                    j += 1;
                }
                let segments: Vec<_> = group[i..j].iter().map(|l| l.range.clone()).collect();
                lead_in = b.push_block(BlockKind::Paragraph, &segments, None, None);
                list = None;
                i = j;
            }
        }
    }
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b'\n' {
            lines.push(make_line(text, start..i));
            start = i + 1;
        }
    }
    if start < text.len() {
        lines.push(make_line(text, start..text.len()));
    }
    lines
}

fn make_line(text: &str, mut range: Range<usize>) -> Line {
    if text[range.clone()].ends_with('\r') {
        range.end -= 1;
    }
    let line = &text[range.clone()];
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let marker_len = bullet_marker_len(rest);
    let bullet = marker_len.map(|len| range.start + indent + len..range.end);
    Line { range, bullet }
}

/// Length in bytes of a bullet marker and the space after it, if the line starts with one.
fn bullet_marker_len(rest: &str) -> Option<usize> {
    for marker in ["•", "-", "*", "–", "·", "‣", "▪", "◦"] {
        if let Some(after) = rest.strip_prefix(marker) {
            if after.starts_with([' ', '\t']) {
                return Some(marker.len() + 1);
            }
        }
    }
    // Numbered: "1." or "1)" or "a)" followed by a space.
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let letter =
        usize::from(digits == 0 && rest.as_bytes().first().is_some_and(u8::is_ascii_lowercase));
    let n = digits + letter;
    if (1..=3).contains(&n) {
        let after = &rest.as_bytes()[n..];
        let closes = if letter == 1 {
            after.first() == Some(&b')')
        } else {
            matches!(after.first(), Some(b'.' | b')'))
        };
        if closes && matches!(after.get(1), Some(b' ' | b'\t')) {
            return Some(n + 2);
        }
    }
    None
}

/// Whether the line after a heading-like line starts something new (a bullet, or a capitalised
/// line), rather than continuing a hard-wrapped sentence in lowercase.
fn starts_block(text: &str, line: &Line) -> bool {
    line.bullet.is_some()
        || text[line.range.clone()]
            .trim_start()
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn starts_indented(text: &str, range: &Range<usize>) -> bool {
    text[range.clone()].starts_with([' ', '\t'])
}

/// `# Title` style lines in plain text.
fn markdown_heading_level(line: &str) -> Option<u8> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with(' ')).then_some(hashes as u8)
}

/// A short line with no closing punctuation, starting with a capital or digit.
fn looks_like_heading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let last = line.chars().last().unwrap_or('.');
    let first = line.chars().next().unwrap_or('a');
    (1..=12).contains(&words)
        && line.len() <= 80
        && !matches!(last, '.' | ',' | ';' | ':' | '!' | '"' | '”')
        && (first.is_uppercase() || first.is_ascii_digit())
}
