//! From healthlint's findings to LSP values: takes a document's [`Diagnostic`]s (byte spans
//! into its text) and hands on LSP diagnostics (severity mapped, secondary labels and
//! cross-document `related` places as `relatedInformation`, each code linked to its page),
//! the hover text of a flagged span (what `healthlint explain` prints), and the code actions
//! for a finding: a `healthlint-disable-next-line` or `healthlint-disable-file` comment in the
//! form the document's format reads, and, for an unused suppression (HL003), its removal. No
//! rule carries a fix of its own (a `Diagnostic` has no replacement text), so removing an
//! unused suppression is the only fix there is to offer.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use lsp_types::{
    CodeAction, CodeActionKind, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location, NumberOrString, TextEdit, Url, WorkspaceEdit,
};

use super::position::{Encoding, Lines};
use crate::diagnostic::{tool, Diagnostic, Related, Severity};
use crate::docs;
use crate::document::{DirectiveKind, Document};
use crate::engine::Linter;
use crate::source::Format;

/// What the server calls the findings' origin in every client's list.
pub(crate) const SOURCE: &str = "healthlint";

/// The kind of article a document is, which decides its parser and its comment form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Markdown,
    Mdx,
    Plain,
}

impl Kind {
    /// By the file's extension, as `check` decides when it walks a folder.
    pub fn from_path(path: &Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "mdx" => Some(Kind::Mdx),
            "md" | "markdown" => Some(Kind::Markdown),
            "txt" | "text" => Some(Kind::Plain),
            _ => None,
        }
    }

    /// By the editor's language id, for a buffer that has no file name yet.
    pub(crate) fn from_language(id: &str) -> Option<Kind> {
        match id {
            "markdown" => Some(Kind::Markdown),
            "mdx" => Some(Kind::Mdx),
            "plaintext" | "text" => Some(Kind::Plain),
            _ => None,
        }
    }

    pub fn format(self) -> Format {
        match self {
            Kind::Markdown | Kind::Mdx => Format::Markdown,
            Kind::Plain => Format::Plain,
        }
    }

    /// A directive comment in the form `document::directives` reads for this kind: MDX has
    /// no HTML comments, Markdown and plain text take the HTML form.
    fn comment(self, body: &str) -> String {
        match self {
            Kind::Mdx => format!("{{/* {body} */}}"),
            Kind::Markdown | Kind::Plain => format!("<!-- {body} -->"),
        }
    }
}

/// Where the code's documentation is linked from each diagnostic (`codeDescription`).
#[derive(Debug, Clone)]
pub(crate) enum DocsLinks {
    /// A base URL that the code's page name (`HL101.md`) is joined to.
    Base(Url),
    /// A folder of generated pages on this machine, linked as `file://` URIs.
    Folder(PathBuf),
    /// No link (the folder could not be written).
    None,
}

impl DocsLinks {
    fn href(&self, code: &str) -> Option<Url> {
        let page = format!("{code}.md");
        match self {
            DocsLinks::Base(base) => base.join(&page).ok(),
            DocsLinks::Folder(dir) => Url::from_file_path(dir.join(page)).ok(),
            DocsLinks::None => None,
        }
    }
}

/// One document's text with what positions in it need.
pub(crate) struct Text<'a> {
    pub uri: &'a Url,
    pub text: &'a str,
    pub lines: &'a Lines,
    pub encoding: Encoding,
}

