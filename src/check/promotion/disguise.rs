//! Disguised and unlisted drug names, for `kind = "promotion"`. Takes a file's prose, the drug
//! mentions the shared scan already found and a few cheap tests of where sales language stands,
//! and hands on more [`Found`] names, each with its original span: spaced or dotted letters
//! ("V I A G R A", "C.I.A.L.I.S"), digits, symbols and Cyrillic or Greek look-alike letters
//! for Latin ones ("V1agra", "X@nax"), case alternating inside a name ("CiAlIs"), a brand
//! glued to a word ("BuyViagra", "CialisViagra", split at the case change and rescanned with
//! the shared patterns), a capitalised word one edit from a brand of five letters or more
//! ("Cializ", "Valiuml") — only where sales language is near, since ordinary words sit one edit
//! from some brand — and medicines the lexicon does not list, recognised by an international
//! nonproprietary name (INN) stem ("-mab", "-tinib").
//!
//! It stays cheap: one byte loop over the words, and the edit comparison only for words that
//! look disguised (a digit or symbol inside letters, a run of single letters, a case change
//! inside a word) or, for plain capitalised words, only in blocks with sales language. The
//! brand index is built once per rule, bucketed by length, so a word is compared with the
//! names of its length and one either side only.

use std::ops::Range;

use crate::analyze::PatternSet;
use crate::rules::drugs::{DrugLexicon, Mention};

/// Shortest name the one-edit comparison is made against: shorter brands sit one edit from
/// too many ordinary words.
const MIN_FUZZY_LEN: usize = 5;

/// Single-word drug names, lowercase, by length.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    by_len: Vec<Vec<(Box<[u8]>, usize)>>,
    /// INN stems (lowercase suffixes) that name a medicine the lexicon may not list.
    stems: Vec<String>,
    /// Shortest word an INN stem is trusted on ("imab" is no drug, "avelumab" is).
    stem_min_len: usize,
    /// The last three bytes of every stem, packed: nearly every word fails this one compare
    /// per stem before any byte-wise `ends_with`.
    stem_tails: Vec<u32>,
}

/// The last three bytes of a word, packed (0 for shorter words).
fn tail3(word: &[u8]) -> u32 {
    match word {
        [.., a, b, c] => u32::from_le_bytes([*a, *b, *c, 0]),
        _ => 0,
    }
}

/// A name found by this pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// A lexicon drug, disguised. `fuzzy` when it is one edit away or a plain word whose
    /// letters only match after mapping look-alikes: it counts only with sales language near.
    Drug {
        drug: usize,
        range: Range<usize>,
        fuzzy: bool,
    },
    /// Sales language glued into a word ("BuyViagra", "NoPrescription").
    Sales(Range<usize>),
    /// A medicine named by its INN stem; the name is lowercase.
    Unlisted { name: String, range: Range<usize> },
}

impl NameIndex {
    pub fn new(lexicon: &DrugLexicon, stems: &[String], stem_min_len: usize) -> NameIndex {
        let mut by_len: Vec<Vec<(Box<[u8]>, usize)>> = Vec::new();
        for (term, drug) in lexicon.fuzzy_terms() {
            let t = term.to_ascii_lowercase();
            if t.len() < MIN_FUZZY_LEN || !t.bytes().all(|b| b.is_ascii_lowercase()) {
                continue;
            }
            if by_len.len() <= t.len() {
                by_len.resize_with(t.len() + 1, Vec::new);
            }
            let bucket = &mut by_len[t.len()];
            if !bucket.iter().any(|(n, _)| **n == *t.as_bytes()) {
                bucket.push((t.into_bytes().into_boxed_slice(), drug));
            }
        }
        let stems: Vec<String> = stems.iter().map(|s| s.to_ascii_lowercase()).collect();
        let mut stem_tails: Vec<u32> = stems.iter().map(|s| tail3(s.as_bytes())).collect();
        stem_tails.sort_unstable();
        stem_tails.dedup();
        NameIndex {
            by_len,
            stems,
            stem_min_len,
            stem_tails,
        }
    }

    /// The drug a (lowercased, look-alike) word names: exact after mapping look-alikes
    /// (edits 0) or one edit away; the nearest, ties to the first registered.
    fn closest(&self, word: &[u8]) -> Option<(usize, u8)> {
        let mut best: Option<(usize, u8)> = None;
        let lo = word.len().saturating_sub(1).max(MIN_FUZZY_LEN);
        for len in lo..=word.len() + 1 {
            for (name, drug) in self.by_len.get(len).into_iter().flatten() {
                if let Some(e) = within_one_edit(word, name) {
                    if best.is_none_or(|(_, b)| e < b) {
                        best = Some((*drug, e));
                    }
                }
            }
        }
        best
    }

