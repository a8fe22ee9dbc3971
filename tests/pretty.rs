//! `--format pretty` as people read it: each section header names the place its section
//! starts at, help and notes are wrapped to the width (`COLUMNS`, or 100 columns when the
//! output is not a terminal), and the README's sample output is the real output of the
//! command it shows (`UPDATE_README=1 cargo test --test pretty` rewrites it).

mod common;

use std::path::Path;

use common::healthlint_in;

/// `healthlint ARGS` in `dir` without colour, at the width `COLUMNS` gives (unset: the
/// default of a report that does not go to a terminal): exit code and standard output.
fn pretty(dir: &Path, args: &[&str], columns: Option<&str>) -> (i32, String) {
    let mut cmd = healthlint_in(dir);
    match columns {
        Some(n) => cmd.env("COLUMNS", n),
        None => cmd.env_remove("COLUMNS"),
    };
    let out = cmd.args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// Every section header (`╭─[ path:line:col ]` or `├─[ … ]`) of a pretty report, with the
/// first line number its section shows.
fn sections(out: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = out.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("─[ ") else {
            continue;
        };
        let header = line[at + "─[ ".len()..].trim_end_matches(" ]").to_string();
        let first_shown = lines[i + 1..]
            .iter()
            .find_map(|l| {
                let (number, rest) = l.trim_start().split_once(' ')?;
                rest.starts_with('│')
                    .then(|| number.parse::<usize>().ok())?
            })
            .unwrap_or_else(|| panic!("no numbered line after {line}"));
        found.push((header, first_shown));
    }
    found
}

/// The line number in a `path:line:col` header.
fn header_line(header: &str) -> usize {
    let mut parts = header.rsplitn(3, ':');
    let _col = parts.next();
    parts.next().unwrap().parse().unwrap()
}

/// Each header names the line its section starts with. Before: every section of a finding
/// was headed with the primary label's place, so a section showing a secondary label on an
/// earlier line (a benefit claim in the title, the drug promoted further down) named a line
/// it does not show.
fn assert_headers_name_their_first_line(out: &str) {
    let found = sections(out);
    assert!(!found.is_empty(), "{out}");
    for (header, first_shown) in found {
        assert_eq!(header_line(&header), first_shown, "{header} in\n{out}");
    }
}

const PROMOTION: &str = "# Fast relief for sore knees\n\nThe strongest painkiller you can get.\n\n\
                         Order Tapaday 50mg online today, it is non-addictive.\n";

#[test]
fn a_secondary_section_header_names_its_own_first_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), PROMOTION).unwrap();
    let args = ["check", "--isolated", "--select", "HL201", "a.md"];
    let (code, out) = pretty(dir.path(), &args, None);
    assert_eq!(code, 1, "{out}");
    // The primary label (the drug) is on line 5; the second section starts at the benefit
    // claim in the title.
    assert!(out.contains("╭─[ a.md:5:7 ]"), "{out}");
    assert!(out.contains("├─[ a.md:1:3 ]"), "{out}");
    assert_headers_name_their_first_line(&out);
}

/// The same on a line too long to be shown whole (over 2 KB, shown as windows around its
/// labels): the headers name places in the file, not in the excerpt that is rendered.
#[test]
fn headers_name_places_in_the_file_when_a_long_line_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let filler = "Knees carry the weight of the body on every step. ".repeat(60);
    let text = format!(
        "# Sore knees\n\nOrder Tapaday 50mg online today: it works fast and is\n\
         non-addictive. {filler}\n"
    );
    std::fs::write(dir.path().join("a.md"), text).unwrap();
    let args = ["check", "--isolated", "--select", "HL501", "a.md"];
    let (code, out) = pretty(dir.path(), &args, None);
    assert_eq!(code, 1, "{out}");
    // The claim (line 4, the long one) is said of the drug named on line 3.
    assert!(out.contains("╭─[ a.md:4:1 ]"), "{out}");
    assert!(out.contains("├─[ a.md:3:7 ]"), "{out}");
    assert!(out.contains(" …\n"), "the long line is cut: {out}");
    assert_headers_name_their_first_line(&out);
}

