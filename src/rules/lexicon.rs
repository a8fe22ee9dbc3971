//! Shared term lists under `rules/lexicon/` (built in): context triggers for NegEx/ConText,
//! advice cues, care-seeking actions, warning signs, the sign groups red-flag packs share by
//! name, document-kind cues and drugs. They are parsed once at start-up into typed structs that rule
//! kinds read while compiling; a broken lexicon file is reported like a broken rule file.

use std::sync::Arc;

use serde::Deserialize;

use super::builtin;
use super::drugs::DrugLexicon;
use crate::analyze::advice::AdviceLexicon;
use crate::analyze::context::{ContextLexicon, Terms};
use crate::error::{SetupError, SpannedError};

/// Every built-in lexicon, parsed.
#[derive(Debug, Default)]
pub struct Lexicon {
    pub context: ContextLexicon,
    pub advice: AdviceLexicon,
    /// Drugs and drug classes (`lexicon/drugs/*.toml`, `lexicon/drug-classes.toml`).
    pub(crate) drugs: DrugLexicon,
    /// Care-seeking actions and guidance headings (`lexicon/care-actions.toml`).
    pub care: CareLexicon,
    /// Warning signs that need care whatever the topic (`lexicon/signs.toml`).
    pub signs: SignLexicon,
    /// Phrase groups that red-flag packs' signs name (`lexicon/sign-groups.toml`).
    pub(crate) sign_groups: SignGroups,
    /// Cues for what kind of text a document is (`lexicon/document-kinds.toml`).
    pub(crate) kinds: KindLexicon,
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
pub(crate) fn parse_builtin<T: serde::de::DeserializeOwned>(
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
pub(crate) fn parse_text<T: serde::de::DeserializeOwned>(
    origin: &str,
    text: &str,
) -> Result<T, SpannedError> {
    toml::from_str(text).map_err(|e| SpannedError::from_toml(origin, &Arc::from(text), &e))
}

/// A care tier, from most to least urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Call 999 / go to A&E.
    Emergency,
    /// Urgent GP appointment, NHS 111, same-day care.
    Urgent,
    /// See a GP or another professional soon.
    Prompt,
}

impl Tier {
    pub fn describe(self) -> &'static str {
        match self {
            Tier::Emergency => "emergency (call 999 or go to A&E)",
            Tier::Urgent => "urgent (same-day GP appointment or NHS 111)",
            Tier::Prompt => "prompt (see a GP)",
        }
    }
}

/// The care-action lexicon (`rules/lexicon/care-actions.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CareLexicon {
    pub action: Vec<ActionTier>,
    pub guidance_headings: Terms,
    pub sign_headings: Terms,
    pub anaphora: Terms,
    pub sign_references: Terms,
    pub non_specific: Terms,
}

/// Warning signs that need care whatever the topic (`rules/lexicon/signs.toml`): a sign of
/// any group tied to a care action is red-flag guidance.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignLexicon {
    pub group: Vec<SignGroup>,
}

/// One group of general warning signs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignGroup {
    pub id: String,
    pub label: String,
    pub terms: Vec<String>,
}

/// Named groups of warning-sign phrases that red-flag packs share
/// (`rules/lexicon/sign-groups.toml`): a pack's sign names a group (`groups = ["…"]`) instead
/// of copying its phrases. A group is not a warning sign by itself: the pack's sign gives the
/// label, tier and key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignGroups {
    pub group: Vec<SharedSignGroup>,
}

/// One shared group of warning-sign phrases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SharedSignGroup {
    /// The name packs give in a sign's `groups` (kebab-case, unique).
    pub id: String,
    /// What the group covers, for rule writers: required in the file, never read by the
    /// linter.
    #[allow(dead_code)]
    pub about: String,
    /// The phrases (phrase syntax).
    pub terms: Vec<String>,
}

impl SignGroups {
    /// The group with this id.
    pub fn get(&self, id: &str) -> Option<&SharedSignGroup> {
        self.group.iter().find(|g| g.id == id)
    }
}

/// Cues for what kind of text a document is (`rules/lexicon/document-kinds.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct KindLexicon {
    pub drug_information: Terms,
    pub news: Terms,
    pub spam: Terms,
    pub condition_headings: Terms,
    pub condition_words: Terms,
    pub procedure_or_support: Terms,
}

/// Care-seeking phrases of one tier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionTier {
    pub tier: Tier,
    pub terms: Vec<String>,
}
