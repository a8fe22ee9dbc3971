//! Message templates: a rule's `message` with `{name}` placeholders that its kind fills
//! ([`Kind::PLACEHOLDERS`](super::Kind::PLACEHOLDERS)). A placeholder the kind does not know
//! is an error when the rule loads, so that no finding ever shows an unfilled `{…}`.

/// The placeholders of a template: `{` a name of letters, digits, `-` or `_` `}`, with the
/// byte range of each.
fn placeholders(template: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let bytes = template.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(open) = template[at..].find('{').map(|i| at + i) {
            let name_len = bytes[open + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
                .count();
            let close = open + 1 + name_len;
            at = open + 1;
            if name_len > 0 && bytes.get(close) == Some(&b'}') {
                at = close + 1;
                return Some((open..close + 1, &template[open + 1..close]));
            }
        }
        None
    })
}

/// The message about the first placeholder of `template` that is not one of `known`.
pub(super) fn unknown_placeholder(template: &str, known: &[&str]) -> Option<String> {
    let (_, name) = placeholders(template).find(|(_, name)| !known.contains(name))?;
    let known: Vec<String> = known.iter().map(|k| format!("{{{k}}}")).collect();
    Some(if known.is_empty() {
        format!("unknown placeholder `{{{name}}}`: this kind of rule fills none")
    } else {
        format!(
            "unknown placeholder `{{{name}}}`: this kind of rule fills {}",
            known.join(", ")
        )
    })
}

/// Fills a template's placeholders with `values` (name, text), in one pass: a value is never
/// read as a template itself. A placeholder without a value stays as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut done = 0;
    for (range, name) in placeholders(template) {
        if let Some((_, value)) = values.iter().find(|(n, _)| *n == name) {
            out.push_str(&template[done..range.start]);
            out.push_str(value);
            done = range.end;
        }
    }
    out.push_str(&template[done..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_each_placeholder_once_and_leaves_other_braces() {
        let t = "{first} and {second}: {} {not a name} {first}";
        assert_eq!(
            fill(t, &[("first", "A {second}"), ("second", "B")]),
            "A {second} and B: {} {not a name} A {second}"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_those_the_kind_fills() {
        assert_eq!(unknown_placeholder("found {match}", &["match"]), None);
        assert_eq!(
            unknown_placeholder("found {matched}", &["match"]).unwrap(),
            "unknown placeholder `{matched}`: this kind of rule fills {match}"
        );
        assert!(unknown_placeholder("{topic}", &[])
            .unwrap()
            .ends_with("fills none"));
    }
}
