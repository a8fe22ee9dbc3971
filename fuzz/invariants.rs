//! What must hold for any input, one function per fuzz target. Shared by the cargo-fuzz
//! targets (`fuzz_targets/*.rs`, under libFuzzer with a nightly toolchain) and the bounded
//! run in the ordinary test suite (`tests/fuzz.rs`, stable, in CI), so that both check the
//! same thing. Each function panics when an invariant fails; the caller judges time.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use healthlint::check::Prepared;
use healthlint::config::{Overrides, Settings};
use healthlint::document::Document;
use healthlint::engine::Linter;
use healthlint::error::SetupError;
use healthlint::report::{self, FileReport, Format, Summary};
use healthlint::rules::RuleSource;
use healthlint::source::{self, SourceFile};

/// The reader and the document parser, as Markdown and as plain text: no panic, the prose as
/// long as the text, and every block and sentence a range of the text on its character
/// boundaries, sentences in order.
pub fn document(data: &[u8]) {
    for format in [source::Format::Markdown, source::Format::Plain] {
        let Ok(source) = SourceFile::from_bytes("fuzz.md".into(), format, data.to_vec()) else {
            continue;
        };
        let text = source.text.as_str();
        let doc = Document::parse(&source);
        assert_eq!(doc.prose.len(), text.len());
        for b in &doc.blocks {
            assert!(in_text(text, &b.range), "block {:?}", b.range);
        }
        for s in &doc.sentences {
            assert!(in_text(text, &s.range), "sentence {:?}", s.range);
        }
        assert!(doc
            .sentences
            .windows(2)
            .all(|w| w[0].range.start <= w[1].range.start));
    }
}

/// One whole check with every built-in rule (Markdown or plain text by the first byte's low
/// bit), rendered by every reporter: no panic and no internal error (`HL000`); every span in
/// the text and on its character boundaries; `json`, `gitlab` and each `jsonl` line parse
/// as JSON; `concise` has one line per finding, then the summary.
pub fn check(data: &[u8]) {
    let format = if data.first().is_some_and(|b| b & 1 == 1) {
        source::Format::Plain
    } else {
        source::Format::Markdown
    };
    let Ok(source) = SourceFile::from_bytes("fuzz.md".into(), format, data.to_vec()) else {
        return;
    };
    let diagnostics = linter().check_source(&source);
    let text = source.text.clone();
    for d in &diagnostics {
        assert_ne!(&*d.rule.code, "HL000", "{}", d.message);
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            assert!(in_text(&text, &label.range), "{:?}", label.range);
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
        Format::Sarif,
    ] {
        let out = render(&report, format);
        match format {
            Format::Json | Format::Gitlab | Format::Sarif => {
                serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
            }
            Format::Jsonl => {
                for line in out.lines() {
                    serde_json::from_str::<serde_json::Value>(line).expect("valid JSON line");
                }
            }
            Format::Concise => {
                assert_eq!(out.lines().count(), count + 1, "{out}");
            }
            _ => {}
        }
    }
}

/// A user rule file of any text, compiled next to the built-in lexicon: no panic and no
/// stack overflow, an error or a rule. Only the file's own rule is compiled for each input
/// (see [`Prepared`]).
pub fn rule_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = RuleSource {
        origin: "fuzz.toml".to_string(),
        text: Arc::from(text),
        builtin: false,
    };
    if let Err(SetupError::Files(errors)) = prepared().compile_alone(&source) {
        spans_in(text, &errors);
    }
}

/// A `healthlint.toml` of any text: no panic, settings or an error that points into the file.
pub fn config_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(SetupError::Files(errors)) = Settings::from_toml("fuzz.toml", text, Path::new(".")) {
        spans_in(text, &errors);
    }
}

fn spans_in(text: &str, errors: &[healthlint::error::SpannedError]) {
    for e in errors {
        if let Some(span) = &e.span {
            assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
        }
    }
}

fn in_text(text: &str, r: &std::ops::Range<usize>) -> bool {
    r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end)
}

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

fn prepared() -> &'static Prepared {
    static PREPARED: OnceLock<Prepared> = OnceLock::new();
    PREPARED.get_or_init(|| Prepared::builtin().expect("built-in lexicon loads"))
}

fn render(report: &FileReport, format: Format) -> String {
    let mut reporter = report::reporter(format, report::Options::default(), linter().run());
    let mut out = Vec::new();
    let mut summary = Summary::default();
    summary.add(report);
    reporter.file(report, &mut out).expect("writes to memory");
    reporter
        .finish(&summary, &mut out)
        .expect("writes to memory");
    String::from_utf8(out).expect("reports are UTF-8")
}
