//! Rule authors write phrases, not regexes: this module takes one phrase as written in a rule
//! file and hands on a [`Phrase`], the small syntax tree that the matcher
//! ([`crate::PatternSet`]) runs over normalized prose.
//!
//! A phrase is matched case-insensitively (ASCII) and never starts or ends inside a word; a
//! space matches any run of whitespace or hyphens ("pins and needles", "pins-and-needles"),
//! and a hyphen written in a phrase matches the same; a space followed by `?` makes it
//! optional ("pain ?killer"); an apostrophe matches straight and curly ones; `(a|b)` and a `?`
//! after a character or group cover variants ("(lower|low) back pain", "tablets?"); `\d` is one
//! digit and `\d+` a run of digits; `\` before any other character takes it literally (but a
//! space or hyphen stays a separator: a phrase cannot start with one).
//! Everything else is literal text, including `.`, `*`, `[` and `$`.
//!
//! Phrases are parsed, not compiled to regexes: start-up parses thousands of them in a few
//! milliseconds, where building one automaton for all of them cost a quarter of a second.

/// One element of a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// Literal bytes of normalized text: ASCII lowercased, `’` written as `'`, no spaces.
    Lit(Box<[u8]>),
    /// One ASCII digit (`\d`).
    Digit,
    /// One or more ASCII digits (`\d+`), taken greedily.
    Digits,
    /// A run of whitespace or hyphens (one `' '` in normalized text).
    Sep,
    /// `(a|b|…)`: one of the alternatives, each with the bytes it can start with (see
    /// [`Node::group`]).
    Group(Vec<Vec<Node>>, Vec<ByteSet>),
    /// An element followed by `?`.
    Opt(Box<Node>),
}

/// A set of bytes: what an alternative of a group can start with (ASCII lowercase; a curly
/// apostrophe's lead byte for `'`). Lets the matcher skip most alternatives of a long group
/// ("(seconds?|minutes?|hours?|…)") after one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);
    const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    fn union(&mut self, other: ByteSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }
}

impl Node {
    /// A group of alternatives, with the first bytes of each (every byte for an alternative
    /// that can match empty text).
    pub(crate) fn group(alternatives: Vec<Vec<Node>>) -> Node {
        let firsts = alternatives
            .iter()
            .map(|a| match first_bytes(a) {
                (set, false) => set,
                (_, true) => ByteSet::ALL,
            })
            .collect();
        Node::Group(alternatives, firsts)
    }
}

/// The bytes a match of `nodes` can start with, and whether it can be empty.
fn first_bytes(nodes: &[Node]) -> (ByteSet, bool) {
    let mut set = ByteSet::EMPTY;
    for node in nodes {
        let (first, nullable) = match node {
            Node::Lit(lit) => {
                let mut one = ByteSet::EMPTY;
                if let Some(&b) = lit.first() {
                    one.insert(b);
                    if b == b'\'' {
                        one.insert("’".as_bytes()[0]);
                    }
                }
                (one, lit.is_empty())
            }
            Node::Digit | Node::Digits => {
                let mut digits = ByteSet::EMPTY;
                (b'0'..=b'9').for_each(|b| digits.insert(b));
                (digits, false)
            }
            Node::Sep => {
                let mut seps = ByteSet::EMPTY;
                b" \t\n\r\x0b\x0c-".iter().for_each(|&b| seps.insert(b));
                (seps, false)
            }
            Node::Group(alternatives, _) => {
                let mut any = ByteSet::EMPTY;
                let mut nullable = false;
                for a in alternatives {
                    let (f, n) = first_bytes(a);
                    any.union(f);
                    nullable |= n;
                }
                (any, nullable)
            }
            Node::Opt(inner) => (first_bytes(std::slice::from_ref(inner)).0, true),
        };
        set.union(first);
        if !nullable {
            return (set, false);
        }
    }
    (set, true)
}

/// A parsed phrase: a sequence of nodes (a top-level `a|b` is one group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phrase {
    pub(crate) nodes: Vec<Node>,
    /// Whether a match may end right before a digit inside a word: drug names take a glued
    /// strength ("Aspadol100mg"). Never set by phrase syntax; see [`literal`].
    pub(crate) digits_may_follow: bool,
}

