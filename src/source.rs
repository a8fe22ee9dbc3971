//! Reading one article: takes a path (or standard input's bytes) and hands on a
//! [`SourceFile`] — the decoded text, its format and a line index. Decoding accepts UTF-8
//! (with or without BOM) and UTF-16 with a BOM; anything else is a [`SourceError`] that the
//! engine turns into an `HL0xx` diagnostic naming the file. Spans everywhere else are byte
//! offsets into `SourceFile::text`; line and column are only computed here, for reporting.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are refused instead of read: an article this large is almost
/// certainly a data dump, and refusing keeps memory bounded by a known figure.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

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
}

/// Why a file could not be turned into text.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("file is {size} bytes, larger than the {limit}-byte limit for one article")]
    TooLarge { size: u64, limit: u64 },
    #[error("binary file (contains NUL bytes)")]
    Binary,
    #[error("invalid UTF-8 at byte {offset}: the file is neither UTF-8 nor UTF-16 with a byte-order mark")]
    InvalidUtf8 { offset: usize },
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
        let (text, decoded_from) = decode(bytes)?;
        let lines = LineIndex::new(&text);
        Ok(SourceFile {
            path,
            format,
            text,
            lines,
            decoded_from,
        })
    }

    /// Builds a source from text that is already a `String` (tests, generated input).
    pub fn from_text(
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
        }
    }
}

/// UTF-8 or UTF-16 with a byte-order mark. A BOM is dropped: offsets are into the decoded
/// text (documented in the JSON format), and line/column, which editors use, do not change.
fn decode(bytes: Vec<u8>) -> Result<(String, Option<&'static str>), SourceError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let encoding = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        // Offsets refer to the decoded text: a UTF-16 file is reported as if it were UTF-8.
        let (text, _, had_errors) = encoding.decode(&bytes);
        if had_errors {
            return Err(SourceError::InvalidUtf8 { offset: 0 });
        }
        let text = text.trim_start_matches('\u{FEFF}').to_owned();
        if text.contains('\0') {
            return Err(SourceError::Binary);
        }
        return Ok((text, Some(encoding.name())));
    }
    if memchr_nul(&bytes) {
        return Err(SourceError::Binary);
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{FEFF}') {
                text.drain(..3);
                return Ok((text, Some("UTF-8 with BOM")));
            }
            Ok((text, None))
        }
        Err(err) => Err(SourceError::InvalidUtf8 {
            offset: err.utf8_error().valid_up_to(),
        }),
    }
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// Reads all of standard input.
pub fn read_stdin() -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A 1-based line and column. The column counts Unicode scalar values (characters), which
/// is what editors and GitHub annotations expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts, so that a byte offset maps to a line by binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl Default for LineIndex {
    /// The index of an empty text: one line starting at 0.
    fn default() -> LineIndex {
        LineIndex { starts: vec![0] }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 0-based line that holds `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte offset where a 0-based line starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line and column (both 1-based) of a byte offset; the offset is clamped into the text
    /// and moved back to a character boundary, so a bad span can never panic here.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = text[start..offset].trim_end_matches('\r').chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}

/// Whether the bytes look like text worth reading at all (used when walking folders to skip
/// binary files with a note rather than an error).
pub fn is_binary(bytes: &[u8]) -> bool {
    !(bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])) && memchr_nul(bytes)
}

/// A path for display: without a leading `./`, with forward slashes kept as the OS gives them.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_ignores_cr() {
        let text = "ab\r\nµg x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 2), LineCol { line: 1, column: 3 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 4 });
        // Inside a multibyte character: clamped back to its start.
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(text, 999).line, 3);
    }

    #[test]
    fn decodes_utf16_with_bom_and_refuses_nul_and_bad_utf8() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Hi µ".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, from) = decode(bytes).unwrap();
        assert_eq!(text, "Hi µ");
        assert_eq!(from, Some("UTF-16LE"));
        assert!(matches!(decode(b"a\0b".to_vec()), Err(SourceError::Binary)));
        assert!(matches!(
            decode(b"ab\xFFc".to_vec()),
            Err(SourceError::InvalidUtf8 { offset: 2 })
        ));
    }
}
