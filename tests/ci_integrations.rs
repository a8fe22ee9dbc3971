//! The files that other tools read to run healthlint: `.pre-commit-hooks.yaml` (pre-commit)
//! and `action.yml` (a composite GitHub Action). Each is parsed as YAML, and what it runs is
//! run here against the real binary, so a flag renamed in the CLI breaks a test, not a user's
//! CI. (`scripts/pre-commit-test.sh`, run by `.ci/run`, also runs the hook through pre-commit
//! itself.)

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value;

const BAD: &str = "# Back pain\n\nThis miracle cure ends back pain for good, guaranteed.\n";
const GOOD: &str = "# Lentil soup\n\nSimmer red lentils with an onion and a carrot for half an hour, then season.\n";

fn yaml(name: &str) -> Value {
    let path = common::root().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"))
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {value:?}"))
}

fn articles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.md"), BAD).unwrap();
    std::fs::write(dir.path().join("good.md"), GOOD).unwrap();
    std::fs::create_dir(dir.path().join("drafts")).unwrap();
    std::fs::write(dir.path().join("drafts/wip.md"), BAD).unwrap();
    std::fs::write(
        dir.path().join("healthlint.toml"),
        "exclude = [\"drafts/\"]\n",
    )
    .unwrap();
    dir
}

#[test]
fn pre_commit_hook_is_valid_and_its_entry_runs_on_the_files_it_selects() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().expect("a list of hooks");
    let hook = hooks
        .iter()
        .find(|h| h["id"].as_str() == Some("healthlint"))
        .expect("a hook with id healthlint");
    for key in ["id", "name", "entry", "language"] {
        assert!(hook[key].as_str().is_some(), "the hook needs `{key}`");
    }
    assert_eq!(str_of(hook, "language"), "rust");
    assert_eq!(hook["require_serial"].as_bool(), Some(false));
    let types: Vec<&str> = hook["types_or"]
        .as_sequence()
        .expect("types_or")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(types, ["markdown", "text"]);
    // pre-commit matches `files` with Python's re.search; this regex means the same in Rust.
    let files = regex::Regex::new(str_of(hook, "files")).unwrap();
    for name in ["a.md", "dir/b.mdx", "c.markdown", "d.txt"] {
        assert!(files.is_match(name), "{name} not selected");
    }
    for name in ["a.rs", "md", "notes.md.bak", "README"] {
        assert!(!files.is_match(name), "{name} selected");
    }

    // pre-commit runs `entry` followed by the selected file names.
    let entry: Vec<&str> = str_of(hook, "entry").split_whitespace().collect();
    assert_eq!(entry[0], "healthlint");
    let dir = articles();
    let run = |files: &[&str]| {
        let args: Vec<&str> = entry[1..].iter().chain(files).copied().collect();
        common::captured(dir.path(), &args)
    };
    let (code, stdout, stderr) = run(&["bad.md"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("HL502"), "{stdout}");
    let (code, stdout, stderr) = run(&["good.md"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // A changed file that the config excludes is skipped.
    let (code, stdout, stderr) = run(&["good.md", "drafts/wip.md"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

/// The action's inputs with their defaults, and `overrides` on top.
fn inputs(action: &Value, overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = action["inputs"]
        .as_mapping()
        .expect("inputs")
        .iter()
        .map(|(k, v)| {
            let default = match &v["default"] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => panic!("default of {k:?} is not a string: {other:?}"),
            };
            (k.as_str().unwrap().to_string(), default)
        })
        .collect();
    for (k, v) in overrides {
        assert!(values.contains_key(*k), "no input `{k}`");
        values.insert(k.to_string(), v.to_string());
    }
    values
}

/// Replaces `${{ inputs.NAME }}` as GitHub does (other expressions are left alone).
fn expand(text: &str, inputs: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (name, value) in inputs {
        out = out.replace(&format!("${{{{ inputs.{name} }}}}"), value);
    }
    out
}

/// Runs the action's `check` step with bash, as the runner would, with the built binary on
/// the PATH: (exit code, stdout, step summary, step outputs).
fn run_check_step(dir: &Path, overrides: &[(&str, &str)]) -> (i32, String, String, String) {
    let action = yaml("action.yml");
    let values = inputs(&action, overrides);
    let step = action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some("check"))
        .expect("a step with id check");
    assert_eq!(str_of(step, "shell"), "bash");
    let script = str_of(step, "run");
    let bin = assert_cmd::cargo::cargo_bin("healthlint");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The runner keeps these files outside the workspace; inside it they would be checked.
    let files = tempfile::tempdir().unwrap();
    let summary = files.path().join("summary.md");
    let outputs = files.path().join("outputs.txt");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs);
    for (key, value) in step["env"].as_mapping().expect("env") {
        cmd.env(
            key.as_str().unwrap(),
            expand(value.as_str().unwrap(), &values),
        );
    }
    let out = cmd.output().unwrap();
    let take = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        take(&summary),
        take(&outputs),
    )
}

#[test]
fn action_yml_is_a_composite_action_with_the_documented_inputs() {
    let action = yaml("action.yml");
    assert_eq!(str_of(&action["runs"], "using"), "composite");
    let values = inputs(&action, &[]);
    assert_eq!(values["paths"], ".");
    assert_eq!(values["format"], "github");
    assert_eq!(values["args"], "");
    assert_eq!(values["summary"], "true");
    let install = action["runs"]["steps"][0]["run"].as_str().unwrap();
    assert!(
        install.contains("cargo install --locked --path \"$ACTION_PATH\""),
        "{install}"
    );
    assert!(install.contains("GITHUB_PATH"), "{install}");
}

#[test]
#[cfg(unix)]
fn action_check_step_annotates_keeps_the_exit_code_and_writes_a_summary() {
    let dir = articles();
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());

    let (code, stdout, summary, outputs) = run_check_step(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("::warning file=bad.md"), "{stdout}");
    assert!(!stdout.contains("drafts/wip.md"), "{stdout}");
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    if python {
        assert!(summary.contains("## healthlint failed"), "{summary}");
        assert!(
            summary.contains("| HL502 | warning | `miracle-cure-claim` |"),
            "{summary}"
        );
        assert!(summary.contains("Checked 2 of 2 files"), "{summary}");
    }

    // Two paths, one per line, and extra arguments.
    let (code, stdout, summary, _) = run_check_step(
        dir.path(),
        &[("paths", "good.md\nbad.md"), ("args", "--ignore HL1,HL5")],
    );
    assert_eq!(code, 0, "{stdout}");
    if python {
        assert!(summary.contains("## healthlint passed"), "{summary}");
        assert!(!summary.contains("| count |"), "{summary}");
    }

    // An empty list (no changed articles) checks nothing and passes.
    let (code, stdout, _, _) = run_check_step(dir.path(), &[("paths", "")]);
    assert_eq!(code, 0, "{stdout}");

    // A usage error keeps its exit code and writes no summary.
    let (code, _, summary, _) = run_check_step(dir.path(), &[("args", "--select HL999")]);
    assert_eq!(code, 2);
    assert!(summary.is_empty(), "{summary}");
}
