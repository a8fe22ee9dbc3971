//! The multi-pattern matcher. Rules register phrase lists while they compile; each list
//! becomes one pattern with an id. [`PatternSet::scan`] takes a file's prose and hands on
//! [`Hits`]: every match of every pattern, by pattern, in text order.
//!
//! The scan is one pass over the prose, with no copy of it (but see below). Each word (ASCII lowercased, digit
//! runs folded to `0`; a word with digits also as written), and each punctuation character,
//! is hashed as it is read ([`KeyHash`]) and looked up in a trie of the first words of all
//! phrases ([`syntax::IndexKey`], [`Level`]); only the phrases that can start there are
//! tried, each by a small walk over its syntax tree ([`syntax::Node`]) that compares ignoring
//! ASCII case, takes a run of whitespace and hyphens for a phrase's space and either
//! apostrophe for `'`. Most words start no phrase, so the cost per byte is close to that of
//! splitting words, however many rules there are, and start-up only parses the phrases (no
//! automaton is built).
//!
//! Within a pattern, matches are leftmost-longest and do not overlap: where two phrases of a
//! list match at the same place, the longer one wins ("chest pain spreading" over "chest pain").
//!
//! Text with a word hidden by an invisible character ("mir\u{AD}acle") or an HTML character
//! reference ("100&percnt; safe") is the exception: the scan reads a copy in which such words
//! are written as they read, and maps its matches back to spans of the text
//! ([`crate::hidden`]). Only such text pays for it; the check that it has none is a `memchr`.

use std::cell::Cell;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::hidden::Unhidden;
use crate::syntax::{self, is_word_byte, utf8_len, IndexKey, Node, Phrase};

/// Identifies one registered phrase list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatternId(pub u32);

/// Collects phrase lists while rules compile. Identical lists share one id.
///
/// Parsing and keying thousands of phrases is most of start-up, so for the set a run will
/// build ([`PatternSetBuilder::parsing_ahead`]) it starts while rules are still compiling:
/// each new distinct phrase joins a chunk, and a full chunk is handed to the thread pool at
/// once. [`PatternSetBuilder::build`] parses whatever no thread has taken yet itself, so it
/// never waits on work that has not started (no deadlock on a busy or one-thread pool), and
/// it assembles the results in registration order, so the set does not depend on which
/// thread parsed what.
#[derive(Default)]
pub struct PatternSetBuilder {
    /// Whether full chunks go to the thread pool at once (see above); otherwise everything
    /// is parsed in `build`, and a builder that is never built parses nothing.
    ahead: bool,
    lists: Vec<List>,
    by_list: FxHashMap<List, PatternId>,
    /// Distinct phrases (text, names) → their index in registration order.
    phrase_ids: FxHashMap<(String, bool), u32>,
    /// Per distinct phrase, the patterns that hold it.
    owners: Vec<Vec<u32>>,
    /// Distinct phrases not yet in a chunk.
    pending: Vec<(String, bool)>,
    chunks: Vec<Arc<Chunk>>,
}

/// Distinct phrases parsed together, by a pool thread or by `build`, whichever comes first.
struct Chunk {
    phrases: Vec<(String, bool)>,
    state: Mutex<ChunkState>,
}

enum ChunkState {
    Waiting,
    Parsed(Vec<Parsed>),
    /// `build` has taken the results: a pool job that starts only now has nothing to do.
    Taken,
}

/// A parsed phrase with its index keys, or what is wrong with it.
type Parsed = Result<(Phrase, Vec<IndexKey>), BuildError>;

/// Distinct phrases per chunk: enough to outweigh handing a chunk to a thread.
const CHUNK: usize = 128;

impl Chunk {
    /// Parses the chunk unless that is done; the lock makes a late caller wait only for a
    /// parse already under way.
    fn parse(&self) {
        let mut state = self.lock();
        if matches!(*state, ChunkState::Waiting) {
            *state = ChunkState::Parsed(
                self.phrases
                    .iter()
                    .map(|(text, names)| parse_phrase(text, *names))
                    .collect(),
            );
        }
    }

