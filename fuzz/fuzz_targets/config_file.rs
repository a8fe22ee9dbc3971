//! A `healthlint.toml` of any text: no panic, settings or an error that points into the file.
#![no_main]

use std::path::Path;

use healthlint::config::Settings;
use healthlint::error::SetupError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(SetupError::Files(errors)) = Settings::from_toml("fuzz.toml", text, Path::new(".")) {
        for e in errors {
            if let Some(span) = e.span {
                assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
            }
        }
    }
});
