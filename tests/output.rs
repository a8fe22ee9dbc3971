//! How much of the report is printed: `--quiet`, checked against the same run without it:
//! quiet output is the findings of the full output and nothing else, with the same exit
//! code.

mod common;

use std::path::Path;

use common::healthlint_in;

/// A folder with an article that has three HL502 findings, a clean article, and a binary
/// file with an article's name (skipped, with a note).
fn articles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = common::root().join("fixtures/rules/HL502");
    for name in ["fail_miracle_cure.md", "pass_evidence_language.md"] {
        std::fs::copy(fixtures.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("image.md"), b"\x89PNG\0\0\x01").unwrap();
    dir
}

/// `check --isolated --select HL5` in `dir` with `args`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = healthlint_in(dir)
        .args(["check", "--isolated", "--select", "HL5"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn quiet_prints_the_findings_and_nothing_else() {
    let dir = articles();
    for format in ["concise", "pretty"] {
        let (code, full, _) = run(dir.path(), &["--format", format, "."]);
        let (quiet_code, quiet, stderr) = run(dir.path(), &["--format", format, "--quiet", "."]);
        assert_eq!(
            (code, quiet_code),
            (1, 1),
            "{format}: the exit code is unchanged"
        );
        assert!(full.contains("note: skipped image.md"), "{full}");
        assert!(full.contains("Checked 2 files"), "{full}");
        // The findings, as the full output prints them, and not a line more.
        let closing = full.find("note: skipped").unwrap();
        assert_eq!(quiet, full[..closing], "{format}");
        assert_eq!(quiet.matches("HL502").count(), 3, "{format}: {quiet}");
        assert_eq!(stderr, "", "{format}");
    }
    // Concise keeps its one line per finding.
    let (_, quiet, _) = run(dir.path(), &["--format", "concise", "-q", "."]);
    assert_eq!(quiet.lines().count(), 3, "{quiet}");
}

#[test]
fn quiet_with_no_findings_prints_nothing_at_all() {
    let dir = articles();
    for format in ["concise", "pretty", "github"] {
        let (code, stdout, stderr) = run(
            dir.path(),
            &["--format", format, "--quiet", "pass_evidence_language.md"],
        );
        assert_eq!(code, 0, "{format}");
        assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""), "{format}");
    }
}

/// The machine formats are documents: `--quiet` leaves them whole and only drops the summary
/// line that `github` and `jsonl` write to standard error.
#[test]
fn quiet_keeps_machine_formats_whole_and_drops_their_log_line() {
    let dir = articles();
    for format in ["json", "jsonl", "github"] {
        let (code, full, log) = run(dir.path(), &["--format", format, "."]);
        let (quiet_code, quiet, quiet_log) = run(dir.path(), &["--format", format, "-q", "."]);
        assert_eq!((code, quiet_code), (1, 1), "{format}");
        assert_eq!(quiet, full, "{format}");
        assert_eq!(quiet_log, "", "{format}");
        if format != "json" {
            assert!(log.starts_with("Checked 2 files"), "{format}: {log}");
        }
    }
    let stream = |quiet: bool| {
        let mut cmd = healthlint_in(dir.path());
        cmd.args(["check", "--isolated", "--input", "jsonl"]);
        if quiet {
            cmd.arg("--quiet");
        }
        cmd.write_stdin("{\"id\": 1, \"text\": \"# Pain\\n\\nThis miracle cure works.\"}\n")
            .output()
            .unwrap()
    };
    let (full, quiet) = (stream(false), stream(true));
    assert_eq!(quiet.status.code(), Some(1));
    assert_eq!(quiet.stdout, full.stdout);
    assert!(!full.stderr.is_empty());
    assert!(quiet.stderr.is_empty(), "{quiet:?}");
}
