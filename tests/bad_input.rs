//! The bad-input matrix (issue 20, item 10), through the binary as CI runs it: each kind of
//! broken or hostile input is checked next to a good article, with the exit code and the
//! message it must give; the good article's finding is always reported too. A last case runs
//! them all in one walked folder. The per-file time budget (`--time-budget`, `time-budget`)
//! is tested here as well: a file over it is `HL008`, and the run goes on.
//!
//! `tests/input.rs` checks the same inputs' spans and findings through the library; this file
//! checks what a user sees.

mod common;

use std::path::Path;

/// A good article with one finding (HL502 at 3:15).
const GOOD: &str = "# Knee pain\n\nThis gel is a miracle cure for sore knees.\n";
const GOOD_FINDING: &str = "good.md:3:15: warning[HL502]";

/// Writes every case into `dir`; returns whether the unreadable file really is unreadable
/// (it is not for root, who reads any file).
fn write_cases(dir: &Path, outside: &Path) -> bool {
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    write("good.md", GOOD.as_bytes());
    write(
        "nul.md",
        b"# Knee pain\n\nThis gel is a miracle\0cure for sore knees.\n",
    );
    let utf16: Vec<u8> = GOOD.encode_utf16().flat_map(u16::to_le_bytes).collect();
    write("utf16-no-bom.md", &utf16);
    write("utf16-bom.md", &[&[0xFF, 0xFE][..], &utf16].concat());
    write(
        "invalid-utf8.md",
        b"# Knee pain\n\nThis gel is a miracle cure \xff\xfe\xfd for sore knees.\n",
    );
    write("empty.md", b"");
    write("front-matter-only.md", b"---\ntitle: Knee pain\n---\n");
    write(
        "unclosed-comment.md",
        b"# Knee pain\n\n<!-- draft\n\nThis gel is a miracle cure.\n",
    );
    // One line of 1 MB with one claim at its end.
    let mut long = "knee ".repeat((1 << 20) / 5);
    long.push_str("a miracle cure\n");
    write("long-line.md", long.as_bytes());
    std::fs::create_dir(dir.join("folder.md")).unwrap();
    std::fs::write(outside.join("secret.md"), GOOD.replace("gel", "balm")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::os::unix::fs::symlink(outside.join("secret.md"), dir.join("outside-link.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("missing.md"), dir.join("broken-link.md")).unwrap();
        // Links inside the folder: to an article, and to a folder of one.
        std::os::unix::fs::symlink("good.md", dir.join("same-good.md")).unwrap();
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::write(
            dir.join("sub").join("inner.md"),
            GOOD.replace("gel", "cream"),
        )
        .unwrap();
        std::os::unix::fs::symlink("sub", dir.join("sub-link")).unwrap();
        std::os::unix::fs::symlink(outside, dir.join("outside-folder")).unwrap();
        write("unreadable.md", GOOD.as_bytes());
        let path = dir.join("unreadable.md");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        return std::fs::File::open(&path).is_err();
    }
    #[allow(unreachable_code)]
    false
}

/// `check --isolated --select HL502,HL0 --format concise ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let all: Vec<&str> = [
        "check",
        "--isolated",
        "--select",
        "HL502,HL0",
        "--format",
        "concise",
    ]
    .into_iter()
    .chain(args.iter().copied())
    .collect();
    common::captured(dir, &all)
}

