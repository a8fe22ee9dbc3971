//! What the matcher reads where a word is written with characters a reader does not see:
//! soft hyphens, zero-width spaces and joiners, the word joiner and a byte-order mark inside
//! the text ("mir\u{AD}acle cure", "Tapa\u{200B}day"), and HTML character references
//! ("100&percnt; safe", "mir&#97;cle", "don&rsquo;t"), which a Markdown page renders as the
//! characters they name. Each would split a word or hide a character from every phrase, so a
//! claim or a drug name could be slipped past the rules.
//!
//! [`Unhidden::of`] finds them and hands on a copy of the text of the same length in which
//! each whitespace-delimited chunk that has one is written as it reads (the invisible
//! characters dropped, the references decoded) and padded with spaces after it, and a map
//! from the copy's offsets back to the text's ([`Unhidden::original`]): a match in the copy
//! becomes a span of the original text, on its character boundaries, that covers what the
//! reader sees. Offsets outside such chunks are the same in both, so the map holds only the
//! chunks. Text with neither (nearly every article) is not copied: [`Unhidden::of`] returns
//! `None` after a search for `&` and the lead bytes of those characters, which `memchr` does
//! many times faster than the matcher reads.
//!
//! No-break and other visible spaces (U+00A0, U+202F, `&nbsp;`) are blanked to plain spaces
//! when the document's prose is built (`document::blank_invisible_spacing`); they separate
//! words rather than hide them.

use std::borrow::Cow;
use std::ops::Range;

/// One piece of a rewritten chunk: where it is in the copy and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    copy: Range<usize>,
    original: Range<usize>,
    kind: PieceKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PieceKind {
    /// Bytes copied as written: offset `i` of the piece is offset `i` of its original.
    Same,
    /// A decoded reference: every byte of it stands for the whole reference.
    Decoded,
    /// The spaces after a shortened chunk: they stand for the chunk's end.
    Padding,
}

/// The text as the matcher reads it, and the way back to the original offsets.
#[derive(Debug)]
pub(crate) struct Unhidden {
    text: Vec<u8>,
    /// Pieces of the rewritten chunks, in order; offsets outside them map to themselves.
    pieces: Vec<Piece>,
}

/// Longest character reference decoded, `&ZeroWidthSpace;` (16 bytes); a longer run after
/// `&` is not looked at.
const MAX_REFERENCE: usize = 16;

/// Named references decoded: those that hide a character inside a word (invisible ones,
/// apostrophes and hyphens) or stand for a character claims are written with (`%`, `£`).
/// The five XML ones are included because any page may use them.
const NAMED: &[(&str, &str)] = &[
    ("amp", "&"),
    ("apos", "'"),
    ("quot", "\""),
    ("lt", "<"),
    ("gt", ">"),
    ("nbsp", "\u{A0}"),
    ("shy", ""),
    ("zwj", ""),
    ("zwnj", ""),
    ("ZeroWidthSpace", ""),
    ("NoBreak", ""),
    ("lsquo", "\u{2018}"),
    ("rsquo", "\u{2019}"),
    ("ldquo", "\u{201C}"),
    ("rdquo", "\u{201D}"),
    ("hyphen", "-"),
    ("dash", "\u{2010}"),
    ("ndash", "\u{2013}"),
    ("mdash", "\u{2014}"),
    ("minus", "\u{2212}"),
    ("percnt", "%"),
    ("pound", "\u{A3}"),
    ("euro", "\u{20AC}"),
    ("dollar", "$"),
    ("plus", "+"),
    ("comma", ","),
    ("period", "."),
    ("colon", ":"),
    ("excl", "!"),
    ("num", "#"),
];

/// Whether a character is invisible and joins what is on either side of it: the soft hyphen,
/// zero-width space, non-joiner and joiner, the word joiner and the invisible operators
/// after it, and the byte-order mark (a zero-width no-break space inside a text).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// The invisible character whose UTF-8 starts at `at`, by its length.
fn invisible_len(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..)? {
        [0xC2, 0xAD, ..] => Some(2),
        [0xE2, 0x80, 0x8B..=0x8D, ..] | [0xE2, 0x81, 0xA0..=0xA4, ..] | [0xEF, 0xBB, 0xBF, ..] => {
            Some(3)
        }
        _ => None,
    }
}

