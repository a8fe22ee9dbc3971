//! Analysis shared by all checks: takes a [`Document`](crate::document::Document) and the
//! compiled [`PatternSet`] and hands on [`Hits`] — every match of every rule phrase list in the
//! article's prose (which lists occur is found in one pass; their positions on first use) —
//! plus the [`context`] of a match (negated, hypothetical, historical, someone else's, a myth),
//! decided from trigger phrases in the same sentence. Checks never run their own regexes over the text.
//! Words hidden by invisible characters or character references are read as they render
//! ([`hidden`]).

pub mod advice;
pub mod context;
pub mod mention;

pub use context::ContextRules;
pub use healthlint_phrase::{hidden, Hits, PatternId, PatternSet, PatternSetBuilder};