    /// The names of `prose` that the scan missed. `known` are the scan's mentions;
    /// `sales_near(range)` says whether sales language stands near a range (its block, or
    /// anywhere in a short document); `patterns` rescans the pieces of glued words, with
    /// `sales` the ids of the sales list and `lexicon` reading drug names from the rescan.
    pub fn find(
        &self,
        prose: &str,
        known: &[Mention],
        sales_near: &dyn Fn(&Range<usize>) -> bool,
        glued: &Glued<'_>,
        want_stems: bool,
    ) -> Vec<Found> {
        let bytes = prose.as_bytes();
        let mut out = Vec::new();
        let is_known = |r: &Range<usize>| {
            let i = known.partition_point(|m| m.range.end <= r.start);
            known.get(i).is_some_and(|m| m.range.start < r.end)
        };
        // A plain lowercase word can only be an INN-stem name; the others go on to the tests
        // below.
        let words = words(bytes, &|w| want_stems && self.may_end_in_stem(w));
        let mut i = 0;
        while i < words.len() {
            // A run of single characters: "V I A G R A", "C.I.A.L.I.S".
            let run_end = single_char_run(bytes, &words, i);
            if run_end - i >= 4 {
                let range = words[i].start..words[run_end - 1].end;
                let joined: Vec<u8> = words[i..run_end]
                    .iter()
                    .map(|w| bytes[w.start].to_ascii_lowercase())
                    .collect();
                if !is_known(&range) {
                    if let Some((drug, e)) = self.closest(&joined) {
                        if e == 0 || sales_near(&range) {
                            out.push(Found::Drug {
                                drug,
                                range,
                                fuzzy: e > 0,
                            });
                        }
                    }
                }
                i = run_end;
                continue;
            }
            let w = words[i].clone();
            i += 1;
            if w.len() < MIN_FUZZY_LEN - 1 {
                continue;
            }
            let word = &bytes[w.clone()];
            // Most words are lowercase letters: they can only be an INN-stem name.
            if !word[0].is_ascii_uppercase() && word.iter().all(u8::is_ascii_lowercase) {
                if want_stems {
                    if let Some(name) = self.stem_name(word).filter(|_| !is_known(&w)) {
                        out.push(Found::Unlisted { name, range: w });
                    }
                }
                continue;
            }
            if is_known(&w) {
                continue;
            }
            let letters = word.iter().filter(|b| b.is_ascii_alphabetic()).count();
            let odd = word.iter().filter(|b| !b.is_ascii_alphabetic()).count();
            let name_part = strip_strength(word);
            let inner_case_change = word
                .windows(2)
                .any(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase());
            // Rescanning a glued word costs a scan: only where something is sold ("YouTube"
            // in an ordinary article is no disguise).
            if inner_case_change {
                if sales_near(&w) {
                    glued.split(prose, w, &mut out, self, sales_near);
                }
                continue;
            }
            let capitalised = word[0].is_ascii_uppercase();
            let disguised = odd > 0 && letters >= 3 && name_part.len() == word.len();
            if want_stems && odd == 0 && !capitalised_all(word) {
                if let Some(name) = self.stem_name(word) {
                    out.push(Found::Unlisted { name, range: w });
                    continue;
                }
            }
            if !(disguised || capitalised) || name_part.len() < MIN_FUZZY_LEN - 1 {
                continue;
            }
            // A plain word one edit from a brand ("Relax" and Relpax) is a disguise only in
            // a sales context, with a strength after it or alone on a short line of a list
            // that names other drugs.
            if !disguised
                && !(sales_near(&w)
                    && (has_strength(bytes, w.end) || (!known.is_empty() && lone(bytes, &w))))
            {
                continue;
            }
            let Some(lower) = fold(name_part) else {
                continue;
            };
            if let Some((drug, e)) = self.closest(&lower) {
                let range = w.start..w.start + name_part.len();
                if (e == 0 && disguised) || sales_near(&range) {
                    out.push(Found::Drug {
                        drug,
                        range,
                        fuzzy: !disguised || e > 0,
                    });
                }
            }
        }
        out
    }

    /// Whether a word is long enough to be an INN-stem name and ends in the last three bytes
    /// of a stem (a cheap test most words fail).
    fn may_end_in_stem(&self, word: &[u8]) -> bool {
        word.len() >= self.stem_min_len && self.stem_tails.contains(&tail3(word))
    }

