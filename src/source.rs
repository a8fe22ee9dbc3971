//! Reading one article: takes a path (or standard input's bytes) and hands on a
//! [`SourceFile`] — the decoded text, its format and a line index. Decoding accepts UTF-8
//! (with or without BOM) and UTF-16 (with a BOM, or recognised by its zero bytes without one).
//! NUL and other control bytes in UTF-8 text are read as spaces and counted, so that one
//! stray byte cannot hide an article from the check; anything else is a [`SourceError`] that
//! the engine turns into an `HL0xx` diagnostic naming the file. Spans everywhere else are byte
//! offsets into `SourceFile::text`; line and column are only computed here, for reporting.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are refused instead of read: an article this large is almost
/// certainly a data dump, and refusing keeps memory bounded by a known figure.
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The kind of text a file holds, which decides how `document` parses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// CommonMark with front matter, tables and HTML comments (`.md`, `.markdown`, `.mdx`).
    Markdown,
    /// Plain text (`.txt`): a title line, blank-line paragraphs and bullet-like lines.
    Plain,
}

impl Format {
    /// The format implied by a file name, or `None` for files healthlint does not check
    /// when walking folders.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" | "mdx" => Some(Format::Markdown),
            "txt" | "text" => Some(Format::Plain),
            _ => None,
        }
    }
}

/// One decoded article.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it is reported (relative paths stay relative).
    pub path: PathBuf,
    pub format: Format,
    pub text: String,
    pub lines: LineIndex,
    /// Set when the bytes were not UTF-8 and had to be decoded (reported as a note).
    pub decoded_from: Option<&'static str>,
    /// How many NUL or other control characters were read as spaces (reported as `HL006`).
    pub control_chars: usize,
}

/// Why a file could not be turned into text.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("larger than the {limit}-byte limit for one article ({size} bytes or more)")]
    TooLarge { size: u64, limit: u64 },
    #[error("binary file (control bytes and not UTF-8 text)")]
    Binary,
    #[error("invalid UTF-8 at byte {offset}: the file is neither UTF-8 nor UTF-16 with a byte-order mark")]
    InvalidUtf8 { offset: usize },
    #[error("invalid {encoding}: the file starts as UTF-16 but holds unpaired surrogates or an odd number of bytes")]
    InvalidUtf16 { encoding: &'static str },
}

impl SourceFile {
    /// Reads and decodes a file from disk.
    pub fn read(path: &Path, format: Format) -> Result<SourceFile, SourceError> {
        let file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        if size > MAX_FILE_BYTES {
            return Err(SourceError::TooLarge {
                size,
                limit: MAX_FILE_BYTES,
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        Self::from_bytes(path.to_path_buf(), format, bytes)
    }

    /// Decodes bytes that came from anywhere (a file, standard input, a test).
    pub fn from_bytes(
        path: PathBuf,
        format: Format,
        bytes: Vec<u8>,
    ) -> Result<SourceFile, SourceError> {
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(SourceError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_FILE_BYTES,
            });
        }
        let Decoded {
            text,
            decoded_from,
            control_chars,
        } = decode(bytes)?;
        let lines = LineIndex::new(&text);
        Ok(SourceFile {
            path,
            format,
            text,
            lines,
            decoded_from,
            control_chars,
        })
    }

    /// Builds a source from text that is already a `String` (tests, generated input).
    pub(crate) fn from_text(
        path: impl Into<PathBuf>,
        format: Format,
        text: impl Into<String>,
    ) -> SourceFile {
        let text = text.into();
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            format,
            text,
            lines,
            decoded_from: None,
            control_chars: 0,
        }
    }
}

/// Decoded text and what decoding it took.
struct Decoded {
    text: String,
    decoded_from: Option<&'static str>,
    control_chars: usize,
}

