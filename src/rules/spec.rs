//! The rule file schema (what `rules/<category>/HLnnn-<name>.toml` may contain). A rule file
//! is a header shared by all kinds plus a `[check]` table whose keys belong to the kind named
//! by `check.kind`, and a `[docs]` table. Unknown keys anywhere are errors, reported at the
//! key. Kind-specific schemas live beside their code in `src/check/<kind>.rs`.

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;

/// A rule file with the kind-specific `[check]` table typed as `C`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RuleFile<C> {
    /// Stable code, `HL` and three digits; the hundreds digit is the category's (`HL1xx` red flags).
    pub code: Spanned<String>,
    /// Kebab-case name that says what the rule finds.
    pub name: Spanned<String>,
    /// One of [`CATEGORIES`].
    pub category: Spanned<String>,
    /// Default severity; `healthlint.toml` can override it.
    pub severity: Severity,
    /// The headline of a finding. Kinds may fill placeholders such as `{match}` (each kind
    /// lists its own; another is an error at this key).
    pub message: Spanned<String>,
    /// What the editor should do.
    #[serde(default)]
    pub help: Option<String>,
    pub check: C,
    pub docs: Docs,
}

/// Only the kind of a `[check]` table; read first to choose the kind's own schema.
#[derive(Debug, Deserialize)]
pub(crate) struct KindOnly {
    pub kind: Spanned<String>,
}

/// The documentation every rule carries, shown by `healthlint explain`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Docs {
    /// Why the problem matters to readers, for content editors.
    pub why: String,
    /// A short article excerpt that the rule reports.
    pub example_fail: String,
    /// The same excerpt fixed.
    pub example_pass: String,
    /// Sources (guidelines, regulations) behind the rule.
    #[serde(default)]
    pub references: Vec<String>,
}

/// A list of phrases with the span of each, so that a bad phrase is reported where it stands.
pub(crate) type Phrases = Vec<Spanned<String>>;

/// Plain strings of a phrase list.
pub(crate) fn phrase_strings(phrases: &Phrases) -> Vec<String> {
    phrases.iter().map(|p| p.get_ref().clone()).collect()
}

/// Categories and the hundreds digit of their codes.
pub(crate) const CATEGORIES: &[(&str, char)] = &[
    ("input", '0'),
    ("red-flags", '1'),
    ("drug-promotion", '2'),
    ("contradiction", '3'),
    ("consistency", '4'),
    ("claims", '5'),
    ("readability", '6'),
];

/// Checks a code against its category; returns a message when they disagree.
pub(crate) fn check_code(code: &str, category: &str) -> Result<(), String> {
    let bytes = code.as_bytes();
    if bytes.len() != 5 || !code.starts_with("HL") || !bytes[2..].iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "rule code `{code}` must be `HL` followed by three digits, such as HL101"
        ));
    }
    let Some(&(_, digit)) = CATEGORIES.iter().find(|(name, _)| *name == category) else {
        let names: Vec<_> = CATEGORIES.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "unknown category `{category}`; expected one of {}",
            names.join(", ")
        ));
    };
    if bytes[2] as char != digit {
        return Err(format!(
            "category `{category}` uses codes HL{digit}xx, but this rule is {code}"
        ));
    }
    Ok(())
}

/// Checks a rule name is kebab-case.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "rule name `{name}` must be kebab-case (lowercase words joined by hyphens)"
        ))
    }
}