    /// A lowercase or capitalised word ending in an INN stem, long enough to be a drug name.
    fn stem_name(&self, word: &[u8]) -> Option<String> {
        // Most long words end in no stem: compare bytes first, allocate only for a drug.
        if !self.may_end_in_stem(word)
            || !self.stems.iter().any(|s| word.ends_with(s.as_bytes()))
            || !word[1..].iter().all(u8::is_ascii_lowercase)
        {
            return None;
        }
        Some(String::from_utf8_lossy(word).to_ascii_lowercase())
    }
}

/// The shared patterns, to rescan a glued word split at its case changes.
pub(crate) struct Glued<'a> {
    pub patterns: &'a PatternSet,
    pub lexicon: &'a DrugLexicon,
    pub sales: crate::analyze::PatternId,
}

impl Glued<'_> {
    /// Splits "BuyViagraOnline" into "Buy Viagra Online", rescans it, and maps what it finds
    /// back onto the word; pieces the rescan does not name go through the one-edit test.
    fn split(
        &self,
        prose: &str,
        w: Range<usize>,
        out: &mut Vec<Found>,
        index: &NameIndex,
        sales_near: &dyn Fn(&Range<usize>) -> bool,
    ) {
        let bytes = &prose.as_bytes()[w.clone()];
        // (offset in the split text) -> offset in the word.
        let mut text = String::with_capacity(bytes.len() + 8);
        let mut back: Vec<usize> = Vec::with_capacity(bytes.len() + 8);
        let mut pieces: Vec<Range<usize>> = Vec::new();
        let mut piece_start = 0;
        for (k, &b) in bytes.iter().enumerate() {
            if k > 0 && b.is_ascii_uppercase() && bytes[k - 1].is_ascii_lowercase() {
                text.push(' ');
                back.push(k);
                pieces.push(piece_start..k);
                piece_start = k;
            }
            text.push(char::from(b));
            back.push(k);
        }
        pieces.push(piece_start..bytes.len());
        back.push(bytes.len());
        let at = |r: &Range<usize>| w.start + back[r.start]..w.start + back[r.end];
        let hits = self.patterns.scan(&text);
        let mentions = self.lexicon.mentions(&hits, &text);
        let mut named = Vec::new();
        for m in &mentions {
            let r = at(&m.range);
            named.push(r.clone());
            out.push(Found::Drug {
                drug: m.drug,
                range: r,
                fuzzy: false,
            });
        }
        // Case alternating inside a name ("ViAgRa") splits it into no name at all: then the
        // whole word is compared.
        if mentions.is_empty() {
            if let Some((drug, e)) = fold(bytes).and_then(|l| index.closest(&l)) {
                out.push(Found::Drug {
                    drug,
                    range: w,
                    fuzzy: e > 0,
                });
                return;
            }
        }
        let mut sold = false;
        for r in hits.of(self.sales) {
            sold = true;
            out.push(Found::Sales(at(r)));
        }
        for p in pieces {
            let r = w.start + p.start..w.start + p.end;
            if p.len() < MIN_FUZZY_LEN - 1
                || named.iter().any(|n| n.start < r.end && r.start < n.end)
            {
                continue;
            }
            let Some(lower) = fold(&bytes[p]) else {
                continue;
            };
            if let Some((drug, _)) = index.closest(&lower) {
                if sold || sales_near(&r) {
                    out.push(Found::Drug {
                        drug,
                        range: r,
                        fuzzy: true,
                    });
                }
            }
        }
    }
}

/// A strength after a word: " 2mg", " 40 mg", "-100".
fn has_strength(bytes: &[u8], end: usize) -> bool {
    let rest = &bytes[end..bytes.len().min(end + 3)];
    let skip = rest.iter().take_while(|b| matches!(b, b' ' | b'-')).count();
    bytes.get(end + skip).is_some_and(u8::is_ascii_digit)
}

/// A word alone on its line, or with at most two more words: an item of a product list. Looks
/// at most `LONE_REACH` bytes either side, so that long paragraphs cost nothing.
fn lone(bytes: &[u8], w: &Range<usize>) -> bool {
    const LONE_REACH: usize = 40;
    let from = w.start.saturating_sub(LONE_REACH);
    let to = bytes.len().min(w.end + LONE_REACH);
    let line_end = |b: &u8| *b == b'\n' || *b == 0;
    let Some(start) = (if from == 0 {
        Some(
            bytes[..w.start]
                .iter()
                .rposition(line_end)
                .map_or(0, |i| i + 1),
        )
    } else {
        bytes[from..w.start]
            .iter()
            .rposition(line_end)
            .map(|i| from + i + 1)
    }) else {
        return false;
    };
    let Some(end) = (if to == bytes.len() {
        Some(
            bytes[w.end..]
                .iter()
                .position(line_end)
                .map_or(to, |i| w.end + i),
        )
    } else {
        bytes[w.end..to]
            .iter()
            .position(line_end)
            .map(|i| w.end + i)
    }) else {
        return false;
    };
    bytes[start..end]
        .split(|b| b.is_ascii_whitespace())
        .filter(|p| !p.is_empty())
        .count()
        <= 3
}

