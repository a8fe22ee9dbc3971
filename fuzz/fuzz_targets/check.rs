//! One whole check of any bytes with every built-in rule, rendered by every reporter: no
//! panic and no internal error (HL000); every span in the text and on its character
//! boundaries; JSON that parses; one `concise` line per finding. (libFuzzer's `-timeout`
//! catches an input that is too slow.)
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use healthlint::config::Overrides;
use healthlint::engine::{FileReport, Linter};
use healthlint::report::{self, Format, Summary};
use healthlint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| {
        let overrides = Overrides {
            isolated: true,
            ..Overrides::default()
        };
        healthlint::load(Path::new("."), &overrides).expect("built-in rules load")
    })
}

fn render(report: &FileReport, format: Format) -> String {
    let mut reporter = report::reporter(format, report::Options::default());
    let mut out = Vec::new();
    let mut summary = Summary::default();
    summary.add(report);
    reporter.file(report, &mut out).expect("writes to memory");
    reporter
        .finish(&summary, &mut out)
        .expect("writes to memory");
    String::from_utf8(out).expect("reports are UTF-8")
}

fuzz_target!(|data: &[u8]| {
    let format = if data.first().is_some_and(|b| b & 1 == 1) {
        healthlint::source::Format::Plain
    } else {
        healthlint::source::Format::Markdown
    };
    let Ok(source) = SourceFile::from_bytes("fuzz.md".into(), format, data.to_vec()) else {
        return;
    };
    let diagnostics = linter().check_source(&source);
    let text = source.text.clone();
    for d in &diagnostics {
        assert_ne!(&*d.rule.code, "HL000", "{}", d.message);
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let r = &label.range;
            assert!(r.start <= r.end && r.end <= text.len(), "{r:?}");
            assert!(
                text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                "{r:?}"
            );
        }
    }
    let count = diagnostics.len();
    let report = FileReport::checked("fuzz.md".into(), source, diagnostics);
    for format in [
        Format::Pretty,
        Format::Concise,
        Format::Json,
        Format::Github,
        Format::Jsonl,
        Format::Gitlab,
        Format::Junit,
    ] {
        let out = render(&report, format);
        match format {
            Format::Json | Format::Gitlab => {
                serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
            }
            Format::Jsonl => {
                for line in out.lines() {
                    serde_json::from_str::<serde_json::Value>(line).expect("valid JSON line");
                }
            }
            Format::Concise => {
                // One line per finding, then the summary line.
                assert_eq!(out.lines().count(), count + 1, "{out}");
            }
            _ => {}
        }
    }
});
