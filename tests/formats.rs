//! The CI formats `gitlab` (Code Quality JSON) and `junit` (JUnit XML): each is read back
//! with a standard parser (serde_json, roxmltree) and compared with what `--format json`
//! lists for the same run: the same findings, the same exit code, the same bytes for any
//! thread count. GitLab fingerprints are unique and survive edits that do not touch the
//! finding.

mod common;

use std::collections::{BTreeMap, BTreeSet};
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

/// The fixtures folder in a format, with `-j JOBS`: findings of many rules at every
/// severity, cross-document ones among them.
fn fixtures(format: &str, jobs: &str) -> (i32, String) {
    let (code, out, _) = run(
        &common::root(),
        &["--format", format, "-j", jobs, "fixtures"],
    );
    (code, out)
}

/// The findings `--format json` lists for the fixtures.
fn json_findings() -> Vec<Value> {
    let (code, out) = fixtures("json", "2");
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&out).unwrap();
    json["diagnostics"].as_array().unwrap().clone()
}

/// The fingerprints of a GitLab report, in order.
fn fingerprints(report: &str) -> Vec<String> {
    let issues: Value = serde_json::from_str(report).unwrap();
    issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn gitlab_is_code_quality_json_with_one_issue_per_finding() {
    let findings = json_findings();
    let (code, out) = fixtures("gitlab", "1");
    assert_eq!(code, 1, "the exit code is that of the other formats");
    let issues: Value = serde_json::from_str(&out).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    let mut severities = BTreeSet::new();
    for (issue, finding) in issues.iter().zip(&findings) {
        assert_eq!(issue["check_name"], finding["code"], "{issue}");
        assert_eq!(issue["location"]["path"], finding["path"], "{issue}");
        assert_eq!(
            issue["location"]["lines"]["begin"], finding["start"]["line"],
            "{issue}"
        );
        assert_eq!(
            issue["location"]["lines"]["end"], finding["end"]["line"],
            "{issue}"
        );
        let description = issue["description"].as_str().unwrap();
        assert!(
            description.contains(finding["message"].as_str().unwrap()),
            "{issue}"
        );
        let expected = match finding["severity"].as_str().unwrap() {
            "info" => "info",
            "warning" => "minor",
            "error" => "major",
            other => panic!("severity {other}"),
        };
        assert_eq!(issue["severity"], expected, "{issue}");
        severities.insert(expected);
        // A cross-document finding names its places in other files.
        for related in finding["related"].as_array().unwrap() {
            let place = format!(
                "(related: {}:{}:",
                related["path"].as_str().unwrap(),
                related["start"]["line"]
            );
            assert!(description.contains(&place), "{issue}");
        }
        let fingerprint = issue["fingerprint"].as_str().unwrap();
        assert_eq!(fingerprint.len(), 64, "{issue}");
        assert!(
            fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "{issue}"
        );
    }
    assert_eq!(severities.len(), 3, "the fixtures have every severity");
    assert!(findings.iter().any(|f| f["code"] == "HL401"));
    let unique: BTreeSet<String> = fingerprints(&out).into_iter().collect();
    assert_eq!(unique.len(), issues.len(), "fingerprints are unique");
    // The same bytes on a second run and for any thread count.
    assert_eq!(fixtures("gitlab", "1").1, out, "a second run differs");
    assert_eq!(fixtures("gitlab", "2").1, out, "-j1 and -j2 differ");
}

/// A line added above a finding moves it but keeps its fingerprint; identical findings in
/// one file differ, and a copy added below keeps the first one's fingerprint.
#[test]
fn gitlab_fingerprints_survive_unrelated_edits() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("cure.md");
    let text =
        std::fs::read_to_string(common::root().join("fixtures/rules/HL502/fail_miracle_cure.md"))
            .unwrap();
    std::fs::write(&article, &text).unwrap();
    let gitlab = |dir: &Path| {
        let (code, out, _) = run(dir, &["--select", "HL5", "--format", "gitlab", "."]);
        assert_eq!(code, 1);
        let issues: Value = serde_json::from_str(&out).unwrap();
        let lines: Vec<u64> = issues
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["location"]["lines"]["begin"].as_u64().unwrap())
            .collect();
        (fingerprints(&out), lines)
    };
    let (before, lines) = gitlab(dir.path());
    assert_eq!(lines, [3, 5, 5]);

    let (title, body) = text.split_once("\n# ").unwrap();
    let edited = format!("{title}\n<!-- reviewed -->\n\n# {body}");
    std::fs::write(&article, &edited).unwrap();
    let (after, lines) = gitlab(dir.path());
    assert_eq!(lines, [5, 7, 7], "the findings moved down");
    assert_eq!(after, before, "and kept their fingerprints");

    // The same claim twice more, below: two new fingerprints, the old ones unchanged.
    std::fs::write(
        &article,
        format!("{edited}\nThis miracle cure works.\n\nThis miracle cure works.\n"),
    )
    .unwrap();
    let (repeated, _) = gitlab(dir.path());
    assert_eq!(repeated.len(), 5);
    assert_eq!(repeated[..3], before[..]);
    let unique: BTreeSet<&String> = repeated.iter().collect();
    assert_eq!(
        unique.len(),
        5,
        "identical findings get distinct fingerprints"
    );
}

