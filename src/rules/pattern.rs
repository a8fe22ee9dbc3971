//! Rule authors write phrases, not regexes: this module turns a list of phrases into one
//! regex source. A phrase is matched case-insensitively at word boundaries; a space matches
//! any run of whitespace or a hyphen ("pins and needles", "pins-and-needles"); an apostrophe
//! matches straight and curly ones; `(a|b)`, `?` and `\d` keep their regex meaning so that a
//! phrase can cover its variants ("(lower|low) back pain", "tablets?").

/// Regex source for one phrase (no flags, no boundaries).
pub fn phrase_body(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len() * 2);
    let mut chars = phrase.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {
                while chars.peek() == Some(&' ') {
                    chars.next();
                }
                // "100 ?%" means an optional space, not a lazy quantifier.
                if chars.peek() == Some(&'?') {
                    chars.next();
                    out.push_str(r"[\s\-]*");
                } else {
                    out.push_str(r"[\s\-]+");
                }
            }
            '\'' | '’' => out.push_str("(?:'|’)"),
            '\\' => {
                // Keep the escape and the escaped character as written (`\d`, `\.`).
                out.push('\\');
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            // Character classes and repetition counts are not phrase syntax: taken literally.
            '.' | '+' | '*' | '[' | ']' | '{' | '}' | '^' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Regex source for one phrase with word boundaries where the phrase starts or ends with a
/// word character (a phrase such as "myth:" cannot take a boundary after the colon).
pub fn phrase_regex(phrase: &str) -> String {
    let trimmed = phrase.trim();
    let body = phrase_body(trimmed);
    let starts_word = trimmed
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '(' || c == '\\');
    let ends_word = trimmed
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || c == ')' || c == '?');
    // ASCII word boundaries: a Unicode `\b` makes the regex engines give up their DFAs on the
    // first non-ASCII byte ("µg", "–") and fall back to a slow NFA simulation over the whole
    // file. Phrases are English; an accented letter next to a phrase only costs a boundary.
    let boundary = r"(?-u:\b)";
    format!(
        "{}(?:{body}){}",
        if starts_word { boundary } else { "" },
        if ends_word { boundary } else { "" }
    )
}

/// One case-insensitive regex source matching any of the phrases.
pub fn any_of<S: AsRef<str>>(phrases: &[S]) -> String {
    let alternatives: Vec<String> = phrases.iter().map(|p| phrase_regex(p.as_ref())).collect();
    // ASCII case folding and ASCII classes: the phrases are English, and Unicode case folding
    // turns every letter into a large class, which multiplied the compile and lazy-DFA cost of
    // the combined set (a single small article took 350 ms, nearly all of it building states).
    // Non-ASCII literals such as "’" or "°" still match as written.
    format!("(?i-u:{})", alternatives.join("|"))
}

/// Checks that a phrase compiles on its own, so that a bad phrase is reported at its own span
/// in the rule file rather than as a failure of the combined pattern.
pub fn validate(phrase: &str) -> Result<(), String> {
    if phrase.trim().is_empty() {
        return Err("empty phrase".to_string());
    }
    // Parsing is enough to find a bad phrase and costs microseconds, where compiling a regex
    // per phrase cost half a millisecond each at every start-up. The combined patterns are
    // compiled once afterwards and report anything parsing cannot see (size limits).
    regex_syntax::Parser::new()
        .parse(&any_of(&[phrase]))
        .map(|_| ())
        .map_err(|e| {
            let msg = e.to_string();
            format!(
                "invalid phrase pattern: {}",
                msg.lines().last().unwrap_or(&msg)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn matches(phrase: &str, text: &str) -> bool {
        Regex::new(&any_of(&[phrase])).unwrap().is_match(text)
    }

    #[test]
    fn spaces_apostrophes_and_boundaries() {
        assert!(matches("chest pain", "Chest\n  pain"));
        assert!(matches("pins and needles", "pins-and-needles"));
        assert!(matches("don't ignore", "Don’t ignore it"));
        assert!(!matches("ice", "advice"));
        assert!(matches("(low|lower) back pain", "lower back pain"));
        assert!(matches("tablets?", "one tablet"));
        assert!(matches("myth:", "Myth: heat"));
        assert!(matches("a&e", "go to A&E now"));
        assert!(matches("100% safe", "it is 100% safe"));
        assert!(matches("100 ?% safe", "it is 100% safe"));
        assert!(matches("100 ?% safe", "it is 100 % safe"));
        assert!(matches("e.g. this", "e.g. this"));
        assert!(!matches("e.g. this", "exg this"));
    }

    #[test]
    fn reports_bad_phrases() {
        assert!(validate("(unclosed").is_err());
        assert!(validate("  ").is_err());
        assert!(validate("fine (phrase|words)").is_ok());
    }
}
