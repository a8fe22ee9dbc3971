//! Positions as the Language Server Protocol counts them: takes a document's text and the
//! encoding the client and server agreed on, and converts between healthlint's byte offsets
//! and LSP `Position`s (0-based line, and a character offset in UTF-8 bytes or UTF-16 code
//! units within the line). LSP lines end at `\n`, `\r\n` or a lone `\r`, so this index is not
//! [`crate::source::LineIndex`], which splits at `\n` only. Every conversion clamps: an offset
//! past the text, inside a character or inside a line break, and a position past a line's end
//! or inside a surrogate pair, all land on the nearest valid place instead of failing.

use lsp_types::{Position, PositionEncodingKind};

/// The unit of `Position::character`, agreed at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion at all), else UTF-16, which every client
    /// supports and which is the protocol's default.
    pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// How many units of this encoding `c` takes.
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }

    /// How many units of this encoding `text` takes.
    pub fn len(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        }
    }
}

/// Where each line of a text starts and where its content ends (before its line break).
#[derive(Debug, Clone)]
pub(crate) struct Lines {
    /// Per line: (start, end of content), as byte offsets.
    lines: Vec<(usize, usize)>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            lines.push((start, at));
            start = next;
            i = next;
        }
        lines.push((start, text.len()));
        Lines { lines }
    }

    /// The byte range of a 0-based line's content, without its line break.
    pub(crate) fn content(&self, line: usize) -> Option<std::ops::Range<usize>> {
        self.lines.get(line).map(|&(s, e)| s..e)
    }

    /// The 0-based line that holds byte `offset` (a line break belongs to its line).
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|&(start, _)| start <= offset)
            .saturating_sub(1)
    }

    /// The LSP position of a byte offset.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let (start, end) = self.lines[line];
        // An offset inside the line break (between `\r` and `\n`) is the end of the line.
        let character = encoding.len(&text[start..offset.min(end)]);
        Position::new(narrow(line), narrow(character))
    }

    /// The byte offset of an LSP position. A line past the last is the end of the text; a
    /// character past the line's end is its end, and one inside a character (half a
    /// surrogate pair) is that character's start.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let Some(&(start, end)) = self.lines.get(position.line as usize) else {
            return text.len();
        };
        let wanted = position.character as usize;
        if encoding == Encoding::Utf8 {
            let mut at = (start + wanted).min(end);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            return at;
        }
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            let next = units + encoding.width(c);
            if next > wanted {
                return start + i;
            }
            units = next;
        }
        end
    }
}

/// LSP positions are `u32`; healthlint's files are at most 64 MiB, so this never saturates.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, offset: usize, encoding: Encoding) -> (u32, u32) {
        let lines = Lines::new(text);
        let p = lines.position(text, offset, encoding);
        assert_eq!(
            lines.offset(text, p, encoding),
            offset,
            "{text:?} at {offset} ({encoding:?})"
        );
        (p.line, p.character)
    }

    #[test]
    fn an_emoji_counts_two_utf16_units_and_four_bytes() {
        let text = "# Pain\n😀 heat it now\n";
        let heat = text.find("heat").unwrap();
        assert_eq!(round_trip(text, heat, Encoding::Utf16), (1, 3));
        assert_eq!(round_trip(text, heat, Encoding::Utf8), (1, 5));
        // Code points would say 2: the column `--format json` reports (1-based: 3).
        assert_eq!(text[text.find('😀').unwrap()..heat].chars().count(), 2);
    }

    #[test]
    fn cjk_counts_one_utf16_unit_and_three_bytes() {
        let text = "腰痛 miracle cure";
        let cure = text.find("miracle").unwrap();
        assert_eq!(round_trip(text, cure, Encoding::Utf16), (0, 3));
        assert_eq!(round_trip(text, cure, Encoding::Utf8), (0, 7));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines_and_the_break_is_not_content() {
        let text = "one\r\ntwo\rthree\nfour";
        for (word, line) in [("two", 1), ("three", 2), ("four", 3)] {
            let at = text.find(word).unwrap();
            assert_eq!(round_trip(text, at, Encoding::Utf16), (line, 0));
        }
        let lines = Lines::new(text);
        // Between `\r` and `\n`: the end of line 0.
        assert_eq!(
            lines.position(text, 4, Encoding::Utf16),
            Position::new(0, 3)
        );
        // Past the end of a line's content: clamped to it, before the `\r`.
        assert_eq!(lines.offset(text, Position::new(0, 99), Encoding::Utf16), 3);
        assert_eq!(lines.content(1), Some(5..8));
    }

    #[test]
    fn out_of_range_positions_and_offsets_clamp_instead_of_failing() {
        let text = "a😀b";
        let lines = Lines::new(text);
        // Inside the emoji's bytes: moved back to its start.
        assert_eq!(
            lines.position(text, 3, Encoding::Utf16),
            Position::new(0, 1)
        );
        // Between the two halves of its surrogate pair: its start.
        assert_eq!(lines.offset(text, Position::new(0, 2), Encoding::Utf16), 1);
        assert_eq!(lines.offset(text, Position::new(0, 2), Encoding::Utf8), 1);
        assert_eq!(lines.offset(text, Position::new(7, 0), Encoding::Utf16), 6);
        assert_eq!(
            lines.position(text, 99, Encoding::Utf16),
            Position::new(0, 4)
        );
        assert_eq!(
            Lines::new("").position("", 0, Encoding::Utf8),
            Position::new(0, 0)
        );
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        let utf32 = [PositionEncodingKind::UTF32];
        assert_eq!(Encoding::negotiate(Some(&utf32)), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
