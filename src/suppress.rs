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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Related, RuleId, Severity};
    use crate::document::Document;
    use crate::source::{Format, LineCol};

    fn rule(code: &str) -> RuleId {
        RuleId {
            code: code.into(),
            name: "test-rule".into(),
            category: "test".into(),
        }
    }

    /// A finding of `code` on the first occurrence of `needle` in `text`.
    fn finding(text: &str, code: &str, needle: &str) -> Diagnostic {
        let start = text.find(needle).unwrap_or_else(|| panic!("no `{needle}`"));
        Diagnostic::new(
            rule(code),
            Severity::Warning,
            format!("{code} finding"),
            Label::bare(start..start + needle.len()),
        )
    }

    /// What remains of `diagnostics` in `text` (parsed as `format`), as `(code, line, message)`
    /// with 1-based lines, in the order `apply` returns them. Every prefix counts as enabled
    /// unless it starts with `HL9`.
    fn remaining(
        text: &str,
        format: Format,
        diagnostics: Vec<Diagnostic>,
    ) -> Vec<(String, usize, String)> {
        let doc = Document::parse_text(text, format);
        let lines = LineIndex::new(text);
        apply(text, &lines, &doc.directives, diagnostics, &|p: &str| {
            !p.starts_with("HL9")
        })
        .into_iter()
        .map(|d| {
            let line = lines.line_col(text, d.primary.range.start).line;
            (d.rule.code.to_string(), line, d.message)
        })
        .collect()
    }

    fn row(code: &str, line: usize, message: &str) -> (String, usize, String) {
        (code.to_string(), line, message.to_string())
    }

    #[test]
    fn disable_next_line_silences_the_next_non_blank_line_only() {
        let text = "# Sprains\n\n<!-- healthlint-disable-next-line HL301 -->\n\nPut heat on it now.\n\nPut heat on it again.\n";
        let found = remaining(
            text,
            Format::Markdown,
            vec![
                finding(text, "HL301", "heat on it now"),
                finding(text, "HL301", "heat on it again"),
            ],
        );
        assert_eq!(found, [row("HL301", 7, "HL301 finding")]);
    }

    #[test]
    fn a_prefix_covers_every_code_under_it_but_not_others() {
        let text = "# Sprains\n\n<!-- healthlint-disable-next-line HL3 -->\nHeat and a tonic.\n";
        let found = remaining(
            text,
            Format::Markdown,
            vec![
                finding(text, "HL301", "Heat"),
                finding(text, "HL302", "tonic"),
                finding(text, "HL501", "tonic"),
            ],
        );
        assert_eq!(found, [row("HL501", 4, "HL501 finding")]);
    }

    #[test]
    fn disable_file_with_a_reason_silences_the_whole_file() {
        let text = "# Sprains\n\nPut heat on it.\n\n<!-- healthlint-disable-file HL301: reviewed by the clinical team -->\n\nMore heat later.\n";
        let found = remaining(
            text,
            Format::Markdown,
            vec![
                finding(text, "HL301", "heat on it"),
                finding(text, "HL301", "heat later"),
                finding(text, "HL201", "More"),
            ],
        );
        assert_eq!(found, [row("HL201", 7, "HL201 finding")]);
    }

    #[test]
    fn disable_and_enable_bound_a_region() {
        let text = "<!-- healthlint-disable HL301 -->\nHeat one.\n<!-- healthlint-enable HL301 -->\nHeat two.\n";
        let found = remaining(
            text,
            Format::Markdown,
            vec![
                finding(text, "HL301", "Heat one"),
                finding(text, "HL301", "Heat two"),
            ],
        );
        assert_eq!(found, [row("HL301", 4, "HL301 finding")]);
    }

    #[test]
    fn the_mdx_comment_form_suppresses_like_the_html_one() {
        let text = "# Sprains\n\n{/* healthlint-disable-next-line HL301 */}\nPut heat on it now.\n\nPut heat on it again.\n";
        let found = remaining(
            text,
            Format::Markdown,
            vec![
                finding(text, "HL301", "heat on it now"),
                finding(text, "HL301", "heat on it again"),
            ],
        );
        assert_eq!(found, [row("HL301", 6, "HL301 finding")]);
    }

    #[test]
    fn unused_codes_are_reported_at_the_code_and_disabled_rules_are_not() {
        let text = "<!-- healthlint-disable-next-line HL301, HL502, HL901 -->\nPut heat on it.\n";
        let doc = Document::parse_text(text, Format::Markdown);
        let lines = LineIndex::new(text);
        let out = apply(
            text,
            &lines,
            &doc.directives,
            vec![finding(text, "HL301", "heat")],
            &|p: &str| !p.starts_with("HL9"),
        );
        assert_eq!(out.len(), 1, "{out:?}");
        let unused = &out[0];
        assert_eq!(&*unused.rule.code, "HL003");
        assert_eq!(
            unused.message,
            "`HL502` is suppressed here but reports nothing"
        );
        assert_eq!(&text[unused.primary.range.clone()], "HL502");
        assert_eq!(unused.primary.message.as_deref(), Some("remove this"));
    }

    #[test]
    fn a_blanket_directive_that_silences_nothing_is_reported_whole() {
        let text = "Fine text.\n<!-- healthlint-disable-next-line -->\nAlso fine.\n";
        let doc = Document::parse_text(text, Format::Markdown);
        let lines = LineIndex::new(text);
        let out = apply(text, &lines, &doc.directives, vec![], &|_: &str| true);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(&*out[0].rule.code, "HL003");
        assert_eq!(out[0].message, "this suppression silences nothing");
        assert_eq!(
            &text[out[0].primary.range.clone()],
            "<!-- healthlint-disable-next-line -->"
        );
    }

    #[test]
    fn a_directive_not_understood_is_reported_as_hl005() {
        let text = "<!-- healthlint-disable-nextline HL301 -->\nPut heat on it.\n";
        let found = remaining(text, Format::Markdown, vec![finding(text, "HL301", "heat")]);
        assert_eq!(
            found,
            [
                row("HL301", 2, "HL301 finding"),
                row(
                    "HL005",
                    1,
                    "suppression comment not understood: unknown directive `healthlint-disable-nextline`; expected disable-next-line, disable, enable or disable-file"
                ),
            ]
        );
    }

    /// Cross-document findings are suppressed by the file's own comments after the corpus is
    /// compared (`cross::merge`), with `is_enabled` answering false so that the
    /// directives are not reported unused a second time.
    #[test]
    fn a_cross_document_finding_is_suppressed_by_the_files_own_comment() {
        let text = "# Sprains\n\n<!-- healthlint-disable-next-line HL401: our physio prefers heat -->\nPut heat on a new sprain.\n\nKeep heat on for three days.\n";
        let doc = Document::parse_text(text, Format::Markdown);
        let lines = LineIndex::new(text);
        let related = |line| Related {
            path: "other.md".to_string(),
            range: 10..20,
            start: LineCol {
                line,
                column: 1,
                column_utf16: 1,
            },
            end: LineCol {
                line,
                column: 11,
                column_utf16: 11,
            },
            message: "the other article says the opposite".to_string(),
        };
        let mut first = finding(text, "HL401", "heat on a new");
        first.related.push(related(3));
        let mut second = finding(text, "HL401", "heat on for");
        second.related.push(related(5));
        let out = apply(
            text,
            &lines,
            &doc.directives,
            vec![first, second.clone()],
            &|_: &str| false,
        );
        assert_eq!(out, [second]);
    }
}
