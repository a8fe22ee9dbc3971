//! Rule authors write phrases, not regexes: this module takes one phrase as written in a rule
//! file and hands on a [`Phrase`], the small syntax tree that the matcher
//! ([`crate::analyze::PatternSet`]) runs over normalized prose.
//!
//! A phrase is matched case-insensitively (ASCII) and never starts or ends inside a word; a
//! space matches any run of whitespace or hyphens ("pins and needles", "pins-and-needles"),
//! and a hyphen written in a phrase matches the same; a space followed by `?` makes it
//! optional ("pain ?killer"); an apostrophe matches straight and curly ones; `(a|b)` and a `?`
//! after a character or group cover variants ("(lower|low) back pain", "tablets?"); `\d` is one
//! digit and `\d+` a run of digits; `\` before any other character takes it literally.
//! Everything else is literal text, including `.`, `*`, `[` and `$`.
//!
//! Phrases are parsed, not compiled to regexes: start-up parses thousands of them in a few
//! milliseconds, where building one automaton for all of them cost a quarter of a second.

/// One element of a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Literal bytes of normalized text: ASCII lowercased, `’` written as `'`, no spaces.
    Lit(Box<[u8]>),
    /// One ASCII digit (`\d`).
    Digit,
    /// One or more ASCII digits (`\d+`), taken greedily.
    Digits,
    /// A run of whitespace or hyphens (one `' '` in normalized text).
    Sep,
    /// `(a|b|…)`: one of the alternatives.
    Group(Vec<Vec<Node>>),
    /// An element followed by `?`.
    Opt(Box<Node>),
}

/// A parsed phrase: a sequence of nodes (a top-level `a|b` is one group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub nodes: Vec<Node>,
    /// Whether a match may end right before a digit inside a word: drug names take a glued
    /// strength ("Aspadol100mg"). Never set by phrase syntax; see [`literal`].
    pub digits_may_follow: bool,
}

/// Whether a byte of normalized text is part of a word (the ASCII `\w` of regexes).
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// How many variants of a phrase's first two words the matcher indexes at most. Far above any
/// real phrase (the largest built-in one has about a thousand); a phrase beyond it is refused
/// rather than slowing down start-up.
const MAX_KEYS: usize = 16384;

/// Parses a phrase, or says what is wrong with it.
pub fn parse(phrase: &str) -> Result<Phrase, String> {
    let trimmed = phrase.trim();
    if trimmed.is_empty() {
        return Err("empty phrase".to_string());
    }
    let chars: Vec<char> = trimmed.chars().collect();
    let mut at = 0;
    let alternatives = parse_alternatives(&chars, &mut at)?;
    if at < chars.len() {
        return Err("unmatched `)`".to_string());
    }
    let nodes = match alternatives.len() {
        1 => alternatives.into_iter().next().unwrap_or_default(),
        _ => vec![Node::Group(alternatives)],
    };
    let phrase = Phrase {
        nodes,
        digits_may_follow: false,
    };
    // Computing the index keys also proves that the phrase cannot match empty text and does
    // not start with a space.
    phrase.index_keys()?;
    Ok(phrase)
}

/// Checks a phrase, for error messages at its own span in a rule file.
pub fn validate(phrase: &str) -> Result<(), String> {
    parse(phrase)
        .map(|_| ())
        .map_err(|e| format!("invalid phrase pattern: {e}"))
}