    /// The results, parsing them first if no thread has.
    fn take(&self) -> Vec<Parsed> {
        self.parse();
        match std::mem::replace(&mut *self.lock(), ChunkState::Taken) {
            ChunkState::Parsed(parsed) => parsed,
            ChunkState::Waiting | ChunkState::Taken => Vec::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ChunkState> {
        // A panic while parsing leaves the state as it was: still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn parse_phrase(text: &str, digits_may_follow: bool) -> Parsed {
    let fail = |e: String| BuildError(format!("phrase `{text}`: {e}"));
    let mut phrase = syntax::parse(text).map_err(fail)?;
    phrase.digits_may_follow = digits_may_follow;
    let keys = phrase.index_keys(1).map_err(|e| fail(e.to_string()))?;
    Ok((phrase, keys))
}

/// One registered list: its phrases, and whether digits may follow a match (names).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct List {
    phrases: Vec<String>,
    digits_may_follow: bool,
}

impl PatternSetBuilder {
    /// Registers a list of phrases (see [`pattern`]) matched as one pattern. Phrases must have
    /// been validated by the caller, which knows where they stand in a rule file.
    pub fn add_phrases<S: AsRef<str>>(&mut self, phrases: &[S]) -> PatternId {
        self.add(List {
            phrases: phrases.iter().map(|p| p.as_ref().to_string()).collect(),
            digits_may_follow: false,
        })
    }

    /// Registers names given as plain text (drug names: no phrase syntax), matched as one
    /// pattern; digits may follow a name directly ("Aspadol100mg"). The text must hold two
    /// word characters at least.
    pub fn add_names<S: AsRef<str>>(&mut self, names: &[S]) -> PatternId {
        self.add(List {
            phrases: names.iter().map(|n| syntax::literal(n.as_ref())).collect(),
            digits_may_follow: true,
        })
    }

    fn add(&mut self, list: List) -> PatternId {
        if let Some(&id) = self.by_list.get(&list) {
            return id;
        }
        let id = PatternId(self.lists.len() as u32);
        for text in &list.phrases {
            let key = (text.trim().to_string(), list.digits_may_follow);
            let next = self.owners.len() as u32;
            let phrase = *self.phrase_ids.entry(key).or_insert_with_key(|key| {
                self.pending.push(key.clone());
                next
            });
            if phrase == next {
                self.owners.push(Vec::new());
            }
            let owners = &mut self.owners[phrase as usize];
            if !owners.contains(&id.0) {
                owners.push(id.0);
            }
        }
        if self.pending.len() >= CHUNK {
            self.start_chunk();
        }
        self.by_list.insert(list.clone(), id);
        self.lists.push(list);
        id
    }

    /// A builder that parses phrases on the thread pool as they are registered, for the
    /// set a run builds (a scratch set that is never built would only waste the work).
    pub fn parsing_ahead() -> PatternSetBuilder {
        PatternSetBuilder {
            ahead: true,
            ..PatternSetBuilder::default()
        }
    }

    /// Makes a chunk of the pending phrases and, when parsing ahead, hands it to the pool.
    fn start_chunk(&mut self) {
        let chunk = Arc::new(Chunk {
            phrases: std::mem::take(&mut self.pending),
            state: Mutex::new(ChunkState::Waiting),
        });
        self.chunks.push(Arc::clone(&chunk));
        if self.ahead {
            rayon::spawn(move || chunk.parse());
        }
    }

    /// Collects every phrase parsed (a phrase shared by several lists is matched once),
    /// parsing what no thread has started, and builds the first-word index.
    pub fn build(mut self) -> Result<PatternSet, BuildError> {
        if !self.pending.is_empty() {
            self.start_chunk();
        }
        // The last chunks are likely not started yet: parse them here, from the end, while
        // the pool works from the start.
        for chunk in self.chunks.iter().rev() {
            chunk.parse();
        }
        let mut phrases = Vec::with_capacity(self.owners.len());
        let mut index = LevelBuilder::default();
        for chunk in &self.chunks {
            for result in chunk.take() {
                let (phrase, keys) = result?;
                let id = phrases.len() as u32;
                for key in keys {
                    let first = key.words.into_iter().next().unwrap_or_default();
                    index.add(std::slice::from_ref(&first), id);
                }
                phrases.push(phrase);
            }
        }
        Ok(PatternSet {
            glued: phrases.iter().any(|p| p.digits_may_follow),
            phrases,
            owners: self.owners,
            index: index.build(),
            lists: self.lists,
        })
    }
}

/// How many times a scan meets a crowded entry before splitting it.
const SPLIT_AFTER: u32 = 128;

/// How many phrases may share an index entry before it is split by the next word.
const CROWDED: usize = 1;

/// The phrases whose matches can start with some words: a node of a word trie. Only the first
/// word is indexed at start-up; an entry that many phrases share ("do", "is", "a") is split
/// by the next word the first time a scan meets it, so start-up stays short and a scan tries
/// few phrases per word.
#[derive(Debug)]
struct Entry {
    /// The words leading here.
    words: Vec<Vec<u8>>,
    /// Every phrase that can start with these words.
    phrases: Vec<u32>,
    /// The split by the next word, made on first use (for crowded entries only).
    split: OnceLock<Split>,
    /// How often a scan has met this entry unsplit: it is split only once that pays off.
    met: AtomicU32,
    /// Whether two different last words share this entry's hash: it is then never split
    /// (its `words` hold only one of them), and its phrases are all tried, as without an
    /// index. Walks decide every match, so a shared hash costs attempts, never a match.
    mixed: bool,
}

/// One level of the word trie: entries by the [`KeyHash`] of their last word, packed so
/// that the table probed for every word of every file is small and answers most probes
/// itself. A slot holds where the entry's phrases are in `ids`; only a crowded entry, which
/// the scan splits by the next word, points at its [`Entry`]. (With the entries in the
/// table, its slots were 128 bytes and most probes missed the cache.)
#[derive(Debug, Default)]
struct Level {
    slots: FxHashMap<u64, Slot>,
    /// The phrases of every uncrowded entry, one run per entry.
    ids: Vec<u32>,
    crowded: Vec<Entry>,
}

/// A [`Level`]'s slot: a crowded entry's number, with [`Slot::CROWDED`] set, or an uncrowded
/// entry's run in `ids` (start in the low 32 bits, length above).
#[derive(Debug, Clone, Copy)]
struct Slot(u64);

impl Slot {
    const CROWDED: u64 = 1 << 63;
}

/// What a level holds for a key.
enum Found<'l> {
    /// The phrases to try.
    Phrases(&'l [u32]),
    /// An entry to split by the next word.
    Crowded(&'l Entry),
}

impl Level {
    fn get(&self, key: KeyHash) -> Option<Found<'_>> {
        let Slot(slot) = *self.slots.get(&key.0)?;
        if slot & Slot::CROWDED != 0 {
            return self.crowded.get(slot as u32 as usize).map(Found::Crowded);
        }
        let start = slot as u32 as usize;
        let len = (slot >> 32) as usize;
        self.ids.get(start..start + len).map(Found::Phrases)
    }
}

/// Builds a [`Level`]: entries are added to phrase by phrase, and packed once all are in.
#[derive(Debug, Default)]
struct LevelBuilder {
    slots: FxHashMap<u64, u32>,
    entries: Vec<Entry>,
}

impl LevelBuilder {
    /// Adds a phrase that can start with `words`, under the hash of the last of them.
    fn add(&mut self, words: &[Vec<u8>], phrase: u32) {
        let last = words.last().map_or(&[][..], Vec::as_slice);
        let entries = &mut self.entries;
        let &mut entry = self.slots.entry(KeyHash::of(last).0).or_insert_with(|| {
            entries.push(Entry::new(words.to_vec()));
            entries.len() as u32 - 1
        });
        self.entries[entry as usize].add(last, phrase);
    }

    fn build(self) -> Level {
        let mut level = Level::default();
        level.slots.reserve(self.slots.len());
        // In entry order, not the table's arbitrary one: the packing is the same every run.
        let mut keys = vec![0; self.entries.len()];
        for (key, number) in self.slots {
            keys[number as usize] = key;
        }
        for (entry, key) in self.entries.into_iter().zip(keys) {
            let slot = if entry.crowded() {
                level.crowded.push(entry);
                Slot::CROWDED | (level.crowded.len() as u64 - 1)
            } else {
                let start = level.ids.len() as u64;
                level.ids.extend_from_slice(&entry.phrases);
                (entry.phrases.len() as u64) << 32 | start
            };
            level.slots.insert(key, Slot(slot));
        }
        level
    }
}

/// A crowded entry split by the next word.
#[derive(Debug, Default)]
struct Split {
    /// Phrases that can end, or stop being keyable, after the entry's words.
    alone: Vec<u32>,
    /// Next word → the phrases that can go on with it.
    next: Level,
}

impl Entry {
    fn new(words: Vec<Vec<u8>>) -> Entry {
        Entry {
            words,
            phrases: Vec::new(),
            split: OnceLock::new(),
            met: AtomicU32::new(0),
            mixed: false,
        }
    }

    /// Adds a phrase that can start with this entry's words, the last of them being `last`.
    fn add(&mut self, last: &[u8], phrase: u32) {
        self.mixed |= self.words.last().is_some_and(|w| w != last);
        if self.phrases.last() != Some(&phrase) {
            self.phrases.push(phrase);
        }
    }

    /// Whether the scan should split this entry by the next word before trying phrases.
    fn crowded(&self) -> bool {
        self.phrases.len() > CROWDED && self.words.len() < syntax::KEY_WORDS && !self.mixed
    }

    /// The entry split by the next word (see [`Split`]).
    fn split(&self, phrases: &[Phrase]) -> &Split {
        self.split.get_or_init(|| {
            let depth = self.words.len() + 1;
            let mut alone = Vec::new();
            let mut next = LevelBuilder::default();
            for &id in &self.phrases {
                // A phrase with too many variants of its next words stays unsplit, and so does
                // a name: a strength glued to its second word ("Co-codamol30") would key that
                // word differently. Either way it is tried at this level, as if unsplit.
                let phrase = &phrases[id as usize];
                let keys = match phrase.index_keys_under(depth, &self.words) {
                    Ok(keys) if !phrase.digits_may_follow => keys,
                    _ => {
                        alone.push(id);
                        continue;
                    }
                };
                for key in keys
                    .into_iter()
                    .filter(|k| k.words.starts_with(&self.words))
                {
                    match key.words.get(self.words.len()) {
                        None => {
                            if alone.last() != Some(&id) {
                                alone.push(id);
                            }
                        }
                        Some(_) => next.add(&key.words, id),
                    }
                }
            }
            Split {
                alone,
                next: next.build(),
            }
        })
    }
}

/// A phrase list that does not parse (rule loading validates phrases first, so this only
/// reports a bug).
#[derive(Debug, Clone)]
pub struct BuildError(pub String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// All patterns of a rule set, built once and shared read-only by every thread.
#[derive(Debug)]
pub struct PatternSet {
    phrases: Vec<Phrase>,
    /// Per phrase: the patterns whose lists hold it.
    owners: Vec<Vec<u32>>,
    /// First word of an [`syntax::IndexKey`], as a [`KeyHash`] → the trie of phrases that can
    /// start there.
    index: Level,
    /// Whether some phrase takes digits glued after it (see [`PatternSetBuilder::add_names`]).
    glued: bool,
    /// The registered lists, in id order.
    lists: Vec<List>,
}

impl PatternSet {
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// A regex source for every pattern, in id order (for `healthlint debug-patterns`, which
    /// feeds the benchmark's ripgrep run).
    pub fn sources(&self) -> impl Iterator<Item = String> + '_ {
        self.lists.iter().map(|list| {
            let alternatives: Vec<String> = list
                .phrases
                .iter()
                .map(|p| syntax::regex_for(p, list.digits_may_follow))
                .collect();
            alternatives.join("|")
        })
    }

    /// Finds every match of every pattern in `prose` (see the module documentation).
    pub fn scan(&self, prose: &str) -> Hits {
        match Unhidden::of(prose) {
            None => self.scan_bytes(prose.as_bytes()),
            // Slow path, for text with a word hidden by an invisible character or a
            // character reference: the copy is scanned and its matches mapped back.
            Some(unhidden) => {
                let mut hits = self.scan_bytes(unhidden.text());
                for range in &mut hits.matches {
                    *range = unhidden.original(range);
                }
                hits
            }
        }
    }

    /// [`PatternSet::scan`] over text with nothing hidden.
    fn scan_bytes(&self, bytes: &[u8]) -> Hits {
        let mut found: Vec<(u32, u32, u32)> = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if is_word_byte(b) {
                let (end, first_digit, folded) = fold_word(bytes, at);
                self.try_key(folded, bytes, at, end, &mut found);
                // A word with digits, as written too: "100" for "100 ?%" (see IndexKey).
                let mut digits = first_digit.is_some();
                if digits {
                    let literal = literal_key(&bytes[at..end]);
                    self.try_key(literal, bytes, at, end, &mut found);
                }
                // "can't" is looked up as one word too (phrases such as "can't walk" are
                // indexed so), besides "can" (for "can" and the possessive "doctor's").
                // Each joined form is looked up: "ma'am" in "ma'am's".
                let mut joined = end;
                let mut joined_key = folded;
                while let Some(len) = apostrophe_len(bytes, joined) {
                    if !bytes.get(joined + len).is_some_and(|&b| is_word_byte(b)) {
                        break;
                    }
                    let word_start = joined + len;
                    joined = word_end(bytes, word_start);
                    joined_key = joined_key.push(b'\'').fold(&bytes[word_start..joined]);
                    self.try_key(joined_key, bytes, at, joined, &mut found);
                    digits |= bytes[word_start..joined].iter().any(u8::is_ascii_digit);
                    if digits {
                        let literal = literal_key(&bytes[at..joined]);
                        self.try_key(literal, bytes, at, joined, &mut found);
                    }
                }
                // "aspadol100mg": the letters alone, for names that take a glued strength.
                if self.glued {
                    if let Some(digit) = first_digit {
                        if digit > at && bytes[digit - 1].is_ascii_alphabetic() {
                            let letters = KeyHash::EMPTY.fold(&bytes[at..digit]);
                            self.try_key(letters, bytes, at, digit, &mut found);
                        }
                    }
                }
                at = end;
            } else if is_sep_byte(b) || b == 0 || (0x80..0xC0).contains(&b) {
                at += 1;
            } else {
                // Punctuation starts phrases such as "£\d+" or "'s": its key is the character,
                // a curly apostrophe being a straight one.
                let (len, key) = match apostrophe_len(bytes, at) {
                    Some(len) => (len, KeyHash::EMPTY.push(b'\'')),
                    None => {
                        let len = utf8_len(b).min(bytes.len() - at);
                        (len, KeyHash::of(&bytes[at..at + len]))
                    }
                };
                self.try_key(key, bytes, at, at + len, &mut found);
                at += len;
            }
        }
        Hits::collect(found, self.lists.len())
    }

    /// Tries the phrases indexed under `key` (the token at `at..end`), and under `key` and the
    /// words after it, down the index's word trie.
    fn try_key(
        &self,
        key: KeyHash,
        bytes: &[u8],
        at: usize,
        end: usize,
        found: &mut Vec<(u32, u32, u32)>,
    ) {
        let mut entry = match self.index.get(key) {
            None => return,
            Some(Found::Phrases(phrases)) => return self.try_all(phrases, bytes, at, found),
            Some(Found::Crowded(entry)) => entry,
        };
        let mut end = end;
        loop {
            let split = match entry.split.get() {
                Some(split) => split,
                // Splitting costs key computations for every phrase of the entry: one small
                // article (an editor's buffer) meets most entries a few times, where trying
                // their phrases is cheaper. The result is the same either way.
                None if entry.met.fetch_add(1, Ordering::Relaxed) < SPLIT_AFTER => {
                    return self.try_all(&entry.phrases, bytes, at, found);
                }
                None => entry.split(&self.phrases),
            };
            self.try_all(&split.alone, bytes, at, found);
            let next = sep_end(bytes, end);
            if next == end || !bytes.get(next).is_some_and(|&b| is_word_byte(b)) {
                return;
            }
            let (next_end, _, next_key) = fold_word(bytes, next);
            end = next_end;
            match split.next.get(next_key) {
                None => return,
                Some(Found::Phrases(phrases)) => return self.try_all(phrases, bytes, at, found),
                Some(Found::Crowded(deeper)) => entry = deeper,
            }
        }
    }

    /// Tries phrases at `at`, adding each match to `found` for every pattern that holds it.
    fn try_all(&self, phrases: &[u32], bytes: &[u8], at: usize, found: &mut Vec<(u32, u32, u32)>) {
        for &phrase in phrases {
            if let Some(stop) = Attempt::longest(&self.phrases[phrase as usize], bytes, at) {
                for &owner in &self.owners[phrase as usize] {
                    found.push((owner, at as u32, stop as u32));
                }
            }
        }
    }
}

/// An index key ([`syntax::IndexKey`]'s word, or a punctuation character) as a 64-bit hash,
/// built byte by byte as the scan reads a word: no word is copied into a buffer or hashed
/// twice, and a lookup compares no bytes. Two words may share a hash; the index then tries
/// more phrases than it needs to (see [`Entry::mixed`]), and walks decide every match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyHash(u64);

impl KeyHash {
    const EMPTY: KeyHash = KeyHash(0);

