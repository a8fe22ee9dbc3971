//! The document model: takes a [`SourceFile`] and hands on a [`Document`] — the article's
//! prose as a *masked copy* of the text (same byte length; markup, code, link targets and HTML
//! blanked), its blocks (headings, paragraphs, list items with their lead-in, quotes, table
//! cells), sections, sentences, front matter and suppression directives. Every range is a byte
//! range into the original text, so a match found in the prose is already a span in the file.
//!
//! Bytes outside any block are `\0` in the prose, which neither `\s` nor `\w` matches: a
//! phrase can never run from one block into the next. Inside a block, markup is blanked to
//! spaces so that "chest **pain**" still reads as "chest pain".

pub(crate) mod directives;
pub(crate) mod frontmatter;
mod markdown;
mod plain;
mod sentence_table;
pub(crate) mod sentences;

use std::ops::Range;

use crate::source::{Format, SourceFile};
pub(crate) use directives::{Directive, DirectiveKind};
pub(crate) use frontmatter::FrontMatter;

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading; `level` 1 is the title level.
    Heading {
        level: u8,
    },
    Paragraph,
    /// The text of one list item (nested lists are items of their own).
    ListItem,
    /// A paragraph inside a blockquote.
    Quote,
    TableCell,
}

/// A run of prose that belongs together.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    /// Byte range of the block's prose in the file.
    pub range: Range<usize>,
    /// The innermost section the block sits in (index into `Document::sections`).
    pub section: usize,
    /// For a list item: the block that introduces its list ("See a GP if:"), when the list
    /// directly follows a paragraph or list item.
    pub lead_in: Option<usize>,
    /// For a list item: which list it belongs to (items of one list share the number).
    pub list: Option<u32>,
    /// The sentences of this block (a range of indices into `Document::sentences`).
    pub sentences: Range<usize>,
}

impl Block {
    pub(crate) fn is_heading(&self) -> bool {
        matches!(self.kind, BlockKind::Heading { .. })
    }
}

/// From a heading to the next heading of the same or a higher level. Section 0 is the whole
/// document (the part before the first heading belongs to it directly).
#[derive(Debug, Clone)]
pub struct Section {
    /// The heading block, `None` for the document section.
    pub heading: Option<usize>,
    /// 0 for the document, else the heading level.
    pub level: u8,
    pub range: Range<usize>,
    pub parent: Option<usize>,
}

/// One sentence of one block.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub range: Range<usize>,
    pub block: usize,
}

/// A parsed article.
#[derive(Debug)]
pub struct Document<'a> {
    pub text: &'a str,
    pub format: Format,
    /// Masked copy of `text`: prose as written, everything else blanked (see module docs).
    pub prose: String,
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
    pub sentences: Vec<Sentence>,
    pub(crate) front_matter: FrontMatter,
    pub(crate) directives: Vec<Directive>,
    /// Ranges of text that are not prose but must not hold directives either (code blocks).
    pub code_ranges: Vec<Range<usize>>,
}

