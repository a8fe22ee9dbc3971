//! Every fixture under `fixtures/rules/<CODE>/` is checked with only that rule selected. A
//! fixture states the findings it expects in an `<!-- expect: CODE@LINE, … -->` comment;
//! `pass_*` fixtures must expect none. The rendered output (concise and pretty, no colour)
//! is then compared with its insta snapshot.

mod common;

use healthlint::report::Format;

#[test]
fn rule_fixtures() {
    insta::glob!("../fixtures/rules", "*/*.*", |path| {
        let rel = path.strip_prefix(common::root()).unwrap();
        let code = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let expected = common::expectations(&text)
            .unwrap_or_else(|| panic!("{} has no expect comment", rel.display()));
        if name.starts_with("pass_") {
            assert!(
                expected.is_empty(),
                "{}: pass fixtures expect nothing",
                rel.display()
            );
        } else {
            assert!(
                name.starts_with("fail_"),
                "{}: fixtures are named fail_* or pass_*",
                rel.display()
            );
            assert!(
                !expected.is_empty(),
                "{}: fail fixtures expect findings",
                rel.display()
            );
        }
        // Cross-document rules (HL4xx) compare a fixture with its companion in
        // `companions/<same name>`, checked in the same run; they reuse the HL3xx rules.
        let companion = rel.parent().unwrap().join("companions").join(name);
        let report = if common::root().join(&companion).exists() {
            let linter = common::linter(&[code, "HL3"]);
            common::check_with_companion(&linter, rel, &companion)
        } else {
            let linter = common::linter(&[code]);
            common::check_file(&linter, rel)
        };
        let mut expected = expected;
        expected.sort();
        assert_eq!(common::found(&report), expected, "{}", rel.display());
        let reports = [report];
        let rendered = format!(
            "{}\n{}",
            common::render(&reports, Format::Concise),
            common::render(&reports, Format::Pretty)
        );
        insta::assert_snapshot!(rendered);
    });
}