    /// The hash after one more byte of the key (FxHash's step).
    fn push(self, b: u8) -> KeyHash {
        KeyHash((self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95))
    }

    /// The hash of a key as the index holds it.
    fn of(key: &[u8]) -> KeyHash {
        key.iter().fold(KeyHash::EMPTY, |hash, &b| hash.push(b))
    }

    /// The hash after a word folded as the index holds words: ASCII lowercase, every run of
    /// digits as one `0` ([`syntax::append_folded`]).
    fn fold(mut self, word: &[u8]) -> KeyHash {
        let mut after_digit = false;
        for &b in word {
            let digit = b.is_ascii_digit();
            if !(digit && after_digit) {
                self = self.push(if digit { b'0' } else { b.to_ascii_lowercase() });
            }
            after_digit = digit;
        }
        self
    }
}

/// Whether a byte separates words as a phrase's space does: ASCII whitespace or a hyphen.
fn is_sep_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | b'-')
}

/// The end of the run of separator bytes that starts at `at` (`at` itself if none).
fn sep_end(bytes: &[u8], at: usize) -> usize {
    bytes[at.min(bytes.len())..]
        .iter()
        .position(|&b| !is_sep_byte(b))
        .map_or(bytes.len(), |len| at + len)
}

/// The length of the apostrophe at `at`, straight (1 byte) or curly (3), if there is one.
fn apostrophe_len(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at) {
        Some(b'\'') => Some(1),
        Some(0xE2) if bytes[at..].starts_with("’".as_bytes()) => Some(3),
        _ => None,
    }
}

