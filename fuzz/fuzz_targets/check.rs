//! One whole check of any bytes with every built-in rule, rendered by every reporter
//! (libFuzzer's `-timeout` catches an input that is too slow).
//! The invariants are in `../invariants.rs`, shared with the bounded run in `tests/fuzz.rs`.
#![no_main]

// Each target uses one of the shared functions.
#[allow(dead_code)]
#[path = "../invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::check(data));