/// A case: the file named next to `good.md`, the exit code, and what the output must hold
/// (`None`: no line names the file).
struct Case {
    file: &'static str,
    code: i32,
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    // NUL and control bytes are read as spaces and reported; the claim is still found.
    Case {
        file: "nul.md",
        code: 1,
        expect: &[
            "nul.md:1:1: info[HL006] 1 NUL or other control character in this file was read as spaces",
            "nul.md:3:15: warning[HL502]",
        ],
    },
    Case {
        file: "utf16-no-bom.md",
        code: 1,
        expect: &["utf16-no-bom.md:3:15: warning[HL502]"],
    },
    Case {
        file: "utf16-bom.md",
        code: 1,
        expect: &["utf16-bom.md:3:15: warning[HL502]"],
    },
    Case {
        file: "invalid-utf8.md",
        code: 2,
        expect: &[
            "invalid-utf8.md:1:1: error[HL002] cannot check `invalid-utf8.md`: invalid UTF-8 at byte 40",
            "1 file could not be checked",
        ],
    },
    Case {
        file: "empty.md",
        code: 1,
        expect: &["Checked 2 files"],
    },
    Case {
        file: "front-matter-only.md",
        code: 1,
        expect: &["Checked 2 files"],
    },
    Case {
        file: "unclosed-comment.md",
        code: 1,
        expect: &["unclosed-comment.md:3:1: info[HL007] this HTML comment is never closed"],
    },
    Case {
        file: "long-line.md",
        code: 1,
        expect: &["long-line.md:1:1048578: warning[HL502]"],
    },
    // A folder with an article's name is a folder: walked, and empty.
    Case {
        file: "folder.md",
        code: 1,
        expect: &["Checked 1 file:"],
    },
    Case {
        file: "broken-link.md",
        code: 2,
        expect: &["broken-link.md:1:1: error[HL001] cannot check `broken-link.md`"],
    },
    // Named on the command line, a link is followed wherever it leads, and reported under
    // its own name. (Walking a folder does not follow it: see the walked case below.)
    Case {
        file: "outside-link.md",
        code: 1,
        expect: &["outside-link.md:3:16: warning[HL502]"],
    },
    // The same file under a second spelling is checked once.
    Case {
        file: "./good.md",
        code: 1,
        expect: &["Checked 1 file:"],
    },
    Case {
        file: "unreadable.md",
        code: 2,
        expect: &["unreadable.md:1:1: error[HL001] cannot check `unreadable.md`"],
    },
];

#[cfg(unix)]
#[test]
fn each_bad_input_is_reported_with_its_exit_code_and_the_good_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let unreadable = write_cases(dir.path(), outside.path());
    for case in CASES {
        if case.file == "unreadable.md" && !unreadable {
            eprintln!("running as root: unreadable.md can be read; case skipped");
            continue;
        }
        let (code, out, err) = check(dir.path(), &["good.md", case.file]);
        assert_eq!(code, case.code, "{}:\n{out}{err}", case.file);
        for expected in case.expect {
            assert!(
                out.contains(expected),
                "{}: `{expected}` in\n{out}{err}",
                case.file
            );
        }
        assert_eq!(
            out.matches(GOOD_FINDING).count(),
            1,
            "{}: the good file is reported once:\n{out}",
            case.file
        );
    }
}