/// The end of the word that starts at `at`.
fn word_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| !is_word_byte(b))
        .map_or(bytes.len(), |len| at + len)
}

/// Reads the word that starts at `at` in one pass: its end, where its first digit is, if it
/// has one, and its key ([`KeyHash::fold`]).
fn fold_word(bytes: &[u8], at: usize) -> (usize, Option<usize>, KeyHash) {
    let mut key = KeyHash::EMPTY;
    let mut first_digit = None;
    let mut after_digit = false;
    let mut end = at;
    while let Some(&b) = bytes.get(end) {
        if b.is_ascii_digit() {
            first_digit.get_or_insert(end);
            if !after_digit {
                key = key.push(b'0');
            }
            after_digit = true;
        } else if is_word_byte(b) {
            key = key.push(b.to_ascii_lowercase());
            after_digit = false;
        } else {
            break;
        }
        end += 1;
    }
    (end, first_digit, key)
}

/// The key of a first word (letters, digits and apostrophes) as written, for phrases keyed by
/// a number they spell out: ASCII lowercase, a curly apostrophe as a straight one.
fn literal_key(word: &[u8]) -> KeyHash {
    let mut key = KeyHash::EMPTY;
    let mut at = 0;
    while let Some(&b) = word.get(at) {
        match apostrophe_len(word, at) {
            Some(len) => {
                key = key.push(b'\'');
                at += len;
            }
            None => {
                key = key.push(b.to_ascii_lowercase());
                at += 1;
            }
        }
    }
    key
}

/// Matches a phrase literal (lowercase; `'` for either apostrophe) at `at`, ignoring ASCII
/// case; the end of the match.
fn literal_at(text: &[u8], mut at: usize, lit: &[u8]) -> Option<usize> {
    for &l in lit {
        let &t = text.get(at)?;
        if t.to_ascii_lowercase() == l {
            at += 1;
        } else if l == b'\'' {
            at += apostrophe_len(text, at)?;
        } else {
            return None;
        }
    }
    Some(at)
}

/// How many steps one attempt of a phrase may take. Real phrases take a few dozen; the
/// budget only keeps a pathological user phrase ("(a|a)(a|a)(a|a)…") from stalling a run:
/// such a phrase then finds its longest match among the paths tried so far.
const STEP_BUDGET: u32 = 100_000;

/// The rest of a phrase to match after the current nodes (a linked list through the stack:
/// trying a group's alternatives or an optional element allocates nothing).
struct Rest<'a> {
    nodes: &'a [Node],
    then: Option<&'a Rest<'a>>,
}

/// One attempt to match a phrase at a position: a depth-first walk over its syntax tree that
/// keeps the longest end reached.
struct Attempt<'t> {
    text: &'t [u8],
    start: usize,
    digits_may_follow: bool,
    longest: Option<usize>,
    steps: u32,
}

