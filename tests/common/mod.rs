//! Helpers shared by the integration tests: build a linter for one rule, check a fixture,
//! render its findings the way the command line does, run the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use healthlint::config::Overrides;
use healthlint::discover::Target;
use healthlint::engine::Linter;
use healthlint::report::FileReport;
use healthlint::report::{self, Summary};
use healthlint::source::Format;

/// A linter with only the rules whose codes start with one of `select` (isolated from any
/// config file, so tests see built-in defaults).
pub fn linter(select: &[&str]) -> Linter {
    let overrides = Overrides {
        isolated: true,
        select: select.iter().map(|s| s.to_string()).collect(),
        ..Overrides::default()
    };
    healthlint::load(Path::new(env!("CARGO_MANIFEST_DIR")), &overrides)
        .expect("built-in rules load")
}

/// Checks a file as if it were named on the command line.
pub fn check_file(linter: &Linter, path: &Path) -> FileReport {
    let format = Format::from_path(path).unwrap_or(Format::Markdown);
    linter.check_target(
        &Target::File {
            path: path.to_path_buf(),
            format,
            explicit: true,
        },
        None,
    )
}

/// Checks `path` together with `companion` in one run (the real run loop, two threads), with
/// cross-document checks on, and returns the report of `path` as it is written (its
/// cross-document findings merged in).
pub fn check_with_companion(linter: &Linter, path: &Path, companion: &Path) -> FileReport {
    let target = |p: &Path| Target::File {
        path: p.to_path_buf(),
        format: Format::from_path(p).unwrap_or(Format::Markdown),
        explicit: true,
    };
    let targets = healthlint::discover::Targets::List(vec![target(path), target(companion)]);
    let mut capture = Capture::default();
    healthlint::run_check(linter, &targets, None, 2, &mut capture, &mut Vec::new()).unwrap();
    let mut rendered = capture.rendered.into_inner().unwrap();
    let first = capture.written[0];
    rendered.swap_remove(first)
}

/// A reporter that keeps every report it renders and the order in which their fragments are
/// written (a fragment is the index of its report).
#[derive(Default)]
struct Capture {
    rendered: std::sync::Mutex<Vec<FileReport>>,
    written: Vec<usize>,
}

impl report::Reporter for Capture {
    fn fragment(&self, r: &FileReport, out: &mut Vec<u8>) -> std::io::Result<()> {
        let mut rendered = self.rendered.lock().unwrap();
        out.extend_from_slice(&rendered.len().to_le_bytes());
        rendered.push(FileReport {
            path: r.path.clone(),
            source: r.source.clone(),
            diagnostics: r.diagnostics.clone(),
            skipped: r.skipped.clone(),
            failed: r.failed,
        });
        Ok(())
    }

    fn write_fragment(
        &mut self,
        fragment: &[u8],
        _: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        self.written
            .push(usize::from_le_bytes(fragment.try_into().unwrap()));
        Ok(())
    }

    fn finish(&mut self, _: &Summary, _: &mut dyn std::io::Write) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders reports in a format, without colour.
pub fn render(reports: &[FileReport], format: report::Format) -> String {
    static LINTER: std::sync::OnceLock<Linter> = std::sync::OnceLock::new();
    let linter = LINTER.get_or_init(|| linter(&[]));
    let mut reporter = report::reporter(format, report::Options::default(), linter.run());
    let mut out = Vec::new();
    let mut summary = Summary::default();
    for r in reports {
        summary.add(r);
        reporter.file(r, &mut out).unwrap();
    }
    reporter.finish(&summary, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The `(code, line)` pairs a fixture states it expects: `<!-- expect: HL101@3, HL2xx@9 -->`.
pub fn expectations(text: &str) -> Option<Vec<(String, usize)>> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("<!-- expect:"))?;
    let body = line
        .trim()
        .trim_start_matches("<!-- expect:")
        .trim_end_matches("-->")
        .trim();
    Some(
        body.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                let (code, line) = item
                    .split_once('@')
                    .unwrap_or_else(|| panic!("`{item}` is not CODE@LINE"));
                (
                    code.to_string(),
                    line.parse()
                        .unwrap_or_else(|_| panic!("bad line in `{item}`")),
                )
            })
            .collect(),
    )
}

/// The `(code, line)` pairs a report holds, sorted.
pub fn found(report: &FileReport) -> Vec<(String, usize)> {
    let source = report.source.as_ref().expect("fixture was read");
    let mut out: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.code.to_string(),
                source
                    .lines
                    .line_col(&source.text, d.primary.range.start)
                    .line,
            )
        })
        .collect();
    out.sort();
    out
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary run in `dir`, without colour.
pub fn healthlint_in(dir: impl AsRef<Path>) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("healthlint").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// `healthlint ARGS` in `dir`: exit code, stdout, stderr.
pub fn captured(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = healthlint_in(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