/// The character reference that starts at `at` (on its `&`): its length and what it stands
/// for (empty for an invisible character).
fn reference_at(bytes: &[u8], at: usize) -> Option<(usize, String)> {
    let rest = bytes.get(at + 1..)?;
    let semicolon = rest.iter().take(MAX_REFERENCE).position(|&b| b == b';')?;
    let body = std::str::from_utf8(&rest[..semicolon]).ok()?;
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) if !hex.is_empty() && hex.len() <= 6 => u32::from_str_radix(hex, 16).ok()?,
            None if !number.is_empty() && number.len() <= 7 => number.parse().ok()?,
            _ => return None,
        };
        // NUL and control characters stay written out: the source already reads control
        // bytes as spaces, and a reference to one hides nothing.
        match char::from_u32(value) {
            Some(c) if is_invisible(c) => String::new(),
            Some(c) if !c.is_control() => c.to_string(),
            _ => return None,
        }
    } else {
        NAMED
            .iter()
            .find(|(name, _)| *name == body)
            .map(|(_, text)| (*text).to_string())?
    };
    Some((semicolon + 2, decoded))
}

/// Whether a byte ends a chunk: ASCII whitespace, or NUL (the prose's fill between blocks).
fn is_break(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0
}

impl Unhidden {
    /// The text as the matcher should read it, or `None` when nothing in it is hidden.
    pub(crate) fn of(text: &str) -> Option<Unhidden> {
        let bytes = text.as_bytes();
        let first = first_candidate(bytes)?;
        let mut out = Unhidden {
            text: Vec::new(),
            pieces: Vec::new(),
        };
        let mut copied = 0;
        let mut at = first;
        let mut search = Search::new(bytes);
        while let Some(found) = search.next(at) {
            // The chunk around it, rewritten whole; the search goes on after it.
            let start = bytes[..found]
                .iter()
                .rposition(|&b| is_break(b))
                .map_or(0, |i| i + 1)
                .max(copied);
            let end = bytes[found..]
                .iter()
                .position(|&b| is_break(b))
                .map_or(bytes.len(), |i| found + i);
            out.text.extend_from_slice(&bytes[copied..start]);
            out.rewrite(bytes, start..end);
            copied = end;
            at = end;
        }
        if out.pieces.is_empty() {
            return None;
        }
        out.text.extend_from_slice(&bytes[copied..]);
        debug_assert_eq!(out.text.len(), bytes.len());
        Some(out)
    }

    /// The text the matcher reads: as long as the original, its own offsets outside the
    /// rewritten chunks.
    pub(crate) fn text(&self) -> &[u8] {
        &self.text
    }

    /// Writes the chunk `range` of `bytes` as it reads, then spaces up to its length.
    fn rewrite(&mut self, bytes: &[u8], range: Range<usize>) {
        let mut at = range.start;
        let mut same_from = at;
        let close_same = |out: &mut Unhidden, from: usize, to: usize| {
            if from < to {
                let copy = out.text.len()..out.text.len() + (to - from);
                out.text.extend_from_slice(&bytes[from..to]);
                out.pieces.push(Piece {
                    copy,
                    original: from..to,
                    kind: PieceKind::Same,
                });
            }
        };
        while at < range.end {
            if let Some(len) = invisible_len(bytes, at) {
                close_same(self, same_from, at);
                at += len;
                same_from = at;
            } else if let Some((len, decoded)) = (bytes[at] == b'&')
                .then(|| reference_at(bytes, at))
                .flatten()
                .filter(|(len, _)| at + len <= range.end)
            {
                close_same(self, same_from, at);
                if !decoded.is_empty() {
                    let copy = self.text.len()..self.text.len() + decoded.len();
                    self.text.extend_from_slice(decoded.as_bytes());
                    self.pieces.push(Piece {
                        copy,
                        original: at..at + len,
                        kind: PieceKind::Decoded,
                    });
                }
                at += len;
                same_from = at;
            } else {
                at += 1;
            }
        }
        close_same(self, same_from, range.end);
        // Every rewrite is shorter than what it replaces, so the chunk only shrinks; the copy
        // and the original agree on where it starts.
        let written = self.text.len() - range.start;
        let padding = self.text.len()..self.text.len() + range.len().saturating_sub(written);
        self.text.resize(padding.end, b' ');
        self.pieces.push(Piece {
            copy: padding,
            original: range.end..range.end,
            kind: PieceKind::Padding,
        });
    }