impl Attempt<'_> {
    /// The end of the longest match of `phrase` starting at `start`, if any. A match never
    /// ends inside a word (nor starts inside one: `start` is the start of a token).
    fn longest(phrase: &Phrase, text: &[u8], start: usize) -> Option<usize> {
        let mut attempt = Attempt {
            text,
            start,
            digits_may_follow: phrase.digits_may_follow,
            longest: None,
            steps: 0,
        };
        attempt.walk(&phrase.nodes, None, start);
        attempt.longest
    }

    /// Walks `nodes`, then `rest`, from `at`. A run of nodes that can only go one way
    /// (literals, digits, separators, the end of a group's alternative, the skip of an
    /// optional element) is followed in a loop; only the other branches of groups and
    /// optional elements recurse. Each node taken counts as one step, as it would in a
    /// walk that recursed for every node, so the budget cuts off at the same place.
    fn walk<'n>(&mut self, mut nodes: &'n [Node], mut rest: Option<&'n Rest<'n>>, mut at: usize) {
        let text = self.text;
        loop {
            self.steps += 1;
            if self.steps > STEP_BUDGET {
                return;
            }
            let Some((node, after)) = nodes.split_first() else {
                match rest {
                    Some(then) => {
                        nodes = then.nodes;
                        rest = then.then;
                        continue;
                    }
                    None => return self.reached(at),
                }
            };
            match node {
                Node::Lit(lit) => match literal_at(text, at, lit) {
                    Some(end) => at = end,
                    None => return,
                },
                Node::Digit => {
                    if !text.get(at).is_some_and(u8::is_ascii_digit) {
                        return;
                    }
                    at += 1;
                }
                Node::Digits => {
                    let run = text[at..].iter().take_while(|b| b.is_ascii_digit()).count();
                    if run == 0 {
                        return;
                    }
                    at += run;
                }
                Node::Sep => {
                    let end = sep_end(text, at);
                    if end == at {
                        return;
                    }
                    at = end;
                }
                Node::Group(alternatives, firsts) => {
                    let then = Rest {
                        nodes: after,
                        then: rest,
                    };
                    let next = text.get(at).map(u8::to_ascii_lowercase);
                    for (alternative, first) in alternatives.iter().zip(firsts) {
                        // Most alternatives of a long group fail on their first byte: skip
                        // them without a walk. (At the end of the text only an empty match
                        // is possible, which only an alternative with every first byte
                        // allows.)
                        if first.contains(next.unwrap_or(0)) {
                            self.walk(alternative, Some(&then), at);
                        }
                    }
                    return;
                }
                Node::Opt(inner) => {
                    let then = Rest {
                        nodes: after,
                        then: rest,
                    };
                    self.walk(std::slice::from_ref(inner), Some(&then), at);
                    // Then on without it.
                }
            }
            nodes = after;
        }
    }

    /// The whole phrase matched up to `end`: kept if it does not end inside a word.
    fn reached(&mut self, end: usize) {
        let text = self.text;
        if end <= self.start || self.longest.is_some_and(|l| end <= l) {
            return;
        }
        let splits_word = is_word_byte(text[end - 1])
            && text.get(end).is_some_and(|&b| {
                is_word_byte(b)
                    && !(self.digits_may_follow
                        && b.is_ascii_digit()
                        && text[end - 1].is_ascii_alphabetic())
            });
        if !splits_word {
            self.longest = Some(end);
        }
    }
}

/// Matches in one file, by pattern and in text order within a pattern.
#[derive(Debug, Default)]
pub struct Hits {
    /// Per pattern id: the index of its group in `groups`, or [`Hits::NONE`].
    group_of: Vec<u32>,
    /// One per pattern with matches, in id order (as `found`).
    groups: Vec<Group>,
    /// Original byte ranges, grouped by pattern, each group in text order.
    matches: Vec<Range<usize>>,
    /// The patterns with matches, in id order.
    found: Vec<PatternId>,
}

/// Where one pattern's matches lie in [`Hits::matches`].
#[derive(Debug)]
struct Group {
    from: u32,
    to: u32,
    /// Where in the group the last search in [`Hits::of_in`] ended. Checks ask about a
    /// pattern in text order (each sentence, each match of an action in turn), so the next
    /// search starts there and mostly ends a step or two later: a binary search over tens of
    /// thousands of matches per question was a tenth of a long file's time.
    last_search: Cell<u32>,
}

impl Hits {
    /// Groups raw (pattern, start, end) matches by pattern, each group in text order, and
    /// keeps the leftmost-longest non-overlapping matches of each. `found` comes in text
    /// order (the scan moves forward, and every match found at a position starts there), so
    /// one counting pass by pattern groups it: a long file has hundreds of thousands of
    /// matches, and sorting them was a twentieth of its time.
    fn collect(found: Vec<(u32, u32, u32)>, patterns: usize) -> Hits {
        debug_assert!(found.windows(2).all(|w| w[0].1 <= w[1].1));
        // Each pattern with matches, and how many, in the order they were first met; its
        // slot in `group_of` points there meanwhile.
        let mut group_of = vec![Hits::NONE; patterns];
        let mut met: Vec<(u32, u32)> = Vec::new();
        for &(pattern, _, _) in &found {
            let slot = &mut group_of[pattern as usize];
            if *slot == Hits::NONE {
                *slot = met.len() as u32;
                met.push((pattern, 0));
            }
            met[*slot as usize].1 += 1;
        }
        // Groups in pattern id order; `next` is where a group's next match goes.
        met.sort_unstable();
        let mut next = Vec::with_capacity(met.len());
        let mut total = 0;
        for (index, &(pattern, count)) in met.iter().enumerate() {
            group_of[pattern as usize] = index as u32;
            next.push(total);
            total += count;
        }
        let mut grouped = vec![(0u32, 0u32); found.len()];
        for &(pattern, start, end) in &found {
            let slot = &mut next[group_of[pattern as usize] as usize];
            grouped[*slot as usize] = (start, end);
            *slot += 1;
        }
        drop(found);
        let mut matches = Vec::with_capacity(grouped.len());
        let mut groups = Vec::with_capacity(met.len());
        let mut from = 0;
        for &(_, count) in &met {
            let first = matches.len() as u32;
            let group = &grouped[from..from + count as usize];
            from += count as usize;
            // The longest of the matches at one start (they come in the order their
            // phrases were tried), where it does not overlap the one kept before it.
            let mut reached = 0;
            for run in group.chunk_by(|a, b| a.0 == b.0) {
                let start = run[0].0;
                let end = run.iter().map(|&(_, end)| end).max().unwrap_or(start);
                if start >= reached {
                    matches.push(start as usize..end as usize);
                    reached = end;
                }
            }
            groups.push(Group {
                from: first,
                to: matches.len() as u32,
                last_search: Cell::default(),
            });
        }
        Hits {
            group_of,
            groups,
            matches,
            found: met.iter().map(|&(pattern, _)| PatternId(pattern)).collect(),
        }
    }

