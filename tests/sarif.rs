//! `--format sarif`: the log validates against the official SARIF 2.1.0 JSON schema, shipped
//! as `tests/data/sarif-schema-2.1.0.json`, and says what `--format json` says.
//!
//! The schema is a revision of the OASIS SARIF TC's `Schemata/sarif-schema-2.1.0.json` (its
//! `$id` names the oasis-tcs/sarif-spec repository), as the `serde-sarif` crate (0.8.0,
//! `src/schema.json`) vendors it, byte for byte. Its definitions match, object for object,
//! the schema of Microsoft's SARIF SDK (the `@microsoft/sarif-multitool` package's
//! `sarif-2.1.0.json`) except in two ways the TC's repository shares: GUIDs are checked with
//! a `pattern` rather than `format: uuid`, and the `language` pattern (see
//! [`schema_errors`]).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

/// `check --isolated ARGS` in `dir`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let all: Vec<&str> = ["check", "--isolated"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    common::captured(dir, &all)
}

/// Errors of `log` against the official schema, formats (`uri`, `uri-reference`) checked.
fn schema_errors(log: &Value) -> Vec<String> {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("tests/data/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    // This revision's pattern for `language` (of a run and of a tool component) is not a
    // valid regular expression (a stray `]`), and the validator checks the schema's own
    // patterns before anything else. The TC corrected it in later revisions; the corrected
    // pattern is put in its place here, in memory. healthlint writes no `language`.
    let broken = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    let mut fixed = 0;
    for definition in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][definition]["properties"]["language"]["pattern"];
        if pattern == broken {
            *pattern = Value::String("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string());
            fixed += 1;
        }
    }
    assert_eq!(fixed, 2, "the schema is the revision this test knows");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// A folder with: a contradiction in one article (two labels), drug promotion (several
/// secondary labels), a pair of articles whose advice conflicts across them (HL401), an
/// article whose name needs percent-encoding and whose finding follows non-ASCII text, and
/// a binary file with an article's name (skipped).
fn articles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let examples = common::root().join("examples/articles");
    for name in ["ankle-sprain.md", "back-pain-relief.md"] {
        std::fs::copy(examples.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::create_dir(dir.path().join("injuries")).unwrap();
    std::fs::write(
        dir.path().join("injuries/calf strain.md"),
        "# Calf strain: first aid\n\nPut a heat pack on the strained calf straight away to relax the muscle.\n\nKeep the leg up when you sit.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("injuries/strains.md"),
        "# Strains\n\nFor the first 48 hours after a strain, avoid heat such as hot baths and heat packs, as it adds to the swelling.\n",
    )
    .unwrap();
    // "é" is two bytes and one code point; "🙂" four bytes, one code point, two UTF-16 units.
    std::fs::write(
        dir.path().join("café #1.md"),
        "# Café notes\n\nCafé 🙂 owners say this tea is a miracle cure for colds.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("image.md"), b"\x89PNG\0\0\x01").unwrap();
    dir
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let dir = articles();
    let (code, out, log_line) = run(dir.path(), &["--format", "sarif", "-j", "1", "."]);
    assert_eq!(code, 1, "{log_line}");
    let log: Value = serde_json::from_str(&out).unwrap();
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let first = &runs[0];
    assert_eq!(first["columnKind"], "unicodeCodePoints");
    assert_eq!(first["tool"]["driver"]["name"], "healthlint");
    assert_eq!(
        first["tool"]["driver"]["version"],
        env!("CARGO_PKG_VERSION")
    );

    let results = results(&log);
    // Secondary labels are related locations in the same file.
    let promotion = results.iter().find(|r| r["ruleId"] == "HL201").unwrap();
    let related = promotion["relatedLocations"].as_array().unwrap();
    assert!(related.len() >= 2, "{promotion}");
    for (i, location) in related.iter().enumerate() {
        assert_eq!(location["id"], i + 1);
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            "back-pain-relief.md"
        );
        assert!(location["message"]["text"].is_string(), "{location}");
    }
    // A cross-document finding points at the other article.
    let across: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "HL401").collect();
    assert!(across.len() >= 2, "one on each article of a pair at least");
    let uri = |l: &Value| l["physicalLocation"]["artifactLocation"]["uri"].clone();
    assert!(
        across
            .iter()
            .any(|r| uri(&r["locations"][0]) == "injuries/calf%20strain.md"
                && r["relatedLocations"].as_array().unwrap().iter().any(|l| {
                    uri(l) == "injuries/strains.md"
                        && l["physicalLocation"]["region"]["startLine"] == 3
                })),
        "the calf article's finding (its path percent-encoded) points at the other article"
    );
    // Columns count code points: "Café 🙂 owners say this tea is a " is 32 of them
    // (34 UTF-16 code units, 37 bytes).
    let cure = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "caf%C3%A9%20%231.md"
        })
        .unwrap();
    let region = &cure["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(3), Some(33))
    );
    assert_eq!(
        region["endColumn"].as_u64(),
        Some(33 + "miracle cure".len() as u64)
    );
    // Each result names its rule by id and by index into the driver's rules.
    let rules = first["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
        assert!(r["partialFingerprints"]["healthlint/v1"].is_string(), "{r}");
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
    }
    // The skipped file is a notification; every file was checked or skipped.
    let invocation = &first["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1, "{notifications:#?}");
    assert_eq!(notifications[0]["level"], "note");
    assert_eq!(
        notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "image.md"
    );
    assert_eq!(first["properties"]["summary"]["skipped"], 1);
    // The summary line is a message, as for the other CI formats.
    assert!(log_line.starts_with("Checked 5 files"), "{log_line}");
    // The same bytes for any thread count.
    let (_, again, _) = run(dir.path(), &["--format", "sarif", "-j", "2", "."]);
    assert_eq!(again, out, "-j1 and -j2 differ");
}

/// The rule list is every rule `healthlint rules` lists, with its documentation.
#[test]
fn sarif_lists_every_rule_with_its_documentation() {
    let dir = articles();
    let (_, out, _) = run(dir.path(), &["--format", "sarif", "--select", "HL5", "."]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let listed = common::captured(dir.path(), &["rules", "--isolated", "--format", "json"]).1;
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let listed = listed["rules"].as_array().unwrap();
    assert_eq!(rules.len(), listed.len());
    for (rule, row) in rules.iter().zip(listed) {
        assert_eq!(rule["id"], row["code"]);
        assert_eq!(rule["name"], row["name"]);
        assert_eq!(rule["shortDescription"]["text"], row["summary"]);
        // Selected with `--select HL5` or not.
        let selected = row["code"].as_str().unwrap().starts_with("HL5");
        if row["category"] != "input" {
            assert_eq!(rule["defaultConfiguration"]["enabled"], selected, "{rule}");
        }
    }
    let hl502 = rules.iter().find(|r| r["id"] == "HL502").unwrap();
    let explained = common::captured(dir.path(), &["explain", "--isolated", "HL502"]).1;
    assert_eq!(hl502["fullDescription"]["text"], explained.as_str());
    assert_eq!(hl502["help"]["text"], explained.as_str());
    assert_eq!(hl502["defaultConfiguration"]["level"], "warning");
    // No findings in HL5 for the skipped image: a valid log all the same.
    assert!(schema_errors(&log).is_empty());
}

/// Every result is a finding of `--format json`, at the same place.
#[test]
fn sarif_results_are_the_json_findings() {
    let dir = articles();
    let (_, out, _) = run(dir.path(), &["--format", "sarif", "."]);
    let (_, json, _) = run(dir.path(), &["--format", "json", "."]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let json: Value = serde_json::from_str(&json).unwrap();
    let findings = json["diagnostics"].as_array().unwrap();
    let results = results(&log);
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["code"]);
        assert!(r["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(f["message"].as_str().unwrap()));
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], f["start"]["line"], "{r}");
        assert_eq!(region["startColumn"], f["start"]["column"], "{r}");
        assert_eq!(region["endLine"], f["end"]["line"], "{r}");
        assert_eq!(region["endColumn"], f["end"]["column"], "{r}");
        let related = r["relatedLocations"].as_array().map_or(0, Vec::len);
        let labels = f["labels"].as_array().unwrap().len() - 1;
        assert_eq!(
            related,
            labels + f["related"].as_array().unwrap().len(),
            "{r}"
        );
    }
    let prints: BTreeSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["healthlint/v1"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), results.len(), "fingerprints are unique");
}

/// A file that cannot be checked makes the run unsuccessful, with an error notification;
/// `--statistics` has no place in a SARIF log and is refused.
#[test]
fn sarif_reports_files_that_cannot_be_checked() {
    let dir = articles();
    let (code, out, _) = run(
        dir.path(),
        &["--format", "sarif", "missing.md", "ankle-sprain.md"],
    );
    assert_eq!(code, 2);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert!(schema_errors(&log).is_empty(), "{:#?}", schema_errors(&log));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(notification["associatedRule"]["id"], "HL001");
    assert!(notification["message"]["text"]
        .as_str()
        .unwrap()
        .contains("missing.md"));
    // The unreadable file's finding is a result too, without a region.
    let unreadable = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "HL001")
        .unwrap();
    assert!(unreadable["locations"][0]["physicalLocation"]["region"].is_null());

    let (code, _, err) = run(dir.path(), &["--format", "sarif", "--statistics", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("--format sarif"), "{err}");
    // With no file at all, still a whole, valid log.
    let (code, out, _) = run(dir.path(), &["--format", "sarif", "--exclude", "*", "."]);
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert!(schema_errors(&log).is_empty());
    assert!(results(&log).is_empty());
}
