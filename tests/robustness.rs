//! Mutated input, checked with every rule and rendered in every format: the invariants a
//! linter owes any input (issue 20). Inputs are the fixtures and examples, mutated by a
//! seeded generator (byte flips, markup characters, cut and repeated spans, control bytes,
//! invisible spaces), so a failure is reproducible from the seed in its message.
//!
//! Invariants: no panic and no internal error (HL000); every span inside the text and on
//! character boundaries; JSON that parses with one entry per finding; one concise line per
//! finding (plus its `related` lines and the summary).

mod common;

use std::path::{Path, PathBuf};

use healthlint::report::Format;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

const INSERTS: &[&[u8]] = &[
    b"\n",
    b"\n\n",
    b"# ",
    b"- ",
    b"1. ",
    b"> ",
    b"|",
    b"```\n",
    b"<!--",
    b"-->",
    b"---\n",
    b"**",
    b"_",
    b"[",
    b"](",
    b")",
    b"\\",
    b"\0",
    b"\x1b[31m",
    b"\xc2\xa0",
    b"&nbsp;",
    b"\xe2\x80\x8b",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\t",
    b"call 999 if",
    b"100% safe",
    b"not ",
    b"Soma 350mg",
    b"buy online",
    b"for 48 hours",
    b"heat",
    b"ice",
    b"?",
    b"(",
    b":",
];

fn mutate(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 => {
                let insert = INSERTS[rng.below(INSERTS.len())];
                bytes.splice(at..at, insert.iter().copied());
            }
            1 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = rng.next() as u8;
            }
            2 => {
                let end = (at + rng.below(200)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(400)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, copy);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

fn inputs() -> Vec<PathBuf> {
    let root = common::root();
    let mut out = Vec::new();
    let mut stack = vec![root.join("fixtures/rules"), root.join("examples/articles")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn mutated_articles_keep_every_invariant_in_every_format() {
    let linter = common::linter(&["HL"]);
    let dir = tempfile::tempdir().unwrap();
    let sources = inputs();
    assert!(sources.len() > 50, "the fixtures are the seed inputs");
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for case in 0..400 {
        let source = &sources[rng.below(sources.len())];
        let bytes = mutate(&mut rng, std::fs::read(source).unwrap());
        let ext = source.extension().and_then(|e| e.to_str()).unwrap_or("md");
        let path = dir.path().join(format!("case-{case}.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        let what = format!("case {case} (from {})", source.display());
        check_invariants(&linter, &path, &what);
    }
}

fn check_invariants(linter: &healthlint::engine::Linter, path: &Path, what: &str) {
    let report = common::check_file(linter, path);
    for d in &report.diagnostics {
        assert_ne!(
            d.rule.code.as_ref(),
            "HL000",
            "{what}: internal error: {}",
            d.message
        );
    }
    if let Some(source) = &report.source {
        let text = &source.text;
        for d in &report.diagnostics {
            for label in std::iter::once(&d.primary).chain(&d.secondary) {
                let r = &label.range;
                assert!(
                    r.start <= r.end && r.end <= text.len(),
                    "{what}: {} span {r:?} outside a {}-byte text",
                    d.rule.code,
                    text.len()
                );
                assert!(
                    text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                    "{what}: {} span {r:?} splits a character",
                    d.rule.code
                );
            }
        }
    }
    let reports = [report];
    let json = common::render(&reports, Format::Json);
    let parsed: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{what}: invalid JSON: {e}"));
    let findings = reports[0].diagnostics.len();
    assert_eq!(
        parsed["diagnostics"].as_array().map(Vec::len),
        Some(findings),
        "{what}: JSON lists every finding once"
    );
    let concise = common::render(&reports, Format::Concise);
    let related: usize = reports[0].diagnostics.iter().map(|d| d.related.len()).sum();
    assert_eq!(
        concise.lines().count(),
        findings + related + 1,
        "{what}: one concise line per finding:\n{concise}"
    );
    for format in [Format::Pretty, Format::Github] {
        let _ = common::render(&reports, format);
    }
}
