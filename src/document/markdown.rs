//! Markdown (CommonMark plus tables, footnotes, strikethrough, task lists and front matter)
//! into blocks, through pulldown-cmark's offset iterator: every event carries its byte range
//! in the original text, so block prose is copied from the file, never re-rendered. A
//! healthlint comment on a line of its own does not split the paragraph it stands in (see
//! [`Held`]).

use std::ops::Range;

use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use super::{BlockKind, Builder, FrontMatter};

/// An open container that decides what kind of block its text makes.
#[derive(Clone, Copy)]
enum Frame {
    Item { list: u32, lead_in: Option<usize> },
    List { list: u32, lead_in: Option<usize> },
    Quote,
    Other,
}

/// A paragraph held open over a healthlint comment. CommonMark lets an HTML comment on a
/// line of its own end a paragraph, so `<!-- healthlint-disable-next-line … -->` inside one
/// would split it in two, and silencing one finding would change what the checks read (a
/// sentence cut in half, a drug's paragraph shortened). A paragraph directly followed by such
/// a comment is held; when text goes on right below the comment, it joins the same paragraph
/// (the comment reads as spaces in the prose). Any other comment splits the paragraph, as
/// CommonMark says.
enum Held {
    /// A paragraph that has ended, and where its text ends.
    Paragraph(Leaf, usize),
    /// A paragraph and the healthlint comments right below it, and where the last one ends.
    Bridged(Leaf, usize),
}

/// A leaf block whose prose segments are being collected.
struct Leaf {
    kind: BlockKind,
    segments: Vec<Range<usize>>,
    lead_in: Option<usize>,
    list: Option<u32>,
}

