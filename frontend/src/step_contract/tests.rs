use super::*;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

#[test]
fn hints_survive_the_variable_and_lose_only_their_line_breaks() {
    let hints = [
        (
            "401 Unauthorized",
            "pass --secret id=netrc (see gostage.yaml:3)".to_string(),
        ),
        (
            "missing go.sum entry",
            "run `go mod tidy`\nand commit\tgo.sum".to_string(),
        ),
    ];
    let value = encode_hints(&hints);
    assert_eq!(
        value,
        "401 Unauthorized\tpass --secret id=netrc (see gostage.yaml:3)\n\
         missing go.sum entry\trun `go mod tidy` and commit go.sum\n"
    );
    assert_eq!(
        decode_hints(&value),
        Ok(vec![
            Rule {
                pattern: "401 Unauthorized".into(),
                hint: "pass --secret id=netrc (see gostage.yaml:3)".into(),
            },
            Rule {
                pattern: "missing go.sum entry".into(),
                hint: "run `go mod tidy` and commit go.sum".into(),
            },
        ])
    );
    assert_eq!(encode_hints(&[("", "matches everything")]), "");
    assert_eq!(decode_hints(""), Ok(Vec::new()));
}

#[test]
fn a_malformed_hints_line_is_named_by_its_number() {
    assert_eq!(
        decode_hints("a\tb\n\nno tab here\n"),
        Err(HintsError::Malformed {
            number: 3,
            line: "no tab here".into()
        })
    );
    let error = decode_hints("\thint without pattern").unwrap_err();
    assert!(error.to_string().contains("line 1"), "{error}");
}

#[test]
fn command_lines_start_with_the_binary_and_the_subcommand() {
    assert_eq!(
        Invocation::Explain {
            command: strings(&["go", "build", "-o", "/out/x", "."])
        }
        .command_line(),
        strings(&[
            "/gostage/bin/gostage",
            "explain",
            "--",
            "go",
            "build",
            "-o",
            "/out/x",
            "."
        ])
    );
    assert_eq!(
        Invocation::Sbom {
            output: "/out/sbom.spdx.json".into(),
            created: "1970-01-01T00:00:00Z".into(),
            binaries: strings(&["/in/server", "/in/worker"]),
        }
        .command_line(),
        strings(&[
            "/gostage/bin/gostage",
            "sbom",
            "/out/sbom.spdx.json",
            "1970-01-01T00:00:00Z",
            "/in/server",
            "/in/worker"
        ])
    );
    assert_eq!(
        Invocation::TestReport {
            report_dir: OUTPUT_DIR.into(),
            package_dir: SOURCE_DIR.into(),
            go_test_arguments: strings(&["-count=1", "./..."]),
        }
        .command_line(),
        strings(&[
            "/gostage/bin/gostage",
            "test-report",
            "/out",
            "/src",
            "--",
            "-count=1",
            "./..."
        ])
    );
    assert!(BINARY.starts_with(&format!("{BINARY_DIR}/")));
}
