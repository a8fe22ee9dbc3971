//! The diagnostic: plain data that checks produce and reporters render. Takes nothing from
//! other stages; every span is a byte range into the checked file's text. Line and column are
//! added only by reporters (through `source::LineIndex`), and for `related` locations in other
//! files, where the other file's text is no longer at hand, when the location is made.

use std::ops::Range;
use std::sync::Arc;

/// How serious a finding is. Ordered, so that `severity >= fail_on` decides the exit code.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule is, as diagnostics and `healthlint rules` show it. Shared, read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleId {
    pub code: Arc<str>,
    pub name: Arc<str>,
    pub category: Arc<str>,
}

/// A span in the checked file with an optional short message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub range: Range<usize>,
    pub message: Option<String>,
}

impl Label {
    pub fn new(range: Range<usize>, message: impl Into<String>) -> Label {
        Label {
            range,
            message: Some(message.into()),
        }
    }

    pub fn bare(range: Range<usize>) -> Label {
        Label {
            range,
            message: None,
        }
    }
}

/// A location in another file, for findings that relate two articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub path: String,
    pub range: Range<usize>,
    pub start: crate::source::LineCol,
    pub end: crate::source::LineCol,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub note: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(
        rule: RuleId,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            note: None,
            related: Vec::new(),
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.note = Some(note.into());
        self
    }

    pub(crate) fn with_label(mut self, label: Label) -> Diagnostic {
        self.secondary.push(label);
        self
    }

    /// The order reporters print findings in: position, then code, then message, so that
    /// output never depends on the order checks ran in.
    pub(crate) fn sort_key(&self) -> (usize, usize, &str, &str) {
        (
            self.primary.range.start,
            self.primary.range.end,
            &self.rule.code,
            &self.message,
        )
    }
}

/// Tool-level rules (`HL0xx`, category `input`). They are built in Rust, not TOML, because
/// they describe the tool's own handling of files rather than article content.
pub mod tool {
    use super::*;

    /// A tool rule's code, name, default severity and one-line docs.
    pub struct ToolRule {
        pub code: &'static str,
        pub name: &'static str,
        pub severity: Severity,
        pub summary: &'static str,
    }

    pub(crate) const INTERNAL_ERROR: ToolRule = ToolRule {
        code: "HL000",
        name: "internal-error",
        severity: Severity::Error,
        summary: "healthlint itself failed while checking this file (a bug: please report it with the file).",
    };
    pub(crate) const UNREADABLE: ToolRule = ToolRule {
        code: "HL001",
        name: "unreadable-file",
        severity: Severity::Error,
        summary:
            "the file could not be read (permissions, a broken link, a directory loop, too large).",
    };
    pub(crate) const BAD_ENCODING: ToolRule = ToolRule {
        code: "HL002",
        name: "invalid-encoding",
        severity: Severity::Error,
        summary: "the file is neither UTF-8 nor UTF-16 with a byte-order mark, so its text cannot be checked.",
    };
    pub(crate) const UNUSED_SUPPRESSION: ToolRule = ToolRule {
        code: "HL003",
        name: "unused-suppression",
        severity: Severity::Warning,
        summary:
            "a `healthlint-disable` comment silences nothing: remove it, or fix the code it names.",
    };
    pub(crate) const BINARY: ToolRule = ToolRule {
        code: "HL004",
        name: "binary-file",
        severity: Severity::Error,
        summary: "a file named on the command line is binary: it holds NUL or control bytes and is not UTF-8 text either (an image or archive with a text name), so it was not checked; such files found while walking folders are skipped with a note.",
    };
    pub(crate) const UNCLOSED_COMMENT: ToolRule = ToolRule {
        code: "HL007",
        name: "unclosed-comment",
        severity: Severity::Info,
        summary: "an HTML comment (`<!--`) that is never closed: Markdown reads everything after it as part of the comment, so that text is not checked.",
    };
    pub(crate) const TIME_BUDGET: ToolRule = ToolRule {
        code: "HL008",
        name: "time-budget-exceeded",
        severity: Severity::Error,
        summary: "checking the file took longer than the time budget (`time-budget`, `--time-budget`; 10 s by default), so it was stopped and its findings are not reported; the other files are checked as usual. No article should take this long: please report the file.",
    };
    pub(crate) const CONTROL_CHARACTERS: ToolRule = ToolRule {
        code: "HL006",
        name: "control-characters",
        severity: Severity::Info,
        summary: "the text holds NUL or other control characters; they were read as spaces and the rest of the file was checked (text tools and reviewers may not show what is there).",
    };
    pub(crate) const UNKNOWN_DIRECTIVE: ToolRule = ToolRule {
        code: "HL005",
        name: "invalid-suppression",
        severity: Severity::Warning,
        summary:
            "a `healthlint-…` comment is misspelt or names no valid code, so it silences nothing.",
    };

    /// All tool rules, for `healthlint rules` and `explain`.
    pub const ALL: &[&ToolRule] = &[
        &INTERNAL_ERROR,
        &UNREADABLE,
        &BAD_ENCODING,
        &UNUSED_SUPPRESSION,
        &BINARY,
        &UNKNOWN_DIRECTIVE,
        &CONTROL_CHARACTERS,
        &UNCLOSED_COMMENT,
        &TIME_BUDGET,
    ];

    impl ToolRule {
        pub fn id(&self) -> RuleId {
            RuleId {
                code: self.code.into(),
                name: self.name.into(),
                category: "input".into(),
            }
        }

        /// A diagnostic for a whole file (anchored at its start).
        /// A finding of this rule at a labelled span of the file.
        pub fn diagnostic(&self, label: Label, message: impl Into<String>) -> Diagnostic {
            Diagnostic::new(self.id(), self.severity, message, label)
        }

        pub fn file_diagnostic(&self, message: impl Into<String>) -> Diagnostic {
            Diagnostic::new(self.id(), self.severity, message, Label::bare(0..0))
        }
    }
}
