//! Suppression directives written as comments in the article: takes the raw text and the
//! ranges of code (where comments are only examples) and hands on [`Directive`]s, each with
//! the byte range of every code it names, so that an unused code can be pointed at exactly.
//!
//! ```text
//! <!-- healthlint-disable-next-line HL201 -->
//! <!-- healthlint-disable HL2 -->  …  <!-- healthlint-enable -->
//! <!-- healthlint-disable-file HL301: reviewed by our pharmacist -->
//! {/* healthlint-disable-next-line HL101 */}        (MDX)
//! ```
//! Codes are full codes or prefixes (`HL2` covers `HL2xx`); no code means every rule.
//! Text after a colon is a free-form reason. `engine` applies directives after the checks.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DirectiveKind {
    DisableNextLine,
    Disable,
    Enable,
    DisableFile,
    /// A `healthlint-…` comment that could not be understood; the string says why.
    Invalid(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Directive {
    pub kind: DirectiveKind,
    /// Codes or prefixes with their byte ranges; empty means all rules.
    pub codes: Vec<(String, Range<usize>)>,
    /// The whole comment.
    pub range: Range<usize>,
}

fn directive_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:<!--|\{/\*)[ \t]*healthlint-([A-Za-z-]*)([^\n]*?)[ \t]*(?:-->|\*/\})")
            .expect("directive regex is valid")
    })
}

fn code_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^HL[0-9]{0,3}$").expect("code regex is valid"))
}

/// Finds every directive comment in `text` outside `code` ranges.
pub fn scan(text: &str, code: &[Range<usize>]) -> Vec<Directive> {
    let mut out = Vec::new();
    for caps in directive_regex().captures_iter(text) {
        let whole = caps.get(0).expect("group 0 always exists");
        if code
            .iter()
            .any(|c| c.start <= whole.start() && whole.end() <= c.end)
        {
            continue;
        }
        let name = caps.get(1).map_or("", |m| m.as_str());
        // `healthlint-topic:` names a red-flag topic (read by the red-flag rules), it
        // suppresses nothing.
        if name == "topic" && caps.get(2).is_some_and(|m| m.as_str().starts_with(':')) {
            continue;
        }
        let kind = match name {
            "disable-next-line" => DirectiveKind::DisableNextLine,
            "disable" => DirectiveKind::Disable,
            "enable" => DirectiveKind::Enable,
            "disable-file" => DirectiveKind::DisableFile,
            other => DirectiveKind::Invalid(format!(
                "unknown directive `healthlint-{other}`; expected disable-next-line, disable, enable or disable-file"
            )),
        };
        let mut directive = Directive {
            kind,
            codes: Vec::new(),
            range: whole.range(),
        };
        if let Some(args) = caps.get(2) {
            // Text after a colon is a reason, not codes.
            let body = args.as_str().split(':').next().unwrap_or("");
            let mut offset = args.start();
            for token in body.split([' ', ',', '\t']) {
                let start = offset;
                offset += token.len() + 1;
                if token.is_empty() {
                    continue;
                }
                if code_regex().is_match(token) {
                    directive
                        .codes
                        .push((token.to_string(), start..start + token.len()));
                } else if !matches!(directive.kind, DirectiveKind::Invalid(_)) {
                    directive.kind = DirectiveKind::Invalid(format!(
                        "`{token}` is not a rule code or prefix (such as HL201 or HL2); put a reason after a colon"
                    ));
                }
            }
        }
        out.push(directive);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_with_ranges_and_reasons() {
        let text = "a\n<!-- healthlint-disable-next-line HL201, HL3: checked -->\nb {/* healthlint-enable */}";
        let ds = scan(text, &[]);
        assert_eq!(ds.len(), 2);
        assert_eq!(ds[0].kind, DirectiveKind::DisableNextLine);
        let codes: Vec<_> = ds[0]
            .codes
            .iter()
            .map(|(c, r)| (c.as_str(), &text[r.clone()]))
            .collect();
        assert_eq!(codes, vec![("HL201", "HL201"), ("HL3", "HL3")]);
        assert_eq!(ds[1].kind, DirectiveKind::Enable);
        assert!(ds[1].codes.is_empty());
    }

    #[test]
    fn reports_unknown_directives_and_skips_code() {
        let text = "<!-- healthlint-disabel HL1 -->\n<!-- healthlint-disable bogus -->";
        let ds = scan(text, &[]);
        assert!(matches!(ds[0].kind, DirectiveKind::Invalid(_)));
        assert!(matches!(ds[1].kind, DirectiveKind::Invalid(_)));
        let everything: Vec<std::ops::Range<usize>> = std::iter::once(0..text.len()).collect();
        assert!(scan(text, &everything).is_empty());
    }
}
