//! Shared term lists under `rules/lexicon/` (built in): context triggers for NegEx/ConText,
//! advice cues, care-seeking actions, warning signs, the sign groups red-flag packs share by
//! name, document-kind cues and drugs. They are parsed once at start-up into typed structs that rule
//! kinds read while compiling; a broken lexicon file is reported like a broken rule file.

use std::sync::Arc;

use super::builtin;
use super::drugs::DrugLexicon;
use crate::analyze::advice::AdviceLexicon;
use crate::analyze::context::ContextLexicon;
use crate::check::red_flags::{CareLexicon, KindLexicon, SignGroups, SignLexicon};
use crate::error::{SetupError, SpannedError};

/// Every built-in lexicon, parsed.
#[derive(Debug, Default)]
pub struct Lexicon {
    pub context: ContextLexicon,
    pub advice: AdviceLexicon,
    /// Drugs and drug classes (`lexicon/drugs/*.toml`, `lexicon/drug-classes.toml`).
    pub drugs: DrugLexicon,
    /// Care-seeking actions and guidance headings (`lexicon/care-actions.toml`).
    pub care: CareLexicon,
    /// Warning signs that need care whatever the topic (`lexicon/signs.toml`).
    pub signs: SignLexicon,
    /// Phrase groups that red-flag packs' signs name (`lexicon/sign-groups.toml`).
    pub sign_groups: SignGroups,
    /// Cues for what kind of text a document is (`lexicon/document-kinds.toml`).
    pub kinds: KindLexicon,
}

impl Lexicon {
    /// Parses the built-in lexicon files.
    pub fn builtin() -> Result<Lexicon, SetupError> {
        // The drug lexicon (28 files and its name index) loads beside the others.
        let (drugs, rest) = rayon::join(DrugLexicon::builtin, || {
            Ok::<_, SpannedError>((
                parse_builtin("lexicon/context.toml")?,
                parse_builtin("lexicon/advice.toml")?,
                parse_builtin("lexicon/care-actions.toml")?,
                parse_builtin("lexicon/signs.toml")?,
                parse_builtin("lexicon/sign-groups.toml")?,
                parse_builtin("lexicon/document-kinds.toml")?,
            ))
        });
        let (context, advice, care, signs, sign_groups, kinds) = rest?;
        Ok(Lexicon {
            context,
            advice,
            drugs: drugs.map_err(SetupError::Files)?,
            care,
            signs,
            sign_groups,
            kinds,
        })
    }
}

/// Parses one built-in lexicon file with a typed schema.
pub fn parse_builtin<T: serde::de::DeserializeOwned>(
    path: &'static str,
) -> Result<T, SpannedError> {
    let (_, text) = builtin::BUILTIN_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .ok_or_else(|| SpannedError {
            origin: format!("rules/{path}"),
            text: Arc::from(""),
            span: None,
            message: "built-in lexicon file is missing".to_string(),
        })?;
    parse_text(&format!("rules/{path}"), text)
}

/// Parses lexicon text with a typed schema, reporting errors at their span.
pub fn parse_text<T: serde::de::DeserializeOwned>(
    origin: &str,
    text: &str,
) -> Result<T, SpannedError> {
    toml::from_str(text).map_err(|e| SpannedError::from_toml(origin, &Arc::from(text), &e))
}
