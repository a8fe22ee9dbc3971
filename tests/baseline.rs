//! Baselines: `healthlint baseline` writes the current findings, and `check --baseline`
//! reports only new ones, says how many it matched and how many entries are gone. A finding
//! stays matched when lines are added above it; a fixed one is counted as gone.

mod common;

use std::path::Path;

use serde_json::Value;

/// `healthlint ARGS --isolated` in `dir`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let all: Vec<&str> = args.iter().copied().chain(["--isolated"]).collect();
    common::captured(dir, &all)
}

/// The findings of `check --format json ARGS` in `dir`, as `(path, code, line)`, and the
/// JSON summary.
fn findings(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, u64)>, Value) {
    let all: Vec<&str> = ["check", "--format", "json"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let (code, out, err) = run(dir, &all);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let list = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (code, list, json["summary"].clone())
}

/// The example articles (findings of many rules, two of them identical in one file when
/// the claim is repeated) in a temporary folder.
fn articles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let examples = common::root().join("examples/articles");
    for entry in std::fs::read_dir(&examples).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// A new article with findings of its own: a miracle cure and a risk-free claim.
const NEW_ARTICLE: &str =
    "# Our joint tonic\n\nThis tonic is a miracle cure for stiff knees. It is 100% safe.\n";

#[test]
fn a_baseline_hides_known_findings_and_reports_only_new_ones() {
    let dir = articles();
    let (code, before, _) = findings(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert!(before.len() >= 5, "{before:?}");

    let (code, _, log) = run(dir.path(), &["baseline"]);
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains(&format!("Wrote {} findings", before.len())),
        "{log}"
    );
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("healthlint-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(file["version"], 1);
    assert_eq!(file["findings"].as_array().unwrap().len(), before.len());

    // Nothing new: exit 0, and the summary says what the baseline matched.
    let base = ["--baseline", "healthlint-baseline.json", "."];
    let (code, now, summary) = findings(dir.path(), &base);
    assert_eq!((code, now.len()), (0, 0), "{now:?}");
    assert_eq!(summary["baseline"]["matched"], before.len() as u64);
    assert_eq!(summary["baseline"]["gone"], 0);
    let (code, out, _) = run(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--baseline",
            "healthlint-baseline.json",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!(
            "; {} findings in the baseline not reported, 0 baseline entries gone.",
            before.len()
        )),
        "{out}"
    );

    // One new article: only its findings are reported.
    std::fs::write(dir.path().join("tonic.md"), NEW_ARTICLE).unwrap();
    let (code, now, summary) = findings(dir.path(), &base);
    assert_eq!(code, 1);
    let (_, alone, _) = findings(dir.path(), &["tonic.md"]);
    assert!(!alone.is_empty());
    assert_eq!(now, alone);
    assert_eq!(summary["baseline"]["matched"], before.len() as u64);
}

#[test]
fn edits_elsewhere_keep_findings_matched_and_fixed_ones_are_gone() {
    let dir = articles();
    let (_, before, _) = findings(dir.path(), &["."]);
    let (code, _, _) = run(dir.path(), &["baseline", "--output", "known.json"]);
    assert_eq!(code, 0);
    let base = ["--baseline", "known.json", "."];
    let article = dir.path().join("ankle-sprain.md");
    let text = std::fs::read_to_string(&article).unwrap();

    // A paragraph added above every finding, and the text re-wrapped: the findings move
    // down and stay matched.
    let edited = text.replacen(
        "A twisted ankle",
        "Reviewed by our editors in March.\n\nA twisted ankle",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&article, &edited).unwrap();
    let (_, moved, _) = findings(dir.path(), &["."]);
    assert_eq!(moved.len(), before.len());
    assert_ne!(moved, before, "the findings moved down");
    let (code, now, summary) = findings(dir.path(), &base);
    assert_eq!((code, now.len()), (0, 0), "{now:?}");
    assert_eq!(summary["baseline"]["gone"], 0);

    // The miracle-cure sentence removed: its findings are gone, the others still matched.
    let sentence = "This cooling gel is a miracle cure for sprains and has no side effects.";
    assert!(edited.contains(sentence));
    std::fs::write(
        &article,
        edited.replace(sentence, "Ask a pharmacist about gels."),
    )
    .unwrap();
    let (_, fixed, _) = findings(dir.path(), &["."]);
    let removed = before.len() - fixed.len();
    assert!(removed >= 1, "{fixed:?}");
    let (code, now, summary) = findings(dir.path(), &base);
    assert_eq!((code, now.len()), (0, 0), "{now:?}");
    assert_eq!(summary["baseline"]["gone"], removed as u64);
    assert_eq!(summary["baseline"]["matched"], fixed.len() as u64);

    // A deleted article's entries are gone too; a file not checked in this run is not.
    std::fs::remove_file(dir.path().join("supplement.md")).unwrap();
    let supplement = before.iter().filter(|f| f.0 == "supplement.md").count();
    assert!(supplement > 0);
    let (_, _, summary) = findings(dir.path(), &base);
    assert_eq!(summary["baseline"]["gone"], (removed + supplement) as u64);
    let (_, _, summary) = findings(
        dir.path(),
        &["--baseline", "known.json", "back-pain-relief.md"],
    );
    assert_eq!(summary["baseline"]["gone"], supplement as u64);
}

#[test]
fn a_repeated_finding_is_new_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("tonic.md");
    std::fs::write(&article, NEW_ARTICLE).unwrap();
    assert_eq!(run(dir.path(), &["baseline"]).0, 0);
    // The same claim again, below: one new finding, the first still matched.
    std::fs::write(
        &article,
        format!("{NEW_ARTICLE}\nBuyers agree it is a miracle cure for stiff knees.\n"),
    )
    .unwrap();
    let (code, now, summary) =
        findings(dir.path(), &["--baseline", "healthlint-baseline.json", "."]);
    assert_eq!(code, 1);
    assert_eq!(now, [("tonic.md".to_string(), "HL502".to_string(), 5)]);
    assert_eq!(summary["baseline"]["gone"], 0);
}

