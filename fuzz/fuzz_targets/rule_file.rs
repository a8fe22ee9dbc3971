//! A user rule file of any text, compiled next to the built-in lexicon (kept between inputs).
//! The invariants are in `../invariants.rs`, shared with the bounded run in `tests/fuzz.rs`.
#![no_main]

// Each target uses one of the shared functions.
#[allow(dead_code)]
#[path = "../invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::rule_file(data));