/// Whether a byte of normalized text is part of a word (the ASCII `\w` of regexes).
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// How many variants of a phrase's first words the matcher indexes at most; beyond it a
/// phrase is keyed by fewer words, and one with more variants of its first word alone is
/// refused rather than slowing down start-up.
const MAX_KEYS: usize = 4096;

/// The longest phrase accepted, in characters: far above any real phrase, low enough that a
/// user's rule file cannot make start-up or matching slow.
pub const MAX_PHRASE_CHARS: usize = 4000;
/// How deeply groups may nest. Parsing, keying and matching recurse over groups, so a phrase
/// nested thousands deep would overflow the stack instead of being refused.
pub const MAX_NESTING: usize = 16;

/// Parses a phrase, or says what is wrong with it.
pub(crate) fn parse(phrase: &str) -> Result<Phrase, String> {
    let trimmed = phrase.trim();
    if trimmed.is_empty() {
        return Err("empty phrase".to_string());
    }
    if trimmed.len() != phrase.len() {
        return Err("the phrase starts or ends with a space".to_string());
    }
    let chars: Vec<char> = trimmed.chars().collect();
    if chars.len() > MAX_PHRASE_CHARS {
        return Err(format!(
            "the phrase is {} characters long; at most {MAX_PHRASE_CHARS} are accepted",
            chars.len()
        ));
    }
    let mut at = 0;
    let alternatives = parse_alternatives(&chars, &mut at, 0)?;
    if at < chars.len() {
        return Err("unmatched `)`".to_string());
    }
    let nodes = match alternatives.len() {
        1 => alternatives.into_iter().next().unwrap_or_default(),
        _ => vec![Node::group(alternatives)],
    };
    let phrase = Phrase {
        nodes,
        digits_may_follow: false,
    };
    if nullable(&phrase.nodes) {
        return Err("the phrase can match empty text".to_string());
    }
    if can_start_with_space(&phrase.nodes) {
        return Err("the phrase can start with a space".to_string());
    }
    Ok(phrase)
}

/// Whether `nodes` can match empty text.
fn nullable(nodes: &[Node]) -> bool {
    nodes.iter().all(|node| match node {
        Node::Opt(_) => true,
        Node::Group(alternatives, _) => alternatives.iter().any(|a| nullable(a)),
        _ => false,
    })
}

