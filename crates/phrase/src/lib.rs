//! healthlint's phrase engine. Rule authors write phrases, not regexes ("(lower|low) back
//! pain", "tablets?", "\d+ ?mg"); this crate parses them ([`syntax`]), registers lists of them
//! as patterns ([`PatternSetBuilder`]), and finds every match of every pattern in a text in one
//! pass ([`PatternSet::scan`] → [`Hits`]), including words hidden by invisible characters or
//! character references ([`hidden`]).
//!
//! It knows nothing of rules, documents or health: the linter hands it phrase lists and prose
//! and reads positions back. Each phrase also exports a regex with the same meaning
//! ([`syntax::phrase_regex`]), for tools outside healthlint (the benchmark feeds ripgrep with
//! them); `tests/differential.rs` checks on generated text that both find the same matches.
//!
//! ```
//! use healthlint_phrase::PatternSetBuilder;
//!
//! let mut builder = PatternSetBuilder::default();
//! let pain = builder.add_phrases(&["(lower|low) back pain", "sciatica"]);
//! let set = builder.build().unwrap();
//! let text = "Low-back pain and sciatica";
//! let hits = set.scan(text);
//! let found: Vec<&str> = hits.of(pain).map(|r| &text[r.clone()]).collect();
//! assert_eq!(found, ["Low-back pain", "sciatica"]);
//! ```

pub mod hidden;
mod matcher;
pub mod syntax;

pub use matcher::{BuildError, Hits, PatternId, PatternSet, PatternSetBuilder};
