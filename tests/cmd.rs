//! Command-line cases as data: each `tests/cmd/*.toml` holds a command, its exit code and
//! its exact output; a `NAME.in/` folder next to it is the folder the command runs in.
//! `TRYCMD=overwrite cargo test --test cmd` writes the outputs anew (then read the diff).

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("healthlint", trycmd::cargo::cargo_bin!("healthlint"))
        .case("tests/cmd/*.toml");
}
