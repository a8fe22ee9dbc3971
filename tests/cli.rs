//! The command line as users and CI meet it: exit codes 0/1/2, formats, standard input,
//! determinism across thread counts, broken settings files, suppressions.

mod common;

use assert_cmd::Command;
use common::healthlint_in;
use predicates::prelude::*;

/// The JSON a finished run printed on standard output.
fn json_of(run: assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&run.get_output().stdout).expect("the output is JSON")
}

fn healthlint() -> Command {
    healthlint_in(common::root())
}

#[test]
fn clean_file_exits_0_and_finding_exits_1() {
    healthlint()
        .args([
            "check",
            "--isolated",
            // Only the claims rules: the article is about sciatica, which red-flag rules see too.
            "--select",
            "HL5",
            "fixtures/rules/HL502/pass_evidence_language.md",
        ])
        .assert()
        .code(0);
    healthlint()
        .args([
            "check",
            "--isolated",
            "fixtures/rules/HL502/fail_miracle_cure.md",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("HL502"))
        .stdout(predicate::str::contains("Checked 1 file"));
}

#[test]
fn fail_on_decides_what_fails() {
    // HL511 is info by default: not a failure at the default `fail-on = warning`.
    let file = "fixtures/rules/HL511/fail_ice_on_skin.md";
    healthlint()
        .args(["check", "--isolated", "--select", "HL511", file])
        .assert()
        .code(0);
    healthlint()
        .args([
            "check",
            "--isolated",
            "--select",
            "HL511",
            "--fail-on",
            "info",
            file,
        ])
        .assert()
        .code(1);
    healthlint()
        .args([
            "check",
            "--isolated",
            "--fail-on",
            "never",
            "fixtures/rules/HL502/fail_miracle_cure.md",
        ])
        .assert()
        .code(0);
}

#[test]
fn missing_path_exits_2_but_other_files_are_checked() {
    healthlint()
        .args([
            "check",
            "--isolated",
            "--format",
            "concise",
            "no/such/file.md",
            "fixtures/rules/HL502/fail_miracle_cure.md",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "no/such/file.md:1:1: error[HL001]",
        ))
        .stdout(predicate::str::contains(
            "fail_miracle_cure.md:3:6: warning[HL502]",
        ));
}

#[test]
fn json_output_parses_and_carries_the_contract() {
    let json = json_of(
        healthlint()
            .args([
                "check",
                "--isolated",
                "--format",
                "json",
                "fixtures/rules/HL501/fail_supplement_blog.md",
            ])
            .assert()
            .code(1),
    );
    assert_eq!(json["version"], 1);
    let d = &json["diagnostics"][0];
    for key in [
        "path", "code", "name", "category", "severity", "message", "start", "end", "labels",
        "help", "related",
    ] {
        assert!(d.get(key).is_some(), "missing {key}");
    }
    assert_eq!(d["category"], "claims");
    assert_eq!(d["start"]["line"], 5);
    assert_eq!(json["summary"]["checked"], 1);
}

#[test]
fn stdin_with_a_name() {
    healthlint()
        .args([
            "check",
            "--isolated",
            "--format",
            "concise",
            "--stdin-filename",
            "draft.md",
            "-",
        ])
        .write_stdin("# Draft\n\nThis tea is a miracle cure.\n")
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("draft.md:3:15: warning[HL502]"));
}

/// Editors pipe a buffer with `--stdin-filename` and no path: standard input is read, not the
/// working folder (regression: the whole folder used to be checked).
#[test]
fn stdin_filename_alone_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other.md"), "This tea is a miracle cure.\n").unwrap();
    let output = healthlint()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--format", "json"])
        .args(["--stdin-filename", "draft.md"])
        .write_stdin("# Draft\n\nThis tea is a miracle cure.\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["summary"]["checked"], 1);
    let paths: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(paths, ["draft.md"]);
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let run = |jobs: &str| {
        healthlint()
            .args([
                "check",
                "--isolated",
                "--format",
                "json",
                "--jobs",
                jobs,
                "fixtures",
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

/// The same over more files than one batch (256), with cross-document findings between
/// batches, in every format: batching, the spill file and re-checking must not depend on
/// which thread finished first.
#[test]
fn output_is_identical_for_any_thread_count_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let pieces = [
        "Rest the ankle and put ice on it for 20 minutes.",
        "Put a heat pack on the sprain straight away.",
        "Avoid heat for the first 48 hours after a sprain.",
        "Buy Soma 350mg online today, no prescription needed.",
        "This remedy is 100% safe.",
        "Call 999 if your leg goes numb.",
    ];
    for i in 0..300 {
        let folder = dir.path().join(format!("part{}", i % 7));
        std::fs::create_dir_all(&folder).unwrap();
        let body: Vec<&str> = (0..4)
            .map(|k| pieces[(i * 5 + k * 3) % pieces.len()])
            .collect();
        std::fs::write(
            folder.join(format!("article-{i:03}.md")),
            format!("# Sprained ankle, note {i}\n\n{}\n", body.join("\n\n")),
        )
        .unwrap();
    }
    for format in ["json", "concise", "pretty", "github", "gitlab", "junit"] {
        let run = |jobs: &str| {
            healthlint_in(dir.path())
                .args([
                    "check",
                    "--isolated",
                    "--format",
                    format,
                    "--jobs",
                    jobs,
                    ".",
                ])
                .output()
                .unwrap()
                .stdout
        };
        let one = run("1");
        assert!(
            String::from_utf8_lossy(&one).contains("HL401"),
            "{format}: the folder has cross-document findings"
        );
        assert_eq!(one, run("2"), "{format}: -j1 and -j2 differ");
        assert_eq!(one, run("8"), "{format}: -j1 and -j8 differ");
    }
}

#[test]
fn broken_rule_file_points_at_the_key_and_checks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("HL599-bad.toml"),
        "code = \"HL599\"\nname = \"bad\"\ncategory = \"claims\"\nseverity = \"warning\"\nmessage = \"m\"\n\n[check]\nkind = \"existence\"\nphrase = [\"x\"]\n\n[docs]\nwhy = \"w\"\nexample-fail = \"f\"\nexample-pass = \"p\"\n",
    )
    .unwrap();
    healthlint()
        .args(["check", "--isolated", "--rules"])
        .arg(dir.path())
        .arg("fixtures/rules/HL502/fail_miracle_cure.md")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("HL599-bad.toml"))
        .stderr(predicate::str::contains("unknown field `phrase`"))
        .stderr(predicate::str::contains("9 │ phrase"));
}

