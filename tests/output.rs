//! Where the report goes and how much of it is printed: `--output-file`, `--quiet`. Each
//! flag is checked against the same run without it: the report's bytes and the exit code do
//! not depend on where it is written, and quiet output is the findings of the full output
//! and nothing else, with the same exit code.

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
    let all: Vec<&str> = ["check", "--isolated", "--select", "HL5"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    common::captured(dir, &all)
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
    for format in ["json", "jsonl", "github", "gitlab", "junit", "sarif"] {
        let (code, full, log) = run(dir.path(), &["--format", format, "."]);
        let (quiet_code, quiet, quiet_log) = run(dir.path(), &["--format", format, "-q", "."]);
        assert_eq!((code, quiet_code), (1, 1), "{format}");
        assert_eq!(quiet, full, "{format}");
        assert_eq!(quiet_log, "", "{format}");
        if format != "json" {
            // GitLab's issues have no place for skipped files: a note on the log says so.
            let summary = match format {
                "gitlab" => log.strip_prefix("note: skipped image.md: ").map(|rest| {
                    let (_, summary) = rest.split_once('\n').unwrap_or_default();
                    summary
                }),
                _ => Some(log.as_str()),
            };
            assert!(
                summary.is_some_and(|s| s.starts_with("Checked 2 files")),
                "{format}: {log}"
            );
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

#[test]
fn output_file_holds_what_standard_output_would_in_every_format() {
    let dir = articles();
    for format in [
        "pretty", "concise", "json", "github", "jsonl", "gitlab", "junit",
    ] {
        let (code, stdout, log) = run(dir.path(), &["--format", format, "."]);
        let out = tempfile::tempdir().unwrap();
        let report = out.path().join("report");
        let (file_code, file_stdout, file_log) = run(
            dir.path(),
            &[
                "--format",
                format,
                "--output-file",
                report.to_str().unwrap(),
                ".",
            ],
        );
        assert_eq!(
            (code, file_code),
            (1, 1),
            "{format}: the exit code is unchanged"
        );
        assert_eq!(file_stdout, "", "{format}: nothing on standard output");
        assert_eq!(
            std::fs::read_to_string(&report).unwrap(),
            stdout,
            "{format}"
        );
        // The summary line of `github` and `jsonl` is a message: it stays on standard error.
        assert_eq!(file_log, log, "{format}");
    }
    // Stream mode too: the JSON lines go to the file, the summary line to standard error.
    let stream = healthlint_in(dir.path())
        .args([
            "check",
            "--isolated",
            "--input",
            "jsonl",
            "-o",
            "stream.jsonl",
        ])
        .write_stdin("{\"id\": 1, \"text\": \"# Pain\\n\\nThis miracle cure works.\"}\n")
        .output()
        .unwrap();
    assert_eq!(stream.status.code(), Some(1));
    assert!(stream.stdout.is_empty());
    assert!(String::from_utf8_lossy(&stream.stderr).starts_with("Checked 1 record:"));
    let lines = std::fs::read_to_string(dir.path().join("stream.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&lines).unwrap();
    assert_eq!((&record["line"], &record["id"]), (&1.into(), &1.into()));
    // A clean run still writes its report (the summary line), and exits 0.
    let (code, _, _) = run(
        dir.path(),
        &[
            "-o",
            "clean.log",
            "--format",
            "concise",
            "pass_evidence_language.md",
        ],
    );
    assert_eq!(code, 0);
    let clean = std::fs::read_to_string(dir.path().join("clean.log")).unwrap();
    assert!(clean.starts_with("Checked 1 file: 0 errors"), "{clean}");
}

/// The report file, written in the folder being checked under a name that is walked
/// (`.txt`), is not checked: neither while it is written nor on the next run, which would
/// otherwise report on the quotes of the last report.
#[test]
fn the_report_file_is_never_checked() {
    let dir = articles();
    let report = dir.path().join("report.txt");
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "1"] {
        let (code, stdout, _) = run(
            dir.path(),
            &["--format", "concise", "-j", jobs, "-o", "report.txt", "."],
        );
        assert_eq!((code, stdout.as_str()), (1, ""));
        outputs.push(std::fs::read_to_string(&report).unwrap());
    }
    assert!(outputs[0].contains("miracle cure"), "{}", outputs[0]);
    assert!(!outputs[0].contains("report.txt"), "{}", outputs[0]);
    assert!(outputs[0].contains("Checked 2 files"), "{}", outputs[0]);
    assert!(outputs.iter().all(|o| *o == outputs[0]), "{outputs:#?}");
}

#[test]
fn a_report_file_that_cannot_be_written_exits_2_naming_it() {
    let dir = articles();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    for path in ["reports", "no/such/folder/report.json"] {
        let (code, stdout, stderr) = run(dir.path(), &["--output-file", path, "."]);
        assert_eq!(code, 2, "{path}");
        assert_eq!(stdout, "", "{path}");
        assert!(
            stderr.starts_with(&format!(
                "healthlint: error: cannot write the report to `{path}`: "
            )),
            "{path}: {stderr}"
        );
    }
    // A file that opens but cannot take the writes: the error comes later, and names it too.
    if Path::new("/dev/full").exists() {
        let (code, _, stderr) = run(dir.path(), &["-o", "/dev/full", "."]);
        assert_eq!(code, 2);
        assert!(
            stderr.contains("cannot write the report to `/dev/full`: "),
            "{stderr}"
        );
    }
}

/// `check --isolated` of the fixtures folder with `args`: exit code and stdout. The fixtures
/// have findings of many rules, some at two severities, and cross-document ones.
fn run_fixtures(args: &[&str]) -> (i32, Vec<u8>) {
    let out = healthlint_in(common::root())
        .args(["check", "--isolated"])
        .args(args)
        .arg("fixtures")
        .output()
        .unwrap();
    (out.status.code().unwrap(), out.stdout)
}

/// The JSON counts are the findings `--format json` lists, counted by rule and severity, and
/// the same bytes for any thread count.
#[test]
fn statistics_count_the_findings_json_lists() {
    use std::collections::BTreeMap;
    let (code, findings) = run_fixtures(&["--format", "json"]);
    let (stats_code, stats) = run_fixtures(&["--format", "json", "--statistics", "-j", "1"]);
    assert_eq!((code, stats_code), (1, 1), "the exit code is unchanged");
    let (_, stats_j2) = run_fixtures(&["--format", "json", "--statistics", "-j", "2"]);
    assert_eq!(stats, stats_j2, "-j1 and -j2 differ");
    let findings: serde_json::Value = serde_json::from_slice(&findings).unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&stats).unwrap();
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for d in findings["diagnostics"].as_array().unwrap() {
        let key = (d["code"].to_string(), d["severity"].to_string());
        *expected.entry(key).or_default() += 1;
    }
    let rows = stats["statistics"].as_array().unwrap();
    let counted: BTreeMap<(String, String), u64> = rows
        .iter()
        .map(|r| {
            let key = (r["code"].to_string(), r["severity"].to_string());
            (key, r["count"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(counted.len(), rows.len(), "one row per rule and severity");
    assert_eq!(counted, expected);
    assert!(
        rows.iter().any(|r| r["code"] == "HL401"),
        "cross-document findings are counted"
    );
    assert!(
        counted
            .keys()
            .zip(counted.keys().skip(1))
            .any(|(a, b)| a.0 == b.0),
        "some rule has findings at two severities"
    );
    // Largest count first, then by code.
    let order: Vec<(u64, &str)> = rows
        .iter()
        .map(|r| (r["count"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert!(
        order
            .windows(2)
            .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 <= w[1].1)),
        "{order:?}"
    );
    for key in ["name", "category"] {
        assert!(rows.iter().all(|r| r[key].is_string()), "{key}");
    }
    assert_eq!(stats["version"], findings["version"]);
    assert_eq!(stats["summary"], findings["summary"]);
    assert_eq!(stats["skipped"], findings["skipped"]);
}

#[test]
fn statistics_table_has_a_row_per_rule_and_the_closing_lines() {
    use std::collections::BTreeMap;
    let (code, findings) = run_fixtures(&["--format", "concise"]);
    let findings = String::from_utf8(findings).unwrap();
    // `path:line:col: severity[CODE] message`, counted by code and severity.
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut closing = Vec::new();
    for line in findings.lines() {
        let finding = ["error", "warning", "info"].iter().find_map(|severity| {
            let (_, rest) = line.split_once(&format!(": {severity}["))?;
            Some((rest[..rest.find(']')?].to_string(), severity.to_string()))
        });
        match finding {
            Some(key) => *expected.entry(key).or_default() += 1,
            None => closing.push(line),
        }
    }
    for format in ["pretty", "concise"] {
        let (stats_code, table) = run_fixtures(&["--format", format, "--statistics"]);
        assert_eq!(
            (code, stats_code),
            (1, 1),
            "{format}: the exit code is unchanged"
        );
        let table = String::from_utf8(table).unwrap();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "COUNT  CODE   SEVERITY  NAME", "{format}");
        let rows = &lines[1..lines.len() - closing.len()];
        assert_eq!(
            lines[1 + rows.len()..],
            closing,
            "{format}: the same closing lines"
        );
        let counted: BTreeMap<(String, String), usize> = rows
            .iter()
            .map(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                let key = (cells[1].to_string(), cells[2].to_string());
                (key, cells[0].parse().unwrap())
            })
            .collect();
        assert_eq!(counted, expected, "{format}");
    }
    // Only findings below `fail-on`: exit 0, as without the flag.
    let (code, _) = run_fixtures(&["--statistics", "--fail-on", "never"]);
    assert_eq!(code, 0);
}

#[test]
fn statistics_with_quiet_or_no_findings() {
    let dir = articles();
    let (code, table, _) = run(dir.path(), &["--statistics", "--quiet", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        table,
        "COUNT  CODE   SEVERITY  NAME\n    3  HL502  warning   miracle-cure-claim\n"
    );
    // No findings: no table; with --quiet, nothing at all.
    let clean = "pass_evidence_language.md";
    let (code, table, _) = run(dir.path(), &["--statistics", clean]);
    assert_eq!(
        (code, table.as_str()),
        (0, "Checked 1 file: 0 errors, 0 warnings, 0 info.\n")
    );
    let (code, table, _) = run(dir.path(), &["--statistics", "-q", clean]);
    assert_eq!((code, table.as_str()), (0, ""));
    let (_, json, _) = run(dir.path(), &["--statistics", "--format", "json", clean]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["statistics"], serde_json::json!([]));
    // Statistics go to the --output-file like any report.
    let (code, stdout, _) = run(dir.path(), &["--statistics", "-o", "stats.txt", "."]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    let written = std::fs::read_to_string(dir.path().join("stats.txt")).unwrap();
    assert!(written.starts_with("COUNT  CODE"), "{written}");
}

/// GitHub annotations, JSON lines, GitLab issues and JUnit testcases have no place for counts: asking for them is a usage
/// error, before anything is checked.
#[test]
fn statistics_in_a_format_without_counts_exits_2() {
    let dir = articles();
    for format in ["github", "jsonl", "gitlab", "junit"] {
        let (code, stdout, stderr) = run(dir.path(), &["--statistics", "--format", format, "."]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{format}");
        assert!(
            stderr.contains(&format!("not with `--format {format}`")),
            "{format}: {stderr}"
        );
    }
    let out = healthlint_in(dir.path())
        .args(["check", "--isolated", "--input", "jsonl", "--statistics"])
        .write_stdin("{\"text\": \"x\"}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
