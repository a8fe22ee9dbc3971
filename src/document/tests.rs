//! Document model tests: blocks, lead-ins, sections, masking and spans.

use super::*;

fn md(text: &str) -> Document<'_> {
    Document::parse_text(text, Format::Markdown)
}

fn block_texts<'a>(doc: &'a Document<'a>) -> Vec<(&'a str, BlockKind)> {
    doc.blocks
        .iter()
        .map(|b| (&doc.text[b.range.clone()], b.kind))
        .collect()
}

#[test]
fn markdown_blocks_keep_exact_spans_and_mask_markup() {
    let text = "---\ntitle: Back pain\ntopic: back pain\n---\n# Back **pain**\n\nSee a `GP` if [it hurts](http://x.y/z).\n\n```\ncall 999\n```\n";
    let doc = md(text);
    assert_eq!(doc.front_matter.get("topic"), Some("back pain"));
    let blocks = block_texts(&doc);
    assert_eq!(
        blocks[0],
        ("Back **pain", BlockKind::Heading { level: 1 }),
        "blocks span their text, not trailing markup"
    );
    assert_eq!(blocks[1].0, "See a `GP` if [it hurts](http://x.y/z).");
    assert_eq!(blocks.len(), 2, "code blocks are not prose");
    assert_eq!(doc.prose.len(), text.len());
    let heading = &doc.prose[doc.blocks[0].range.clone()];
    assert_eq!(heading, "Back   pain");
    let para = &doc.prose[doc.blocks[1].range.clone()];
    assert!(
        !para.contains("GP") && !para.contains("http"),
        "inline code and link targets are masked: {para:?}"
    );
    assert!(para.contains("it hurts"));
    assert!(!doc.prose.contains("999"));
    assert_eq!(doc.title().unwrap().0, "Back pain");
}

#[test]
fn list_items_know_their_lead_in_and_section() {
    let text = "# Pain\n\nIntro.\n\n## When to get help\n\nCall 999 if you have:\n\n- chest pain\n- numbness\n  - in both legs\n\n## Self care\n\nRest.\n";
    let doc = md(text);
    let blocks = block_texts(&doc);
    let lead = blocks
        .iter()
        .position(|(t, _)| *t == "Call 999 if you have:")
        .unwrap();
    let chest = blocks.iter().position(|(t, _)| *t == "chest pain").unwrap();
    let legs = blocks
        .iter()
        .position(|(t, _)| *t == "in both legs")
        .unwrap();
    assert_eq!(doc.blocks[chest].kind, BlockKind::ListItem);
    assert_eq!(doc.blocks[chest].lead_in, Some(lead));
    assert_eq!(
        doc.blocks[legs].lead_in,
        Some(chest + 1),
        "a nested list's lead-in is its parent item"
    );
    let section = &doc.sections[doc.blocks[chest].section];
    assert_eq!(
        &doc.text[doc.blocks[section.heading.unwrap()].range.clone()],
        "When to get help"
    );
    let rest = blocks.iter().position(|(t, _)| *t == "Rest.").unwrap();
    let chain: Vec<u8> = doc.section_chain(rest).map(|s| s.level).collect();
    assert_eq!(chain, vec![2, 1, 0]);
}

#[test]
fn crlf_and_multibyte_spans_stay_exact() {
    let text = "# Dosis – µg\r\n\r\nTake 5 µg daily. Then stop.\r\n";
    let doc = md(text);
    let para = doc
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Paragraph)
        .unwrap();
    assert_eq!(&doc.text[para.range.clone()], "Take 5 µg daily. Then stop.");
    let sentences: Vec<_> = doc
        .sentences
        .iter()
        .map(|s| &doc.text[s.range.clone()])
        .collect();
    assert_eq!(
        sentences,
        vec!["Dosis – µg", "Take 5 µg daily.", "Then stop."]
    );
}

#[test]
fn phrases_never_run_across_blocks() {
    let doc = md("Chest\n\n- pain\n");
    let re = regex::Regex::new(r"(?i)chest\s+pain").unwrap();
    assert!(!re.is_match(&doc.prose));
}

#[test]
fn plain_text_title_headings_lists_and_lead_ins() {
    let text = "Back pain after lifting\n\nMost back pain gets better and most people\nrecover within weeks.\n\nWhen to see a doctor\nSee a GP urgently if:\n• you have a fever\n• both legs feel weak\n  and heavy\n\nLooking after yourself\n- keep moving\n";
    let doc = Document::parse_text(text, Format::Plain);
    let blocks = block_texts(&doc);
    assert_eq!(
        blocks[0],
        ("Back pain after lifting", BlockKind::Heading { level: 1 })
    );
    assert_eq!(
        blocks[1],
        (
            "Most back pain gets better and most people\nrecover within weeks.",
            BlockKind::Paragraph
        )
    );
    assert_eq!(
        blocks[2],
        ("When to see a doctor", BlockKind::Heading { level: 2 })
    );
    assert_eq!(blocks[3], ("See a GP urgently if:", BlockKind::Paragraph));
    assert_eq!(blocks[4], ("you have a fever", BlockKind::ListItem));
    assert_eq!(doc.blocks[4].lead_in, Some(3));
    assert_eq!(blocks[5].0, "both legs feel weak\n  and heavy");
    assert_eq!(
        blocks[6],
        ("Looking after yourself", BlockKind::Heading { level: 2 })
    );
    assert_eq!(blocks[7], ("keep moving", BlockKind::ListItem));
}