impl Text<'_> {
    pub fn range(&self, span: &Range<usize>) -> lsp_types::Range {
        lsp_types::Range::new(
            self.lines.position(self.text, span.start, self.encoding),
            self.lines
                .position(self.text, span.end.max(span.start), self.encoding),
        )
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The LSP diagnostic of a finding. `elsewhere` places a location in another file (the
/// other side of a cross-document finding), which needs that file's text.
pub fn diagnostic(
    at: &Text<'_>,
    d: &Diagnostic,
    links: &DocsLinks,
    elsewhere: &mut dyn FnMut(&Related) -> Option<Location>,
) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    for (what, text) in [("help", &d.help), ("note", &d.note)] {
        if let Some(text) = text {
            message.push_str(&format!("\n{what}: {text}"));
        }
    }
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(at.uri.clone(), at.range(&label.range)),
            message: label.message.clone().unwrap_or_else(|| d.message.clone()),
        })
        .collect();
    related.extend(d.related.iter().filter_map(|r| {
        Some(DiagnosticRelatedInformation {
            location: elsewhere(r)?,
            message: r.message.clone(),
        })
    }));
    lsp_types::Diagnostic {
        range: at.range(&d.primary.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.code.to_string())),
        code_description: links
            .href(&d.rule.code)
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A place in another file, from its text when it is at hand (`text`, as it was when the
/// finding was made), else from the line and column the finding recorded: exact in UTF-16,
/// and in UTF-8 (bytes) only for ASCII lines, since the finding counts no bytes.
pub(crate) fn location_elsewhere(
    r: &Related,
    uri: Url,
    text: Option<&str>,
    encoding: Encoding,
) -> Location {
    let range = match text {
        Some(text) if r.range.end <= text.len() => {
            let lines = Lines::new(text);
            Text {
                uri: &uri,
                text,
                lines: &lines,
                encoding,
            }
            .range(&r.range)
        }
        _ => {
            let at = |lc: crate::source::LineCol| {
                let column = match encoding {
                    Encoding::Utf16 => lc.column_utf16,
                    Encoding::Utf8 => lc.column,
                };
                lsp_types::Position::new(
                    lc.line.saturating_sub(1) as u32,
                    column.saturating_sub(1) as u32,
                )
            };
            lsp_types::Range::new(at(r.start), at(r.end))
        }
    };
    Location::new(uri, range)
}

/// What `healthlint explain CODE` prints for a code, with the rules `linter` loaded.
pub(crate) fn explanation(linter: &Linter, code: &str) -> Option<String> {
    if let Some(t) = tool::ALL.iter().find(|t| t.code == code) {
        return Some(docs::explain_tool(t));
    }
    linter
        .rules
        .rules
        .iter()
        .find(|r| &*r.meta.id.code == code)
        .map(|r| docs::explain(&r.meta))
}

/// Findings that no comment can silence: the file could not be checked (HL000, HL001,
/// HL002, HL004, HL008), or the finding is about a comment itself and is made after the
/// comments are applied (HL003, HL005).
fn suppressible(code: &str) -> bool {
    !matches!(
        code,
        "HL000" | "HL001" | "HL002" | "HL003" | "HL004" | "HL005" | "HL008"
    )
}

/// The code actions for the findings `found` (already narrowed to the requested range).
pub fn actions(
    at: &Text<'_>,
    kind: Kind,
    found: &[(&Diagnostic, lsp_types::Diagnostic)],
) -> Vec<CodeAction> {
    let eol = if at.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let body_end = front_matter_end(at.text);
    let mut out = Vec::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (d, lsp) in found {
        let code = d.rule.code.to_string();
        let line = at.lines.line_of(d.primary.range.start);
        if code == tool::UNUSED_SUPPRESSION.code {
            if let Some(edit) = remove_unused(at, kind, &d.primary.range) {
                out.push(action(
                    format!(
                        "Remove the unused suppression of {}",
                        unused_code(at.text, d)
                    ),
                    at,
                    edit,
                    lsp,
                    true,
                ));
            }
            continue;
        }
        if !suppressible(&code) || seen.contains(&(code.clone(), line)) {
            continue;
        }
        seen.push((code.clone(), line));
        let Some(content) = at.lines.content(line) else {
            continue;
        };
        if content.start >= body_end {
            let indent: String = at.text[content.clone()]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let comment = kind.comment(&format!("healthlint-disable-next-line {code}"));
            // In plain text a comment line at the top of a paragraph would join it, and a
            // title would no longer be one: a blank line keeps them apart (the directive
            // silences the next non-blank line).
            let starts_group = line == 0
                || at
                    .lines
                    .content(line - 1)
                    .is_some_and(|prev| at.text[prev].trim().is_empty());
            let blank = if kind == Kind::Plain && starts_group {
                eol
            } else {
                ""
            };
            let start = at.lines.position(at.text, content.start, at.encoding);
            out.push(action(
                format!("Suppress {code} on this line"),
                at,
                TextEdit::new(
                    lsp_types::Range::new(start, start),
                    format!("{indent}{comment}{eol}{blank}"),
                ),
                lsp,
                false,
            ));
        }
        // After the front matter (a comment above it would end it), else at the top; a blank
        // line after it keeps it out of the first paragraph or title.
        let top = at.lines.position(at.text, body_end, at.encoding);
        let comment = kind.comment(&format!("healthlint-disable-file {code}"));
        out.push(action(
            format!("Suppress {code} in this file"),
            at,
            TextEdit::new(
                lsp_types::Range::new(top, top),
                format!("{comment}{eol}{eol}"),
            ),
            lsp,
            false,
        ));
    }
    out
}

fn action(
    title: String,
    at: &Text<'_>,
    edit: TextEdit,
    diagnostic: &lsp_types::Diagnostic,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(
            at.uri.clone(),
            vec![edit],
        )]))),
        command: None,
        is_preferred: preferred.then_some(true),
        disabled: None,
        data: None,
    }
}