/// Whether a match of `nodes` can begin with a space: a phrase must start where a word or a
/// punctuation character does, which is where the matcher's index looks.
fn can_start_with_space(nodes: &[Node]) -> bool {
    for node in nodes {
        let starts = match node {
            Node::Sep => true,
            Node::Opt(inner) => can_start_with_space(std::slice::from_ref(inner)),
            Node::Group(alternatives, _) => alternatives.iter().any(|a| can_start_with_space(a)),
            _ => false,
        };
        if starts {
            return true;
        }
        if !nullable(std::slice::from_ref(node)) {
            return false;
        }
    }
    false
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
fn parse_alternatives(
    chars: &[char],
    at: &mut usize,
    depth: usize,
) -> Result<Vec<Vec<Node>>, String> {
    if depth > MAX_NESTING {
        return Err(format!("groups nest more than {MAX_NESTING} deep"));
    }
    let mut alternatives = vec![Vec::new()];
    // The literal being read, made a node when something else comes (one allocation per
    // literal rather than one per character).
    let mut lit: Vec<u8> = Vec::new();
    while *at < chars.len() {
        let c = chars[*at];
        *at += 1;
        let current = alternatives.last_mut().expect("never empty");
        let literal = match c {
            '\\' => match chars.get(*at) {
                Some(&next) if !(next.is_whitespace() || next == '-' || next == 'd') => {
                    *at += 1;
                    Some(next)
                }
                _ => None,
            },
            '|' | ')' | '(' | '?' => None,
            c if c.is_whitespace() || c == '-' => None,
            c => Some(c),
        };
        if let Some(c) = literal {
            push_char(&mut lit, c);
            continue;
        }
        flush_literal(current, &mut lit);
        match c {
            '|' => alternatives.push(Vec::new()),
            ')' => {
                *at -= 1;
                break;
            }
            '(' => {
                let inner = parse_alternatives(chars, at, depth + 1)?;
                if chars.get(*at) != Some(&')') {
                    return Err("unclosed `(`".to_string());
                }
                *at += 1;
                current.push(Node::group(inner));
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
                    // Escaped or not, a space or hyphen separates words: prose has no other
                    // way to hold one.
                    push_sep(current);
                }
            }
            _ => push_sep(current),
        }
    }
    flush_literal(alternatives.last_mut().expect("never empty"), &mut lit);
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
            Node::group(vec![vec![
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
fn push_char(lit: &mut Vec<u8>, c: char) {
    let c = match c {
        '’' => '\'',
        c => c.to_ascii_lowercase(),
    };
    let mut buf = [0; 4];
    lit.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Ends the literal being read: it joins a literal node just before it, if any.
fn flush_literal(nodes: &mut Vec<Node>, lit: &mut Vec<u8>) {
    if lit.is_empty() {
        return;
    }
    if let Some(Node::Lit(last)) = nodes.last_mut() {
        let mut joined = last.to_vec();
        joined.append(lit);
        *last = joined.into();
    } else {
        nodes.push(Node::Lit(std::mem::take(lit).into()));
    }
}

/// Where a match of a phrase can start, as the matcher's index looks it up: its first words
/// (up to [`KEY_WORDS`]), each ASCII lowercased with every run of digits folded to one `0`
/// ("take 100mg" and `take \d+mg` are both `take 0mg`), an apostrophe between letters of the first word
/// being part of it ("can't"); or the first character when the phrase starts with punctuation
/// ("£", "'s"). A first word whose digits are all written out keeps them ("100 ?%" is keyed
/// `100`, not `0`): a scan looks up a word with digits both as written and folded, so such a
/// phrase is tried after its own number only, not after every number. Common first words ("is", "a", "do") start dozens of phrases; the words after
/// them tell most apart before any phrase is tried.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct IndexKey {
    pub(crate) words: Vec<Vec<u8>>,
}

/// How many words of a phrase the index keys hold at most.
pub(crate) const KEY_WORDS: usize = 4;

impl Phrase {
    /// Every [`IndexKey`] of at most `depth` words under which a match of the phrase can
    /// start. A key that extends another of the phrase's keys is left out (the shorter one
    /// already covers it).
    pub(crate) fn index_keys(&self, depth: usize) -> Result<Vec<IndexKey>, KeyError> {
        self.index_keys_under(depth, &[])
    }

    /// The [`Phrase::index_keys`] that start with the words `under`, and maybe some others:
    /// the matcher splits an index entry by the next word this way, and a phrase with many
    /// variants would otherwise have every one of them spelled out for each entry it is in.
    pub(crate) fn index_keys_under(
        &self,
        depth: usize,
        under: &[Vec<u8>],
    ) -> Result<Vec<IndexKey>, KeyError> {
        let depth = depth.clamp(1, KEY_WORDS);
        if let Some(key) = self.only_key(depth) {
            return key.map(|k| vec![k]);
        }
        self.keys_by_walk(depth, under)
    }

    /// Keys of any phrase, branching at every group and optional element; variants that
    /// cannot start with the words `under` are dropped on the way.
    fn keys_by_walk(&self, depth: usize, under: &[Vec<u8>]) -> Result<Vec<IndexKey>, KeyError> {
        let mut states = vec![Prefix::default()];
        let mut keys = Keys {
            depth,
            limit: MAX_KEYS,
            under,
            done: Vec::new(),
        };
        keys.walk(&self.nodes, &mut states)?;
        // Whatever stage a key has reached, the phrase has ended: the key is complete.
        let mut finished = keys.done;
        finished.append(&mut states);
        let mut keys = finished
            .into_iter()
            .map(Prefix::into_key)
            .collect::<Result<Vec<IndexKey>, KeyError>>()?;
        keys.sort();
        keys.dedup();
        // Sorted, a key comes right after its shortest covering prefix... or after other
        // extensions of it: compare with the last key kept.
        let mut kept: Vec<IndexKey> = Vec::with_capacity(keys.len());
        for key in keys {
            let covered = kept
                .iter()
                .rev()
                .take_while(|k| key.words.starts_with(&k.words[..1]))
                .any(|k| key.words.starts_with(&k.words));
            if !covered {
                kept.push(key);
            }
        }
        Ok(kept)
    }
}

impl Phrase {
    /// The one key of a phrase whose key words come before any group or optional element
    /// (most phrases: drug names, plain wording), found without branching; `None` when the
    /// phrase branches first.
    fn only_key(&self, depth: usize) -> Option<Result<IndexKey, KeyError>> {
        let mut state = Prefix::default();
        for node in &self.nodes {
            match node {
                Node::Lit(bytes) => {
                    for i in 0..bytes.len() {
                        if !state.push_byte(bytes, i, depth) {
                            break;
                        }
                    }
                }
                Node::Digit | Node::Digits => {
                    state.push_digit(depth, None);
                }
                Node::Sep => {
                    if let Err(e) = state.push_sep() {
                        return Some(Err(e.into()));
                    }
                }
                Node::Group(..) | Node::Opt(_) => return None,
            }
            // After a space with every key word read, nothing can change the key.
            if state.done() || (state.stage == Stage::AfterSpace && state.words.len() >= depth) {
                break;
            }
        }
        Some(state.into_key())
    }
}

/// Why keys could not be computed.
#[derive(Debug)]
pub(crate) enum KeyError {
    /// The phrase itself is wrong.
    Invalid(String),
    /// Too many variants at this depth; fewer words may do.
    TooMany(String),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Invalid(e) | KeyError::TooMany(e) => f.write_str(e),
        }
    }
}

impl From<String> for KeyError {
    fn from(e: String) -> KeyError {
        KeyError::Invalid(e)
    }
}

/// How far an [`IndexKey`] being built has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Inside the last word of `words`.
    #[default]
    InWord,
    /// After a space: another word may follow.
    AfterSpace,
    Done,
}

/// An index key being built.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Prefix {
    words: Vec<Vec<u8>>,
    stage: Stage,
    /// An apostrophe after the first word: part of it if a word character follows ("can't").
    apostrophe: bool,
    /// The first word has a `\d`: its digits are folded, as in later words.
    digit_class: bool,
}

