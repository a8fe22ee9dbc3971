//! The fuzz targets' invariants (`fuzz/invariants.rs`), run by the ordinary test suite on
//! stable Rust: every input that once failed (`fuzz/regressions/TARGET/`) is replayed, then
//! the seeds (the repository's own fixtures and rule files, the saved corpus), then a bounded
//! number of inputs mutated from them, with a fixed seed so that a failure happens again. This is the fuzzing CI runs: no nightly toolchain, no libFuzzer, no
//! coverage guidance (see `fuzz/README.md` for what that leaves to the long runs).
//!
//! `HEALTHLINT_FUZZ_INPUTS` (default 2,000 per target) and `HEALTHLINT_FUZZ_SEED` change the
//! run. An input that fails is written to the test's temporary folder, named in the failure,
//! to become a regression file. In a release build each input must also take less than one
//! second per 100 KB (the issue's bound; a debug build is too slow for it to mean anything).

#[allow(dead_code)]
#[path = "../fuzz/invariants.rs"]
mod invariants;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Mutated inputs are cut to this length: long enough for every shape of Markdown, short
/// enough that a debug build gets through hundreds of them in seconds.
const MAX_LEN: usize = 16 * 1024;

/// Byte strings that reach parts of the grammar a random byte rarely does.
const TOKENS: &[&[u8]] = &[
    b"\n",
    b"\r",
    b"\r\n",
    b"\0",
    b"\x0b",
    b"\x0c",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\xe2\x80\xa9",
    b"\xc2\xa0",
    b"\xc2\xad",
    b"&nbsp;",
    b"&#8203;",
    b"<!--",
    b"-->",
    b"```",
    b"~~~",
    b"    ",
    b"\t",
    b"> ",
    b"- ",
    b"* ",
    b"1. ",
    b"# ",
    b"| a | b |\n|---|---|\n",
    b"[x](",
    b"](http://",
    b"---\n",
    b"<div>",
    b"*",
    b"_",
    b"`",
    b"\\",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xf0\x9f\x98\x80",
    b"miracle cure",
    b"100% safe",
    b"ibuprofen 400 mg",
    b"every 4 hours",
    b"see a doctor",
    b"call 999",
    b"for 48 hours",
    b"do not",
    b"if",
    b". ",
    b"? ",
    b"healthlint-disable ",
    b"<!-- healthlint-disable-next-line HL502 -->",
    b"\"",
    b"'",
    b"[",
    b"]",
    b"{",
    b"}",
    b"=",
    b"phrases = [\"",
    b"kind = \"",
    b"[check]\n",
    b"[docs]\n",
    b"(",
    b")",
    b"?",
    b"|",
];

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// One to four random edits of `input`, some with a piece of `other`.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(8) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let byte = rng.next() as u8;
                data.insert(at, byte);
            }
            2 | 3 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let times = if rng.below(8) == 0 {
                    1 + rng.below(64)
                } else {
                    1
                };
                for _ in 0..times {
                    data.splice(at..at, token.iter().copied());
                }
            }
            4 if !data.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            5 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(256)).min(data.len());
                let piece = data[start..end].to_vec();
                data.splice(at..at, piece);
            }
            6 if !other.is_empty() => {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(512)).min(other.len());
                data.splice(at..at, other[start..end].iter().copied());
            }
            _ => data.truncate(at),
        }
    }
    data.truncate(MAX_LEN);
    data
}

/// Every file below `dir` whose name ends with one of `extensions` (all files when empty),
/// sorted by path.
fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if extensions.is_empty()
                || path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| extensions.contains(&e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read_all(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Runs `invariant` on one input; a failure or (in release) a slow input saves the input
/// and fails the test naming it.
fn try_input(target: &str, what: &str, invariant: fn(&[u8]), data: &[u8]) {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(|| invariant(data));
    let took = started.elapsed();
    let limit = Duration::from_secs(1) + Duration::from_micros(10 * data.len() as u64);
    let slow = !cfg!(debug_assertions) && took > limit;
    if outcome.is_err() || slow {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{target}-{:016x}", fnv(data)));
        std::fs::write(&file, data).unwrap();
        let why = if slow {
            format!("took {took:?} for {} bytes", data.len())
        } else {
            "failed (see the panic above)".to_string()
        };
        panic!(
            "{target}: {what} {why}; the input is saved as {}: add it to fuzz/regressions/{target}/",
            file.display()
        );
    }
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Replays the regression inputs of `target` and its seeds, then tries the configured number
/// of mutated inputs. (A local cargo-fuzz corpus, `fuzz/corpus/`, is not read: it holds
/// thousands of inputs, and is not kept in the repository.)
fn fuzz(target: &str, invariant: fn(&[u8]), seeds: Vec<Vec<u8>>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in files(&root.join("fuzz/regressions").join(target), &[]) {
        let data = std::fs::read(&path).unwrap();
        try_input(target, &path.display().to_string(), invariant, &data);
    }
    assert!(!seeds.is_empty(), "{target}: no seeds");
    let inputs = setting("HEALTHLINT_FUZZ_INPUTS", 2000);
    let mut rng = Rng(setting("HEALTHLINT_FUZZ_SEED", 0x5eed_f00d) | 1);
    // The seeds themselves, once each.
    for (i, seed) in seeds.iter().enumerate() {
        try_input(target, &format!("seed {i}"), invariant, seed);
    }
    for n in 0..inputs {
        let a = &seeds[rng.below(seeds.len())];
        let b = &seeds[rng.below(seeds.len())];
        let data = mutate(&mut rng, a, b);
        try_input(target, &format!("mutated input {n}"), invariant, &data);
    }
}

fn articles() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = read_all(&files(&root.join("fixtures"), &["md", "txt", "mdx"]));
    seeds.retain(|s| s.len() <= MAX_LEN);
    seeds
}

#[test]
fn document() {
    fuzz("document", invariants::document, articles());
}

#[test]
fn check() {
    fuzz("check", invariants::check, articles());
}

#[test]
fn rule_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = read_all(&files(&root.join("rules"), &["toml"]));
    seeds.retain(|s| s.len() <= MAX_LEN);
    fuzz("rule_file", invariants::rule_file, seeds);
}

#[test]
fn config_file() {
    let seeds: Vec<Vec<u8>> = [
        "fail-on = \"warning\"\nrule-dirs = [\"house-rules\"]\ninclude = [\"**/*.md\"]\n\
         exclude = [\"drafts/\"]\nfollow-links = false\ncross-document = true\nlocale = \"uk\"\n\
         baseline = \"b.json\"\ntime-budget = 10\n\n[rules]\nselect = [\"HL1\", \"HL201\"]\n\
         ignore = [\"HL104\"]\nseverity = { HL201 = \"error\" }\n\n[per-file-ignores]\n\
         \"archive/\" = [\"HL1\"]\n\"news/**/*.md\" = [\"HL201\", \"HL5\"]\n",
        "fail-on = \"error\"\ntime-budget = 2.5\n",
        "[rules]\nselect = [\"HL5\"]\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    fuzz("config_file", invariants::config_file, seeds);
}