/// Phrase syntax for plain text such as a drug name or a risk ("Pain-O-Soma", "liver
/// damage"): the characters that have a meaning in phrases are escaped. Spaces and hyphens
/// keep theirs (any run of whitespace and hyphens), as in every phrase.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if matches!(c, '\\' | '(' | ')' | '|' | '?') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Parses `a|b|…` up to an unmatched `)` or the end.
fn parse_alternatives(chars: &[char], at: &mut usize) -> Result<Vec<Vec<Node>>, String> {
    let mut alternatives = vec![Vec::new()];
    while *at < chars.len() {
        let c = chars[*at];
        *at += 1;
        let current = alternatives.last_mut().expect("never empty");
        match c {
            '|' => alternatives.push(Vec::new()),
            ')' => {
                *at -= 1;
                break;
            }
            '(' => {
                let inner = parse_alternatives(chars, at)?;
                if chars.get(*at) != Some(&')') {
                    return Err("unclosed `(`".to_string());
                }
                *at += 1;
                current.push(Node::Group(inner));
            }
            '?' => {
                let Some(last) = current.pop() else {
                    return Err("`?` with nothing before it to make optional".to_string());
                };
                if matches!(last, Node::Opt(_)) {
                    return Err("`??`: one `?` is enough".to_string());
                }
                current.push(optional(last));
            }
            '\\' => {
                let Some(&next) = chars.get(*at) else {
                    return Err("`\\` at the end of the phrase".to_string());
                };
                *at += 1;
                if next == 'd' {
                    if chars.get(*at) == Some(&'+') {
                        *at += 1;
                        current.push(Node::Digits);
                    } else {
                        current.push(Node::Digit);
                    }
                } else {
                    push_char(current, next);
                }
            }
            c if c.is_whitespace() || c == '-' => push_sep(current),
            c => push_char(current, c),
        }
    }
    Ok(alternatives)
}

/// `?` after an element. A `?` after the last character of a literal applies to that
/// character only ("tablets?"), as in a regex.
fn optional(last: Node) -> Node {
    match last {
        Node::Lit(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let cut = text.char_indices().last().map_or(0, |(i, _)| i);
            // Cannot be split further: the `?` takes the whole literal.
            if cut == 0 {
                return Node::Opt(Box::new(Node::Lit(bytes)));
            }
            let (head, tail) = bytes.split_at(cut);
            Node::Group(vec![vec![
                Node::Lit(head.into()),
                Node::Opt(Box::new(Node::Lit(tail.into()))),
            ]])
        }
        other => Node::Opt(Box::new(other)),
    }
}

/// Appends a space: runs of spaces and hyphens are one separator in normalized text, so
/// they are one here too.
fn push_sep(nodes: &mut Vec<Node>) {
    match nodes.last() {
        Some(Node::Sep) => {}
        Some(Node::Opt(inner)) if **inner == Node::Sep => {
            nodes.pop();
            nodes.push(Node::Sep);
        }
        _ => nodes.push(Node::Sep),
    }
}

/// Appends one literal character, normalized as prose is.
fn push_char(nodes: &mut Vec<Node>, c: char) {
    let c = match c {
        '’' => '\'',
        c => c.to_ascii_lowercase(),
    };
    let mut buf = [0; 4];
    let bytes = c.encode_utf8(&mut buf).as_bytes();
    if let Some(Node::Lit(last)) = nodes.last_mut() {
        let mut joined = last.to_vec();
        joined.extend_from_slice(bytes);
        *last = joined.into();
    } else {
        nodes.push(Node::Lit(bytes.into()));
    }
}

/// Where a match of a phrase can start, as the matcher's index looks it up: the first word
/// of normalized text (each run of digits folded to one `0`: "100mg" and `\d+mg` are both
/// `0mg`; an apostrophe between letters is part of the word: "can't"), or the first
/// character when the phrase starts with punctuation ("£", "'s"); and,
/// when the phrase goes on with a space and another word, that second word too. Common first
/// words ("is", "a", "not") start dozens of phrases; the second word tells most apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndexKey {
    pub first: Vec<u8>,
    pub second: Option<Vec<u8>>,
}

impl Phrase {
    /// Every [`IndexKey`] under which a match of the phrase can start. A key without a second
    /// word covers every key with that first word, so those are left out.
    pub fn index_keys(&self) -> Result<Vec<IndexKey>, String> {
        let mut states = vec![Prefix::default()];
        keys_of(&self.nodes, &mut states)?;
        // Whatever stage a key has reached, the phrase has ended: the key is complete.
        let mut keys = Vec::with_capacity(states.len());
        for state in states {
            if state.first.is_empty() {
                return Err("the phrase can match empty text".to_string());
            }
            keys.push(IndexKey {
                first: state.first,
                second: (!state.second.is_empty()).then_some(state.second),
            });
        }
        keys.sort();
        keys.dedup();
        let alone: Vec<Vec<u8>> = keys
            .iter()
            .filter(|k| k.second.is_none())
            .map(|k| k.first.clone())
            .collect();
        keys.retain(|k| k.second.is_none() || alone.binary_search(&k.first).is_err());
        Ok(keys)
    }
}