impl Default for Prefix {
    fn default() -> Prefix {
        Prefix {
            words: vec![Vec::new()],
            stage: Stage::InWord,
            apostrophe: false,
            digit_class: false,
        }
    }
}

impl Prefix {
    /// The finished key (whatever stage it reached, the phrase has ended).
    fn into_key(mut self) -> Result<IndexKey, KeyError> {
        if self.words.iter().all(Vec::is_empty) {
            return Err(KeyError::Invalid(
                "the phrase can match empty text".to_string(),
            ));
        }
        if self.digit_class {
            let mut folded = Vec::with_capacity(self.words[0].len());
            append_folded(&self.words[0], &mut folded);
            self.words[0] = folded;
        }
        self.words.retain(|w| !w.is_empty());
        Ok(IndexKey { words: self.words })
    }

    fn done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Whether the finished key may still start with the words `under`: false only when a
    /// word read so far already differs.
    fn may_start_with(&self, under: &[Vec<u8>]) -> bool {
        let last = self.words.len() - 1;
        self.words
            .iter()
            .zip(under)
            .enumerate()
            .all(|(i, (word, wanted))| {
                let complete = i < last || self.stage != Stage::InWord;
                if i == 0 && self.digit_class {
                    // Folded only once the key is finished.
                    let mut folded = Vec::with_capacity(word.len());
                    append_folded(word, &mut folded);
                    return if complete { folded == *wanted } else { true };
                }
                if complete {
                    word == wanted
                } else if i == 0 && word.iter().any(u8::is_ascii_digit) {
                    // A `\d` later in the first word would fold the digits read so far.
                    true
                } else {
                    wanted.starts_with(word)
                }
            })
    }

    fn current(&mut self) -> &mut Vec<u8> {
        self.words.last_mut().expect("a key has a word")
    }

    /// Starts a new word after a space, or extends the current one.
    fn enter_word(&mut self, depth: usize) -> bool {
        match self.stage {
            Stage::InWord => true,
            Stage::AfterSpace if self.words.len() < depth => {
                self.words.push(Vec::new());
                self.stage = Stage::InWord;
                true
            }
            _ => {
                self.stage = Stage::Done;
                false
            }
        }
    }