/// The byte offset where the body starts: after a YAML (`---`) or TOML (`+++`) front matter
/// block at the top, else 0.
fn front_matter_end(text: &str) -> usize {
    let Some(marker) = ["---", "+++"].into_iter().find(|m| {
        text.strip_prefix(m)
            .is_some_and(|rest| rest.starts_with('\n') || rest.starts_with("\r\n"))
    }) else {
        return 0;
    };
    let mut at = text.find('\n').map_or(text.len(), |i| i + 1);
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..end].trim_end();
        if line == marker || (marker == "---" && line == "...") {
            return end;
        }
        at = end;
    }
    0
}

/// How a HL003 finding names what is unused: its code, or "every rule" for a directive
/// without codes.
fn unused_code(text: &str, d: &Diagnostic) -> String {
    let span = text.get(d.primary.range.clone()).unwrap_or("");
    if span.starts_with("HL") {
        format!("`{span}`")
    } else {
        "every rule".to_string()
    }
}

/// The edit that removes an unused suppression: the code from its directive (with one
/// separator), or the whole directive when it names nothing else, with its line when the
/// line holds nothing else.
fn remove_unused(at: &Text<'_>, kind: Kind, span: &Range<usize>) -> Option<TextEdit> {
    let text = at.text;
    let doc = Document::parse_text(text, kind.format());
    let directive = doc
        .directives
        .iter()
        .find(|d| d.range.start <= span.start && span.end <= d.range.end)?;
    if directive.kind == DirectiveKind::Enable
        || matches!(directive.kind, DirectiveKind::Invalid(_))
    {
        return None;
    }
    let remove = if directive.codes.len() <= 1 {
        let line = at.lines.line_of(directive.range.start);
        let content = at.lines.content(line)?;
        let alone = text[content.start..directive.range.start].trim().is_empty()
            && text[directive.range.end..content.end].trim().is_empty();
        match at.lines.content(line + 1) {
            Some(next) if alone => content.start..next.start,
            _ if alone => content.clone(),
            _ => directive.range.clone(),
        }
    } else {
        let separator = |c: char| c == ' ' || c == ',' || c == '\t';
        let after = text[span.end..].len() - text[span.end..].trim_start_matches(separator).len();
        let rest = &text[span.end + after..];
        if rest.starts_with("HL") {
            span.start..span.end + after
        } else {
            // The last code: the separator before it goes (another code precedes it).
            let before = span.start - text[..span.start].trim_end_matches(separator).len();
            span.start - before..span.end
        }
    };
    Some(TextEdit::new(at.range(&remove), String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label;

    fn apply(text: &str, edit: &TextEdit) -> String {
        let lines = Lines::new(text);
        let start = lines.offset(text, edit.range.start, Encoding::Utf16);
        let end = lines.offset(text, edit.range.end, Encoding::Utf16);
        format!("{}{}{}", &text[..start], edit.new_text, &text[end..])
    }

    fn edits(text: &str, kind: Kind, d: &Diagnostic) -> Vec<(String, String)> {
        let uri = Url::parse("file:///a.md").unwrap();
        let lines = Lines::new(text);
        let at = Text {
            uri: &uri,
            text,
            lines: &lines,
            encoding: Encoding::Utf16,
        };
        let lsp = diagnostic(&at, d, &DocsLinks::None, &mut |_| None);
        actions(&at, kind, &[(d, lsp)])
            .into_iter()
            .map(|a| {
                let edit = &a.edit.unwrap().changes.unwrap()[&uri][0];
                (a.title, apply(text, edit))
            })
            .collect()
    }

    fn finding(text: &str, code: &str, needle: &str) -> Diagnostic {
        let start = text.find(needle).unwrap();
        tool::UNUSED_SUPPRESSION
            .diagnostic(Label::bare(start..start + needle.len()), "x")
            .with_rule(code)
    }

    trait WithRule {
        fn with_rule(self, code: &str) -> Diagnostic;
    }

    impl WithRule for Diagnostic {
        fn with_rule(mut self, code: &str) -> Diagnostic {
            self.rule.code = code.into();
            self
        }
    }

    #[test]
    fn suppression_comments_take_each_formats_form_and_the_lines_indent() {
        let text = "# Pain\n\n- Rest.\n  It is 100% safe.\n";
        let d = finding(text, "HL501", "100% safe");
        let found = edits(text, Kind::Markdown, &d);
        assert_eq!(found[0].0, "Suppress HL501 on this line");
        assert_eq!(
            found[0].1,
            "# Pain\n\n- Rest.\n  <!-- healthlint-disable-next-line HL501 -->\n  It is 100% safe.\n"
        );
        assert_eq!(found[1].0, "Suppress HL501 in this file");
        assert!(found[1]
            .1
            .starts_with("<!-- healthlint-disable-file HL501 -->\n\n# Pain"));
        let mdx = edits(text, Kind::Mdx, &d);
        assert!(mdx[0]
            .1
            .contains("  {/* healthlint-disable-next-line HL501 */}\n  It is"));
    }

    #[test]
    fn plain_text_keeps_a_title_apart_and_crlf_files_keep_crlf() {
        let text = "Miracle cure for back pain\r\n\r\nIt works.\r\n";
        let d = finding(text, "HL502", "Miracle cure");
        let found = edits(text, Kind::Plain, &d);
        assert_eq!(
            found[0].1,
            "<!-- healthlint-disable-next-line HL502 -->\r\n\r\nMiracle cure for back pain\r\n\r\nIt works.\r\n"
        );
    }

    #[test]
    fn front_matter_is_never_split() {
        let text = "---\ntitle: Back pain\n---\n# Back pain\n";
        let d = finding(text, "HL101", "title");
        let found = edits(text, Kind::Markdown, &d);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].1,
            "---\ntitle: Back pain\n---\n<!-- healthlint-disable-file HL101 -->\n\n# Back pain\n"
        );
    }

    #[test]
    fn an_unused_code_is_removed_with_one_separator_and_a_lone_directive_with_its_line() {
        let text = "<!-- healthlint-disable-next-line HL301, HL502 -->\nHeat it.\n";
        for (needle, expected) in [
            (
                "HL301",
                "<!-- healthlint-disable-next-line HL502 -->\nHeat it.\n",
            ),
            (
                "HL502",
                "<!-- healthlint-disable-next-line HL301 -->\nHeat it.\n",
            ),
        ] {
            let d = finding(text, "HL003", needle);
            let found = edits(text, Kind::Markdown, &d);
            assert_eq!(found.len(), 1);
            assert_eq!(
                found[0].0,
                format!("Remove the unused suppression of `{needle}`")
            );
            assert_eq!(found[0].1, expected);
        }
        let text = "Intro.\n{/* healthlint-disable-next-line HL502 */}\nHeat it.\n";
        let d = finding(text, "HL003", "HL502");
        assert_eq!(edits(text, Kind::Mdx, &d)[0].1, "Intro.\nHeat it.\n");
    }

    #[test]
    fn front_matter_end_finds_the_closing_marker() {
        assert_eq!(front_matter_end("---\na: b\n---\nx"), 13);
        assert_eq!(front_matter_end("+++\na = 1\n+++\r\nx"), 15);
        assert_eq!(front_matter_end("---\nnever closed\n"), 0);
        assert_eq!(front_matter_end("# Title\n"), 0);
    }
}
