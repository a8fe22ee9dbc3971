//! What healthlint generates about itself: shell completions and the manual page (from the
//! clap parser), and the rule pages in `docs/rules/`, which must match what
//! `healthlint docs` writes from the rule files.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::captured;

const DOCS_COMMAND: &str = "cargo run -- docs --isolated --out docs/rules";

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, stdout, stderr) = captured(&common::root(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stdout.len() > 200, "{shell}: almost empty: {stdout}");
        for word in ["check", "files-from", "explain", "server", "debounce-ms"] {
            assert!(stdout.contains(word), "{shell}: no `{word}` in\n{stdout}");
        }
    }
    let (code, _, stderr) = captured(&common::root(), &["completions", "tcsh"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn man_page_is_roff_with_every_subcommand_and_check_flag() {
    let (code, stdout, stderr) = captured(&common::root(), &["man"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with(".ie") || stdout.contains("\n.TH "),
        "{stdout}"
    );
    assert!(stdout.contains(".TH healthlint 1"), "{stdout}");
    for section in [
        ".SH \"HEALTHLINT CHECK\"",
        ".SH \"HEALTHLINT EXPLAIN\"",
        ".SH \"HEALTHLINT COMPLETIONS\"",
    ] {
        assert!(stdout.contains(section), "no {section}");
    }
    assert!(
        stdout.contains("files\\-from"),
        "check's flags are on the page"
    );
    // Hidden commands stay hidden.
    assert!(!stdout.contains("DEBUG-PATTERNS"));
}

/// The `.md` files of a folder, by name.
fn markdown_files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".md"))
                .map(|name| {
                    let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
                    (name, text)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn docs_rules_is_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rules");
    let (code, _, stderr) = captured(
        &common::root(),
        &["docs", "--isolated", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let fresh = markdown_files(&out);
    let committed = markdown_files(&common::root().join("docs/rules"));
    let mut problems = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => problems.push(format!("docs/rules/{name} is missing")),
            Some(old) if old != text => problems.push(format!("docs/rules/{name} is out of date")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
        problems.push(format!("docs/rules/{name} documents no rule"));
    }
    assert!(
        problems.is_empty(),
        "{}\nthe rule pages are generated: run `{DOCS_COMMAND}` and commit docs/rules/",
        problems.join("\n")
    );
    // The index links every page.
    let index = &fresh["README.md"];
    for name in fresh.keys().filter(|n| *n != "README.md") {
        assert!(
            index.contains(&format!("]({name})")),
            "{name} not in the index"
        );
    }
}

#[test]
fn docs_pages_say_what_explain_says_and_stale_pages_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rules");
    std::fs::create_dir(&out).unwrap();
    // A page of a rule that is gone, and a file of the user's that is not a page.
    std::fs::write(out.join("HL999.md"), "old").unwrap();
    std::fs::write(out.join("notes.md"), "mine").unwrap();
    let (code, _, stderr) = captured(
        &common::root(),
        &["docs", "--isolated", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!out.join("HL999.md").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.md")).unwrap(),
        "mine"
    );
    let page = std::fs::read_to_string(out.join("HL502.md")).unwrap();
    let (_, explained, _) = captured(&common::root(), &["explain", "--isolated", "HL502"]);
    // Each paragraph of the rule's docs that `explain` prints is on the page.
    let why = explained
        .split("Why it matters\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap();
    assert!(page.contains(why), "{page}");
    assert!(
        page.contains("| HL502 | `miracle-cure-claim` | claims | warning |"),
        "{page}"
    );
    // An unwritable folder is an error that names it.
    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let (code, _, stderr) = captured(
        &common::root(),
        &[
            "docs",
            "--isolated",
            "--out",
            blocker.join("x").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot write"), "{stderr}");
}
