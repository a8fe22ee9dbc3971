//! The output of a run does not depend on the thread count, over a folder of more than one
//! batch (`BATCH` = 256 files in `src/lib.rs`) built from every rule fixture: each rule kind
//! reports, and cross-document findings (HL401) join files that lie in different batches, so
//! the spill file and the re-check of earlier batches are exercised. The per-file findings of
//! the folder run are also compared with each file checked alone, so that batching neither
//! loses nor duplicates a finding.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many files one batch holds (`BATCH` in `src/lib.rs`).
const BATCH: usize = 256;

/// Endings appended to each fixture's title, one per copy, so that the copies differ.
const TITLE_ENDINGS: [&str; 3] = ["", " (a short guide for parents)", ": what to do at home"];

/// Every fixture under `fixtures/rules/`, companions included, relative to that folder and
/// sorted.
fn fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let base = common::root().join("fixtures/rules");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

/// The text of a fixture with `ending` appended to its first `# ` heading.
fn with_title(text: &str, ending: &str) -> String {
    let mut done = false;
    let mut out = String::with_capacity(text.len() + ending.len());
    for line in text.split_inclusive('\n') {
        if !done && line.starts_with("# ") {
            let (title, newline) = match line.strip_suffix('\n') {
                Some(t) => (t, "\n"),
                None => (line, ""),
            };
            out.push_str(title);
            out.push_str(ending);
            out.push_str(newline);
            done = true;
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Writes `copy0/…`, `copy1/…`, `copy2/…`: every fixture three times with different titles.
/// Returns the written paths relative to `dir`, `/`-separated, sorted.
fn build_folder(dir: &Path) -> Vec<String> {
    let mut written = Vec::new();
    for (copy, ending) in TITLE_ENDINGS.iter().enumerate() {
        for rel in fixtures() {
            let text =
                std::fs::read_to_string(common::root().join("fixtures/rules").join(&rel)).unwrap();
            let to = Path::new(&format!("copy{copy}")).join(&rel);
            std::fs::create_dir_all(dir.join(&to).parent().unwrap()).unwrap();
            std::fs::write(dir.join(&to), with_title(&text, ending)).unwrap();
            written.push(to.to_string_lossy().replace('\\', "/"));
        }
    }
    written.sort();
    written
}

fn run(dir: &Path, format: &str, jobs: &str) -> Vec<u8> {
    let out = common::healthlint_in(dir)
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
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{format} -j{jobs}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn output_over_several_batches_of_fixtures_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let paths = build_folder(dir.path());
    assert!(
        paths.len() > 2 * BATCH,
        "{} files: more than two batches",
        paths.len()
    );
    let index: BTreeMap<&str, usize> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();

    let json = run(dir.path(), "json", "1");
    let concise = run(dir.path(), "concise", "1");
    for jobs in ["2", "8"] {
        assert!(
            json == run(dir.path(), "json", jobs),
            "json: -j1 and -j{jobs} differ"
        );
        assert!(
            concise == run(dir.path(), "concise", jobs),
            "concise: -j1 and -j{jobs} differ"
        );
    }

    let report: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(report["summary"]["checked"], paths.len());
    assert_eq!(report["summary"]["files"], paths.len());
    let diagnostics = report["diagnostics"].as_array().unwrap();
    // Concise has a line per finding, then the summary line.
    let concise = String::from_utf8(concise).unwrap();
    assert_eq!(concise.lines().count(), diagnostics.len() + 1);
    assert_eq!(
        concise.lines().last().unwrap(),
        format!(
            "Checked {} files: {} errors, {} warnings, {} info.",
            paths.len(),
            report["summary"]["error"],
            report["summary"]["warning"],
            report["summary"]["info"]
        )
    );

    // Cross-document findings, some between files of different batches.
    let cross: Vec<(usize, usize)> = diagnostics
        .iter()
        .filter(|d| d["code"] == "HL401")
        .map(|d| {
            let at = |p: &serde_json::Value| index[p.as_str().unwrap()];
            (at(&d["path"]), at(&d["related"][0]["path"]))
        })
        .collect();
    assert!(
        cross.iter().any(|&(a, b)| a / BATCH != b / BATCH),
        "no HL401 finding joins two batches: {cross:?}"
    );
    // A file of the first batch is joined to one of the third: the first batch's files are
    // rendered again after two later batches were checked.
    assert!(
        cross.iter().any(|&(a, b)| a / BATCH == 0 && b / BATCH == 2),
        "no HL401 finding joins the first batch and the third: {cross:?}"
    );
    // Every fixture copy that expects HL401 gets it, in each of the three copies.
    let hl401_files: std::collections::BTreeSet<&str> = diagnostics
        .iter()
        .filter(|d| d["code"] == "HL401")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for copy in 0..TITLE_ENDINGS.len() {
        for name in [
            "fail_heat_across_articles.md",
            "fail_heat_for_three_days.md",
        ] {
            let path = format!("copy{copy}/HL401/{name}");
            assert!(
                hl401_files.contains(path.as_str()),
                "{path}: {hl401_files:?}"
            );
        }
    }

    // Every finding without a related location is what the file gives when checked alone.
    let mut from_run: BTreeMap<&str, Vec<(String, u64, String)>> = BTreeMap::new();
    for d in diagnostics {
        if d["related"].as_array().unwrap().is_empty() {
            from_run
                .entry(d["path"].as_str().unwrap())
                .or_default()
                .push((
                    d["code"].as_str().unwrap().to_string(),
                    d["start"]["offset"].as_u64().unwrap(),
                    d["message"].as_str().unwrap().to_string(),
                ));
        }
    }
    let linter = common::linter(&[]);
    let mut codes = std::collections::BTreeSet::new();
    for path in &paths {
        let alone = common::check_file(&linter, &dir.path().join(path));
        let alone: Vec<(String, u64, String)> = alone
            .diagnostics
            .iter()
            .filter(|d| d.related.is_empty())
            .map(|d| {
                codes.insert(d.rule.code.to_string());
                (
                    d.rule.code.to_string(),
                    d.primary.range.start as u64,
                    d.message.clone(),
                )
            })
            .collect();
        assert_eq!(
            from_run.remove(path.as_str()).unwrap_or_default(),
            alone,
            "{path}"
        );
    }
    assert!(
        from_run.is_empty(),
        "findings for unknown files: {from_run:?}"
    );
    // Every rule with fixtures reports somewhere in the folder (HL401 only with a related
    // location, so it is not among these).
    let mut expected: std::collections::BTreeSet<String> =
        std::fs::read_dir(common::root().join("fixtures/rules"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    assert!(expected.remove("HL401"));
    assert_eq!(codes, expected);
}
