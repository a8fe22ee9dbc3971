//! A drug name found in prose: what the drug lexicon (`rules::drugs`) finds in a file's scan
//! and the analyses that read medicines (advice facts) take. It is defined here, below the
//! lexicon that produces it, so that analysis never imports the rule loader.

use std::ops::Range;

/// One drug name found in prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index into the drug lexicon's `drugs`.
    pub drug: usize,
    /// The name as matched (without a glued strength).
    pub range: Range<usize>,
}