impl<'a> Document<'a> {
    /// Parses a source file according to its format.
    pub fn parse(source: &'a SourceFile) -> Document<'a> {
        Self::parse_text(&source.text, source.format)
    }

    pub(crate) fn parse_text(text: &'a str, format: Format) -> Document<'a> {
        let mut builder = Builder::new(text, format);
        match format {
            Format::Markdown => markdown::parse(&mut builder),
            Format::Plain => plain::parse(&mut builder),
        }
        builder.finish()
    }

    /// Where a Markdown HTML comment starts that is never closed: CommonMark reads the rest
    /// of the document as part of it (an HTML block of type 2 ends only at `-->`), so none of
    /// that text is prose. `None` for plain text, where comments are not markup.
    pub(crate) fn unclosed_comment(&self) -> Option<usize> {
        if self.format != Format::Markdown {
            return None;
        }
        // Most files hold no comment at all: one forward search settles them.
        let first = self.text.find("<!--")?;
        // Only an opener whose `<!--` ends after the start of the last `-->` lacks a closer.
        let last_close = self.text.rfind("-->");
        let bytes = self.text.as_bytes();
        self.text[first..]
            .match_indices("<!--")
            .map(|(i, _)| first + i)
            .filter(|&at| last_close.is_none_or(|c| c < at + 4))
            .find(|&at| {
                let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
                let indent = &bytes[line_start..at];
                indent.len() <= 3
                    && indent.iter().all(|&b| b == b' ')
                    && !self.code_ranges.iter().any(|r| r.contains(&at))
            })
    }

    /// The prose of a range (masked bytes included).
    pub(crate) fn prose_of(&self, range: &Range<usize>) -> &str {
        &self.prose[range.clone()]
    }

    /// The title: front matter `title`, else the first level-1 heading, else the first
    /// heading, as a (text, range) pair; the range is `0..0` for front matter titles with no
    /// heading in the body.
    pub fn title(&self) -> Option<(String, Range<usize>)> {
        let first_h1 = self
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Heading { level: 1 });
        let first_heading = first_h1.or_else(|| self.blocks.iter().find(|b| b.is_heading()));
        if let Some(title) = self.front_matter.get("title") {
            let range = first_heading.map_or(0..0, |b| b.range.clone());
            return Some((title.to_string(), range));
        }
        first_heading.map(|b| (self.prose_of(&b.range).trim().to_string(), b.range.clone()))
    }

    /// The chain of sections from the innermost one holding `block` up to the document.
    pub(crate) fn section_chain(&self, block: usize) -> impl Iterator<Item = &Section> {
        let mut next = Some(self.blocks[block].section);
        std::iter::from_fn(move || {
            let section = &self.sections[next?];
            next = section.parent;
            Some(section)
        })
    }

    /// The block a byte offset falls in, if any.
    pub(crate) fn block_at(&self, offset: usize) -> Option<usize> {
        let idx = self.blocks.partition_point(|b| b.range.end <= offset);
        (idx < self.blocks.len() && self.blocks[idx].range.start <= offset).then_some(idx)
    }

    /// The sentence a byte offset falls in, if any.
    pub(crate) fn sentence_at(&self, offset: usize) -> Option<usize> {
        let idx = self.sentences.partition_point(|s| s.range.end <= offset);
        (idx < self.sentences.len() && self.sentences[idx].range.start <= offset).then_some(idx)
    }
}

/// Collects blocks while a format parser walks the text; computes sections and sentences at
/// the end. Format parsers only call `push_block` (with the prose segments of the block) and
/// set front matter and directives.
pub(crate) struct Builder<'a> {
    text: &'a str,
    format: Format,
    prose: Vec<u8>,
    blocks: Vec<Block>,
    front_matter: FrontMatter,
    directives: Vec<Directive>,
    code_ranges: Vec<Range<usize>>,
    next_list: u32,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, format: Format) -> Builder<'a> {
        Builder {
            text,
            format,
            prose: vec![0u8; text.len()],
            blocks: Vec::new(),
            front_matter: FrontMatter::default(),
            directives: Vec::new(),
            code_ranges: Vec::new(),
            next_list: 0,
        }
    }

    /// Records one block made of `segments` (byte ranges of prose text, in order). The gap
    /// between segments is blanked to spaces; the segments are copied as written.
    /// Returns the block's index, or `None` when the segments hold no visible text.
    pub(crate) fn push_block(
        &mut self,
        kind: BlockKind,
        segments: &[Range<usize>],
        lead_in: Option<usize>,
        list: Option<u32>,
    ) -> Option<usize> {
        let start = segments.iter().map(|r| r.start).min()?;
        let end = segments.iter().map(|r| r.end).max()?;
        if segments
            .iter()
            .all(|r| self.text[r.clone()].trim().is_empty())
        {
            return None;
        }
        for byte in &mut self.prose[start..end] {
            *byte = b' ';
        }
        for seg in segments {
            self.prose[seg.clone()].copy_from_slice(&self.text.as_bytes()[seg.clone()]);
        }
        // Trim the block to its visible text so that anchors land on words.
        let slice = &self.text[start..end];
        let trimmed_start = start + (slice.len() - slice.trim_start().len());
        let trimmed_end = end - (slice.len() - slice.trim_end().len());
        self.blocks.push(Block {
            kind,
            range: trimmed_start..trimmed_end.max(trimmed_start),
            section: 0,
            lead_in,
            list,
            sentences: 0..0,
        });
        Some(self.blocks.len() - 1)
    }

    pub(crate) fn new_list(&mut self) -> u32 {
        self.next_list += 1;
        self.next_list
    }

    pub(crate) fn last_block(&self) -> Option<usize> {
        self.blocks.len().checked_sub(1)
    }

    pub(crate) fn block_kind(&self, idx: usize) -> BlockKind {
        self.blocks[idx].kind
    }

    pub(crate) fn set_front_matter(&mut self, fm: FrontMatter) {
        self.front_matter = fm;
    }

    pub(crate) fn add_code_range(&mut self, range: Range<usize>) {
        self.code_ranges.push(range);
    }

    fn finish(mut self) -> Document<'a> {
        // Blocks arrive in document order from both parsers, but be safe: spans must be sorted
        // for the binary searches in `block_at`, and lead-in indices must follow the sort.
        debug_assert!(self
            .blocks
            .windows(2)
            .all(|w| w[0].range.start <= w[1].range.start));
        let sections = build_sections(&mut self.blocks, self.text.len());
        blank_invisible_spacing(&mut self.prose);
        // Prose is built from whole UTF-8 slices and ASCII fill bytes, so it stays UTF-8.
        let prose = String::from_utf8(self.prose).unwrap_or_else(|e| {
            String::from_utf8_lossy(e.as_bytes())
                .chars()
                .map(|c| if c == '\u{FFFD}' { ' ' } else { c })
                .collect()
        });
        let mut all_sentences = Vec::new();
        for (idx, block) in self.blocks.iter_mut().enumerate() {
            crate::budget::check();
            let first = all_sentences.len();
            for range in sentences::split(&prose, block.range.clone()) {
                all_sentences.push(Sentence { range, block: idx });
            }
            block.sentences = first..all_sentences.len();
        }
        self.directives = directives::scan(self.text, &self.code_ranges);
        Document {
            text: self.text,
            format: self.format,
            prose,
            blocks: self.blocks,
            sections,
            sentences: all_sentences,
            front_matter: self.front_matter,
            directives: self.directives,
            code_ranges: self.code_ranges,
        }
    }
}

