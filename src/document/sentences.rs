//! Sentence boundaries inside one block, from Unicode sentence segmentation (UAX #29) with
//! repairs for what it gets wrong in health text: abbreviations ("e.g.", "Dr.", "approx.",
//! "mg.", "vs.") and list items without closing punctuation stay one sentence each.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

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
    for (offset, piece) in slice.split_sentence_bound_indices() {
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
    let word = word.to_lowercase();
    ABBREVIATIONS.contains(&word.as_str())
        || (word.len() == 1 && word.chars().all(char::is_alphabetic))
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
    fn splits_plain_sentences() {
        assert_eq!(
            sentences("Rest. Then move!  Why?"),
            vec!["Rest.", "Then move!", "Why?"]
        );
    }
}