#[test]
fn directives_inside_code_are_ignored() {
    let doc = md("<!-- healthlint-disable HL1 -->\n\n```\n<!-- healthlint-disable HL2 -->\n```\n\n`<!-- healthlint-disable HL3 -->`\n");
    let codes: Vec<_> = doc
        .directives
        .iter()
        .map(|d| d.codes[0].0.as_str())
        .collect();
    assert_eq!(codes, vec!["HL1"]);
}

/// A no-break space, written as a character or an entity, hid "100% safe" from every phrase
/// (issue 20, D11): in the prose it is a plain space, and offsets do not move.
#[test]
fn no_break_and_other_invisible_spaces_read_as_spaces() {
    let text = "100%\u{A0}safe, a miracle&nbsp;cure, 3\u{2009}mg, so\u{3000}on &NBSP; &#160; &#xA0; &amp;\n";
    for format in [Format::Markdown, Format::Plain] {
        let doc = Document::parse_text(text, format);
        assert_eq!(doc.prose.len(), text.len());
        let prose = doc.prose.trim_end_matches(['\0', '\n']);
        assert_eq!(
            prose.split_whitespace().collect::<Vec<_>>(),
            ["100%", "safe,", "a", "miracle", "cure,", "3", "mg,", "so", "on", "&amp;"],
            "{format:?}"
        );
    }
}

/// Text after an unclosed `<!--` is an HTML block to the end of the file, so it is never
/// checked; the document says where such a comment starts (issue 20).
#[test]
fn an_unclosed_comment_is_found_where_it_opens() {
    let open = "# T\n\n<!-- ok -->\n\nText.\n\n  <!-- draft\n\nBuy now.\n";
    assert_eq!(md(open).unclosed_comment(), open.find("<!-- draft"));
    for closed in [
        "# T\n\n<!-- a\n\nstill comment -->\n\nText.\n",
        "# T\n\nInline <!-- is literal text in a paragraph.\n",
        "# T\n\n```\n<!-- in code\n```\n",
        "# T\n\n    <!-- indented four: code\n",
    ] {
        assert_eq!(md(closed).unclosed_comment(), None, "{closed}");
    }
    assert_eq!(
        Document::parse_text(open, Format::Plain).unclosed_comment(),
        None
    );
}

/// A healthlint comment on a line of its own inside a paragraph ends it in CommonMark; the
/// paragraph is read as one all the same, so that silencing a finding does not change what
/// the checks read. Another comment, or a blank line, still splits it.
#[test]
fn a_healthlint_comment_inside_a_paragraph_does_not_split_it() {
    let joined = md("# Knee\n\nRest the knee and\n<!-- healthlint-disable-next-line HL301 -->\nput ice on it.\n<!-- healthlint-topic: knee pain -->\nRaise it.\n");
    let blocks = block_texts(&joined);
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert!(blocks[1].0.starts_with("Rest the knee") && blocks[1].0.ends_with("Raise it."));
    assert_eq!(joined.sentences.len(), 3, "the heading and two sentences");
    let prose = &joined.prose[joined.blocks[1].range.clone()];
    assert!(
        !prose.contains("healthlint") && !prose.contains("<!--"),
        "{prose:?}"
    );
    for split in [
        "Rest the knee and\n<!-- a note to editors -->\nput ice on it.\n",
        "Rest the knee and\n\n<!-- healthlint-disable-next-line HL301 -->\nput ice on it.\n",
        "Rest the knee and\n<!-- healthlint-disable-next-line HL301 -->\n\nput ice on it.\n",
    ] {
        assert_eq!(block_texts(&md(split)).len(), 2, "{split:?}");
    }
    // At the end of the text, or before a list, the held paragraph is still a block of its own.
    let before_list = md("Call 999 if:\n<!-- healthlint-disable-next-line -->\n- you faint\n");
    let blocks = block_texts(&before_list);
    assert_eq!(blocks[0], ("Call 999 if:", BlockKind::Paragraph));
    assert_eq!(before_list.blocks[1].lead_in, Some(0), "{blocks:?}");
    assert_eq!(
        block_texts(&md("Rest.\n<!-- healthlint-disable -->\n")).len(),
        1
    );
}
