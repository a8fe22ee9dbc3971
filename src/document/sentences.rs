//! Sentence boundaries inside one block, from Unicode sentence segmentation (UAX #29) with
//! repairs for what it gets wrong in health text: abbreviations ("e.g.", "Dr.", "approx.",
//! "mg.", "vs.") and list items without closing punctuation stay one sentence each.
//!
//! The UAX #29 state machine is the one of the `unicode-segmentation` crate, re-implemented here
//! so that ASCII characters are classified through a 128-entry table instead of a binary search
//! over the whole Unicode range table per character (that search was a third of the run time
//! of a check). The boundaries are the same; `tests::same_bounds_as_unicode_segmentation`
//! compares the two.

use std::ops::Range;

use super::sentence_table::sentence::{sentence_category, SentenceCat};

/// Words after which a full stop does not end a sentence (lowercase, without the dot).
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "etc", "vs", "approx", "dr", "mr", "mrs", "ms", "prof", "st", "no",
    "fig", "mg", "mcg", "ml", "kg", "cm", "mm", "min", "mins", "hr", "hrs", "tab", "tabs", "cap",
    "caps", "inc", "ltd", "co", "jr", "sr", "dept", "approx", "est", "al", "ca", "cf", "incl",
    "max", "wk", "wks", "yr", "yrs", "oz", "lb", "lbs", "a.m", "p.m", "u.s", "u.k",
];

/// Splits the prose of `block` into sentence ranges (trimmed, never empty).
pub fn split(prose: &str, block: Range<usize>) -> Vec<Range<usize>> {
    let slice = &prose[block.clone()];
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut pending_start: Option<usize> = None;
    for (offset, piece) in bound_indices(slice) {
        let start = pending_start.unwrap_or(offset);
        let end = offset + piece.len();
        if ends_with_abbreviation(piece) && end < slice.len() {
            pending_start = Some(start);
            continue;
        }
        pending_start = None;
        push_trimmed(&mut out, slice, start..end, block.start);
    }
    if let Some(start) = pending_start {
        push_trimmed(&mut out, slice, start..slice.len(), block.start);
    }
    out
}

/// One part of the UAX #29 state: the last few characters, with runs of Close and Sp collapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Sot,
    Other,
    Cr,
    Lf,
    Sep,
    ATerm,
    UpperLower,
    ClosePlus,
    SpPlus,
    STerm,
}

/// Sentence_Break of ASCII characters, indexed by byte.
static ASCII: [SentenceCat; 128] = {
    let mut t = [SentenceCat::SC_Any; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = match b {
            b'\t' | 0x0B | 0x0C | b' ' => SentenceCat::SC_Sp,
            b'\n' => SentenceCat::SC_LF,
            b'\r' => SentenceCat::SC_CR,
            b'!' | b'?' => SentenceCat::SC_STerm,
            b'.' => SentenceCat::SC_ATerm,
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => SentenceCat::SC_Close,
            b',' | b'-' | b':' | b';' => SentenceCat::SC_SContinue,
            b'0'..=b'9' => SentenceCat::SC_Numeric,
            b'a'..=b'z' => SentenceCat::SC_Lower,
            b'A'..=b'Z' => SentenceCat::SC_Upper,
            _ => SentenceCat::SC_Any,
        };
        i += 1;
    }
    t
};

/// ASCII bytes that never start or continue a sentence terminator sequence on their own:
/// everything below 0x80 except `.`, `!`, `?`, CR and LF (non-ASCII bytes are not boring).
static BORING: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 128 {
        t[i] = !matches!(i as u8, b'.' | b'!' | b'?' | b'\r' | b'\n');
        i += 1;
    }
    t
};

/// How many bytes of a long boring run are replayed into the state (more than the four parts
/// the state keeps, so that runs of spaces or closing quotes collapse as they would).
const TAIL: usize = 8;

#[inline]
fn category(c: char) -> SentenceCat {
    if c.is_ascii() {
        ASCII[c as usize]
    } else {
        sentence_category(c).2
    }
}

/// The state after the characters seen so far: the last four parts, newest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State([Part; 4]);

