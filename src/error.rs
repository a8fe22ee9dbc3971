//! Errors in the files healthlint reads as settings (rule files, lexicons, `healthlint.toml`):
//! each carries the file's text and the byte span of the offending key or value, so that the
//! command line can render it with ariadne, pointing at the exact place. A run with any of
//! these errors checks nothing and exits 2.

use std::ops::Range;
use std::sync::Arc;

/// A problem at a place in a settings file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct SpannedError {
    /// How the file is named to the user (`rules/red-flags/HL101-….toml`, `builtin:…`).
    pub origin: String,
    pub text: Arc<str>,
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl SpannedError {
    pub fn new(
        origin: &str,
        text: &Arc<str>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> SpannedError {
        SpannedError {
            origin: origin.to_string(),
            text: Arc::clone(text),
            span,
            message: message.into(),
        }
    }

    /// From a TOML parse or schema error, keeping the span toml found.
    pub fn from_toml(origin: &str, text: &Arc<str>, err: &toml::de::Error) -> SpannedError {
        SpannedError::new(origin, text, err.span(), err.message().trim().to_string())
    }
}

/// Any error that stops a run before files are checked.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// One or more problems in rule, lexicon or config files.
    #[error("{} error(s) in settings files", .0.len())]
    Files(Vec<SpannedError>),
    #[error("{0}")]
    Message(String),
}

impl From<SpannedError> for SetupError {
    fn from(e: SpannedError) -> SetupError {
        SetupError::Files(vec![e])
    }
}
