//! Naming the drug a claim is said of, for the kinds that report claims about medicines
//! (`existence` with `name-drug = true`, `promotion`): which mention a claim is about, and the
//! note with the drug's class, prescription status and schedules. Kinds share it here rather
//! than call into each other.

use std::ops::Range;

use super::CheckContext;
use crate::analyze::hidden;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::document::Document;
use crate::rules::drugs::{DrugLexicon, Mention, RxStatus};

/// The drug's class, prescription status and schedules, and whether it is off-topic.
pub(crate) fn drug_note(lexicon: &DrugLexicon, drug_idx: usize, off_topic: bool) -> String {
    let Some(drug) = lexicon.drugs.get(drug_idx) else {
        return String::new();
    };
    let class = lexicon
        .class_of(drug_idx)
        .map_or("medicine", |c| c.label.as_str());
    let rx = match drug.rx {
        RxStatus::Rx => "prescription-only",
        RxStatus::Otc => "sold over the counter",
        RxStatus::Varies => "prescription status varies by country",
    };
    let mut note = format!("{}: {class}, {rx}", drug.name);
    if drug.controlled {
        let mut schedules = Vec::new();
        if let Some(us) = drug.schedule_us {
            schedules.push(format!("US {}", us.as_str()));
        }
        if let Some(uk) = &drug.schedule_uk {
            schedules.push(format!("UK {uk}"));
        }
        if schedules.is_empty() {
            note.push_str(", a controlled substance");
        } else {
            note.push_str(&format!(
                ", a controlled substance ({})",
                schedules.join("; ")
            ));
        }
    }
    if off_topic {
        note.push_str("; the article's title is not about this drug");
    }
    note
}

/// The drug a claim at `claim` is said of: the nearest mention in the same sentence, else the
/// nearest in the same paragraph (used by `existence` rules with `name-drug = true`).
pub(crate) fn drug_said_of<'m>(
    doc: &Document<'_>,
    mentions: &'m [Mention],
    claim: Range<usize>,
) -> Option<&'m Mention> {
    let distance = |m: &Mention| {
        if m.range.end <= claim.start {
            claim.start - m.range.end
        } else {
            m.range.start.saturating_sub(claim.end)
        }
    };
    let within = |range: Option<Range<usize>>| {
        let range = range?;
        mentions
            .iter()
            .filter(|m| range.start <= m.range.start && m.range.end <= range.end)
            .min_by_key(|m| (distance(m), m.range.start))
    };
    let sentence = doc
        .sentence_at(claim.start)
        .map(|s| doc.sentences[s].range.clone());
    let block = doc
        .block_at(claim.start)
        .map(|b| doc.blocks[b].range.clone());
    within(sentence).or_else(|| within(block))
}

/// Names the drug a risk-minimising claim is said of: message, a label on the drug, a note
/// with its class and schedule, and an error for a controlled substance.
pub(crate) fn tie_to_drug(mut d: Diagnostic, cx: &CheckContext<'_>, m: &Mention) -> Diagnostic {
    let lexicon = &cx.lexicon.drugs;
    let Some(drug) = lexicon.drugs.get(m.drug) else {
        return d;
    };
    let named = cx
        .doc
        .text
        .get(m.range.clone())
        .map_or(drug.name.as_str().into(), hidden::readable);
    let named = named.as_ref();
    let subject = if named.eq_ignore_ascii_case(&drug.name) {
        drug.name.clone()
    } else {
        format!("{named} ({})", drug.name)
    };
    d.message = format!("{}, said of {subject}", d.message);
    d = d.with_label(Label::new(
        m.range.clone(),
        format!("said of {}", drug.name),
    ));
    d = d.with_note(drug_note(lexicon, m.drug, false));
    if drug.controlled && cx.rule.severity == Severity::Warning {
        d.severity = Severity::Error;
    }
    d
}