impl State {
    #[inline]
    fn next(self, cat: SentenceCat) -> State {
        let p = self.0;
        match (p[3], cat) {
            (Part::ClosePlus, SentenceCat::SC_Close) | (Part::SpPlus, SentenceCat::SC_Sp) => self,
            _ => State([
                p[1],
                p[2],
                p[3],
                match cat {
                    SentenceCat::SC_CR => Part::Cr,
                    SentenceCat::SC_LF => Part::Lf,
                    SentenceCat::SC_Sep => Part::Sep,
                    SentenceCat::SC_ATerm => Part::ATerm,
                    SentenceCat::SC_Upper | SentenceCat::SC_Lower => Part::UpperLower,
                    SentenceCat::SC_Close => Part::ClosePlus,
                    SentenceCat::SC_Sp => Part::SpPlus,
                    SentenceCat::SC_STerm => Part::STerm,
                    _ => Part::Other,
                },
            ]),
        }
    }

    /// The part before the trailing `Close* Sp*` (SB8, SB8a, SB10).
    #[inline]
    fn before_close_sp(self) -> Part {
        let p = self.0;
        let mut idx = if p[3] == Part::SpPlus { 2 } else { 3 };
        if p[idx] == Part::ClosePlus {
            idx -= 1;
        }
        p[idx]
    }

    /// Not inside `SATerm Close* Sp*` and not after a paragraph separator or at the start:
    /// no rule can put a boundary before the next character unless it is a terminator or a
    /// separator itself.
    #[inline]
    fn is_neutral(self) -> bool {
        !matches!(self.0[3], Part::Sot | Part::Sep | Part::Cr | Part::Lf)
            && !matches!(self.before_close_sp(), Part::STerm | Part::ATerm)
    }

    /// `SATerm Close*` (SB9).
    fn sb9(self) -> bool {
        let p = self.0;
        let idx = if p[3] == Part::ClosePlus { 2 } else { 3 };
        matches!(p[idx], Part::STerm | Part::ATerm)
    }

    /// `SATerm Close* Sp* ParaSep?` (SB11).
    fn sb11(self) -> bool {
        let p = self.0;
        let mut idx = if matches!(p[3], Part::Sep | Part::Cr | Part::Lf) {
            2
        } else {
            3
        };
        if p[idx] == Part::SpPlus {
            idx -= 1;
        }
        if p[idx] == Part::ClosePlus {
            idx -= 1;
        }
        matches!(p[idx], Part::STerm | Part::ATerm)
    }
}

/// SB8: `ATerm Close* Sp* × ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower`.
fn sb8(state: State, ahead: &str) -> bool {
    if state.before_close_sp() != Part::ATerm {
        return false;
    }
    for c in ahead.chars() {
        match category(c) {
            SentenceCat::SC_Lower => return true,
            SentenceCat::SC_OLetter
            | SentenceCat::SC_Upper
            | SentenceCat::SC_Sep
            | SentenceCat::SC_CR
            | SentenceCat::SC_LF
            | SentenceCat::SC_STerm
            | SentenceCat::SC_ATerm => return false,
            _ => {}
        }
    }
    false
}

/// Byte offsets where UAX #29 puts a sentence boundary inside `s` (after the start, up to and
/// including the end when `s` is not empty).
fn breaks(s: &str) -> Vec<usize> {
    use SentenceCat::*;
    let mut out = Vec::new();
    let mut state = State([Part::Sot; 4]);
    let bytes = s.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        // Fast path: away from a terminator (a "neutral" state), an ASCII byte other than
        // `.!?\r\n` can neither be a boundary nor start one (SB4–SB11 all need a terminator or
        // a paragraph separator before it), and the state stays neutral. Such a run only
        // shifts the state, and what later rules can read of it is its last few parts (no
        // part in it is a terminator), so a long run is skipped and only its tail replayed.
        if state.is_neutral() {
            let run = bytes[pos..]
                .iter()
                .position(|&b| !BORING[b as usize])
                .unwrap_or(bytes.len() - pos);
            if run > 0 {
                let end = pos + run;
                if run > TAIL {
                    state = State([Part::Other; 4]);
                    pos = end - TAIL;
                }
                for &b in &bytes[pos..end] {
                    state = state.next(ASCII[b as usize]);
                }
                pos = end;
                continue;
            }
        }
        let Some(c) = s[pos..].chars().next() else {
            break;
        };
        let before = state;
        let cat = category(c);
        state = state.next(cat);
        let last = before.0[3];
        let is_break = match cat {
            _ if last == Part::Sot => false, // SB1: the start is not reported as a break
            SC_LF if last == Part::Cr => false,
            _ if matches!(last, Part::Sep | Part::Cr | Part::Lf) => true,
            SC_Extend | SC_Format => {
                state = before;
                false
            }
            SC_Numeric if last == Part::ATerm => false,
            SC_Upper if before.0[2] == Part::UpperLower && last == Part::ATerm => false,
            _ if sb8(before, &s[pos..]) => false,
            SC_SContinue | SC_STerm | SC_ATerm
                if matches!(before.before_close_sp(), Part::STerm | Part::ATerm) =>
            {
                false
            }
            SC_Close | SC_Sp | SC_Sep | SC_CR | SC_LF if before.sb9() => false,
            SC_Sp | SC_Sep | SC_CR | SC_LF
                if matches!(before.before_close_sp(), Part::STerm | Part::ATerm) =>
            {
                false
            }
            _ => before.sb11(),
        };
        if is_break {
            out.push(pos);
        }
        pos += c.len_utf8();
    }
    if !s.is_empty() {
        out.push(s.len());
    }
    out
}