/// UTF-8, or UTF-16 with a byte-order mark or recognisably without one. A BOM is dropped:
/// offsets are into the decoded text (documented in the JSON format), and line/column, which
/// editors use, do not change.
fn decode(mut bytes: Vec<u8>) -> Result<Decoded, SourceError> {
    let utf16 = if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((encoding_rs::UTF_16LE, "UTF-16LE"))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((encoding_rs::UTF_16BE, "UTF-16BE"))
    } else {
        utf16_without_bom(&bytes)
    };
    if let Some((encoding, name)) = utf16 {
        // Offsets refer to the decoded text: a UTF-16 file is reported as if it were UTF-8.
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes);
        if had_errors {
            return Err(SourceError::InvalidUtf16 { encoding: name });
        }
        let mut control_chars = 0;
        let text = text
            .trim_start_matches('\u{FEFF}')
            .chars()
            .map(|c| match u8::try_from(c) {
                Ok(b) if is_stray_control(b) => {
                    control_chars += 1;
                    ' '
                }
                _ => c,
            })
            .collect();
        return Ok(Decoded {
            text,
            decoded_from: Some(name),
            control_chars,
        });
    }
    // C0 control bytes never occur inside a UTF-8 multi-byte sequence, so blanking them
    // before validation keeps every other character and every offset as it was.
    let control_chars = blank_controls(&mut bytes);
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            let decoded_from = if text.starts_with('\u{FEFF}') {
                text.drain(..3);
                Some("UTF-8 with BOM")
            } else {
                None
            };
            Ok(Decoded {
                text,
                decoded_from,
                control_chars,
            })
        }
        // Control bytes in something that is not text either: an image or an archive with
        // a text extension.
        Err(_) if control_chars > 0 => Err(SourceError::Binary),
        Err(err) => Err(SourceError::InvalidUtf8 {
            offset: err.utf8_error().valid_up_to(),
        }),
    }
}

/// Whether a byte is a control character to read as a space: every C0 control and DEL except
/// the tab, line feed, form feed and carriage return that text uses.
fn is_stray_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r')) || b == 0x7F
}

/// Replaces stray control bytes with spaces and counts them.
fn blank_controls(bytes: &mut [u8]) -> usize {
    // Almost no file has one: a branch-free pass over blocks (which the compiler vectorises)
    // finds that out before the byte-by-byte one.
    let any = bytes.chunks(64).any(|block| {
        block
            .iter()
            .fold(false, |any, &b| any | is_stray_control(b))
    });
    if !any {
        return 0;
    }
    let mut count = 0;
    for b in bytes.iter_mut().filter(|b| is_stray_control(**b)) {
        *b = b' ';
        count += 1;
    }
    count
}

/// UTF-16 without a byte-order mark, told by its zero bytes: text that is mostly ASCII or
/// Latin has a zero in every other byte, on one side only. UTF-8 text has none at all.
fn utf16_without_bom(bytes: &[u8]) -> Option<(&'static encoding_rs::Encoding, &'static str)> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    // The usual case, text with no zero byte, costs one fast scan of the sample.
    if sample.len() < 4 || !sample.contains(&0) {
        return None;
    }
    let pairs = sample.len() / 2;
    let zeros_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 4 && even * 20 <= pairs {
        Some((encoding_rs::UTF_16LE, "UTF-16LE (no byte-order mark)"))
    } else if even * 10 >= pairs * 4 && odd * 20 <= pairs {
        Some((encoding_rs::UTF_16BE, "UTF-16BE (no byte-order mark)"))
    } else {
        None
    }
}

/// Reads standard input, up to one byte past [`MAX_FILE_BYTES`]: an endless or huge stream
/// is then refused for its size (as a file is) instead of filling memory.
pub fn read_stdin() -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A 1-based line and column. The column counts Unicode scalar values (characters), which
/// is what editors and GitHub annotations expect; `column_utf16` counts UTF-16 code units, as
/// LSP clients and JavaScript editors do (the two differ after a character outside the Basic
/// Multilingual Plane, such as an emoji).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
    pub column_utf16: usize,
}

/// Byte offsets of line starts, so that a byte offset maps to a line by binary search; and
/// inside long lines, marks that a column is counted from, so that placing every finding of
/// a line costs time in proportion to the findings, not to the findings times the line.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// In each line longer than [`MARK_EVERY`] bytes, a mark every [`MARK_EVERY`] bytes or so
    /// (on a character boundary).
    marks: Vec<Mark>,
}