    const NONE: u32 = u32::MAX;

    /// The group of a pattern's matches, if it has any.
    fn group(&self, id: PatternId) -> Option<&Group> {
        let index = *self.group_of.get(id.0 as usize)?;
        self.groups.get(index as usize)
    }

    /// The index of the first of `all` (the matches of `group`) that starts at or after
    /// `start`. It gallops from where the last search in the group ended when `start` lies
    /// ahead of it, and searches all before it otherwise: either way the answer is the binary
    /// search's.
    fn first_from(group: &Group, all: &[Range<usize>], start: usize) -> usize {
        // A short list is searched faster than the place of the last search is read.
        const GALLOP_FROM: usize = 64;
        if all.len() < GALLOP_FROM {
            return all.partition_point(|r| r.start < start);
        }
        let hint = (group.last_search.get() as usize).min(all.len());
        let found = if hint == 0 || all[hint - 1].start < start {
            // Every match before `low` starts before `start`; the one at `high` (if any) not.
            let (mut low, mut high, mut step) = (hint, hint, 1);
            while high < all.len() && all[high].start < start {
                low = high + 1;
                high = high.saturating_add(step).min(all.len());
                step *= 2;
            }
            low + all[low..high].partition_point(|r| r.start < start)
        } else {
            all[..hint].partition_point(|r| r.start < start)
        };
        group.last_search.set(found as u32);
        found
    }

    /// The patterns with matches, in id order.
    pub fn found(&self) -> &[PatternId] {
        &self.found
    }

    /// The matches of one pattern, in text order.
    fn matches(&self, id: PatternId) -> &[Range<usize>] {
        self.group(id).map_or(&[], |g| self.of_group(g))
    }

    fn of_group(&self, group: &Group) -> &[Range<usize>] {
        &self.matches[group.from as usize..group.to as usize]
    }

