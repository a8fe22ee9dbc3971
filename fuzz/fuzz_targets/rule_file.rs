//! A user rule file of any text, compiled next to the built-in lexicon: no panic, no stack
//! overflow, an error or a rule set. Limits on nesting, length and count must hold here.
#![no_main]

use std::sync::Arc;

use healthlint::check::RuleSet;
use healthlint::rules::RuleSource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = RuleSource {
        origin: "fuzz.toml".to_string(),
        text: Arc::from(text),
        builtin: false,
    };
    let _ = RuleSet::load(&[source], &|_| true);
});
