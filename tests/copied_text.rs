//! Guard against evaluation text in the project. The corpora in `../shared/corpus` (`dev`,
//! `seeds`, `real`) are third-party or evaluation material: measuring with them is the point,
//! copying them into rules, fixtures, code or docs is not (a rule that quotes its test set
//! detects that set, not the problem). This test fails when a project file shares a run of
//! [`RUN`] or more words with any of them, and names both files and the shared words.
//!
//! Words are compared case-insensitively and without punctuation or Markdown, so a sentence
//! cannot slip through by being re-cased or re-wrapped. On a clone without `../shared` (a
//! user's), the test passes and says that it checked nothing.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::path::{Path, PathBuf};

/// The shortest shared run that counts as copied: long enough that common phrasing ("if you
/// have any of these symptoms, call") stays below it.
const RUN: usize = 9;

/// The corpora that must not be copied from, relative to the shared folder.
const CORPORA: &[&str] = &["corpus/dev", "corpus/seeds", "corpus/real"];

/// The project's own text: everything a user or contributor reads or the tests feed in.
const PROJECT: &[&str] = &[
    "rules",
    "fixtures",
    "src",
    "crates",
    "tests",
    "examples",
    "README.md",
];

/// Words of a text, lower-cased, with the byte line each starts on. A word is a run of
/// letters or digits, with inner apostrophes kept ("don't" is one word).
fn words(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut current = String::new();
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let inner_apostrophe = matches!(c, '\'' | '’')
            && !current.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_apostrophe {
            if current.is_empty() {
                start_line = line;
            }
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            out.push((std::mem::take(&mut current), start_line));
        }
        if c == '\n' {
            line += 1;
        }
    }
    if !current.is_empty() {
        out.push((current, start_line));
    }
    out
}

fn shingle(hasher: &BuildHasherDefault<DefaultHasher>, run: &[(String, usize)]) -> u64 {
    hasher.hash_one(run.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>())
}

/// Every readable text file under `path` (or `path` itself), sorted for a stable report.
fn files(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())) {
                stack.push(entry.unwrap().path());
            }
        } else if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn no_project_file_shares_a_long_run_of_words_with_the_evaluation_corpora() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    if !shared.join("corpus").is_dir() {
        eprintln!(
            "copied-text guard: {} is absent; nothing was compared",
            shared.join("corpus").display()
        );
        return;
    }
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    let mut corpus_runs: HashMap<u64, PathBuf> = HashMap::new();
    let mut corpus_files = 0;
    for corpus in CORPORA {
        for file in files(&shared.join(corpus)) {
            // Labels and READMEs describe the corpus (with its source addresses); they are
            // not its text.
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if matches!(name, "labels.toml" | "README.md") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            corpus_files += 1;
            let rel = file.strip_prefix(&shared).unwrap().to_path_buf();
            for run in words(&text).windows(RUN) {
                corpus_runs
                    .entry(shingle(&hasher, run))
                    .or_insert_with(|| rel.clone());
            }
        }
    }
    assert!(
        corpus_files > 0,
        "no corpus file could be read under {}",
        shared.display()
    );

    let mut found = Vec::new();
    for part in PROJECT {
        for file in files(&root.join(part)) {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let words = words(&text);
            let mut i = 0;
            while i + RUN <= words.len() {
                let Some(source) = corpus_runs.get(&shingle(&hasher, &words[i..i + RUN])) else {
                    i += 1;
                    continue;
                };
                // Extend over every following window that is shared too: one report per run.
                let mut end = i + RUN;
                while end < words.len()
                    && corpus_runs.contains_key(&shingle(&hasher, &words[end + 1 - RUN..=end]))
                {
                    end += 1;
                }
                let run: Vec<&str> = words[i..end].iter().map(|(w, _)| w.as_str()).collect();
                found.push(format!(
                    "{}:{}: {} words shared with {}: \"{}\"",
                    file.strip_prefix(root).unwrap().display(),
                    words[i].1,
                    end - i,
                    source.display(),
                    run.join(" ")
                ));
                i = end;
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} run(s) of {RUN}+ words copied from the evaluation corpora; rewrite them in your own words:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn words_ignore_case_punctuation_and_markup() {
    let plain: Vec<String> = words("Don't **ICE** it,\nthen-rest.")
        .into_iter()
        .map(|w| w.0)
        .collect();
    assert_eq!(plain, ["don't", "ice", "it", "then", "rest"]);
    assert_eq!(words("a\n\nb").last().unwrap().1, 3);
}
