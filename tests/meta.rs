//! Checks on the project itself: rule codes and names are unique (the loader enforces it;
//! this test makes sure the built-in set loads), every built-in rule has its docs, a fail and
//! a pass fixture, and a row in the README.

mod common;

use std::collections::BTreeSet;

#[test]
fn every_builtin_rule_has_docs_fixtures_and_a_readme_row() {
    let linter = common::linter(&["HL"]);
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let mut problems = Vec::new();
    let mut names = BTreeSet::new();
    for rule in &linter.rules.rules {
        let m = &rule.meta;
        let code = m.id.code.as_ref();
        assert!(
            names.insert(m.id.name.to_string()),
            "duplicate name {}",
            m.id.name
        );
        for (field, value) in [
            ("why", &m.docs.why),
            ("example-fail", &m.docs.example_fail),
            ("example-pass", &m.docs.example_pass),
        ] {
            if value.trim().len() < 10 {
                problems.push(format!("{code}: docs.{field} is missing or too short"));
            }
        }
        if m.docs.references.is_empty() {
            problems.push(format!("{code}: docs.references is empty"));
        }
        if m.help.as_deref().unwrap_or("").trim().is_empty() {
            problems.push(format!("{code}: help is missing"));
        }
        let dir = common::root().join("fixtures/rules").join(code);
        let files: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        if !files.iter().any(|f| f.starts_with("fail_")) {
            problems.push(format!("{code}: no fail_* fixture in {}", dir.display()));
        }
        if !files.iter().any(|f| f.starts_with("pass_")) {
            problems.push(format!("{code}: no pass_* fixture in {}", dir.display()));
        }
        if !readme.contains(&format!("| {code} ")) {
            problems.push(format!("{code}: no row in the README rules table"));
        }
    }
    for t in healthlint::diagnostic::tool::ALL {
        if !readme.contains(&format!("| {} ", t.code)) {
            problems.push(format!("{}: no row in the README rules table", t.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_folder_names_a_builtin_rule() {
    let linter = common::linter(&["HL"]);
    for entry in std::fs::read_dir(common::root().join("fixtures/rules"))
        .unwrap()
        .flatten()
    {
        let code = entry.file_name().to_string_lossy().to_string();
        assert!(
            linter.rules.get(&code).is_some(),
            "fixtures/rules/{code} names no built-in rule"
        );
    }
}