fn capitalised_all(word: &[u8]) -> bool {
    word.iter().all(|b| !b.is_ascii_lowercase())
}

/// A word without a strength glued to its end ("Viagra100mg" → "Viagra"); the word itself when
/// its digits are not a trailing strength.
fn strip_strength(word: &[u8]) -> &[u8] {
    let mut end = word.len();
    for unit in [&b"mcg"[..], b"mg", b"ml"] {
        if end > unit.len() && word[end - unit.len()..].eq_ignore_ascii_case(unit) {
            end -= unit.len();
            break;
        }
    }
    let digits_end = end;
    while end > 0 && word[end - 1].is_ascii_digit() {
        end -= 1;
    }
    if end < digits_end && end > 0 && word[..end].iter().all(u8::is_ascii_alphabetic) {
        &word[..end]
    } else {
        word
    }
}

/// Bytes that may stand for a letter inside a disguised word: letters, digits, a few symbols,
/// and any non-ASCII byte (a Cyrillic or Greek look-alike letter, see [`fold`]).
const fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'@' | b'$' | b'|' | b'!') || !b.is_ascii()
}

/// A word lowercased to ASCII, Cyrillic and Greek look-alike letters mapped to the Latin letter
/// they imitate ("Viаgra" with a Cyrillic "а"); `None` when a character has no look-alike (an
/// accented word such as "café" is no disguise).
fn fold(word: &[u8]) -> Option<Vec<u8>> {
    if word.is_ascii() {
        return Some(word.to_ascii_lowercase());
    }
    let text = std::str::from_utf8(word).ok()?;
    let mut out = Vec::with_capacity(word.len());
    for c in text.chars() {
        let b = match c {
            c if c.is_ascii() => c.to_ascii_lowercase() as u8,
            'а' | 'А' | 'α' | 'Α' => b'a',
            'в' | 'В' | 'β' | 'Β' => b'b',
            'с' | 'С' => b'c',
            'е' | 'Е' | 'ε' | 'Ε' => b'e',
            'н' | 'Н' | 'η' | 'Η' => b'h',
            'і' | 'І' | 'ι' | 'Ι' => b'i',
            'ј' | 'Ј' => b'j',
            'к' | 'К' | 'κ' | 'Κ' => b'k',
            'м' | 'М' | 'Μ' => b'm',
            'о' | 'О' | 'ο' | 'Ο' => b'o',
            'р' | 'Р' | 'ρ' | 'Ρ' => b'p',
            'ѕ' | 'Ѕ' => b's',
            'т' | 'Т' | 'τ' | 'Τ' => b't',
            'у' | 'У' | 'υ' => b'y',
            'х' | 'Х' | 'χ' | 'Χ' => b'x',
            'ν' | 'Ν' => b'v',
            _ => return None,
        };
        out.push(b);
    }
    Some(out)
}

/// The words of the prose: runs of letters, digits and look-alike symbols, without symbols at
/// either end ("Viagra!" is "Viagra", "$1.99" has no word). A plain word (two or more
/// lowercase ASCII letters, most of any text) is kept only if `keep_plain` wants it: skipping
/// the rest here keeps the pass one tight byte loop. Dropping plain words does not join two
/// single characters into a run: the letters of a dropped word stay in the gap between them.
fn words(bytes: &[u8], keep_plain: &dyn Fn(&[u8]) -> bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if CLASS[usize::from(bytes[i])] & WORD == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut all = LOWER;
        while let Some(&b) = bytes.get(i) {
            let class = CLASS[usize::from(b)];
            if class & WORD == 0 {
                break;
            }
            all &= class;
            i += 1;
        }
        if all & LOWER != 0 && i - start > 1 && !keep_plain(&bytes[start..i]) {
            continue;
        }
        let (mut s, mut e) = (start, i);
        // Only ASCII symbols are trimmed, so that a range never splits a character.
        while s < e && bytes[s].is_ascii() && !bytes[s].is_ascii_alphanumeric() && bytes[s] != b'@'
        {
            s += 1;
        }
        while e > s && bytes[e - 1].is_ascii() && !bytes[e - 1].is_ascii_alphanumeric() {
            e -= 1;
        }
        if s < e {
            out.push(s..e);
        }
    }
    out
}