#[test]
fn unknown_sign_group_is_reported_at_its_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("HL199-groups.toml"),
        "code = \"HL199\"\nname = \"groups-without-warning-signs\"\ncategory = \"red-flags\"\n\
         severity = \"warning\"\nmessage = \"m\"\n\n[check]\nkind = \"red-flags\"\ntopic = \"t\"\n\
         topic-terms = [\"t\"]\n\n[[check.signs]]\nid = \"s\"\nlabel = \"l\"\ntier = \"urgent\"\n\
         groups = [\"fever\", \"no-such-group\"]\n\n[[check.signs]]\nid = \"e\"\nlabel = \"l\"\n\
         tier = \"urgent\"\n\n[docs]\nwhy = \"w\"\nexample-fail = \"f\"\nexample-pass = \"p\"\n",
    )
    .unwrap();
    healthlint()
        .args(["rules", "--isolated", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("HL199-groups.toml"))
        .stderr(predicate::str::contains(
            "unknown sign group `no-such-group`",
        ))
        .stderr(predicate::str::contains("16 │ groups"))
        .stderr(predicate::str::contains("fever`").not())
        .stderr(predicate::str::contains(
            "sign `e` has no terms: give `terms`, `groups` or both",
        ));
}

#[test]
fn bad_phrase_and_unknown_kind_are_reported_where_they_stand() {
    let dir = tempfile::tempdir().unwrap();
    let header = "category = \"claims\"\nseverity = \"warning\"\nmessage = \"m\"\n";
    let docs = "\n[docs]\nwhy = \"w\"\nexample-fail = \"f\"\nexample-pass = \"p\"\n";
    std::fs::write(
        dir.path().join("a.toml"),
        format!("code = \"HL598\"\nname = \"a\"\n{header}[check]\nkind = \"existence\"\nphrases = [\"fine\", \"(broken\"]\n{docs}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        format!("code = \"HL597\"\nname = \"b\"\n{header}[check]\nkind = \"existance\"\n{docs}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        format!("code = \"HL501\"\nname = \"c\"\n{header}[check]\nkind = \"existence\"\nphrases = [\"x\"]\n{docs}"),
    )
    .unwrap();
    healthlint()
        .args(["rules", "--isolated", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid phrase pattern"))
        .stderr(predicate::str::contains("\"(broken\""))
        .stderr(predicate::str::contains("unknown rule kind `existance`"))
        .stderr(predicate::str::contains("duplicate rule code `HL501`"));
}

#[test]
fn a_conflict_measure_that_is_not_amount_interval_or_daily_is_reported_on_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |code: &str, check: &str| {
        let lower = code.to_lowercase();
        format!(
            "code = \"{code}\"\nname = \"measure-{lower}\"\ncategory = \"contradiction\"\nseverity = \"warning\"\n\
             message = \"m\"\n\n[check]\nkind = \"conflict\"\nquantity = \"ice\"\n{check}\n\n\
             [docs]\nwhy = \"w\"\nexample-fail = \"f\"\nexample-pass = \"p\"\n"
        )
    };
    std::fs::write(
        dir.path().join("HL396-often.toml"),
        rule("HL396", "measure = \"often\""),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("HL395-both.toml"),
        rule("HL395", "measure = \"interval\"\nthreshold = true"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("HL394-daily.toml"),
        rule("HL394", "measure = \"daily\""),
    )
    .unwrap();
    healthlint()
        .args(["rules", "--isolated", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("HL396-often.toml"))
        .stderr(predicate::str::contains(
            "unknown measure `often`: expected `amount`, `interval` or `daily`",
        ))
        .stderr(predicate::str::contains("HL395-both.toml"))
        .stderr(predicate::str::contains("an interval is not a threshold"))
        // Doses per day are read only for an action marked `daily` ("ice" is not one).
        .stderr(predicate::str::contains("HL394-daily.toml"))
        .stderr(predicate::str::contains(
            "`quantity` must name an action marked `daily`",
        ));
}

#[test]
fn config_unknown_key_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("healthlint.toml"),
        "fail-on = \"error\"\n[rules]\nselectt = [\"HL1\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.md"), "# Hi\n").unwrap();
    healthlint_in(dir.path())
        .args(["check", "a.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("healthlint.toml"))
        .stderr(predicate::str::contains("unknown field `selectt`"))
        .stderr(predicate::str::contains("3 │ selectt"));
}

#[test]
fn config_is_found_upward_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    // The pattern is relative to the config file's folder, not to where the run starts.
    std::fs::write(
        dir.path().join("healthlint.toml"),
        "exclude = [\"sub/drafts/**\"]\n[rules]\nignore = [\"HL501\"]\nseverity = { HL502 = \"error\" }\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("sub/drafts")).unwrap();
    std::fs::write(
        dir.path().join("sub/a.md"),
        "It is 100% safe. A miracle cure.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("sub/drafts/b.md"), "A miracle cure.\n").unwrap();
    healthlint_in(dir.path().join("sub"))
        .args(["check", "--format", "concise", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("a.md:1:20: error[HL502]"))
        .stdout(predicate::str::contains("HL501").not())
        .stdout(predicate::str::contains("b.md").not());
}

#[test]
fn suppressions_silence_and_unused_ones_are_reported() {
    healthlint()
        .args([
            "check",
            "--isolated",
            "--format",
            "concise",
            "fixtures/projects/suppressions/article.md",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("article.md:3:").not())
        .stdout(predicate::str::contains("article.md:11:1: warning[HL501]"))
        .stdout(predicate::str::contains("article.md:13:42: warning[HL003]"))
        .stdout(predicate::str::contains("article.md:16:1: warning[HL005]"))
        .stdout(predicate::str::contains("HL502").not());
}

#[test]
fn binary_files_are_skipped_when_walked_and_errors_when_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("image.md"), b"\x89PNG\0\0\x01").unwrap();
    std::fs::write(dir.path().join("ok.md"), "# Fine\n").unwrap();
    healthlint_in(dir.path())
        .args(["check", "--isolated", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "note: skipped image.md: binary file",
        ));
    healthlint_in(dir.path())
        .args(["check", "--isolated", "--format", "concise", "image.md"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("image.md:1:1: error[HL004]"));
}

#[test]
fn rules_and_explain() {
    let out = healthlint()
        .args(["rules", "--isolated", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"HL000") && codes.contains(&"HL501"));
    healthlint()
        .args(["explain", "HL501"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Why it matters"))
        .stdout(predicate::str::contains("References"));
    healthlint()
        .args(["explain", "HL999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule"));
}

#[test]
fn github_annotations() {
    healthlint()
        .args(["check", "--isolated", "--select", "HL5", "--format", "github", "fixtures/rules/HL502/fail_miracle_cure.md"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::warning file=fixtures/rules/HL502/fail_miracle_cure.md,line=3,endLine=3,col=6,endColumn=18,title=HL502 miracle-cure-claim::",
        ));
}

#[test]
fn usage_errors_exit_2() {
    healthlint()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    healthlint()
        .args(["check", "--isolated", "--jobs", "0", "."])
        .assert()
        .code(2);
    healthlint()
        .args(["check", "--isolated", "--select", "XY1", "."])
        .assert()
        .code(2);
}

/// An article that says to avoid heat on a new sprain: the other side of the heat articles
/// in the cross-document tests.
const ICE: &str = "# Sprained ankle\n\nFor a new ankle sprain, use ice in the first 48 hours. \
                   Never use heat in the first 48 hours.\n";

/// Regression: cross-document findings are merged after the other files' output has been
/// rendered, so a file with no finding of its own that gains one there must still get its
/// JSON separators right, and the output must not depend on the thread count.
#[test]
fn cross_document_findings_added_late_keep_the_output_whole() {
    let dir = tempfile::tempdir().unwrap();
    let heat = "# Ankle sprain\n\nFor a new ankle sprain, apply heat in the first 48 hours.\n";
    for (name, text) in [("a.md", heat), ("b.md", ICE), ("c.md", heat)] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let run = |jobs: &str, format: &str| {
        healthlint()
            .current_dir(dir.path())
            .args(["check", "--isolated", "--select", "HL3,HL4", "--jobs", jobs])
            .args(["--format", format, "."])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    let out = run("1", "json");
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let found: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("a.md", "HL401"),
            ("b.md", "HL401"),
            ("b.md", "HL401"),
            ("c.md", "HL401")
        ],
        "{json:#}"
    );
    assert_eq!(json["summary"]["warning"], 4);
    for format in ["json", "concise", "pretty"] {
        assert_eq!(run("1", format), run("2", format), "{format}");
    }
}

/// A folder of more than 256 articles: one says to heat a fresh sprain straight away, 150
/// say to avoid heat for the first two days, the rest say nothing about heat. Every file
/// that disagrees gets its finding pointing at the other side, and the heat article gets the
/// first two, whatever the size of the folder.
#[test]
fn cross_document_conflicts_are_found_in_a_folder_of_hundreds_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let heat = "# Sprained wrist\n\nFor a sprain, put a heat pack on straight away and keep it \
                on for three days.\n";
    let avoid = "# Sprains\n\nAvoid heat for the first 48 to 72 hours after a sprain, as it \
                 makes the swelling worse.\n";
    let other = "# Sore feet\n\nComfortable shoes with a cushioned sole ease sore feet.\n";
    std::fs::write(dir.path().join("aa-heat.md"), heat).unwrap();
    for i in 0..150 {
        std::fs::write(dir.path().join(format!("avoid-{i:03}.md")), avoid).unwrap();
        std::fs::write(dir.path().join(format!("other-{i:03}.md")), other).unwrap();
    }
    let json = json_of(
        healthlint()
            .current_dir(dir.path())
            .args([
                "check",
                "--isolated",
                "--select",
                "HL3,HL4",
                "--format",
                "json",
                ".",
            ])
            .assert()
            .code(1),
    );
    let found: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "HL401")
        .map(|d| {
            assert_eq!(d["category"], "consistency");
            (
                d["path"].as_str().unwrap(),
                d["related"][0]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found.len(), 152, "{found:?}");
    assert_eq!(found[0], ("aa-heat.md", "avoid-000.md"));
    assert_eq!(found[1], ("aa-heat.md", "avoid-001.md"));
    for (i, (path, related)) in found[2..].iter().enumerate() {
        assert_eq!(*path, format!("avoid-{i:03}.md"));
        assert_eq!(*related, "aa-heat.md");
    }
}

/// A related location counts UTF-16 units as the other file's own findings do, although
/// that file's text is gone when the finding is written.
#[test]
fn related_locations_have_the_utf16_column_of_the_other_file() {
    let dir = tempfile::tempdir().unwrap();
    let heat = "# Ankle sprain\n\n😀 For a new ankle sprain, apply heat in the first 48 hours.\n";
    std::fs::write(dir.path().join("heat.md"), heat).unwrap();
    std::fs::write(dir.path().join("ice.md"), ICE).unwrap();
    let json = json_of(
        healthlint()
            .current_dir(dir.path())
            .args([
                "check",
                "--isolated",
                "--format",
                "json",
                "heat.md",
                "ice.md",
            ])
            .assert()
            .code(1),
    );
    let cross = |path: &str| {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "HL401" && d["path"] == path)
            .unwrap_or_else(|| panic!("no HL401 on {path}: {json:#}"))
            .clone()
    };
    let on_heat = cross("heat.md")["start"].clone();
    let pointing_at_heat = cross("ice.md")["related"][0]["start"].clone();
    assert_eq!(pointing_at_heat, on_heat);
    assert_eq!(
        on_heat["column_utf16"].as_u64().unwrap(),
        on_heat["column"].as_u64().unwrap() + 1,
        "the emoji is two UTF-16 units"
    );
}

#[test]
fn cross_document_conflict_is_reported_on_each_file_with_a_related_location() {
    let a = "fixtures/rules/HL401/fail_heat_across_articles.md";
    let b = "fixtures/rules/HL401/companions/fail_heat_across_articles.md";
    let json = json_of(
        healthlint()
            .args(["check", "--isolated", "--format", "json", a, b])
            .assert()
            .code(1),
    );
    let cross: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "HL401")
        .collect();
    assert_eq!(cross.len(), 2, "one finding on each file: {json:#}");
    assert_eq!(cross[0]["category"], "consistency");
    // Each points at the other file.
    assert_eq!(cross[0]["path"], b);
    assert_eq!(cross[0]["related"][0]["path"], a);
    assert_eq!(cross[1]["path"], a);
    assert_eq!(cross[1]["related"][0]["path"], b);
    assert_eq!(cross[1]["related"][0]["start"]["line"], 4);

    // Switched off by the flag.
    healthlint()
        .args([
            "check",
            "--isolated",
            "--no-cross-document",
            "--select",
            "HL4",
            a,
            b,
        ])
        .assert()
        .code(0);
}

#[test]
fn a_reader_that_stops_early_makes_the_run_exit_2() {
    use std::io::Read;
    use std::process::Stdio;
    // The fixtures render to far more than a pipe holds (about 64 KB), so the linter is still
    // writing when the reader goes away, whatever the timing.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_healthlint"))
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .args(["check", "--isolated", "fixtures"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("output was closed"));
}

/// Pretty output stays proportional to the findings (issue 20, D2): one long line with
/// thousands of findings used to render the whole line once per finding (hundreds of MB).
#[test]
fn pretty_output_of_one_long_line_is_bounded_and_names_true_columns() {
    let dir = tempfile::tempdir().unwrap();
    let line = vec!["a miracle cure"; 3000].join(", ");
    std::fs::write(dir.path().join("long.md"), format!("# Notes\n\n{line}\n")).unwrap();
    let run = |format: &str| {
        let out = healthlint_in(dir.path())
            .args([
                "check",
                "--isolated",
                "--select",
                "HL502",
                "--format",
                format,
                "long.md",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let json = run("json");
    let pretty = run("pretty");
    assert!(
        pretty.len() < json.len(),
        "pretty {} bytes, json {} bytes",
        pretty.len(),
        json.len()
    );
    assert!(
        pretty.contains("more HL502 findings are not shown"),
        "{pretty}"
    );
    // The 20th finding's header names the column in the file, as concise output does.
    let concise = run("concise");
    let twentieth = concise.lines().nth(19).unwrap();
    let location = twentieth.split(": ").next().unwrap();
    assert!(
        pretty.contains(&format!("[ {location} ]")),
        "{location} not in pretty output"
    );
}

/// A walked FIFO with an article's name was ignored without a word (issue 20, D5); reading
/// it could block forever, so it is skipped, and every format says so.
#[cfg(unix)]
#[test]
fn walked_special_files_are_listed_as_skipped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.md"), "# Fine\n").unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.md"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; nothing to test");
        return;
    }
    for (format, expected) in [
        ("concise", "note: skipped pipe.md: a named pipe (FIFO)"),
        ("pretty", "note: skipped pipe.md: a named pipe (FIFO)"),
        (
            "github",
            "::notice file=pipe.md::skipped: a named pipe (FIFO)",
        ),
        (
            "json",
            r#"{"path":"pipe.md","reason":"a named pipe (FIFO), not a regular file"}"#,
        ),
        (
            "junit",
            r#"<testcase name="pipe.md" classname="pipe.md" file="pipe.md"><skipped message="a named pipe (FIFO), not a regular file"/>"#,
        ),
    ] {
        healthlint_in(dir.path())
            .args(["check", "--isolated", "--format", format, "."])
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(0)
            .stdout(predicate::str::contains(expected));
    }
}

/// Stream mode (issue 17): one output line per record, in input order, across windows; bad
/// records get an error object and the stream goes on; output is the same for any thread
/// count; a document gives the same findings as the same text checked as a file.
#[test]
fn stream_mode_answers_every_record_in_order() {
    let mut input = String::new();
    let mut expected_errors = 0;
    let bad_lines = [
        "not json at all",
        "[1, 2, 3]",
        r#"{"id": "no-text"}"#,
        r#"{"id": "bad-format", "text": "x", "format": "pdf"}"#,
        r#"{"id": 7, "text": 42}"#,
        "{\"id\": \"cut",
    ];
    for i in 0..700 {
        if i % 7 == 3 {
            input.push_str(bad_lines[i % bad_lines.len()]);
            expected_errors += 1;
        } else {
            let text = if i % 2 == 0 {
                "# Ankle sprain\n\nPut heat on it straight away.\n\nThis cream is 100% safe."
            } else {
                "A calm page about sleep."
            };
            input
                .push_str(&serde_json::json!({"id": format!("doc-{i}"), "path": format!("doc-{i}.md"), "text": text}).to_string());
        }
        input.push('\n');
        if i % 50 == 0 {
            input.push('\n'); // blank lines are not records
        }
    }
    let run = |jobs: &str| {
        healthlint()
            .args(["check", "--isolated", "--input", "jsonl", "--jobs", jobs])
            .write_stdin(input.clone())
            .assert()
            .code(2)
            .get_output()
            .stdout
            .clone()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let lines: Vec<serde_json::Value> = String::from_utf8(one)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 700);
    let errors = lines.iter().filter(|l| l.get("error").is_some()).count();
    assert_eq!(errors, expected_errors);
    let input_lines: Vec<usize> = lines
        .iter()
        .map(|l| l["line"].as_u64().unwrap() as usize)
        .collect();
    assert!(input_lines.windows(2).all(|w| w[0] < w[1]), "input order");
    let first = &lines[0];
    assert_eq!(first["id"], "doc-0");
    let codes: Vec<&str> = first["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"HL501"), "{codes:?}");

    // The same text as a file gives the same findings.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("doc-0.md"),
        "# Ankle sprain\n\nPut heat on it straight away.\n\nThis cream is 100% safe.",
    )
    .unwrap();
    let file_run = healthlint_in(dir.path())
        .args(["check", "--isolated", "--format", "jsonl", "doc-0.md"])
        .output()
        .unwrap();
    let file_line: serde_json::Value =
        serde_json::from_slice(&file_run.stdout).expect("one JSON line");
    assert_eq!(file_line["diagnostics"], first["diagnostics"]);
}

#[test]
fn stream_mode_refuses_paths_and_other_formats() {
    healthlint()
        .args(["check", "--input", "jsonl", "fixtures"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give no paths"));
    healthlint()
        .args(["check", "--input", "jsonl", "--format", "json"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format jsonl"));
}

#[test]
fn inspect_shows_the_document_model_as_text_and_json() {
    healthlint()
        .args(["inspect", "fixtures/rules/HL100/pass_patient_leaflet.md"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("kind: drug-information"))
        .stdout(predicate::str::contains("needs guidance: no"));
    let model = json_of(
        healthlint()
            .args([
                "inspect",
                "--format",
                "json",
                "fixtures/rules/HL100/pass_us_wording.md",
            ])
            .assert()
            .code(0),
    );
    assert_eq!(model["kind"], "condition");
    assert_eq!(model["needs_guidance"], true);
    let signs = model["guidance"].as_array().unwrap();
    assert!(signs.iter().any(|s| s["text"] == "trouble breathing"));
    assert!(signs.iter().all(|s| s["line"] == 7));
    assert_eq!(model["signs_not_counted"], serde_json::json!([]));
    // A sign the page names, followed by tips rather than care: listed as not counted.
    healthlint()
        .args([
            "inspect",
            "fixtures/rules/HL100/fail_sign_sentence_then_list_without_urgent_care.md",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("warning signs tied to care: 0"))
        .stdout(predicate::str::contains(
            "warning signs not counted: 1\n  14:429-457  thoughts of harming yourself\n",
        ));
}

#[test]
fn locale_picks_the_emergency_number_in_red_flag_help() {
    let dir = tempfile::tempdir().unwrap();
    let article = "# Low back pain\n\nLow back pain usually settles. Keep moving and use heat.\n";
    std::fs::write(dir.path().join("a.md"), article).unwrap();
    let run = |config: Option<&str>| {
        if let Some(c) = config {
            std::fs::write(dir.path().join("healthlint.toml"), c).unwrap();
        }
        let json = json_of(
            healthlint_in(dir.path())
                .args(["check", "--format", "json", "--select", "HL101", "a.md"])
                .assert()
                .code(1),
        );
        json["diagnostics"][0]["help"].as_str().unwrap().to_string()
    };
    let neutral = run(None);
    assert!(neutral.contains("your local emergency number"), "{neutral}");
    assert!(!neutral.contains("999"), "{neutral}");
    let us = run(Some("locale = \"us\"\n"));
    assert!(us.contains("call 911"), "{us}");
    let uk = run(Some("locale = \"uk\"\n"));
    assert!(uk.contains("call 999 or go to A&E"), "{uk}");
}

#[test]
fn a_code_that_matches_no_rule_is_an_error_on_the_flag_and_in_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "A miracle cure.\n").unwrap();
    // Before: `--select HL999` checked no rule and exited 0.
    healthlint_in(dir.path())
        .args(["check", "--isolated", "--select", "HL999", "a.md"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--select: `HL999` matches no rule",
        ));
    healthlint_in(dir.path())
        .args(["check", "--isolated", "--ignore", "HL9", "a.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--ignore: `HL9` matches no rule"));
    std::fs::write(
        dir.path().join("healthlint.toml"),
        "[rules]\nselect = [\"HL5\", \"HL777\"]\nseverity = { HL888 = \"info\" }\n",
    )
    .unwrap();
    healthlint_in(dir.path())
        .args(["check", "a.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("healthlint.toml"))
        .stderr(predicate::str::contains(
            "2 │ select = [\"HL5\", \"HL777\"]",
        ))
        .stderr(predicate::str::contains("`HL777` matches no rule"))
        .stderr(predicate::str::contains("`HL888` matches no rule"))
        .stderr(predicate::str::contains("`HL5` matches").not());
    // Prefixes that match some rule, and the tool's own codes, stay valid.
    healthlint_in(dir.path())
        .args(["check", "--isolated", "--select", "HL5,HL00", "a.md"])
        .assert()
        .code(1);
}

/// A folder with two articles whose advice on heat after a sprain conflicts.
fn conflicting_sprain_articles() -> tempfile::TempDir {
    two_articles(
        "# Ankle sprain\n\nFor a new ankle sprain, apply heat in the first 48 hours.\n",
        "# Sprained ankle\n\nFor a new ankle sprain, never use heat in the first 48 hours.\n",
    )
}

/// A folder with `a.md` and `b.md`, for comparisons across articles.
fn two_articles(a: &str, b: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), a).unwrap();
    std::fs::write(dir.path().join("b.md"), b).unwrap();
    dir
}

/// `check --select CODES --format concise` on a folder that has findings.
fn concise_findings(dir: &std::path::Path, codes: &str) -> String {
    let out = healthlint_in(dir)
        .args([
            "check",
            "--isolated",
            "--select",
            codes,
            "--format",
            "concise",
            ".",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn intervals_between_ice_sessions_are_compared_across_articles() {
    let dir = two_articles(
        "# Sprained wrist\n\nIce the wrist every 2 to 3 hours for the first two days.\n",
        "# Wrist sprain care\n\nPut a cold pack on the wrist every 20 minutes for the first two days.\n",
    );
    let out = concise_findings(dir.path(), "HL401");
    assert!(
        out.contains("a.md:3:1: warning[HL401] advice conflicts with b.md: this article repeats ice every 2 h–3 h, that one repeats ice about every 20 min (related: b.md:3:"),
        "{out}"
    );
    assert_eq!(out.matches("warning[HL401]").count(), 2, "{out}");
}

#[test]
fn maximum_daily_doses_are_compared_across_articles_by_medicine() {
    // A brand and a generic name are one medicine; another medicine's maximum is not compared.
    let dir = two_articles(
        "# Headache relief\n\nAdults can take up to 4 g of acetaminophen in 24 hours.\n\n\
         Ibuprofen: no more than 1,200 mg a day.\n",
        "# Fever\n\nNever take more than 3,000 mg of Tylenol a day.\n",
    );
    let out = concise_findings(dir.path(), "HL401");
    assert!(
        out.contains("a.md:3:23: warning[HL401] advice conflicts with b.md: this article allows at most 4 g of paracetamol a day, that one allows at most 3 g of paracetamol a day (related: b.md:3:"),
        "{out}"
    );
    assert_eq!(out.matches("warning[HL401]").count(), 2, "{out}");
}

#[test]
fn selecting_the_cross_document_rule_alone_compares_without_reporting_the_others() {
    let dir = conflicting_sprain_articles();
    // Before: `--select HL401` reported nothing, because the statements it compares come
    // from the HL3xx rules, which the selection left out.
    let out = concise_findings(dir.path(), "HL401");
    let codes: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once("warning[").map(|(_, rest)| &rest[..5]))
        .collect();
    assert_eq!(codes, ["HL401", "HL401"], "{out}");
    // `rules` shows the compared rules as not selected.
    let rules = json_of(
        healthlint_in(dir.path())
            .args([
                "rules",
                "--isolated",
                "--select",
                "HL401",
                "--format",
                "json",
            ])
            .assert()
            .success(),
    );
    let selected: Vec<&str> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["selected"] == true)
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(selected, ["HL401"]);
}

#[test]
fn concise_is_one_line_per_finding_with_related_places_at_its_end() {
    let dir = conflicting_sprain_articles();
    let out = concise_findings(dir.path(), "HL4");
    let lines: Vec<&str> = out.lines().collect();
    // Before: each finding had a second, indented `related:` line.
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("a.md:3:"), "{out}");
    assert!(
        lines[0].ends_with(")") && lines[0].contains("(related: b.md:3:"),
        "{out}"
    );
    assert!(lines[1].starts_with("b.md:3:"), "{out}");
    assert!(lines[2].starts_with("Checked 2 files"), "{out}");
}

/// A folder `site` (in the returned folder) with `config` as its `healthlint.toml` and the same
/// finding in an article at each place an exclude pattern might reach.
fn site_with_drafts(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    for name in [
        "keep.md",
        "old.md",
        "drafts/wip.md",
        "articles/ok.md",
        "articles/old.md",
        "articles/drafts/nested.md",
    ] {
        let path = site.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "A miracle cure.\n").unwrap();
    }
    std::fs::write(site.join("healthlint.toml"), config).unwrap();
    dir
}

/// The files `check --select HL502 ARGS` run in `dir/run_in` reports findings in, as paths
/// below `dir/site`, sorted: runs from different folders compare equal.
fn flagged(dir: &tempfile::TempDir, run_in: &str, args: &[&str]) -> Vec<String> {
    let cwd = dir.path().join(run_in);
    let out = healthlint_in(&cwd)
        .args(["check", "--select", "HL502", "--format", "json"])
        .args(args)
        .write_stdin("A miracle cure.\n")
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let site = dir.path().join("site").canonicalize().unwrap();
    let mut paths: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = cwd.join(d["path"].as_str().unwrap());
            let path = path.canonicalize().unwrap_or(path);
            let below = path.strip_prefix(&site).unwrap_or(&path);
            below.to_string_lossy().replace('\\', "/")
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn config_excludes_are_relative_to_the_config_file_from_any_folder() {
    let dir = site_with_drafts("exclude = [\"drafts/**\", \"/old.md\"]\n");
    // A slash anchors a pattern to the config file's folder: `site/drafts` and `site/old.md`
    // are skipped, `site/articles/drafts` and `site/articles/old.md` are not.
    let expected = [
        "articles/drafts/nested.md",
        "articles/ok.md",
        "articles/old.md",
        "keep.md",
    ];
    assert_eq!(flagged(&dir, "site", &[]), expected);
    // Before: from the parent folder, neither pattern matched `site/drafts/wip.md` or
    // `site/old.md`.
    assert_eq!(
        flagged(&dir, "", &["--config", "site/healthlint.toml", "site"]),
        expected
    );
    assert_eq!(flagged(&dir, "site/articles", &[".."]), expected);
}

#[test]
fn a_bare_name_excludes_at_any_depth_and_a_trailing_slash_folders_only() {
    let dir = site_with_drafts("");
    let without_drafts = ["articles/ok.md", "articles/old.md", "keep.md", "old.md"];
    // Before: `drafts` skipped only the top-level folder, `drafts/` nothing.
    assert_eq!(
        flagged(&dir, "site", &["--exclude", "drafts"]),
        without_drafts
    );
    assert_eq!(
        flagged(&dir, "site", &["--exclude", "drafts/"]),
        without_drafts
    );
    let without_old = [
        "articles/drafts/nested.md",
        "articles/ok.md",
        "drafts/wip.md",
        "keep.md",
    ];
    assert_eq!(flagged(&dir, "site", &["--exclude", "old.md"]), without_old);
    let everything = flagged(&dir, "site", &[]);
    assert_eq!(everything.len(), 6, "{everything:?}");
    assert_eq!(flagged(&dir, "site", &["--exclude", "old.md/"]), everything);
    // `--exclude` is relative to the working directory: from `site/articles`, `/drafts` is
    // `site/articles/drafts`, not `site/drafts`.
    let out = flagged(&dir, "site/articles", &["--exclude", "/drafts", ".."]);
    let mut expected = everything.clone();
    expected.retain(|p| p != "articles/drafts/nested.md");
    assert_eq!(out, expected);
}

#[test]
fn force_exclude_applies_the_excludes_to_named_files() {
    let dir = site_with_drafts("exclude = [\"drafts/\"]\n");
    // Named files are checked even when excluded (a user asking for one file means it)...
    assert_eq!(flagged(&dir, "site", &["drafts/wip.md"]), ["drafts/wip.md"]);
    // ...unless `--force-exclude` says otherwise, as a pre-commit hook that passes every
    // changed file needs; a file below an excluded folder is excluded with it.
    assert_eq!(
        flagged(
            &dir,
            "site",
            &["--force-exclude", "drafts/wip.md", "articles/ok.md"]
        ),
        ["articles/ok.md"]
    );
    assert!(flagged(&dir, "site", &["--force-exclude", "drafts"]).is_empty());
    assert!(flagged(&dir, "site/drafts", &["--force-exclude", "wip.md"]).is_empty());
    assert!(flagged(
        &dir,
        "site",
        &["--force-exclude", "--stdin-filename", "drafts/new.md", "-"]
    )
    .is_empty());
    healthlint_in(dir.path().join("site"))
        .args(["check", "--force-exclude", "--format", "concise"])
        .arg("articles/drafts/nested.md")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Checked 0 files"));
}

#[test]
fn an_invalid_exclude_pattern_is_an_error_naming_the_file_and_the_key() {
    let dir = site_with_drafts("fail-on = \"error\"\nexclude = [\"drafts/\", \"notes/[ab\"]\n");
    // Before: the message said `invalid glob` without naming the key.
    healthlint_in(dir.path().join("site"))
        .args(["check", "keep.md"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("healthlint.toml"))
        .stderr(predicate::str::contains(
            "2 │ exclude = [\"drafts/\", \"notes/[ab\"]",
        ))
        .stderr(predicate::str::contains(
            "invalid glob in `exclude`: unclosed character class",
        ));
    healthlint_in(dir.path().join("site"))
        .args(["check", "--isolated", "--exclude", "{a,b", "keep.md"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--exclude: invalid glob `{a,b`"));
}

/// A cross-document finding is added after the file's own checks, and its own suppression
/// comments still apply to it: a code, in the HTML or the MDX comment form, or a blanket
/// comment. Regression: the file's own pass, which cannot see that finding, reported the
/// comment that silenced it as unused (HL003). A comment that silences nothing is still
/// reported.
#[test]
fn a_cross_document_finding_is_silenced_by_the_files_own_comment() {
    let dir = tempfile::tempdir().unwrap();
    let heat = "# Sprained wrist\n\n\
                {/* healthlint-disable-next-line HL401: our physio team asked for this */}\n\
                For a sprain, put a heat pack on straight away and keep it on for three days.\n";
    let avoid = "Avoid heat for the first 48 to 72 hours after a sprain, as it makes the \
                 swelling worse.\n";
    let files = [
        ("a-heat.mdx", heat.to_string()),
        (
            "b-avoid.md",
            format!("# Sprains\n\n<!-- healthlint-disable-next-line HL401 -->\n{avoid}"),
        ),
        (
            "c-avoid.md",
            format!("# Sprains\n\n<!-- healthlint-disable-next-line -->\n{avoid}"),
        ),
        ("d-avoid.md", format!("# Wrist sprain\n\n{avoid}")),
        (
            "e-calm.md",
            "# Sleep\n\n<!-- healthlint-disable-next-line HL401 -->\nA calm page.\n".to_string(),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let run = |jobs: &str| {
        healthlint_in(dir.path())
            .args(["check", "--isolated", "--select", "HL3,HL4,HL003"])
            .args(["--format", "concise", "--jobs", jobs, "."])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    let out = String::from_utf8(run("1")).unwrap();
    let found: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(": warning["))
        .map(|l| l.split(" (related").next().unwrap())
        .collect();
    assert_eq!(
        found,
        [
            "d-avoid.md:3:7: warning[HL401] advice conflicts with a-heat.mdx: this article \
             advises against heat in the first 2 days, that one recommends heat straight away",
            "e-calm.md:3:35: warning[HL003] `HL401` is suppressed here but reports nothing",
        ],
        "{out}"
    );
    assert!(
        out.ends_with("Checked 5 files: 0 errors, 2 warnings, 0 info.\n"),
        "{out}"
    );
    assert_eq!(run("2"), out.as_bytes());
}
