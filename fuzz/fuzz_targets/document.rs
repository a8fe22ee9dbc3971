//! The reader and the document parser on any bytes, as Markdown and as plain text.
//! The invariants are in `../invariants.rs`, shared with the bounded run in `tests/fuzz.rs`.
#![no_main]

// Each target uses one of the shared functions.
#[allow(dead_code)]
#[path = "../invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::document(data));
