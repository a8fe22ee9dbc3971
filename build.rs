//! Embeds every file under `rules/` into the binary, so that `healthlint check` works with no
//! configuration and a new rule needs no Rust change: the list is generated, not hand-kept.
//! Also lists the rule fixtures as one test each for `tests/rules.rs`, for the same reason.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&rules, &mut files);
    files.sort();
    let mut out = String::from("/// Every file under `rules/`, as (path relative to `rules/`, contents), sorted by path.\n");
    out.push_str("pub static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(&rules)
            .expect("collected under rules/")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .expect("write to String");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("builtin_rules.rs"), out).expect("OUT_DIR is writable");
    std::fs::write(
        out_dir.join("fixture_tests.rs"),
        fixture_tests(&root.join("fixtures").join("rules")),
    )
    .expect("OUT_DIR is writable");
}

/// One `#[test]` per rule fixture (`fixtures/rules/<CODE>/{fail,pass}_*`), in a module named
/// after the rule, so that `cargo test HL301` runs that rule's cases and a failure names its
/// fixture. `tests/rules.rs` includes the list; each test calls its `check_fixture`.
fn fixture_tests(fixtures: &Path) -> String {
    println!("cargo:rerun-if-changed={}", fixtures.display());
    let mut out = String::new();
    let mut codes: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    codes.sort();
    for dir in codes {
        println!("cargo:rerun-if-changed={}", dir.display());
        let code = dir
            .file_name()
            .expect("a folder name")
            .to_string_lossy()
            .into_owned();
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        writeln!(out, "#[allow(non_snake_case)]\nmod {code} {{").expect("write to String");
        for file in files {
            let name: String = file
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            writeln!(
                out,
                "    #[test]\n    fn {name}() {{\n        super::check_fixture({code:?}, {file:?});\n    }}"
            )
            .expect("write to String");
        }
        out.push_str("}\n");
    }
    out
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
}