    /// Extends the key with one byte of a literal; false once the key is complete.
    fn push_byte(&mut self, bytes: &[u8], i: usize, depth: usize) -> bool {
        let b = bytes[i];
        let word = is_word_byte(b);
        if std::mem::take(&mut self.apostrophe) {
            if !word {
                self.stage = Stage::Done;
                return false;
            }
            self.current().push(b'\'');
        }
        if word {
            if b.is_ascii_digit() {
                return self.push_digit(depth, Some(b));
            }
            if self.enter_word(depth) {
                self.current().push(b);
            }
        } else if self.stage == Stage::InWord && self.words.len() == 1 && b == b'\'' {
            if self.words[0].is_empty() {
                self.words[0].push(b);
                self.stage = Stage::Done;
            } else {
                self.apostrophe = true;
            }
        } else {
            if self.stage == Stage::InWord && self.words.len() == 1 && self.words[0].is_empty() {
                // Starts with punctuation: the key is that one character.
                let len = utf8_len(b).min(bytes.len() - i);
                self.words[0].extend_from_slice(&bytes[i..i + len]);
            }
            self.stage = Stage::Done;
        }
        !self.done()
    }

    /// Extends the key with a digit: `literal` from a literal, `None` for `\d`.
    fn push_digit(&mut self, depth: usize, literal: Option<u8>) -> bool {
        if std::mem::take(&mut self.apostrophe) {
            self.current().push(b'\'');
        }
        if self.enter_word(depth) {
            let first = self.words.len() == 1;
            let word = self.current();
            if first {
                // Kept as written until the key is finished (see `into_key`).
                word.push(literal.unwrap_or(b'0'));
                self.digit_class |= literal.is_none();
            } else if word.last() != Some(&b'0') {
                word.push(b'0');
            }
        }
        !self.done()
    }

    fn push_sep(&mut self) -> Result<(), String> {
        if std::mem::take(&mut self.apostrophe) {
            self.stage = Stage::Done;
        }
        self.stage = match self.stage {
            Stage::InWord if self.words.len() == 1 && self.words[0].is_empty() => {
                return Err("the phrase can start with a space".to_string())
            }
            Stage::InWord | Stage::AfterSpace => Stage::AfterSpace,
            Stage::Done => Stage::Done,
        };
        Ok(())
    }
}

/// Appends a word to `key`, ASCII lowercased with every run of digits folded to one `0`, as
/// the index holds words.
pub(crate) fn append_folded(word: &[u8], key: &mut Vec<u8>) {
    for &b in word {
        if b.is_ascii_digit() {
            if key.last() != Some(&b'0') {
                key.push(b'0');
            }
        } else {
            key.push(b.to_ascii_lowercase());
        }
    }
}

/// The length of the UTF-8 sequence that starts with `lead` (1 for a stray byte).
pub(crate) fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Computes index keys to a depth, moving each finished key out of the way.
struct Keys<'u> {
    depth: usize,
    limit: usize,
    /// Words every key wanted starts with.
    under: &'u [Vec<u8>],
    done: Vec<Prefix>,
}