/// How far an [`IndexKey`] being built has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    #[default]
    First,
    /// A space after the first word: a second word may follow.
    AfterSpace,
    Second,
    Done,
}

/// An index key being built.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Prefix {
    first: Vec<u8>,
    second: Vec<u8>,
    stage: Stage,
    /// An apostrophe after the first word: part of it if a word character follows ("can't").
    apostrophe: bool,
}

/// Appends a digit to a key word, a run of digits being one `0`.
fn push_digit(word: &mut Vec<u8>) {
    if word.last() != Some(&b'0') {
        word.push(b'0');
    }
}

impl Prefix {
    fn done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Extends the key with one byte of a literal; false once the key is complete.
    fn push_byte(&mut self, bytes: &[u8], i: usize) -> bool {
        let b = bytes[i];
        let word = is_word_byte(b);
        if std::mem::take(&mut self.apostrophe) {
            if !word {
                self.stage = Stage::Done;
                return false;
            }
            self.first.push(b'\'');
        }
        match self.stage {
            Stage::First if b == b'\'' && !self.first.is_empty() => self.apostrophe = true,
            Stage::First if word => {
                if b.is_ascii_digit() {
                    push_digit(&mut self.first);
                } else {
                    self.first.push(b);
                }
            }
            Stage::First => {
                if self.first.is_empty() {
                    // Starts with punctuation: the key is that one character.
                    let len = utf8_len(b).min(bytes.len() - i);
                    self.first.extend_from_slice(&bytes[i..i + len]);
                }
                self.stage = Stage::Done;
            }
            Stage::AfterSpace | Stage::Second if word => {
                self.stage = Stage::Second;
                if b.is_ascii_digit() {
                    push_digit(&mut self.second);
                } else {
                    self.second.push(b);
                }
            }
            _ => self.stage = Stage::Done,
        }
        !self.done()
    }

    fn push_digit(&mut self) {
        if std::mem::take(&mut self.apostrophe) {
            self.first.push(b'\'');
        }
        match self.stage {
            Stage::First => push_digit(&mut self.first),
            Stage::AfterSpace | Stage::Second => {
                self.stage = Stage::Second;
                push_digit(&mut self.second);
            }
            Stage::Done => {}
        }
    }

    fn push_sep(&mut self) -> Result<(), String> {
        if std::mem::take(&mut self.apostrophe) {
            self.stage = Stage::Done;
        }
        self.stage = match self.stage {
            Stage::First if self.first.is_empty() => {
                return Err("the phrase can start with a space".to_string())
            }
            Stage::First | Stage::AfterSpace => Stage::AfterSpace,
            Stage::Second | Stage::Done => Stage::Done,
        };
        Ok(())
    }
}

/// The length of the UTF-8 sequence that starts with `lead` (1 for a stray byte).
pub fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Advances every key being built over `nodes`, branching at groups and optional elements.
fn keys_of(nodes: &[Node], states: &mut Vec<Prefix>) -> Result<(), String> {
    for node in nodes {
        if states.iter().all(Prefix::done) {
            return Ok(());
        }
        let mut next = Vec::with_capacity(states.len());
        for mut state in states.drain(..) {
            if state.done() {
                next.push(state);
                continue;
            }
            match node {
                Node::Lit(bytes) => {
                    for i in 0..bytes.len() {
                        if !state.push_byte(bytes, i) {
                            break;
                        }
                    }
                    next.push(state);
                }
                Node::Digit | Node::Digits => {
                    state.push_digit();
                    next.push(state);
                }
                Node::Sep => {
                    state.push_sep()?;
                    next.push(state);
                }
                Node::Group(alternatives) => {
                    for alternative in alternatives {
                        let mut branch = vec![state.clone()];
                        keys_of(alternative, &mut branch)?;
                        next.append(&mut branch);
                    }
                }
                Node::Opt(inner) => {
                    let mut taken = vec![state.clone()];
                    keys_of(std::slice::from_ref(inner), &mut taken)?;
                    next.append(&mut taken);
                    next.push(state);
                }
            }
        }
        next.sort();
        next.dedup();
        if next.len() > MAX_KEYS {
            return Err(format!(
                "more than {MAX_KEYS} variants of the first two words: split the phrase"
            ));
        }
        *states = next;
    }
    Ok(())
}

