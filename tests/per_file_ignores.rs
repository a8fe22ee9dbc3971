//! `[per-file-ignores]` in `healthlint.toml`: patterns relative to the config file's folder
//! (gitignore semantics, as `exclude`), each with codes or prefixes its files do not report;
//! the same from any working directory. Bad codes and patterns are errors that point at the
//! config file.

mod common;

use std::path::Path;

/// `site/` with a config, three articles with HL5 findings (one in `archive/`, one in
/// `news/2024/`), and the example drug-promotion page (HL201 and HL5 findings).
fn site(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    for folder in ["archive", "news/2024"] {
        std::fs::create_dir_all(site.join(folder)).unwrap();
    }
    let claim = "# Tonic\n\nThis tonic is a miracle cure for stiff knees.\n";
    for name in ["tonic.md", "archive/tonic.md", "news/2024/tonic.md"] {
        std::fs::write(site.join(name), claim).unwrap();
    }
    std::fs::copy(
        common::root().join("examples/articles/back-pain-relief.md"),
        site.join("relief.md"),
    )
    .unwrap();
    std::fs::write(site.join("healthlint.toml"), config).unwrap();
    dir
}

/// `(path, code)` of every finding `check --format concise ARGS` prints in `dir`.
fn found(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String)>, String) {
    let all: Vec<&str> = ["check", "--format", "concise", "--quiet"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let (code, out, err) = common::captured(dir, &all);
    let mut list: Vec<(String, String)> = out
        .lines()
        .map(|l| {
            let path = l.split(':').next().unwrap().to_string();
            let code = l
                .split('[')
                .nth(1)
                .unwrap()
                .split(']')
                .next()
                .unwrap()
                .to_string();
            (path, code)
        })
        .collect();
    list.sort();
    list.dedup();
    (code, list, err)
}

#[test]
fn per_file_ignores_drop_codes_for_matching_files_from_any_folder() {
    let dir = site(
        "[per-file-ignores]\n\"archive/\" = [\"HL5\"]\n\"/news/**/*.md\" = [\"HL502\"]\n\"relief.md\" = [\"HL2\", \"HL501\"]\n",
    );
    let site = dir.path().join("site");
    let (code, in_site, err) = found(&site, &["."]);
    assert_eq!(code, 1, "{err}");
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    };
    let codes_of = |list: &[(String, String)], path: &str| -> Vec<String> {
        list.iter()
            .filter(|(p, _)| p == path)
            .map(|(_, c)| c.clone())
            .collect()
    };
    assert_eq!(codes_of(&in_site, "tonic.md"), ["HL502"]);
    assert!(
        codes_of(&in_site, "archive/tonic.md").is_empty(),
        "{in_site:?}"
    );
    assert!(
        codes_of(&in_site, "news/2024/tonic.md").is_empty(),
        "{in_site:?}"
    );
    let relief = codes_of(&in_site, "relief.md");
    assert!(!relief.is_empty());
    assert!(
        relief.iter().all(|c| !c.starts_with("HL2") && c != "HL501"),
        "{relief:?}"
    );
    // The same findings from the parent folder, the config named.
    let (_, from_parent, _) = found(dir.path(), &["--config", "site/healthlint.toml", "site"]);
    let prefixed: Vec<(String, String)> = in_site
        .iter()
        .map(|(p, c)| (format!("site/{p}"), c.clone()))
        .collect();
    assert_eq!(from_parent, prefixed);
    // And a file named on the command line from inside a folder.
    let (code, named, _) = found(&site.join("archive"), &["tonic.md"]);
    assert_eq!((code, named), (0, pairs(&[])));
    // Without the table, every file reports.
    std::fs::write(site.join("healthlint.toml"), "").unwrap();
    let (_, all, _) = found(&site, &["."]);
    assert!(all.len() > in_site.len());
    assert!(all.contains(&("archive/tonic.md".to_string(), "HL502".to_string())));
}

#[test]
fn bad_codes_and_patterns_point_at_the_config() {
    for (config, expected) in [
        (
            "[per-file-ignores]\n\"archive/\" = [\"HL999\"]\n",
            "`HL999` matches no rule",
        ),
        (
            "[per-file-ignores]\n\"archive/\" = [\"E501\"]\n",
            "`E501` is not a rule code or prefix",
        ),
        (
            "[per-file-ignores]\n\"archive/[a\" = [\"HL5\"]\n",
            "invalid pattern in `per-file-ignores`",
        ),
        (
            "[per-file-ignores]\n\"archive/\" = \"HL5\"\n",
            "invalid type",
        ),
    ] {
        let dir = site(config);
        let (code, out, err) = common::captured(&dir.path().join("site"), &["check", "."]);
        assert_eq!(code, 2, "{config}: {out}{err}");
        assert!(err.contains(expected), "{config}: {err}");
        assert!(err.contains("healthlint.toml"), "{config}: {err}");
        // Pointed at: the line of the table entry is shown.
        assert!(err.contains("archive/"), "{config}: {err}");
    }
}