/// Spaces that a reader sees as plain spaces but a phrase's separator would not match: the
/// no-break space (also written `&nbsp;`, `&#160;` or `&#xA0;`), the fixed-width spaces
/// U+2000–U+200A, the narrow no-break space, the medium mathematical space and the
/// ideographic space. Each becomes as many ASCII spaces as it has bytes, so offsets and
/// UTF-8 stay valid; "100%&nbsp;safe" then reads as "100% safe", as it renders. Characters
/// that hide inside a word instead (soft hyphens, zero-width spaces, other character
/// references) are read through by the matcher (`healthlint_phrase::hidden`).
fn blank_invisible_spacing(prose: &mut [u8]) {
    let mut i = 0;
    while i < prose.len() {
        let rest = &prose[i..];
        let len = match rest {
            [0xC2, 0xA0, ..] => 2,
            [0xE2, 0x80, 0x80..=0x8A | 0xAF, ..]
            | [0xE2, 0x81, 0x9F, ..]
            | [0xE3, 0x80, 0x80, ..] => 3,
            [b'&', ..] => [&b"&nbsp;"[..], b"&#160;", b"&#xa0;"]
                .iter()
                .find(|entity| {
                    rest.len() >= entity.len() && rest[..entity.len()].eq_ignore_ascii_case(entity)
                })
                .map_or(0, |entity| entity.len()),
            _ => 0,
        };
        if len > 0 {
            prose[i..i + len].fill(b' ');
            i += len;
        } else {
            i += 1;
        }
    }
}

/// Assigns each block its innermost section and returns the section list.
fn build_sections(blocks: &mut [Block], text_len: usize) -> Vec<Section> {
    let mut sections = vec![Section {
        heading: None,
        level: 0,
        range: 0..text_len,
        parent: None,
    }];
    // Stack of open sections (indices), innermost last.
    let mut open: Vec<usize> = vec![0];
    for (idx, block) in blocks.iter_mut().enumerate() {
        if let BlockKind::Heading { level } = block.kind {
            let start = block.range.start;
            while let Some(&top) = open.last() {
                if top != 0 && sections[top].level >= level {
                    sections[top].range.end = start;
                    open.pop();
                } else {
                    break;
                }
            }
            let parent = *open.last().unwrap_or(&0);
            sections.push(Section {
                heading: Some(idx),
                level,
                range: start..text_len,
                parent: Some(parent),
            });
            open.push(sections.len() - 1);
        }
        block.section = *open.last().unwrap_or(&0);
    }
    sections
}

#[cfg(test)]
mod tests;