/// Regex source for one phrase, for tools outside healthlint (`healthlint debug-patterns`
/// feeds ripgrep with it in the benchmark). Not used for matching.
pub fn phrase_regex(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len() * 2);
    let mut chars = phrase.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '-' => {
                while chars.peek().is_some_and(|c| *c == ' ' || *c == '-') {
                    chars.next();
                }
                if chars.peek() == Some(&'?') {
                    chars.next();
                    out.push_str(r"[\s\-]*");
                } else {
                    out.push_str(r"[\s\-]+");
                }
            }
            '\'' | '’' => out.push_str("(?:'|’)"),
            '\\' => {
                out.push('\\');
                if let Some(next) = chars.next() {
                    out.push(next);
                    if next == 'd' && chars.peek() == Some(&'+') {
                        out.push('+');
                        chars.next();
                    }
                }
            }
            '.' | '+' | '*' | '[' | ']' | '{' | '}' | '^' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    format!(r"(?i-u:\b(?:{out})\b)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(phrase: &str) -> Vec<String> {
        parse(phrase)
            .unwrap()
            .index_keys()
            .unwrap()
            .into_iter()
            .map(|k| {
                let first = String::from_utf8(k.first).unwrap();
                match k.second {
                    Some(second) => format!("{first} {}", String::from_utf8(second).unwrap()),
                    None => first,
                }
            })
            .collect()
    }

    #[test]
    fn index_keys_cover_every_variant() {
        assert_eq!(keys("(low|lower) back pain"), ["low back", "lower back"]);
        assert_eq!(keys("tablets?"), ["tablet", "tablets"]);
        assert_eq!(keys("pain ?killer"), ["pain killer", "painkiller"]);
        assert_eq!(
            keys("(the )?best (way|drug)"),
            ["best drug", "best way", "the best"]
        );
        assert_eq!(keys("not( better)?"), ["not"]);
        assert_eq!(keys("no, never"), ["no"]);
        assert_eq!(keys("\\d\\d? weeks"), ["0 weeks"]);
        assert_eq!(keys("100mg"), ["0mg"]);
        assert_eq!(keys("(\\$|£) ?\\d"), ["$", "£"]);
        assert_eq!(keys("a&e"), ["a"]);
        assert_eq!(keys("Don’t"), ["don't"]);
        assert_eq!(keys("(can't|cannot) walk"), ["can't walk", "cannot walk"]);
        assert_eq!(keys("doctors' advice"), ["doctors"]);
        assert_eq!(keys("'s"), ["'"]);
    }

    #[test]
    fn optional_applies_to_the_last_character_or_group() {
        let p = parse("tablets?").unwrap();
        assert_eq!(
            p.nodes,
            vec![Node::Group(vec![vec![
                Node::Lit(b"tablet".to_vec().into()),
                Node::Opt(Box::new(Node::Lit(b"s".to_vec().into()))),
            ]])]
        );
        let p = parse("pins - and").unwrap();
        assert_eq!(
            p.nodes,
            vec![
                Node::Lit(b"pins".to_vec().into()),
                Node::Sep,
                Node::Lit(b"and".to_vec().into())
            ]
        );
    }

    #[test]
    fn reports_bad_phrases() {
        for bad in [
            "(unclosed",
            "  ",
            "a)",
            "?a",
            "a??",
            "(a)?",
            "( a|b)",
            "x\\",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
        assert!(validate("fine (phrase|words)").is_ok());
        assert!(validate("(\\$|£|€) ?\\d+(.|,)\\d\\d").is_ok());
    }

    #[test]
    fn literal_text_is_escaped() {
        assert_eq!(literal("Pain-O-Soma (US)?"), "Pain-O-Soma \\(US\\)\\?");
        assert_eq!(
            parse(&literal("a|b")).unwrap().nodes,
            vec![Node::Lit(b"a|b".to_vec().into())]
        );
    }
}