/// Byte classes for [`words`]: a byte of a word ([`is_word_byte`]), and an ASCII lowercase
/// letter.
const WORD: u8 = 1;
const LOWER: u8 = 2;
const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if is_word_byte(byte) {
            table[b] |= WORD;
        }
        if byte.is_ascii_lowercase() {
            table[b] |= LOWER;
        }
        b += 1;
    }
    table
};

/// Where a run of one-character words from `from` ends: each separated from the next by one or
/// two spaces, dots, hyphens, underscores or asterisks on one line.
fn single_char_run(bytes: &[u8], words: &[Range<usize>], from: usize) -> usize {
    let mut k = from;
    while k < words.len() && words[k].len() == 1 {
        if k > from {
            let gap = &bytes[words[k - 1].end..words[k].start];
            if gap.is_empty()
                || gap.len() > 2
                || !gap
                    .iter()
                    .all(|b| matches!(b, b' ' | b'.' | b'-' | b'_' | b'*'))
            {
                break;
            }
        }
        k += 1;
    }
    k
}

/// Whether text byte `a` can stand for name byte `b` (both lowercase): the same letter, or a
/// look-alike digit, symbol or letter.
fn looks_like(a: u8, b: u8) -> bool {
    a == b
        || matches!(
            (a, b),
            (b'1' | b'!' | b'|', b'i' | b'l')
                | (b'l', b'i')
                | (b'i', b'l')
                | (b'0', b'o')
                | (b'3', b'e')
                | (b'4' | b'@', b'a')
                | (b'5' | b'$' | b'z', b's')
                | (b'7', b't')
                | (b'q', b'g')
                | (b'8', b'b')
        )
}

/// 0 when `word` spells `name` with look-alikes, 1 when one insertion, deletion or substitution
/// away, else `None`.
fn within_one_edit(word: &[u8], name: &[u8]) -> Option<u8> {
    let (n, m) = (word.len(), name.len());
    if n.abs_diff(m) > 1 {
        return None;
    }
    let mut i = 0;
    while i < n.min(m) && looks_like(word[i], name[i]) {
        i += 1;
    }
    if i == n && n == m {
        return Some(0);
    }
    let same =
        |a: &[u8], b: &[u8]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| looks_like(*x, *y));
    let ok = match n.cmp(&m) {
        std::cmp::Ordering::Equal => same(&word[i + 1..], &name[i + 1..]),
        std::cmp::Ordering::Greater => same(&word[i + 1..], &name[i..]),
        std::cmp::Ordering::Less => same(&word[i..], &name[i + 1..]),
    };
    ok.then_some(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_and_one_edit() {
        assert_eq!(within_one_edit(b"v1agra", b"viagra"), Some(0));
        assert_eq!(within_one_edit(b"vlaqra", b"viagra"), Some(0));
        assert_eq!(within_one_edit(b"v11agra", b"viagra"), Some(1));
        assert_eq!(within_one_edit(b"cializ", b"cialis"), Some(0));
        assert_eq!(within_one_edit(b"levita", b"levitra"), Some(1));
        assert_eq!(within_one_edit(b"xanaxl", b"xanax"), Some(1));
        assert_eq!(within_one_edit(b"vitamin", b"viagra"), None);
        assert_eq!(within_one_edit(b"ci1a11s", b"cialis"), Some(1));
    }

    #[test]
    fn look_alike_letters_fold_and_accents_do_not() {
        assert_eq!(fold("Viаgra".as_bytes()).as_deref(), Some(&b"viagra"[..]));
        assert_eq!(fold("café".as_bytes()), None);
        let text = "Buy Viаgra, café".as_bytes();
        let w = words(text, &|_| true);
        assert_eq!(std::str::from_utf8(&text[w[1].clone()]), Ok("Viаgra"));
        assert_eq!(std::str::from_utf8(&text[w[2].clone()]), Ok("café"));
    }

    #[test]
    fn words_runs_and_strengths() {
        let text = b"Buy V 1 A G R A now! X@nax";
        let w = words(text, &|_| true);
        assert_eq!(single_char_run(text, &w, 1), 7);
        assert_eq!(&text[w[7].clone()], b"now");
        assert_eq!(&text[w[8].clone()], b"X@nax");
        assert_eq!(strip_strength(b"Viagra100mg"), b"Viagra");
        assert_eq!(strip_strength(b"V1agra"), b"V1agra");
    }
}