#[test]
fn a_missing_or_invalid_baseline_is_an_error_naming_the_file() {
    let dir = articles();
    // Stream mode has no files to match.
    let (code, _, err) = run(
        dir.path(),
        &["check", "--input", "jsonl", "--baseline", "nope.json"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("`--input jsonl` has none"), "{err}");
    let (code, out, err) = run(dir.path(), &["check", "--baseline", "nope.json", "."]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains("cannot read baseline file `nope.json`"),
        "{err}"
    );
    for (name, text) in [
        ("empty.json", ""),
        ("list.json", "[1, 2]"),
        ("future.json", "{\"version\": 9, \"findings\": []}"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
        let (code, _, err) = run(dir.path(), &["check", "--baseline", name, "."]);
        assert_eq!(code, 2, "{name}");
        assert!(
            err.contains(&format!("baseline file `{name}`")),
            "{name}: {err}"
        );
    }
}

/// `baseline = "…"` in the config is relative to the config file, and is where
/// `healthlint baseline` writes; SARIF marks results new and counts in its properties.
#[test]
fn the_config_names_the_baseline() {
    let dir = articles();
    let site = dir.path();
    std::fs::create_dir(site.join("ci")).unwrap();
    std::fs::write(
        site.join("healthlint.toml"),
        "baseline = \"ci/known.json\"\n",
    )
    .unwrap();
    let in_site = |args: &[&str]| common::captured(site, args);
    let (code, _, err) = in_site(&["baseline"]);
    assert_eq!(code, 0, "{err}");
    assert!(site.join("ci/known.json").is_file());
    std::fs::write(site.join("tonic.md"), NEW_ARTICLE).unwrap();
    // From a subfolder: the config is found upward, its baseline path is its own.
    let (code, out, _) = common::captured(&site.join("ci"), &["check", "--format", "sarif", ".."]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&out).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["baselineState"], "new");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "../tonic.md"
        );
    }
    assert!(
        log["runs"][0]["properties"]["baseline"]["matched"]
            .as_u64()
            .unwrap()
            > 0
    );
}

/// The done-when test of issue 18: a baseline made on the NHS corpus, then one new bad
/// article added: only the new article's findings are reported. The corpus is read from
/// `../shared/corpus/nhs` beside the repository and copied; without it the test is skipped.
#[test]
fn a_baseline_of_the_nhs_corpus_reports_only_a_new_article() {
    let corpus = common::root().join("../shared/corpus/nhs");
    if !corpus.is_dir() {
        eprintln!("skipped: no corpus at {}", corpus.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("nhs");
    copy_tree(&corpus, &copy);
    let (code, _, log) = run(dir.path(), &["baseline", "nhs"]);
    assert_eq!(code, 0, "{log}");
    let (_, known, _) = findings(dir.path(), &["nhs"]);
    std::fs::write(copy.join("betahealth/joint-tonic.md"), NEW_ARTICLE).unwrap();
    let (code, now, summary) = findings(
        dir.path(),
        &["--baseline", "healthlint-baseline.json", "nhs"],
    );
    assert_eq!(code, 1);
    assert!(!now.is_empty());
    assert!(
        now.iter().all(|f| f.0 == "nhs/betahealth/joint-tonic.md"),
        "{now:?}"
    );
    let (_, alone, _) = findings(dir.path(), &["nhs/betahealth/joint-tonic.md"]);
    assert_eq!(now.len(), alone.len());
    assert_eq!(summary["baseline"]["matched"], known.len() as u64);
    assert_eq!(summary["baseline"]["gone"], 0);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
