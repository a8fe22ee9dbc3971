//! `check --files-from FILE`: a list of paths (NUL- or newline-separated, `-` for standard
//! input) checked like paths named on the command line, as a "changed files" job or a hook
//! passes them.

mod common;

use std::path::Path;

use common::{captured, healthlint_in};

/// An article with findings (a cure promised, no warning signs on a back-pain page).
const BAD: &str = "# Back pain\n\nThis miracle cure ends back pain for good, guaranteed.\n";
/// An article with none: a recipe needs no red-flag guidance and makes no claims.
const GOOD: &str = "# Lentil soup\n\nSimmer red lentils with an onion and a carrot for half an hour, then season.\n";

/// A folder with `bad.md`, `good.md`, and `drafts/bad.md` that its config excludes.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.md"), BAD).unwrap();
    std::fs::write(dir.path().join("good.md"), GOOD).unwrap();
    std::fs::create_dir(dir.path().join("drafts")).unwrap();
    std::fs::write(dir.path().join("drafts/bad.md"), BAD).unwrap();
    std::fs::write(
        dir.path().join("healthlint.toml"),
        "exclude = [\"drafts/\"]\n",
    )
    .unwrap();
    dir
}

/// The paths a concise report names, in order, once each.
fn reported(stdout: &str) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for line in stdout.lines() {
        if let Some((path, _)) = line.split_once(':') {
            if !line.starts_with("Checked") && paths.last().is_none_or(|p| p != path) {
                paths.push(path.to_string());
            }
        }
    }
    paths
}

fn run_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let out = healthlint_in(dir)
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_newline_list_checks_its_files_and_only_them() {
    let dir = project();
    // CRLF, blank lines and no final newline are all read.
    std::fs::write(dir.path().join("list.txt"), "bad.md\r\n\r\n\ngood.md").unwrap();
    let (code, stdout, stderr) = captured(
        dir.path(),
        &["check", "--format", "concise", "--files-from", "list.txt"],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(reported(&stdout), ["bad.md"], "{stdout}");
    assert!(stdout.contains("Checked 2 files"), "{stdout}");
}

#[test]
fn a_nul_list_from_standard_input_keeps_newlines_in_names() {
    let dir = project();
    let odd = if cfg!(unix) {
        "odd\nname.md"
    } else {
        "odd name.md"
    };
    std::fs::write(dir.path().join(odd), BAD).unwrap();
    let list = format!("good.md\0{odd}\0");
    let (code, stdout, stderr) = run_with_stdin(
        dir.path(),
        &["check", "--format", "json", "--files-from", "-"],
        list.as_bytes(),
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["summary"]["checked"], 2, "{stdout}");
    let paths: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    // Reported paths show control characters escaped (`odd\u{a}name.md`).
    assert!(
        !paths.is_empty()
            && paths
                .iter()
                .all(|p| p.starts_with("odd") && p.ends_with("name.md")),
        "{paths:?}"
    );
}

#[test]
fn an_empty_list_checks_nothing_says_so_and_passes() {
    let dir = project();
    std::fs::write(dir.path().join("empty.txt"), "\n\n").unwrap();
    let (code, stdout, stderr) = captured(
        dir.path(),
        &["check", "--format", "concise", "--files-from", "empty.txt"],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("no files to check: the list from `empty.txt` is empty"),
        "{stderr}"
    );
    assert!(stdout.contains("Checked 0 files"), "{stdout}");
    // From standard input, and in a format that tools parse: still a whole document.
    let (code, stdout, stderr) = run_with_stdin(
        dir.path(),
        &["check", "--format", "gitlab", "--files-from", "-"],
        b"",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("no files to check: the list from standard input is empty"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json, serde_json::json!([]));
    // `--quiet` leaves the message out.
    let (code, _, stderr) = captured(
        dir.path(),
        &["check", "--quiet", "--files-from", "empty.txt"],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn a_listed_path_that_does_not_exist_is_an_error_naming_it_and_the_rest_is_checked() {
    let dir = project();
    std::fs::write(dir.path().join("list.txt"), "gone.md\nbad.md\n").unwrap();
    let (code, stdout, stderr) = captured(
        dir.path(),
        &["check", "--format", "concise", "--files-from", "list.txt"],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stdout.contains("gone.md:1:1: error[HL001] ") && stdout.contains("no such file"),
        "{stdout}"
    );
    assert_eq!(reported(&stdout), ["bad.md", "gone.md"], "{stdout}");
}

#[test]
fn listed_paths_are_checked_together_with_named_ones() {
    let dir = project();
    std::fs::write(dir.path().join("list.txt"), "good.md\n").unwrap();
    let (code, stdout, stderr) = captured(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--files-from",
            "list.txt",
            "bad.md",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(reported(&stdout), ["bad.md"], "{stdout}");
    assert!(stdout.contains("Checked 2 files"), "{stdout}");
}

#[test]
fn config_excludes_apply_to_listed_paths_only_with_force_exclude() {
    let dir = project();
    std::fs::write(dir.path().join("list.txt"), "drafts/bad.md\ngood.md\n").unwrap();
    let args = ["check", "--format", "concise", "--files-from", "list.txt"];
    let (code, stdout, _) = captured(dir.path(), &args);
    assert_eq!(code, 1);
    assert_eq!(reported(&stdout), ["drafts/bad.md"], "{stdout}");
    let (code, stdout, stderr) = captured(dir.path(), &[&args[..], &["--force-exclude"]].concat());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("Checked 1 file"), "{stdout}");
}

#[test]
fn a_list_that_cannot_be_read_is_an_error_naming_it() {
    let dir = project();
    let (code, stdout, stderr) = captured(dir.path(), &["check", "--files-from", "nope.txt"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("cannot read the `--files-from` list `nope.txt`"),
        "{stderr}"
    );
}

#[test]
fn standard_input_is_either_the_list_or_an_article() {
    let dir = project();
    let (code, _, stderr) = run_with_stdin(
        dir.path(),
        &["check", "--files-from", "-", "-"],
        b"good.md\n",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("standard input can be read only once"),
        "{stderr}"
    );
    let (code, _, stderr) = run_with_stdin(
        dir.path(),
        &["check", "--input", "jsonl", "--files-from", "list.txt"],
        b"",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--files-from"), "{stderr}");
}