    /// The original span of the copy's `range` (a match): its start where the first byte it
    /// covers came from, its end where the last one did.
    pub(crate) fn original(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.map(range.start, false);
        let end = if range.end > range.start {
            self.map(range.end - 1, true)
        } else {
            start
        };
        start..end.max(start)
    }

    /// Maps the copy's byte at `at` to the start of what it came from, or (`end`) to the end
    /// of it.
    fn map(&self, at: usize, end: bool) -> usize {
        let i = self.pieces.partition_point(|p| p.copy.end <= at);
        let Some(piece) = self.pieces.get(i).filter(|p| p.copy.start <= at) else {
            return if end { at + 1 } else { at };
        };
        match piece.kind {
            PieceKind::Same => piece.original.start + (at - piece.copy.start) + usize::from(end),
            PieceKind::Decoded if end => piece.original.end,
            PieceKind::Decoded => piece.original.start,
            PieceKind::Padding => piece.original.end,
        }
    }
}

/// `text` as it reads, for quoting it in a message: invisible characters dropped, character
/// references decoded ("mir&shy;acle" → "miracle"). Spans still point at the text as written.
pub fn readable(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(first) = first_candidate(bytes) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut at = first;
    // Text is sliced only where an invisible character or a reference starts or ends, which
    // are character boundaries.
    while at < bytes.len() {
        if let Some(len) = invisible_len(bytes, at) {
            out.push_str(&text[from..at]);
            at += len;
            from = at;
        } else if let Some((len, decoded)) = (bytes[at] == b'&')
            .then(|| reference_at(bytes, at))
            .flatten()
        {
            out.push_str(&text[from..at]);
            out.push_str(&decoded);
            at += len;
            from = at;
        } else {
            at += 1;
        }
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// Where the first `&` or lead byte of an invisible character is, if the text has one.
fn first_candidate(bytes: &[u8]) -> Option<usize> {
    let amp = memchr::memchr(b'&', bytes);
    if bytes.is_ascii() {
        return amp;
    }
    let lead = next_hidden_char(bytes, 0);
    match (amp, lead) {
        (Some(a), Some(l)) => Some(a.min(l)),
        (a, l) => a.or(l),
    }
}

/// The next invisible character at or after `at`.
fn next_hidden_char(bytes: &[u8], mut at: usize) -> Option<usize> {
    while let Some(i) = memchr::memchr3(0xC2, 0xE2, 0xEF, &bytes[at.min(bytes.len())..]) {
        let found = at + i;
        if invisible_len(bytes, found).is_some() {
            return Some(found);
        }
        at = found + 1;
    }
    None
}

/// Finds invisible characters and character references in order. The next invisible
/// character is kept between calls, so that many references before it do not each search
/// the rest of the text for it again.
struct Search<'a> {
    bytes: &'a [u8],
    /// The next invisible character at or after the last position asked about, once known.
    invisible: Option<Option<usize>>,
}

impl<'a> Search<'a> {
    fn new(bytes: &'a [u8]) -> Search<'a> {
        Search {
            bytes,
            invisible: None,
        }
    }

    /// The next invisible character or character reference at or after `at`.
    fn next(&mut self, mut at: usize) -> Option<usize> {
        let bytes = self.bytes;
        let invisible = match self.invisible {
            Some(Some(i)) if i >= at => Some(i),
            Some(None) => None,
            _ => {
                let found = next_hidden_char(bytes, at);
                self.invisible = Some(found);
                found
            }
        };
        // References are looked for only up to the invisible character, so that the search
        // reads each byte once.
        let limit = invisible.unwrap_or(bytes.len());
        loop {
            let amp = memchr::memchr(b'&', &bytes[at.min(limit)..limit]).map(|i| at + i);
            match amp {
                Some(a) if reference_at(bytes, a).is_some() => return Some(a),
                Some(a) => at = a + 1,
                None => return invisible,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copy of `text` as a string, and the original of each `what` found in it.
    fn read(text: &str, what: &str) -> (String, Vec<String>) {
        let unhidden = Unhidden::of(text).expect("something is hidden");
        assert_eq!(unhidden.text().len(), text.len());
        let copy = String::from_utf8(unhidden.text().to_vec()).unwrap();
        let found = loose_matches(&copy, what)
            .into_iter()
            .map(|m| text[unhidden.original(&m)].to_string())
            .collect();
        (copy, found)
    }

    /// Where `what` occurs in `text`, a space in it taking a run of spaces, as a phrase's
    /// space does in the matcher.
    fn loose_matches(text: &str, what: &str) -> Vec<Range<usize>> {
        let (text, what) = (text.as_bytes(), what.as_bytes());
        let mut found = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let mut at = start;
            let mut matched = true;
            for &w in what {
                if w == b' ' && text.get(at) == Some(&b' ') {
                    while text.get(at) == Some(&b' ') {
                        at += 1;
                    }
                } else if text.get(at) == Some(&w) {
                    at += 1;
                } else {
                    matched = false;
                    break;
                }
            }
            if matched {
                found.push(start..at);
                start = at;
            } else {
                start += 1;
            }
        }
        found
    }

    #[test]
    fn invisible_characters_inside_words_are_dropped() {
        let text = "A mir\u{AD}acle cure, 100%\u{200B} safe: Tapa\u{2060}day\u{FEFF}.\n";
        let (copy, found) = read(text, "miracle cure");
        assert_eq!(found, ["mir\u{AD}acle cure"]);
        assert!(copy.contains("100%    safe"), "{copy:?}");
        let (_, found) = read(text, "Tapaday");
        assert_eq!(found, ["Tapa\u{2060}day"]);
        // A match that ends where the chunk does takes what ends it: "day" and the mark.
        let (_, found) = read(text, "Tapaday.");
        assert_eq!(found, ["Tapa\u{2060}day\u{FEFF}."]);
    }

    #[test]
    fn character_references_read_as_the_characters_they_name() {
        let text = "It is 100&percnt; safe, a mir&#97;cle&shy;cure, don&rsquo;t &#x200B;wait; A&E &madeup; &#0;";
        let unhidden = Unhidden::of(text).unwrap();
        let copy = String::from_utf8(unhidden.text().to_vec()).unwrap();
        assert!(
            copy.starts_with("It is 100%        safe, a miraclecure,"),
            "{copy:?}"
        );
        assert!(copy.contains("don\u{2019}t"), "{copy:?}");
        assert!(copy.contains(" wait;"), "{copy:?}");
        // Not references: left as written.
        assert!(copy.contains("A&E &madeup; &#0;"), "{copy:?}");
        let (_, found) = read(text, "100% safe");
        assert_eq!(found, ["100&percnt; safe"]);
        let (_, found) = read(text, "\u{2019}");
        assert_eq!(found, ["&rsquo;"]);
    }

    #[test]
    fn readable_text_drops_invisible_characters_and_decodes_references() {
        assert_eq!(readable("mir\u{AD}acle&#8203; cure"), "miracle cure");
        assert_eq!(
            readable("no side&nbsp;effects, A&E"),
            "no side\u{A0}effects, A&E"
        );
        assert!(matches!(readable("plain – text"), Cow::Borrowed(_)));
    }

    #[test]
    fn text_with_nothing_hidden_is_not_copied() {
        for text in [
            "plain text",
            "A&E and R&D; café – “quotes”",
            "",
            "&",
            "\u{2060}",
        ] {
            let found = Unhidden::of(text);
            assert_eq!(found.is_some(), text == "\u{2060}", "{text:?}");
        }
    }

    /// Every span maps onto character boundaries of the original, inside it, in order.
    #[test]
    fn spans_map_onto_character_boundaries() {
        let text = "é\u{AD}é &eacute;x&#233;\u{200D}&#x1F600;z\u{AD}\n\0a&amp;b";
        let unhidden = Unhidden::of(text).unwrap();
        let copy = unhidden.text();
        let mut last = 0;
        for start in 0..copy.len() {
            for end in start + 1..=copy.len() {
                let r = unhidden.original(&(start..end));
                assert!(
                    r.start <= r.end && r.end <= text.len(),
                    "{start}..{end}: {r:?}"
                );
                if std::str::from_utf8(&copy[start..end]).is_ok() {
                    assert!(text.is_char_boundary(r.start), "{start}..{end}: {r:?}");
                    assert!(text.is_char_boundary(r.end), "{start}..{end}: {r:?}");
                }
            }
            let r = unhidden.original(&(start..start + 1));
            assert!(r.start >= last, "starts in order");
            last = r.start;
        }
    }
}