/// `(offset, piece)` for each UAX #29 sentence of `s`, like `split_sentence_bound_indices`.
fn bound_indices(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    breaks(s).into_iter().map(move |end| {
        let piece = (start, &s[start..end]);
        start = end;
        piece
    })
}

fn push_trimmed(out: &mut Vec<Range<usize>>, slice: &str, range: Range<usize>, base: usize) {
    let piece = &slice[range.clone()];
    let trimmed = piece.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if trimmed.is_empty() {
        return;
    }
    let lead = piece.len()
        - piece
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\0')
            .len();
    let start = base + range.start + lead;
    out.push(start..start + trimmed.len());
}

fn ends_with_abbreviation(piece: &str) -> bool {
    let trimmed = piece.trim_end();
    let Some(body) = trimmed.strip_suffix('.') else {
        return false;
    };
    let word = body
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    // Compared without allocating: this runs once per sentence piece.
    ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
        || (word.len() == 1 && word.as_bytes()[0].is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn keeps_abbreviations_and_decimals_inside_sentences() {
        assert_eq!(
            sentences("Take 2.5 mg. daily, e.g. with food. See Dr. Jones if it hurts. Done"),
            vec![
                "Take 2.5 mg. daily, e.g. with food.",
                "See Dr. Jones if it hurts.",
                "Done"
            ]
        );
    }

    #[test]
    fn ascii_table_matches_unicode_table() {
        for b in 0u8..128 {
            assert_eq!(
                ASCII[b as usize],
                sentence_category(b as char).2,
                "byte {b}"
            );
        }
    }

    #[test]
    fn same_bounds_as_unicode_segmentation() {
        use unicode_segmentation::UnicodeSegmentation;
        let texts = [
            "Rest. Then move!  Why? e.g. this. Mr. Smith said \"Stop.\" Then (later) he left.\n\nNew",
            "Keep it below 25 °C. Don’t worry – it’s normal 😴. Café “detox” drinks. 中文。العربية؟ ok",
            "etc. (see 5) more. U.S. Army. 3.5 mg.\r\nNext line\u{2029}para\u{85}x",
            "Wait...  \"what?\"  ) lower. end.) Next! ?? ...",
            "\0\0 masked \0 text. A\u{301}. b\u{200d}c. ",
            "",
        ];
        for text in texts {
            let ours: Vec<_> = bound_indices(text).collect();
            let theirs: Vec<_> = text.split_sentence_bound_indices().collect();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    /// Random strings over the characters the rules care about, compared with the crate.
    #[test]
    fn same_bounds_as_unicode_segmentation_fuzzed() {
        use unicode_segmentation::UnicodeSegmentation;
        let alphabet = [
            "a",
            "b",
            "Q",
            "Dr",
            "7",
            " ",
            "  ",
            ".",
            "!",
            "?",
            ",",
            ";",
            ":",
            "-",
            "(",
            ")",
            "\"",
            "'",
            "\n",
            "\r\n",
            "\0",
            "é",
            "’",
            "”",
            "“",
            "–",
            "\u{2029}",
            "\u{301}",
            "\u{200d}",
            "。",
            "中",
            "😴",
            "\u{a0}",
            "µ",
            "e.g.",
            "etc. ",
            "word ",
            "Word ",
            "some long ordinary words here, ",
            "            ",
            "))))))))))",
            "\"\"\"\"\"\"\"\"\"\"",
        ];
        let mut seed: u64 = 0x1234_5678;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 59) as usize + 1;
            for _ in 0..len * 2 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let ours: Vec<_> = bound_indices(&text).collect();
            let theirs: Vec<_> = text.split_sentence_bound_indices().collect();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn splits_plain_sentences() {
        assert_eq!(
            sentences("Rest. Then move!  Why?"),
            vec!["Rest.", "Then move!", "Why?"]
        );
    }
}