/// A cross-document finding (HL401) is headed by its own place, and names the other
/// article's place in a note, as the JSON report's `related` does.
#[test]
fn a_cross_document_finding_names_both_places() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.md"),
        "# Pulled calf\n\nFor the first two days, hold a bag of frozen peas on the calf.\n\n\
         Put a warm heat pack on the calf straight away.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.md"),
        "# Calf strain\n\nSee how it goes.\n\n\
         In the first 48 hours after a strain, avoid heat such as hot baths.\n",
    )
    .unwrap();
    let args = ["check", "--isolated", "--select", "HL401", "."];
    let (code, out) = pretty(dir.path(), &args, None);
    assert_eq!(code, 1, "{out}");
    let (_, json) = pretty(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--select",
            "HL401",
            "--format",
            "json",
            ".",
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = json["diagnostics"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{json}");
    for d in findings {
        let header = format!(
            "╭─[ {}:{}:{} ]",
            d["path"].as_str().unwrap(),
            d["start"]["line"],
            d["start"]["column"]
        );
        let related = &d["related"][0];
        let note = format!(
            "related: {}:{}:{}:",
            related["path"].as_str().unwrap(),
            related["start"]["line"],
            related["start"]["column"]
        );
        assert!(out.contains(&header), "{header} in\n{out}");
        assert!(out.contains(&note), "{note} in\n{out}");
    }
    assert_headers_name_their_first_line(&out);
}

/// The help and note texts of a pretty report, each as its lines: the whole line, and its
/// text (the first without its `Help: ` or `Note N: ` head, the others without their indent).
fn help_and_notes(out: &str) -> Vec<Vec<(&str, &str)>> {
    let mut texts: Vec<Vec<(&str, &str)>> = Vec::new();
    let mut open = false;
    for line in out.lines() {
        let Some((_, after)) = line.split_once("│ ") else {
            open = false;
            continue;
        };
        // Beside labels over several lines, the margin has their arrows' columns too.
        let text = after.trim_start();
        if let Some(head) = ["Help: ", "Note: ", "Note 1: ", "Note 2: ", "Note 3: "]
            .iter()
            .find(|h| text.starts_with(*h))
        {
            texts.push(vec![(line, &text[head.len()..])]);
            open = true;
        } else if open && after.starts_with("      ") && !after.trim().is_empty() {
            texts.last_mut().unwrap().push((line, after.trim_start()));
        } else {
            open = false;
        }
    }
    texts
}

/// Help and notes were one line each, some 900 characters long (the red-flag rules list
/// every warning sign). They are wrapped at spaces to the width, and read the same.
#[test]
fn help_and_notes_are_wrapped_to_the_width() {
    let root = common::root();
    let args = ["check", "--isolated", "examples/articles"];
    let (_, json) = pretty(
        &root,
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "examples/articles",
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut expected: Vec<String> = Vec::new();
    for d in json["diagnostics"].as_array().unwrap() {
        for key in ["help", "note"] {
            if let Some(text) = d[key].as_str() {
                expected.push(text.to_string());
            }
        }
    }
    assert!(expected.iter().any(|t| t.chars().count() > 400));
    for (columns, width) in [(None, 100), (Some("60"), 60), (Some("200"), 200)] {
        let (_, out) = pretty(&root, &args, columns);
        let texts = help_and_notes(&out);
        let mut longest = 0;
        for lines in &texts {
            for (full, _) in lines {
                longest = longest.max(full.chars().count());
                assert!(full.chars().count() <= width, "{columns:?}: {full}");
            }
        }
        let rejoined: Vec<String> = texts
            .iter()
            .map(|lines| {
                lines
                    .iter()
                    .map(|(_, text)| *text)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(rejoined, expected, "{columns:?}");
        assert!(longest > width - 20, "{columns:?}: lines fill the width");
    }
}

const SAMPLE_START: &str = "<!-- example-output:start -->\n```text\n";
const SAMPLE_END: &str = "```\n<!-- example-output:end -->";
const SAMPLE_COMMAND: &str = "$ cargo run --release -- check examples/articles";
/// Stands in the sample for one or more findings left out.
const ELLIPSIS: &str = "…";

/// One finding of a pretty report: its lines, from the `[CODE] Severity: message` line to
/// the closing `╯` line.
struct Finding {
    text: String,
    /// Rule code, path, and how many findings of that rule in that file come before it: what
    /// the sample's choice of findings is kept by when the output changes.
    key: (String, String, usize),
}

/// A pretty report cut into its findings and its closing lines (notes, summary).
fn findings(out: &str) -> (Vec<Finding>, String) {
    let mut found: Vec<Finding> = Vec::new();
    let mut current: Option<String> = None;
    let mut tail = String::new();
    for line in out.lines() {
        if line.starts_with("[HL") {
            current = Some(String::new());
        }
        match current.as_mut() {
            Some(text) => {
                text.push_str(line);
                text.push('\n');
                if line.trim_start().starts_with('─') && line.ends_with('╯') {
                    let text = current.take().unwrap();
                    let code = text[1..text.find(']').unwrap()].to_string();
                    let header = text.lines().nth(1).unwrap_or_default();
                    let path = header
                        .split_once("[ ")
                        .map(|(_, rest)| rest.rsplitn(3, ':').nth(2).unwrap_or_default())
                        .unwrap_or_default()
                        .to_string();
                    let before = found
                        .iter()
                        .filter(|f| f.key.0 == code && f.key.1 == path)
                        .count();
                    found.push(Finding {
                        text,
                        key: (code, path, before),
                    });
                }
            }
            None => {
                tail.push_str(line);
                tail.push('\n');
            }
        }
    }
    (found, tail)
}

/// The README's sample: the command, then the chosen findings whole and in order, each run
/// of findings left out as one `…` line, then the closing lines, as the command prints them
/// with `--color never` when its output is not a terminal. Nothing is normalised; the
/// sample may only leave findings out, and says where.
#[test]
fn readme_sample_output_is_the_real_output() {
    let root = common::root();
    // `--isolated`: a `healthlint.toml` above the checkout must not change the sample; the
    // repository has none, so the README's command in a fresh clone prints the same.
    let (code, out) = pretty(
        &root,
        &[
            "check",
            "--isolated",
            "--color",
            "never",
            "examples/articles",
        ],
        None,
    );
    assert_eq!(code, 1);
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let start = readme
        .find(SAMPLE_START)
        .expect("README has the sample's start marker");
    let body_start = start + SAMPLE_START.len();
    let body_end = body_start
        + readme[body_start..]
            .find(SAMPLE_END)
            .expect("README has the sample's end marker");
    let sample = &readme[body_start..body_end];

    let (sample_findings, _) = findings(sample);
    let chosen: Vec<_> = sample_findings.iter().map(|f| f.key.clone()).collect();
    let (real, tail) = findings(&out);
    for key in &chosen {
        assert!(
            real.iter().any(|f| &f.key == key),
            "the README's sample shows a finding {key:?} that `check examples/articles` no \
             longer reports: choose another finding in the sample"
        );
    }
    let mut expected = format!("{SAMPLE_COMMAND}\n");
    let mut left_out = false;
    for finding in &real {
        if chosen.contains(&finding.key) {
            if left_out {
                expected.push_str(ELLIPSIS);
                expected.push('\n');
            }
            left_out = false;
            expected.push_str(&finding.text);
        } else {
            left_out = true;
        }
    }
    if left_out {
        expected.push_str(ELLIPSIS);
        expected.push('\n');
    }
    expected.push_str(&tail);

    if sample != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{expected}{}", &readme[..body_start], &readme[body_end..]);
            std::fs::write(&readme_path, updated).unwrap();
            return;
        }
        let first_difference = sample
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(sample.lines().count().min(expected.lines().count()));
        panic!(
            "README.md's sample output (the block after `<!-- example-output:start -->`) is \
             not what `{}` prints; first difference at line {} of the block:\n  README: {:?}\n  \
             real:   {:?}\nRegenerate it with `UPDATE_README=1 cargo test --test pretty readme` \
             (it keeps the same findings, chosen by rule, file and occurrence).",
            SAMPLE_COMMAND.trim_start_matches("$ "),
            first_difference + 1,
            sample.lines().nth(first_difference),
            expected.lines().nth(first_difference),
        );
    }
}