    /// All matches of a pattern, in text order.
    pub fn of(&self, id: PatternId) -> impl Iterator<Item = &Range<usize>> + '_ {
        self.matches(id).iter()
    }

    /// Matches of a pattern inside a byte range. A pattern's matches do not overlap and come
    /// in text order, so a search finds the first one (from where the last search for the
    /// pattern ended, see [`Hits::first_from`]): a check that asks about every sentence of a
    /// large file stays linear instead of quadratic.
    #[inline]
    pub fn of_in(
        &self,
        id: PatternId,
        range: Range<usize>,
    ) -> impl Iterator<Item = &Range<usize>> + Clone + '_ {
        // One lookup of the pattern's group, for its matches and its last search.
        let (all, first) = match self.group(id) {
            Some(group) => {
                let all = self.of_group(group);
                (all, Hits::first_from(group, all, range.start))
            }
            None => (&[][..], 0),
        };
        all[first..]
            .iter()
            .take_while(move |r| r.start < range.end)
            .filter(move |r| r.end <= range.end)
    }

    pub fn any(&self, id: PatternId) -> bool {
        !self.matches(id).is_empty()
    }

    pub fn any_in(&self, id: PatternId, range: Range<usize>) -> bool {
        self.of_in(id, range).next().is_some()
    }

    /// The number of matches of all patterns.
    pub fn len(&self) -> usize {
        self.matches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.matches.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_read_from_text_hashes_as_its_index_key() {
        // The scan hashes words as it reads them; the index hashes the keys the phrases give.
        // The two must agree on case, digit runs and apostrophes, or a phrase is never tried.
        for (text, key) in [
            ("Ibuprofen", "ibuprofen"),
            ("100mg", "0mg"),
            ("3x2.5", "0x0"),
            ("Co_codamol30", "co_codamol0"),
        ] {
            let (end, _, hash) = fold_word(text.as_bytes(), 0);
            assert_eq!(hash, KeyHash::of(key.as_bytes()), "{text}");
            assert_eq!(&text[..end], text.split('.').next().unwrap_or(text));
        }
        assert_eq!(literal_key("Can’t".as_bytes()), KeyHash::of(b"can't"));
        assert_eq!(literal_key(b"100"), KeyHash::of(b"100"));
        let joined = fold_word(b"Can", 0).2.push(b'\'').fold(b"T");
        assert_eq!(joined, KeyHash::of(b"can't"));
    }

    #[test]
    fn an_entry_two_words_share_is_never_split() {
        // Its words name one of the two: splitting it by the next word would lose the
        // other's phrases. Tried unsplit, every phrase is walked and the result is exact.
        let mut entry = Entry::new(vec![b"pain".to_vec()]);
        entry.add(b"pain", 0);
        entry.add(b"pain", 1);
        assert!(entry.crowded());
        entry.add(b"ache", 2);
        assert!(!entry.crowded());
        assert_eq!(entry.phrases, [0, 1, 2]);
    }

    fn found(phrases: &[&str], prose: &str) -> Vec<String> {
        let mut b = PatternSetBuilder::default();
        let id = b.add_phrases(phrases);
        let set = b.build().unwrap();
        let hits = set.scan(prose);
        hits.of(id).map(|r| prose[r.clone()].to_string()).collect()
    }

    #[test]
    fn phrase_syntax_matches_as_documented() {
        assert_eq!(found(&["chest pain"], "Chest\n  pain"), ["Chest\n  pain"]);
        assert_eq!(
            found(&["pins and needles"], "pins-and-needles"),
            ["pins-and-needles"]
        );
        assert_eq!(
            found(&["don't ignore"], "Don’t ignore it"),
            ["Don’t ignore"]
        );
        assert!(found(&["ice"], "advice, icepack").is_empty());
        assert_eq!(
            found(&["(low|lower) back pain"], "lower back pain"),
            ["lower back pain"]
        );
        assert_eq!(
            found(&["tablets?"], "one tablet, two tablets"),
            ["tablet", "tablets"]
        );
        assert_eq!(found(&["myth:"], "Myth: heat"), ["Myth:"]);
        assert_eq!(found(&["a&e"], "go to A&E now"), ["A&E"]);
        assert_eq!(found(&["100% safe"], "it is 100% safe"), ["100% safe"]);
        assert_eq!(
            found(&["100 ?% safe"], "100% safe, 100 % safe"),
            ["100% safe", "100 % safe"]
        );
        assert_eq!(found(&["e.g. this"], "e.g. this, exg this"), ["e.g. this"]);
        assert_eq!(
            found(&["pain ?killer"], "a painkiller, a pain killer"),
            ["painkiller", "pain killer"]
        );
        assert_eq!(
            found(&["\\d\\d? weeks"], "for 3 weeks or 12 weeks, not 123 weeks"),
            ["3 weeks", "12 weeks"]
        );
        assert_eq!(
            found(&["(\\$|£) ?\\d+(.|,)\\d\\d"], "only $19.99 or £ 5,00"),
            ["$19.99", "£ 5,00"]
        );
        assert_eq!(
            found(&["covid-19"], "COVID 19 and covid-19"),
            ["COVID 19", "covid-19"]
        );
        // Never inside a word, at either end.
        assert!(found(&["pain"], "painful, spain").is_empty());
        assert!(found(&["\\d mg"], "10 mg").is_empty());
    }

    /// Phrases whose first word spells out a number are keyed by it, not by any number.
    #[test]
    fn numbers_written_out_match_as_written_and_digit_classes_match_any() {
        assert_eq!(
            found(
                &["100 ?%", "(39|40) ?°c"],
                "100%, 200%, 100 % sure; 40°C, 41 °C, 39 °c"
            ),
            ["100%", "100 %", "40°C", "39 °c"]
        );
        assert_eq!(
            found(&["b12 deficiency"], "B12 deficiency"),
            ["B12 deficiency"]
        );
        assert_eq!(
            found(
                &["90's kids", "2,4 dnp"],
                "90’s kids, 80's kids, 2,4 DNP, 3,4 DNP"
            ),
            ["90’s kids", "2,4 DNP"]
        );
        assert_eq!(
            found(&["\\d+ ?mg", "1\\d mg"], "take 500mg or 15 mg"),
            ["500mg", "15 mg"]
        );
    }

    #[test]
    fn hits_list_the_patterns_found_and_none_for_the_others() {
        let mut b = PatternSetBuilder::default();
        let ids: Vec<PatternId> = ["ice", "heat", "rest", "massage", "ibuprofen"]
            .iter()
            .map(|p| b.add_phrases(&[p]))
            .collect();
        let set = b.build().unwrap();
        let hits = set.scan("Rest, then ice; ice again.");
        assert_eq!(hits.found(), [ids[0], ids[2]]);
        let counts: Vec<usize> = ids.iter().map(|&id| hits.of(id).count()).collect();
        assert_eq!(counts, [2, 0, 1, 0, 0]);
        assert!(set.scan("").found().is_empty());
        assert!(!set.scan("").any(ids[4]));
    }

    #[test]
    fn names_take_glued_digits() {
        let mut b = PatternSetBuilder::default();
        let names = b.add_names(&["Aspadol", "Pain-O-Soma", "soma"]);
        let set = b.build().unwrap();
        let prose = "Aspadol100mg, pain o soma 350, Somatic, SOMA2";
        let hits: Vec<_> = set
            .scan(prose)
            .of(names)
            .map(|r| &prose[r.clone()])
            .collect();
        assert_eq!(hits, ["Aspadol", "pain o soma", "SOMA"]);
    }

    /// Regression: a name whose strength is glued to its second word was lost once its first
    /// word's index entry had been split (after `SPLIT_AFTER` meetings), so results depended
    /// on how many files a run had checked before.
    #[test]
    fn glued_names_match_before_and_after_the_index_splits() {
        let mut b = PatternSetBuilder::default();
        let names = b.add_names(&["Co-codamol", "Co-dydramol", "co-careldopa"]);
        let set = b.build().unwrap();
        let prose = "Take Co-codamol30/500 daily, co codamol, co dydramol.";
        for run in 0..2 * SPLIT_AFTER {
            let hits: Vec<_> = set
                .scan(prose)
                .of(names)
                .map(|r| &prose[r.clone()])
                .collect();
            assert_eq!(
                hits,
                ["Co-codamol", "co codamol", "co dydramol"],
                "scan {run}"
            );
        }
    }

    /// A search that starts from where the last one ended must find what a search of every
    /// match finds, whichever way the questions move: forwards, backwards, by jumps, and in
    /// a list too short to gallop.
    #[test]
    fn searches_from_the_last_one_find_what_a_whole_search_finds() {
        let mut b = PatternSetBuilder::default();
        let many = b.add_phrases(&["knee"]);
        let middling = b.add_phrases(&["ankle"]);
        let few = b.add_phrases(&["hip"]);
        let set = b.build().unwrap();
        let prose = "hip ".to_string() + &"knee ankle knee ".repeat(500) + "hip";
        let hits = set.scan(&prose);
        assert_eq!(hits.of(many).count(), 1000);
        assert_eq!(hits.of(few).count(), 2);
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut starts: Vec<usize> = (0..prose.len()).step_by(7).collect();
        starts.extend((0..prose.len()).rev().step_by(13));
        starts.extend((0..400).map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % prose.len() as u64) as usize
        }));
        for id in [many, middling, few] {
            for &start in &starts {
                let range = start..(start + 40).min(prose.len());
                let searched: Vec<_> = hits.of_in(id, range.clone()).cloned().collect();
                let whole: Vec<_> = hits
                    .of(id)
                    .filter(|r| r.start >= range.start && r.end <= range.end)
                    .cloned()
                    .collect();
                assert_eq!(searched, whole, "{range:?}");
            }
        }
    }

    /// Regression: only the fully joined word was looked up after several apostrophes.
    #[test]
    fn every_apostrophe_joined_form_is_looked_up() {
        assert_eq!(found(&["ma'am"], "Yes ma'am's sure"), ["ma'am"]);
        assert_eq!(found(&["don't"], "you don't've to"), ["don't"]);
    }

    /// Splitting an entry by the next word must not change what is found.
    #[test]
    fn results_do_not_depend_on_the_split() {
        let mut b = PatternSetBuilder::default();
        let id = b.add_phrases(&["do not", "do not (use|take) heat", "do", "do (use|take)"]);
        let set = b.build().unwrap();
        let prose = "Do not use heat. Do take it. Do. Do not.";
        let first: Vec<_> = set.scan(prose).of(id).cloned().collect();
        for _ in 0..2 * SPLIT_AFTER {
            assert_eq!(set.scan(prose).of(id).cloned().collect::<Vec<_>>(), first);
        }
    }

    #[test]
    fn leftmost_longest_without_overlaps() {
        assert_eq!(
            found(
                &["chest pain", "chest pain spreading", "pain"],
                "chest pain spreading, pain"
            ),
            ["chest pain spreading", "pain"]
        );
        assert_eq!(
            found(&["no", "no longer"], "no longer, no"),
            ["no longer", "no"]
        );
    }

    #[test]
    fn shared_phrases_and_lists() {
        let mut b = PatternSetBuilder::default();
        let chest = b.add_phrases(&["chest pain"]);
        let ice = b.add_phrases(&["ice", "cold pack"]);
        let both = b.add_phrases(&["ice", "chest pain"]);
        assert_eq!(b.add_phrases(&["chest pain"]), chest);
        let set = b.build().unwrap();
        let prose = "Ice it. Chest pain? A cold pack.\0Advice.";
        let hits = set.scan(prose);
        let ice_hits: Vec<_> = hits.of(ice).map(|r| &prose[r.clone()]).collect();
        assert_eq!(ice_hits, vec!["Ice", "cold pack"]);
        assert_eq!(hits.of(chest).count(), 1);
        assert_eq!(hits.of(both).count(), 2);
        assert!(hits.any_in(ice, 20..40));
        assert!(!hits.any_in(chest, 20..40));
        assert_eq!(hits.len(), 5);
    }

    /// Phrases are parsed in chunks by whichever thread comes first: the set, and the error
    /// reported for bad phrases, must not depend on it.
    #[test]
    fn chunked_parsing_keeps_registration_order_and_reports_the_first_bad_phrase() {
        let words: Vec<String> = (0..5 * CHUNK).map(|i| format!("word{i} here")).collect();
        let build = |bad: &[usize]| {
            let mut b = PatternSetBuilder::parsing_ahead();
            let ids: Vec<PatternId> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let phrase = if bad.contains(&i) {
                        format!("({w}")
                    } else {
                        w.clone()
                    };
                    b.add_phrases(&[phrase])
                })
                .collect();
            (ids, b.build())
        };
        let (ids, set) = build(&[]);
        let set = set.unwrap();
        let prose: String = words.iter().rev().map(|w| format!("{w}. ")).collect();
        let hits = set.scan(&prose);
        for (id, w) in ids.iter().zip(&words) {
            let found: Vec<&str> = hits.of(*id).map(|r| &prose[r.clone()]).collect();
            assert_eq!(found, [w.as_str()]);
        }
        for _ in 0..5 {
            let err = build(&[4 * CHUNK + 3, CHUNK + 7, 3 * CHUNK]).1.unwrap_err();
            assert!(
                err.0.contains(&format!("word{} here", CHUNK + 7)),
                "{}",
                err.0
            );
        }
    }

    #[test]
    fn spans_are_original_text_across_separator_runs() {
        let prose = "Stay   active —\u{2019}don’t  rest – for long.\0\0Rest ice";
        let hits = found(&["don't rest", "rest ice", "for long"], prose);
        assert_eq!(hits, ["don’t  rest", "for long", "Rest ice"]);
    }

    #[test]
    fn of_in_matches_a_filter_over_all_hits() {
        // Guards the binary search in `of_in`: same answers as filtering every hit.
        let mut b = PatternSetBuilder::default();
        let ice = b.add_phrases(&["ice"]);
        let heat = b.add_phrases(&["heat"]);
        let set = b.build().unwrap();
        let prose = "ice heat ice, ice. heat ice heat ice";
        let hits = set.scan(prose);
        for start in 0..prose.len() {
            for end in start..=prose.len() {
                for id in [ice, heat] {
                    let fast: Vec<_> = hits.of_in(id, start..end).cloned().collect();
                    let slow: Vec<_> = hits
                        .of(id)
                        .filter(|r| r.start >= start && r.end <= end)
                        .cloned()
                        .collect();
                    assert_eq!(fast, slow, "{start}..{end}");
                }
            }
        }
    }

    /// Grouping the scan's matches by counting gives what sorting them by (pattern, start,
    /// longest first) and keeping the leftmost-longest did, ties on pattern and start and
    /// equal ends included.
    #[test]
    fn grouping_by_count_keeps_what_sorting_kept() {
        // A small deterministic generator (xorshift): many ties on pattern and start.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |bound: u32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % u64::from(bound)) as u32
        };
        for round in 0..300 {
            let mut found: Vec<(u32, u32, u32)> = (0..round)
                .map(|_| {
                    let start = next(50);
                    (next(8), start, start + 1 + next(20))
                })
                .collect();
            // In text order, as the scan finds them; ties in any order.
            found.sort_by_key(|m| m.1);
            let mut sorted = found.clone();
            sorted.sort_unstable_by(|a, b| (a.0, a.1, b.2).cmp(&(b.0, b.1, a.2)));
            let mut expected: Vec<(u32, Vec<Range<usize>>)> = Vec::new();
            for group in sorted.chunk_by(|a, b| a.0 == b.0) {
                let mut kept = Vec::new();
                let mut reached = 0;
                for &(_, start, end) in group {
                    if start >= reached {
                        kept.push(start as usize..end as usize);
                        reached = end;
                    }
                }
                expected.push((group[0].0, kept));
            }
            let hits = Hits::collect(found, 8);
            let got: Vec<(u32, Vec<Range<usize>>)> = hits
                .found()
                .iter()
                .map(|&id| (id.0, hits.of(id).cloned().collect()))
                .collect();
            assert_eq!(got, expected, "round {round}");
            for pattern in 0..8 {
                let listed = expected.iter().any(|(p, _)| *p == pattern);
                assert_eq!(hits.any(PatternId(pattern)), listed, "round {round}");
            }
        }
    }

    #[test]
    fn a_pathological_phrase_stops_at_the_step_budget() {
        // Twenty groups of two alternatives over nineteen "a"s: 2^19 paths reach the space,
        // where each fails, which is millions of steps without the budget. With it the walk
        // stops after about STEP_BUDGET steps, and the other phrase of the scan still matches.
        let phrase = "(a|a)".repeat(20);
        let mut b = PatternSetBuilder::default();
        let slow = b.add_phrases(&[phrase.as_str()]);
        let plain = b.add_phrases(&["aaa"]);
        let set = b.build().unwrap();
        let text = "a".repeat(19) + " aaa";
        let hits = set.scan(&text);
        assert!(!hits.any(slow));
        assert_eq!(
            hits.of(plain).map(|r| (r.start, r.end)).collect::<Vec<_>>(),
            [(20, 23)]
        );
        let mut attempt = Attempt {
            text: text.as_bytes(),
            start: 0,
            digits_may_follow: false,
            longest: None,
            steps: 0,
        };
        let parsed = syntax::parse(&phrase).unwrap();
        attempt.walk(&parsed.nodes, None, 0);
        // Past the budget each pending branch (two per group at most) takes one more step
        // to see that it must stop.
        assert!(
            (STEP_BUDGET..=STEP_BUDGET + 40).contains(&attempt.steps),
            "{}",
            attempt.steps
        );
    }
}