/// A point inside a long line that columns are counted from.
#[derive(Debug, Clone, Copy)]
struct Mark {
    offset: usize,
    /// Characters from the line's start to the mark.
    chars: usize,
    /// UTF-16 code units from the line's start to the mark.
    units: usize,
}

/// Bytes between two marks of a long line: a column is counted over at most this many.
const MARK_EVERY: usize = 4096;

impl Default for LineIndex {
    /// The index of an empty text: one line starting at 0.
    fn default() -> LineIndex {
        LineIndex {
            starts: vec![0],
            marks: Vec::new(),
        }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut marks = Vec::new();
        for (line, &start) in starts.iter().enumerate() {
            let end = starts.get(line + 1).map_or(text.len(), |next| next - 1);
            let (mut at, mut chars, mut units) = (start, 0, 0);
            while end - at > MARK_EVERY {
                let mut next = at + MARK_EVERY;
                while !text.is_char_boundary(next) {
                    next += 1;
                }
                for c in text[at..next].chars() {
                    chars += 1;
                    units += c.len_utf16();
                }
                marks.push(Mark {
                    offset: next,
                    chars,
                    units,
                });
                at = next;
            }
        }
        LineIndex { starts, marks }
    }

    /// The 0-based line that holds `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte offset where a 0-based line starts (the end of the text past the last line).
    pub(crate) fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// Line and columns (all 1-based) of a byte offset; the offset is clamped into the text
    /// and moved back to a character boundary, so a bad span can never panic here.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line];
        // Characters and UTF-16 units from `at` to the offset, CRs before a line break aside.
        let from = |at: usize| {
            let counted = text[at..offset].trim_end_matches('\r');
            // ASCII, as most of an article is, has one character and one UTF-16 unit a byte.
            if counted.is_ascii() {
                (counted.len(), counted.len())
            } else {
                counted.chars().fold((0, 0), |(chars, units), c| {
                    (chars + 1, units + c.len_utf16())
                })
            }
        };
        // From the last mark of this line before the offset, unless nothing but CRs (which
        // a column does not count at the end of a line) lies between them.
        let marks = self.marks.partition_point(|m| m.offset <= offset);
        let (chars, units) = match marks.checked_sub(1).map(|i| &self.marks[i]) {
            Some(m) if m.offset > start && text[m.offset..offset].bytes().any(|b| b != b'\r') => {
                let (chars, units) = from(m.offset);
                (m.chars + chars, m.units + units)
            }
            _ => from(start),
        };
        LineCol {
            line: line + 1,
            column: chars + 1,
            column_utf16: units + 1,
        }
    }
}

/// A path for display: without a leading `./`, with forward slashes kept as the OS gives them.
/// Control characters in a name are written as `\u{…}` escapes: a file named with a
/// newline or a terminal escape sequence must not forge a line of output or recolour it.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    escape_controls(s).into_owned()
}