/// An article whose path needs escaping in XML, an article with findings, a clean one and
/// a binary file (skipped).
fn articles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = common::root().join("fixtures/rules/HL502");
    std::fs::copy(
        fixtures.join("fail_miracle_cure.md"),
        dir.path().join("cure.md"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("fail_miracle_cure.md"),
        dir.path().join("q&a <\"cure\">.md"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("pass_evidence_language.md"),
        dir.path().join("clean.md"),
    )
    .unwrap();
    std::fs::write(dir.path().join("image.md"), b"\x89PNG\0\0\x01").unwrap();
    dir
}

#[test]
fn junit_is_well_formed_xml_with_a_failure_per_finding() {
    let findings = json_findings();
    let (code, out) = fixtures("junit", "1");
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&out).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert!(suites.iter().all(|s| s.has_tag_name("testsuite")));
    // One testsuite per checked file (183 in the fixtures, findings or not).
    let (_, json, _) = run(&common::root(), &["--format", "json", "fixtures"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        suites.len() as u64,
        json["summary"]["checked"].as_u64().unwrap()
    );
    // Each failure is one finding of `--format json`, in the same order.
    let failures: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), findings.len());
    for (failure, finding) in failures.iter().zip(&findings) {
        let case = failure.parent().unwrap();
        assert!(case.has_tag_name("testcase"));
        assert_eq!(
            Some(finding["code"].as_str().unwrap()),
            failure.attribute("type")
        );
        assert_eq!(
            Some(finding["message"].as_str().unwrap()),
            failure.attribute("message")
        );
        let path = finding["path"].as_str().unwrap();
        assert_eq!(case.attribute("classname"), Some(path));
        assert_eq!(
            case.attribute("line"),
            Some(finding["start"]["line"].to_string().as_str())
        );
        let text = failure.text().unwrap();
        let location = format!(
            "{path}:{}:{}: {}[{}] ",
            finding["start"]["line"],
            finding["start"]["column"],
            finding["severity"].as_str().unwrap(),
            finding["code"].as_str().unwrap()
        );
        assert!(text.starts_with(&location), "{text}");
        for related in finding["related"].as_array().unwrap() {
            let place = format!("\nrelated: {}:", related["path"].as_str().unwrap());
            assert!(text.contains(&place), "{text}");
        }
        assert_eq!(
            case.children().filter(|n| n.is_element()).count(),
            1,
            "one failure per testcase"
        );
    }
    // A suite's counts are its testcases and failures.
    for suite in &suites {
        let cases = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        let failed = suite
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(suite.attribute("tests"), Some(cases.to_string().as_str()));
        assert_eq!(
            suite.attribute("failures"),
            Some(failed.to_string().as_str())
        );
        assert!(cases >= 1);
    }
    assert_eq!(fixtures("junit", "2").1, out, "-j1 and -j2 differ");
}

#[test]
fn junit_escapes_paths_and_lists_clean_and_skipped_files() {
    let dir = articles();
    let (code, out, log) = run(dir.path(), &["--select", "HL5", "--format", "junit", "."]);
    assert_eq!(code, 1);
    assert!(
        log.starts_with("Checked 3 files"),
        "the summary is a message: {log}"
    );
    let doc = roxmltree::Document::parse(&out).unwrap();
    let suites: BTreeMap<&str, roxmltree::Node> = doc
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|s| (s.attribute("name").unwrap(), s))
        .collect();
    let names: Vec<&str> = suites.keys().copied().collect();
    assert_eq!(
        names,
        ["clean.md", "cure.md", "image.md", "q&a <\"cure\">.md"]
    );
    let odd = suites["q&a <\"cure\">.md"];
    assert_eq!(odd.attribute("failures"), Some("3"));
    let text = odd
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(text
        .text()
        .unwrap()
        .starts_with("q&a <\"cure\">.md:3:6: warning[HL502] "));
    let clean = suites["clean.md"];
    assert_eq!(
        (clean.attribute("tests"), clean.attribute("failures")),
        (Some("1"), Some("0"))
    );
    let image = suites["image.md"];
    assert_eq!(image.attribute("skipped"), Some("1"));
    assert!(image.descendants().any(|n| n.has_tag_name("skipped")));
}

/// Exit codes are those of every other format: 0 with nothing at or above `fail-on`, 1 with
/// findings, 2 for a file that cannot be read; and `--statistics` is refused.
#[test]
fn ci_formats_exit_like_the_other_formats() {
    let dir = articles();
    for format in ["gitlab", "junit", "sarif"] {
        let cases: [(&[&str], i32); 4] = [
            (&["clean.md"], 0),
            (&["cure.md"], 1),
            (&["--fail-on", "never", "cure.md"], 0),
            (&["missing.md", "cure.md"], 2),
        ];
        for (args, expected) in cases {
            let (code, out, _) = run(
                dir.path(),
                &[&["--select", "HL5", "--format", format][..], args].concat(),
            );
            let (concise, _, _) = run(
                dir.path(),
                &[&["--select", "HL5", "--format", "concise"][..], args].concat(),
            );
            assert_eq!((code, concise), (expected, expected), "{format} {args:?}");
            // Still a whole document.
            match format {
                "junit" => drop(roxmltree::Document::parse(&out).unwrap()),
                _ => drop(serde_json::from_str::<Value>(&out).unwrap()),
            }
        }
        // With no file at all, still an empty document.
        let (code, out, _) = run(dir.path(), &["--format", format, "--exclude", "*", "."]);
        assert_eq!(code, 0, "{format}");
        match format {
            "gitlab" => assert_eq!(out, "[\n]\n"),
            "sarif" => assert!(serde_json::from_str::<Value>(&out).is_ok(), "{out}"),
            _ => assert!(roxmltree::Document::parse(&out).is_ok(), "{out}"),
        }
    }
    // GitLab's issues have no place for skipped files: they are noted on standard error.
    let (_, _, log) = run(dir.path(), &["--select", "HL5", "--format", "gitlab", "."]);
    assert!(log.contains("note: skipped image.md: "), "{log}");
}