/// All the cases in one walked folder: the run exits 2 (files that could not be checked), and
/// every file that can be checked is. Links that lead out of the folder are not followed
/// and are listed as skipped (issue 20, D10); links inside it are followed, and each file is
/// checked once (D7).
#[cfg(unix)]
#[test]
fn a_walked_folder_of_bad_input_reports_everything_it_can() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write_cases(dir.path(), outside.path());
    let (code, out, err) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{out}{err}");
    for expected in [
        GOOD_FINDING,
        "nul.md:3:15: warning[HL502]",
        "utf16-no-bom.md:3:15: warning[HL502]",
        "utf16-bom.md:3:15: warning[HL502]",
        "invalid-utf8.md:1:1: error[HL002]",
        "unclosed-comment.md:3:1: info[HL007]",
        "long-line.md:1:1048578: warning[HL502]",
        "broken-link.md:1:1: error[HL001]",
        "sub/inner.md:3:17: warning[HL502]",
        "note: skipped outside-link.md: a link to a file outside the folders being checked, \
         not followed (`--follow` follows it)",
        "note: skipped outside-folder: a link to a folder outside the folders being checked",
    ] {
        assert!(out.contains(expected), "`{expected}` in\n{out}{err}");
    }
    // The file outside is not read; the files inside are checked once, under the first
    // spelling in path order.
    for absent in [
        "outside-link.md:3",
        "outside-folder/",
        "same-good.md",
        "sub-link/",
    ] {
        assert!(!out.contains(absent), "{absent} in\n{out}");
    }
    assert_eq!(out.matches("\ngood.md:3:15").count(), 1, "{out}");
    for quiet in ["empty.md", "front-matter-only.md", "folder.md"] {
        assert!(!out.contains(quiet), "{quiet} in\n{out}");
    }
    // The output is the same for any number of threads.
    let (_, one_thread, _) = check(dir.path(), &["-j1", "."]);
    assert_eq!(out, one_thread);

    // Asked to, the walk follows links out of the folder: the outside file is checked once,
    // though two links reach it.
    let (_, followed, err) = check(dir.path(), &["--follow", "."]);
    assert!(
        followed.contains("outside-folder/secret.md:3:16: warning[HL502]"),
        "{followed}{err}"
    );
    assert!(!followed.contains("outside-link.md"), "{followed}");
    assert!(!followed.contains("note: skipped outside"), "{followed}");
    std::fs::write(dir.path().join("healthlint.toml"), "follow-links = true\n").unwrap();
    let (_, configured, _) = common::captured(
        dir.path(),
        &["check", "--select", "HL502,HL0", "--format", "concise", "."],
    );
    assert_eq!(configured, followed);
}

/// A settings file with a misspelt key stops the run before any file is read (exit 2),
/// pointing at the key.
#[test]
fn a_bad_config_key_is_an_error_at_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.md"), GOOD).unwrap();
    std::fs::write(
        dir.path().join("healthlint.toml"),
        "fail-on = \"error\"\ncross-documnet = false\n",
    )
    .unwrap();
    let out = common::healthlint_in(dir.path())
        .args(["check", "good.md"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("healthlint.toml:2:1"), "{err}");
    assert!(err.contains("unknown field `cross-documnet`"), "{err}");
    assert!(out.stdout.is_empty());
}

/// A budget of 0 stops every file at its first check of the clock: each is reported as
/// HL008, naming it, and counted as a file that could not be checked; files that fail
/// before any check (here, one that cannot be decoded) are reported as before. A generous
/// budget changes nothing.
#[test]
fn a_file_over_the_time_budget_is_hl008_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.md"), GOOD).unwrap();
    std::fs::write(dir.path().join("other.md"), GOOD).unwrap();
    std::fs::write(dir.path().join("invalid-utf8.md"), b"caf\xe9 \xff\n").unwrap();
    let (code, out, err) = check(dir.path(), &["--time-budget", "0", "."]);
    assert_eq!(code, 2, "{out}{err}");
    for file in ["good.md", "other.md"] {
        assert!(
            out.contains(&format!(
                "{file}:1:1: error[HL008] checking `{file}` took longer than the time budget of 0 s"
            )),
            "{out}"
        );
    }
    assert!(out.contains("invalid-utf8.md:1:1: error[HL002]"), "{out}");
    assert!(!out.contains("HL502"), "{out}");
    assert!(out.contains("3 files could not be checked"), "{out}");

    // The same from the config file; the flag overrides it.
    std::fs::write(dir.path().join("healthlint.toml"), "time-budget = 0\n").unwrap();
    let run = |args: &[&str]| {
        let all: Vec<&str> = ["check", "--select", "HL502", "--format", "concise"]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        common::captured(dir.path(), &all)
    };
    let (code, out, _) = run(&["good.md"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("good.md:1:1: error[HL008]"), "{out}");
    let (code, out, _) = run(&["--time-budget", "3600", "good.md"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(GOOD_FINDING), "{out}");
    assert!(!out.contains("HL008"), "{out}");

    // A budget that is not a number of seconds is an error at the key.
    std::fs::write(dir.path().join("healthlint.toml"), "time-budget = -1\n").unwrap();
    let (code, _, err) = run(&["good.md"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid `time-budget`"), "{err}");
}