/// `s` with control characters written as `\u{…}` escapes, for output read line by line:
/// a path, or a message that quotes the article (a drug name matched across a line break).
pub(crate) fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_ignores_cr() {
        let text = "ab\r\nµg x\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.line_col(text, 0),
            LineCol {
                line: 1,
                column: 1,
                column_utf16: 1
            }
        );
        assert_eq!(
            idx.line_col(text, 2),
            LineCol {
                line: 1,
                column: 3,
                column_utf16: 3
            }
        );
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.line_col(text, x),
            LineCol {
                line: 2,
                column: 4,
                column_utf16: 4
            }
        );
        // Inside a multibyte character: clamped back to its start.
        assert_eq!(
            idx.line_col(text, 5),
            LineCol {
                line: 2,
                column: 1,
                column_utf16: 1
            }
        );
        assert_eq!(idx.line_col(text, 999).line, 3);
    }

    /// Columns in a long line are counted from the nearest mark, and agree with counting
    /// from the line's start, in characters and in UTF-16 code units: across multi-byte and
    /// astral characters, CRs and mark boundaries.
    #[test]
    fn columns_in_long_lines_are_those_counted_from_the_line_start() {
        let line = "µg – word 🙂 ".repeat(2000) + "\r\r" + &"x".repeat(9000) + "\r";
        let text = format!("first\n{line}\n{line}");
        let idx = LineIndex::new(&text);
        assert!(!idx.marks.is_empty());
        // Counted along the text (characters, UTF-16 units and trailing CRs since the line's
        // start), so that the test stays linear.
        let (mut line, mut chars, mut units, mut crs) = (1, 0, 0, 0);
        let ends = text.char_indices().map(Some).chain([None]);
        for (offset, c) in ends.map(|e| e.unwrap_or((text.len(), '\0'))) {
            let expected = LineCol {
                line,
                column: chars - crs + 1,
                column_utf16: units - crs + 1,
            };
            assert_eq!(idx.line_col(&text, offset), expected, "at {offset}");
            if c == '\n' {
                (line, chars, units, crs) = (line + 1, 0, 0, 0);
            } else {
                chars += 1;
                units += c.len_utf16();
                crs = if c == '\r' { crs + 1 } else { 0 };
            }
        }
    }

    #[test]
    fn decodes_utf16_with_bom_and_refuses_bad_utf8() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Hi µ".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = decode(bytes).unwrap();
        assert_eq!(decoded.text, "Hi µ");
        assert_eq!(decoded.decoded_from, Some("UTF-16LE"));
        assert!(matches!(
            decode(b"ab\xFFc".to_vec()),
            Err(SourceError::InvalidUtf8 { offset: 2 })
        ));
        // A BOM followed by a lone surrogate is named as bad UTF-16, not as bad UTF-8.
        let err = decode(vec![0xFF, 0xFE, 0x00, 0xD8, b'a', 0]).err().unwrap();
        assert_eq!(
            err.to_string(),
            "invalid UTF-16LE: the file starts as UTF-16 but holds unpaired surrogates or an odd number of bytes"
        );
    }

    /// One NUL byte used to make a walked file "binary" and skip it (issue 20, D5).
    #[test]
    fn control_bytes_are_read_as_spaces_and_counted() {
        let decoded = decode(b"buy\0cheap\x1b pills\tnow\r\n".to_vec()).unwrap();
        assert_eq!(decoded.text, "buy cheap  pills\tnow\r\n");
        assert_eq!(decoded.control_chars, 2);
        assert_eq!(decoded.decoded_from, None);
        // The blocks looked at first do not hide one far in, or at the very end.
        let mut long = "a".repeat(130).into_bytes();
        long[100] = 0x07;
        long.push(0x7F);
        let decoded = decode(long).unwrap();
        assert_eq!(decoded.control_chars, 2);
        assert_eq!(&decoded.text[99..102], "a a");
        assert!(decoded.text.ends_with("a "));
        // Control bytes in what is not text at all still make it binary.
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\xff\xd8".to_vec()),
            Err(SourceError::Binary)
        ));
    }

    #[test]
    fn paths_show_control_characters_as_escapes() {
        assert_eq!(display_path(Path::new("./a/b.md")), "a/b.md");
        assert_eq!(
            display_path(Path::new("x\n1:1: error[HL000] forged\x1b[0m.md")),
            "x\\u{a}1:1: error[HL000] forged\\u{1b}[0m.md"
        );
    }

    /// Standard input had no size limit; bytes from anywhere now have the file's.
    #[test]
    fn bytes_over_the_limit_are_refused_for_their_size() {
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        let err = SourceFile::from_bytes("-".into(), Format::Plain, big).unwrap_err();
        assert!(matches!(err, SourceError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn utf16_without_a_bom_is_recognised_by_its_zero_bytes() {
        for (big_endian, name) in [(false, "UTF-16LE"), (true, "UTF-16BE")] {
            let bytes: Vec<u8> = "Buy cheap pills online, µ"
                .encode_utf16()
                .flat_map(|u| {
                    if big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect();
            let decoded = decode(bytes).unwrap();
            assert_eq!(decoded.text, "Buy cheap pills online, µ");
            assert!(decoded.decoded_from.unwrap().starts_with(name));
            assert_eq!(decoded.control_chars, 0);
        }
    }
}