impl Keys<'_> {
    /// Advances every key being built over `nodes`, branching at groups and optional
    /// elements; keys that are complete go to `done`.
    fn walk(&mut self, nodes: &[Node], states: &mut Vec<Prefix>) -> Result<(), KeyError> {
        let depth = self.depth;
        for node in nodes {
            if states.is_empty() {
                return Ok(());
            }
            let mut next = Vec::with_capacity(states.len());
            for mut state in states.drain(..) {
                match node {
                    Node::Lit(bytes) => {
                        for i in 0..bytes.len() {
                            if !state.push_byte(bytes, i, depth) {
                                break;
                            }
                        }
                        next.push(state);
                    }
                    Node::Digit | Node::Digits => {
                        state.push_digit(depth, None);
                        next.push(state);
                    }
                    Node::Sep => {
                        state.push_sep()?;
                        next.push(state);
                    }
                    Node::Group(alternatives, _) => {
                        for alternative in alternatives {
                            let mut branch = vec![state.clone()];
                            self.walk(alternative, &mut branch)?;
                            next.append(&mut branch);
                        }
                    }
                    Node::Opt(inner) => {
                        let mut taken = vec![state.clone()];
                        self.walk(std::slice::from_ref(inner), &mut taken)?;
                        next.append(&mut taken);
                        next.push(state);
                    }
                }
            }
            if !self.under.is_empty() {
                next.retain(|state| state.may_start_with(self.under));
            }
            let (done, open): (Vec<Prefix>, Vec<Prefix>) = next.into_iter().partition(Prefix::done);
            self.done.extend(done);
            if self.done.len() > 2 * self.limit {
                self.done.sort();
                self.done.dedup();
            }
            *states = open;
            states.sort();
            states.dedup();
            if states.len() + self.done.len() > self.limit {
                self.done.sort();
                self.done.dedup();
                if states.len() + self.done.len() > self.limit {
                    return Err(KeyError::TooMany(format!(
                        "more than {} variants of the first word: split the phrase",
                        self.limit
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Regex source for one phrase, for tools outside healthlint (`healthlint debug-patterns`
/// feeds ripgrep with it in the benchmark). Not used for matching, but it means the same:
/// `tests/differential.rs` holds the two together on generated text.
///
/// It is written from the parsed phrase, not its text, so that the edges are right: a match
/// never starts or ends inside a word, which is a `\b` where the phrase's first or last
/// character is a letter or digit and no assertion where it is punctuation ("100%", "can'"),
/// since a `\b` there would demand a word character beyond it. Where the first or last
/// element is optional, each way of leaving it out is written out with its own edge. Regex
/// syntax of ripgrep 13 and later (no half word boundaries, no look-around). A phrase that does
/// not parse gives a regex that matches nothing.
pub fn phrase_regex(phrase: &str) -> String {
    regex_for(phrase, false)
}

/// [`phrase_regex`] for a phrase of a pattern whose matches may be followed by digits inside
/// the word ([`Phrase::digits_may_follow`]: "Aspadol100mg"). A regex cannot look ahead, so the
/// glued digits and the rest of their word are taken into its match; it starts at the same
/// place and holds the engine's match.
pub(crate) fn regex_for(phrase: &str, digits_may_follow: bool) -> String {
    match parse(phrase) {
        Ok(parsed) => {
            let export = Export { digits_may_follow };
            format!("(?i-u:{})", export.run(&parsed.nodes, true, true))
        }
        Err(_) => r"(?-u:\b\B)".to_string(),
    }
}

/// How a phrase is written as a regex (see [`regex_for`]).
struct Export {
    digits_may_follow: bool,
}

impl Export {
    /// Regex of a run of nodes; `start` and `end` say whether it begins or ends the phrase.
    fn run(&self, nodes: &[Node], start: bool, end: bool) -> String {
        let spelled_out = |ways: Vec<Vec<Node>>, around: &dyn Fn(Vec<Node>) -> String| {
            let ways: Vec<String> = ways.into_iter().map(around).collect();
            format!("(?:{})", ways.join("|"))
        };
        match nodes {
            [] => String::new(),
            [first, rest @ ..] if start && nullable(std::slice::from_ref(first)) => {
                spelled_out(ways_of(first), &|mut way| {
                    way.extend_from_slice(rest);
                    self.run(&way, true, end)
                })
            }
            [init @ .., last] if end && nullable(std::slice::from_ref(last)) => {
                spelled_out(ways_of(last), &|way| {
                    let mut whole = init.to_vec();
                    whole.extend(way);
                    self.run(&whole, start, true)
                })
            }
            [only] => self.node(only, start, end),
            [first, middle @ .., last] => {
                let mut out = self.node(first, start, false);
                for node in middle {
                    out.push_str(&self.node(node, false, false));
                }
                out.push_str(&self.node(last, false, end));
                out
            }
        }
    }

    /// Regex of one node; an optional node is never at an edge here (see [`Export::run`]).
    fn node(&self, node: &Node, start: bool, end: bool) -> String {
        match node {
            Node::Lit(bytes) => {
                let mut out = self.before(start, bytes.first()).to_string();
                for c in String::from_utf8_lossy(bytes).chars() {
                    match c {
                        '\'' => out.push_str("(?:'|(?u:’))"),
                        c if !c.is_ascii() => {
                            // The matcher compares non-ASCII text byte for byte.
                            out.push_str("(?u-i:");
                            out.push(c);
                            out.push(')');
                        }
                        c if "\\.+*?()|[]{}^$#&-~".contains(c) => {
                            out.push('\\');
                            out.push(c);
                        }
                        c => out.push(c),
                    }
                }
                out.push_str(self.after(end, bytes.last()));
                out
            }
            Node::Digit | Node::Digits => {
                let digits = if matches!(node, Node::Digit) {
                    "[0-9]"
                } else {
                    "[0-9]+"
                };
                let before = self.before(start, Some(&b'0'));
                format!("{before}{digits}{}", self.after(end, Some(&b'0')))
            }
            Node::Sep => r"[\s\-]+".to_string(),
            Node::Opt(inner) if **inner == Node::Sep => r"[\s\-]*".to_string(),
            Node::Opt(inner) => format!("(?:{})?", self.node(inner, start, end)),
            Node::Group(alternatives, _) => {
                let ways: Vec<String> = alternatives
                    .iter()
                    .map(|a| self.run(a, start, end))
                    .collect();
                format!("(?:{})", ways.join("|"))
            }
        }
    }

    /// The assertion before a phrase's first byte: a match never starts inside a word, which
    /// only a word byte can do.
    fn before(&self, start: bool, first: Option<&u8>) -> &'static str {
        match first {
            Some(&b) if start && is_word_byte(b) => r"\b",
            _ => "",
        }
    }

    /// The assertion after a phrase's last byte: no end inside a word, but a name's letters
    /// may run into digits (which the regex then takes, with the rest of their word).
    fn after(&self, end: bool, last: Option<&u8>) -> &'static str {
        match last {
            Some(&b) if end && self.digits_may_follow && b.is_ascii_alphabetic() => {
                r"(?:\b|[0-9][0-9A-Za-z_]*)"
            }
            Some(&b) if end && is_word_byte(b) => r"\b",
            _ => "",
        }
    }
}

/// The runs of nodes an optional element or a group can stand for.
fn ways_of(node: &Node) -> Vec<Vec<Node>> {
    match node {
        Node::Opt(inner) => vec![vec![(**inner).clone()], Vec::new()],
        Node::Group(alternatives, _) => alternatives.clone(),
        other => vec![vec![other.clone()]],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys of at most three words (the examples below were written for that depth).
    fn keys(phrase: &str) -> Vec<String> {
        parse(phrase)
            .unwrap()
            .index_keys(3)
            .unwrap()
            .into_iter()
            .map(|k| {
                k.words
                    .into_iter()
                    .map(|w| String::from_utf8(w).unwrap())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn index_keys_cover_every_variant() {
        assert_eq!(
            keys("(low|lower) back pain"),
            ["low back pain", "lower back pain"]
        );
        assert_eq!(keys("pain( in|,) the"), ["pain"]);
        assert_eq!(keys("tablets?"), ["tablet", "tablets"]);
        assert_eq!(keys("pain ?killer"), ["pain killer", "painkiller"]);
        assert_eq!(
            keys("(the )?best (way|drug)"),
            ["best drug", "best way", "the best drug", "the best way"]
        );
        assert_eq!(keys("not( better)?"), ["not"]);
        assert_eq!(keys("no, never"), ["no"]);
        assert_eq!(keys("\\d\\d? weeks"), ["0 weeks"]);
        assert_eq!(keys("1\\d+mg"), ["0mg"]);
        assert_eq!(keys("100mg"), ["100mg"]);
        assert_eq!(keys("100 ?%"), ["100"]);
        assert_eq!(keys("(39|40) ?°"), ["39", "40"]);
        assert_eq!(keys("take 2 tablets"), ["take 0 tablets"]);
        assert_eq!(keys("(\\$|£) ?\\d"), ["$", "£"]);
        assert_eq!(keys("a&e"), ["a"]);
        assert_eq!(keys("Don’t"), ["don't"]);
        assert_eq!(keys("(can't|cannot) walk"), ["can't walk", "cannot walk"]);
        assert_eq!(
            keys("do not (use|take) it's"),
            ["do not take", "do not use"]
        );
        assert_eq!(keys("doctors' advice"), ["doctors"]);
        assert_eq!(keys("'s"), ["'"]);
    }

    /// The unbranched shortcut gives the keys the full walk gives, at every depth.
    #[test]
    fn only_key_agrees_with_the_walk() {
        let phrases = [
            "back pain",
            "co-codamol",
            "Co-codamol30",
            "aspadol 100mg",
            "can't walk",
            "doctors' advice",
            "'s",
            "£5 off",
            "a&e",
            "Don’t stop",
            "pain ,then",
            "\\d+ mg",
            "no, never",
            "ice - pack",
            "x",
            "buy\\(now\\)",
            "don't-stop now",
            "a 'b",
            "the best (way|drug)",
            "tablets?",
            "100mg",
            "1\\d+mg",
            "b12 deficiency",
            "90's kids",
        ];
        for text in phrases {
            let phrase = parse(text).unwrap();
            for depth in 1..=KEY_WORDS {
                let walked = phrase.keys_by_walk(depth, &[]).map_err(|e| e.to_string());
                match phrase.only_key(depth) {
                    Some(key) => {
                        let key = key.map(|k| vec![k]).map_err(|e| e.to_string());
                        assert_eq!(key, walked, "{text} at depth {depth}");
                    }
                    None => assert!(text.contains(['(', '?']), "{text}"),
                }
            }
        }
    }

    /// Keys wanted under some words are the keys that start with them.
    #[test]
    fn keys_under_words_are_the_keys_that_start_with_them() {
        let phrases = [
            "(a|the|your) (big|small|bigger) (dog|cat)s?",
            "(a|an) \\d+ ?(mg|g)",
            "1\\d? (days|weeks)",
            "(10|1\\d|2) (days|weeks)",
            "(can't|cannot|can) (walk|stand)",
            "(a|the)( very)? (big|small)",
        ];
        for text in phrases {
            let phrase = parse(text).unwrap();
            for depth in 2..=KEY_WORDS {
                let all = phrase.index_keys(depth).unwrap();
                let mut prefixes: Vec<Vec<Vec<u8>>> = all
                    .iter()
                    .flat_map(|k| (1..depth.min(k.words.len() + 1)).map(|n| k.words[..n].to_vec()))
                    .collect();
                prefixes.push(vec![b"zzz".to_vec()]);
                for under in prefixes {
                    let wanted: Vec<&IndexKey> =
                        all.iter().filter(|k| k.words.starts_with(&under)).collect();
                    let got = phrase.index_keys_under(depth, &under).unwrap();
                    let got: Vec<&IndexKey> =
                        got.iter().filter(|k| k.words.starts_with(&under)).collect();
                    assert_eq!(got, wanted, "{text} at depth {depth} under {under:?}");
                }
            }
        }
    }

    #[test]
    fn optional_applies_to_the_last_character_or_group() {
        let p = parse("tablets?").unwrap();
        assert_eq!(
            p.nodes,
            vec![Node::group(vec![vec![
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
            "\\-\\d+%",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
        assert!(validate("fine (phrase|words)").is_ok());
        assert!(validate("(\\$|£|€) ?\\d+(.|,)\\d\\d").is_ok());
    }

    /// Limits a user's rule file cannot get past (issue 20, D3): a phrase nested 30,000
    /// deep overflowed the stack; a leading space was accepted though the syntax forbids it.
    #[test]
    fn refuses_phrases_too_deep_too_long_or_padded() {
        let deep = format!("{}a{}", "(".repeat(1_000), ")".repeat(1_000));
        assert!(parse(&deep).unwrap_err().contains("nest more than"));
        let deeper = format!("{}a{}", "(".repeat(30_000), ")".repeat(30_000));
        assert!(parse(&deeper).is_err());
        let nested_ok = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(parse(&nested_ok).is_ok());
        let long = "word ".repeat(MAX_PHRASE_CHARS);
        assert!(parse(long.trim()).unwrap_err().contains("characters long"));
        assert!(parse(" back pain")
            .unwrap_err()
            .contains("starts or ends with a space"));
        assert!(parse("back pain ").is_err());
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