pub(super) fn parse(b: &mut Builder<'_>) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let text = b.text;
    let mut frames: Vec<Frame> = Vec::new();
    let mut leaf: Option<Leaf> = None;
    // Nesting depth of constructs whose text is not prose (images' alt text, code, metadata).
    let mut skip_depth = 0usize;
    let mut metadata: Option<MetadataBlockKind> = None;
    let mut held: Option<Held> = None;

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        held = match (held.take(), &event) {
            (
                Some(Held::Paragraph(l, end) | Held::Bridged(l, end)),
                Event::Start(Tag::HtmlBlock),
            ) if next_line(text, end, range.start)
                && is_healthlint_comment(&text[range.clone()]) =>
            {
                Some(Held::Bridged(l, text[..range.end].trim_end().len()))
            }
            // The comment's own events.
            (Some(Held::Bridged(l, end)), Event::Html(_) | Event::End(TagEnd::HtmlBlock)) => {
                Some(Held::Bridged(l, end))
            }
            (Some(Held::Bridged(l, end)), Event::Start(Tag::Paragraph))
                if next_line(text, end, range.start) =>
            {
                leaf = Some(l);
                continue;
            }
            (Some(Held::Paragraph(l, _) | Held::Bridged(l, _)), _) => {
                flush(b, &mut Some(l));
                None
            }
            (None, _) => None,
        };
        if held.is_some() {
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => {
                    flush(b, &mut leaf);
                    leaf = Some(new_leaf(&frames, None));
                }
                Tag::Heading { level, .. } => {
                    flush(b, &mut leaf);
                    leaf = Some(new_leaf(
                        &frames,
                        Some(BlockKind::Heading { level: level as u8 }),
                    ));
                }
                Tag::TableCell => {
                    flush(b, &mut leaf);
                    leaf = Some(new_leaf(&frames, Some(BlockKind::TableCell)));
                }
                Tag::List(_) => {
                    flush(b, &mut leaf);
                    let lead_in = b.last_block().filter(|&i| {
                        matches!(
                            b.block_kind(i),
                            BlockKind::Paragraph | BlockKind::ListItem | BlockKind::Quote
                        )
                    });
                    let list = b.new_list();
                    frames.push(Frame::List { list, lead_in });
                }
                Tag::Item => {
                    flush(b, &mut leaf);
                    let (list, lead_in) = match frames.last() {
                        Some(Frame::List { list, lead_in }) => (*list, *lead_in),
                        _ => (b.new_list(), None),
                    };
                    frames.push(Frame::Item { list, lead_in });
                }
                Tag::BlockQuote(_) => {
                    flush(b, &mut leaf);
                    frames.push(Frame::Quote);
                }
                Tag::CodeBlock(_) => {
                    flush(b, &mut leaf);
                    b.add_code_range(range);
                    skip_depth += 1;
                }
                Tag::MetadataBlock(kind) => {
                    metadata = Some(kind);
                    b.add_code_range(range);
                    skip_depth += 1;
                }
                Tag::Image { .. } => skip_depth += 1,
                Tag::HtmlBlock => flush(b, &mut leaf),
                Tag::FootnoteDefinition(_) | Tag::Table(_) | Tag::TableHead | Tag::TableRow => {
                    flush(b, &mut leaf);
                    frames.push(Frame::Other);
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => {
                    held = leaf
                        .take()
                        .map(|l| Held::Paragraph(l, text[..range.end].trim_end().len()));
                }
                TagEnd::Heading(_) | TagEnd::TableCell => flush(b, &mut leaf),
                TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_) => {
                    flush(b, &mut leaf);
                    frames.pop();
                }
                TagEnd::FootnoteDefinition
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow => {
                    flush(b, &mut leaf);
                    frames.pop();
                }
                TagEnd::CodeBlock | TagEnd::Image => skip_depth = skip_depth.saturating_sub(1),
                TagEnd::MetadataBlock(_) => {
                    skip_depth = skip_depth.saturating_sub(1);
                    metadata = None;
                }
                _ => {}
            },
            Event::Text(_) if metadata.is_some() => {
                let fm = match metadata {
                    Some(MetadataBlockKind::PlusesStyle) => FrontMatter::parse_toml(&text[range]),
                    _ => FrontMatter::parse_yaml(&text[range]),
                };
                b.set_front_matter(fm);
            }
            Event::Text(_) | Event::SoftBreak | Event::HardBreak if skip_depth == 0 => {
                // Text directly inside a tight list item has no paragraph of its own.
                leaf.get_or_insert_with(|| new_leaf(&frames, None))
                    .segments
                    .push(range);
            }
            Event::Code(_) => b.add_code_range(range),
            _ => {}
        }
    }
    if let Some(Held::Paragraph(l, _) | Held::Bridged(l, _)) = held {
        flush(b, &mut Some(l));
    }
    flush(b, &mut leaf);
}

/// Whether `start` is on the line right after the text that ends at `end`: one line break
/// between them, and nothing but spaces.
fn next_line(text: &str, end: usize, start: usize) -> bool {
    let gap = text.get(end..start).unwrap_or("\n\n");
    gap.trim().is_empty() && gap.matches('\n').count() == 1
}

/// Whether an HTML block is one healthlint comment (a suppression or a topic) and nothing else.
fn is_healthlint_comment(html: &str) -> bool {
    let html = html.trim();
    html.strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| {
            inner.trim_start().starts_with("healthlint-") && !inner.contains("-->")
        })
}

/// A new leaf whose kind follows from the innermost container (list item, quote).
fn new_leaf(frames: &[Frame], explicit: Option<BlockKind>) -> Leaf {
    let mut kind = explicit.unwrap_or(BlockKind::Paragraph);
    let mut lead_in = None;
    let mut list = None;
    if explicit.is_none() {
        match frames.iter().rev().find(|f| !matches!(f, Frame::Other)) {
            Some(Frame::Item {
                list: l,
                lead_in: li,
            }) => {
                kind = BlockKind::ListItem;
                lead_in = *li;
                list = Some(*l);
            }
            Some(Frame::Quote) => kind = BlockKind::Quote,
            _ => {}
        }
    }
    Leaf {
        kind,
        segments: Vec::new(),
        lead_in,
        list,
    }
}

fn flush(b: &mut Builder<'_>, leaf: &mut Option<Leaf>) {
    if let Some(l) = leaf.take() {
        b.push_block(l.kind, &l.segments, l.lead_in, l.list);
    }
}
