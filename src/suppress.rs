//! Applies suppression directives: takes a file's diagnostics and its parsed directives and
//! hands on the diagnostics that remain, plus `HL003` for every directive code that silenced
//! nothing and `HL005` for directives that could not be understood. Rules never see
//! directives; this runs after all checks.

use crate::diagnostic::{tool, Diagnostic, Label};
use crate::document::{Directive, DirectiveKind};
use crate::source::LineIndex;

/// Filters `diagnostics` through `directives`. `is_enabled` tells whether any enabled rule has a
/// code starting with a prefix: a directive naming only disabled rules is not reported unused.
pub fn apply(
    text: &str,
    lines: &LineIndex,
    directives: &[Directive],
    diagnostics: Vec<Diagnostic>,
    is_enabled: &dyn Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut tool_findings = Vec::new();
    // `used[d][c]`: code c of directive d silenced something; a blanket directive uses slot 0.
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.codes.len().max(1)])
        .collect();
    let scopes: Vec<Option<(usize, usize)>> = directives
        .iter()
        .map(|d| scope_of(d, directives, text, lines))
        .collect();

    let mut kept = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let code = diagnostic.rule.code.to_string();
        let offset = diagnostic.primary.range.start;
        let mut silenced = false;
        for (i, directive) in directives.iter().enumerate() {
            let Some((start, end)) = scopes[i] else {
                continue;
            };
            if offset < start || offset >= end {
                continue;
            }
            if directive.codes.is_empty() {
                used[i][0] = true;
                silenced = true;
            }
            for (c, (prefix, _)) in directive.codes.iter().enumerate() {
                if code.starts_with(prefix.as_str()) {
                    used[i][c] = true;
                    silenced = true;
                }
            }
        }
        if !silenced {
            kept.push(diagnostic);
        }
    }

    for (i, directive) in directives.iter().enumerate() {
        match &directive.kind {
            DirectiveKind::Invalid(why) => tool_findings.push(Diagnostic::new(
                tool::UNKNOWN_DIRECTIVE.id(),
                tool::UNKNOWN_DIRECTIVE.severity,
                format!("suppression comment not understood: {why}"),
                Label::bare(directive.range.clone()),
            )),
            DirectiveKind::Enable => {}
            _ if directive.codes.is_empty() => {
                if !used[i][0] {
                    tool_findings.push(unused(
                        directive.range.clone(),
                        "this suppression silences nothing",
                    ));
                }
            }
            _ => {
                for (c, (prefix, range)) in directive.codes.iter().enumerate() {
                    if !used[i][c] && is_enabled(prefix) {
                        tool_findings.push(unused(
                            range.clone(),
                            &format!("`{prefix}` is suppressed here but reports nothing"),
                        ));
                    }
                }
            }
        }
    }
    kept.extend(tool_findings);
    kept
}

fn unused(range: std::ops::Range<usize>, message: &str) -> Diagnostic {
    Diagnostic::new(
        tool::UNUSED_SUPPRESSION.id(),
        tool::UNUSED_SUPPRESSION.severity,
        message,
        Label::new(range, "remove this"),
    )
    .with_help("remove the suppression, or the code in it that no longer reports anything")
}

/// The byte range a directive covers: the next non-blank line, until the matching enable, or
/// the whole file.
fn scope_of(
    d: &Directive,
    all: &[Directive],
    text: &str,
    lines: &LineIndex,
) -> Option<(usize, usize)> {
    match d.kind {
        DirectiveKind::DisableFile => Some((0, usize::MAX)),
        DirectiveKind::DisableNextLine => {
            let mut line = lines.line_of(d.range.end) + 1;
            while let (Some(start), Some(end)) = (
                lines.line_start(line),
                lines.line_start(line + 1).or(Some(text.len())),
            ) {
                if !text[start..end].trim().is_empty() {
                    return Some((start, end));
                }
                line += 1;
            }
            None
        }
        DirectiveKind::Disable => {
            // Ends at the first later enable with no codes or with one of this directive's codes.
            let end = all
                .iter()
                .filter(|e| e.kind == DirectiveKind::Enable && e.range.start > d.range.end)
                .find(|e| {
                    e.codes.is_empty()
                        || e.codes
                            .iter()
                            .any(|(c, _)| d.codes.iter().any(|(dc, _)| dc == c))
                })
                .map_or(usize::MAX, |e| e.range.start);
            Some((d.range.end, end))
        }
        DirectiveKind::Enable | DirectiveKind::Invalid(_) => None,
    }
}
