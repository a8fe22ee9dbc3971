//! Bad and unusual input: CRLF, multibyte text, byte-order marks, UTF-16, invalid UTF-8, NUL
//! bytes, empty and very large files. Each gets exact spans or a clear `HL0xx` finding that
//! names the file, and nothing panics.

mod common;

use std::path::Path;

use healthlint::report::Format;

fn check_bytes(name: &str, bytes: &[u8]) -> healthlint::report::FileReport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let linter = common::linter(&["HL"]);
    common::check_file(&linter, &path)
}

fn codes(report: &healthlint::report::FileReport) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .map(|d| d.rule.code.to_string())
        .collect()
}

#[test]
fn crlf_and_multibyte_keep_exact_spans() {
    let text = "# Gélules – µg\r\n\r\nCes gélules – 5 µg – sont un miracle cure 💊.\r\n";
    let report = check_bytes("a.md", text.as_bytes());
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule.code.as_ref() == "HL502")
        .expect("HL502 found");
    assert_eq!(&text[d.primary.range.clone()], "miracle cure");
    let out = common::render(&[report], Format::Concise);
    assert!(out.contains("a.md:3:30: warning[HL502]"), "{out}");
}

#[test]
fn utf8_bom_and_utf16_are_decoded() {
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("A miracle cure.\n".as_bytes());
    let report = check_bytes("bom.md", &bom);
    assert_eq!(codes(&report), vec!["HL502"]);
    assert!(common::render(&[report], Format::Concise).contains("bom.md:1:3:"));

    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "Une cure — a miracle cure.\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let report = check_bytes("utf16.txt", &utf16);
    assert_eq!(codes(&report), vec!["HL502"]);
    assert!(report.diagnostics[0]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("UTF-16LE"));
}

#[test]
fn invalid_utf8_and_nul_bytes_are_named_errors() {
    let report = check_bytes("latin1.md", b"caf\xE9 miracle cure\n");
    assert_eq!(codes(&report), vec!["HL002"]);
    assert!(report.failed);
    assert!(report.diagnostics[0].message.contains("latin1.md"));
    assert!(report.diagnostics[0].message.contains("byte 3"));

    let report = check_bytes("image.md", b"\x89PNG\0\0\xff\xd8");
    assert_eq!(codes(&report), vec!["HL004"]);
    assert!(report.failed);
}

/// A NUL byte used to make a walked file count as binary and be skipped, spam and all
/// (issue 20, D5): now the text around it is checked and the byte is reported.
#[test]
fn a_nul_byte_does_not_hide_an_article() {
    let report = check_bytes("nul.md", b"This is a miracle\0cure for back pain.\n");
    assert!(!report.failed);
    assert!(
        codes(&report).contains(&"HL006".to_string()),
        "{:?}",
        codes(&report)
    );
    assert!(
        codes(&report).contains(&"HL502".to_string()),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn empty_and_whitespace_files_are_fine() {
    for bytes in [&b""[..], b"\n\n  \r\n", b"---\n---\n", b"```\n"] {
        let report = check_bytes("empty.md", bytes);
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        assert!(!report.failed);
    }
}

#[test]
fn a_50_mb_file_is_checked() {
    let paragraph =
        "Rest, then move gently. Walking helps sore knees – take µg doses with care.\n\n";
    let mut text = String::from("# Big file\n\nThis supplement is a miracle cure.\n\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(paragraph);
    }
    text.push_str("Another miracle cure at the very end.\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.md");
    std::fs::write(&path, &text).unwrap();
    let mut linter = common::linter(&["HL"]);
    // This test is about size, not time: an unoptimised test build on a busy machine can take
    // longer than the default budget of 10 s for 50 MB (a release build takes about 1.5 s).
    linter.settings.time_budget = std::time::Duration::from_secs(3600);
    let report = common::check_file(&linter, &path);
    assert!(!report.failed);
    // Only the claims findings: the filler text is about sore knees, which red-flag rules see.
    let lines: Vec<usize> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code.starts_with("HL5"))
        .map(|d| {
            report
                .source
                .as_ref()
                .unwrap()
                .lines
                .line_col(&text, d.primary.range.start)
                .line
        })
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], 3);
    assert!(lines[1] > 600_000);
}

#[test]
fn strange_markdown_does_not_panic() {
    let cases = [
        "<!-- healthlint-disable",
        "- \n-\n  -\n> > > - [x] *",
        "| a | b |\n|---|---|\n| miracle cure | |\n",
        "[^1]\n\n[^1]: a miracle cure\n",
        "+++\ntitle = 'x'\n+++\n# T\n",
        "---\ntitle: [unclosed\n---\n",
        "<div>\nmiracle cure\n</div>\n",
        "\u{FEFF}\u{200B}💊\u{0301}",
    ];
    let linter = common::linter(&["HL"]);
    for case in cases {
        let d = linter.check_text("x.md", healthlint::source::Format::Markdown, case);
        assert!(
            d.iter().all(|d| d.rule.code.as_ref() != "HL000"),
            "{case:?}: {d:?}"
        );
        let d = linter.check_text("x.txt", healthlint::source::Format::Plain, case);
        assert!(
            d.iter().all(|d| d.rule.code.as_ref() != "HL000"),
            "{case:?}: {d:?}"
        );
    }
}

#[test]
fn fixtures_in_input_folder_have_exact_spans() {
    let linter = common::linter(&["HL5"]);
    let report = common::check_file(&linter, Path::new("fixtures/input/crlf-multibyte.md"));
    assert_eq!(
        common::found(&report),
        common::expectations(
            &std::fs::read_to_string(common::root().join("fixtures/input/crlf-multibyte.md"))
                .unwrap()
        )
        .unwrap()
    );
}

/// Input findings follow selection and suppression like rule findings.
#[test]
fn input_findings_are_reported_selected_and_suppressed_like_rules() {
    let report = check_bytes(
        "hidden.md",
        b"# Notes\n\nFine.\n\n<!-- note\n\nA miracle cure.\n",
    );
    assert_eq!(codes(&report), vec!["HL007"]);
    let report = check_bytes(
        "quiet.md",
        b"<!-- healthlint-disable-file HL006 -->\n# Notes\n\nOne\x01byte.\n",
    );
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
}
