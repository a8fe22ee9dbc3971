//! The reader and the document parser on any bytes, as Markdown and as plain text: no panic,
//! the prose as long as the text, and every block and sentence a range of the text on its
//! character boundaries, in order.
#![no_main]

use healthlint::document::Document;
use healthlint::source::{Format, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [Format::Markdown, Format::Plain] {
        let Ok(source) = SourceFile::from_bytes("fuzz.md".into(), format, data.to_vec()) else {
            continue;
        };
        let text = source.text.as_str();
        let doc = Document::parse(&source);
        assert_eq!(doc.prose.len(), text.len());
        let in_text = |r: &std::ops::Range<usize>| {
            r.start <= r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        };
        for b in &doc.blocks {
            assert!(in_text(&b.range), "block {:?}", b.range);
        }
        for s in &doc.sentences {
            assert!(in_text(&s.range), "sentence {:?}", s.range);
        }
        assert!(doc
            .sentences
            .windows(2)
            .all(|w| w[0].range.start <= w[1].range.start));
    }
});
