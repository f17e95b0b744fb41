//! go.mod parsing: the module facts, replace directives and errors.

use super::*;
use crate::vocabulary::Span;

fn module(text: &str) -> GoModule {
    match parse(text.as_bytes()) {
        Ok(module) => module,
        Err(error) => panic!("{text:?} should parse: {error}"),
    }
}

#[test]
fn parses_the_examples() {
    let hello = module(include_str!("../../../examples/hello/go.mod"));
    assert_eq!(hello.path, "example.com/hello");
    assert_eq!(hello.go.as_deref(), Some("1.23"));
    assert_eq!(hello.toolchain, None);
    assert_eq!(hello.go_minor().as_deref(), Some("1.23"));

    let service = module(include_str!("../../../examples/uuid-service/go.mod"));
    assert_eq!(service.path, "example.com/uuid-service");
    assert_eq!(service.go.as_deref(), Some("1.23"));
    assert_eq!(service.go_minor().as_deref(), Some("1.23"));

    let svc_a = module(include_str!("../../../examples/monorepo/svc-a/go.mod"));
    assert_eq!(svc_a.required, ["example.com/monorepo/lib"]);
    assert_eq!(svc_a.replaces[0].old_path, "example.com/monorepo/lib");
    assert_eq!(
        svc_a.replaces[0].target,
        ReplaceTarget::Directory("../lib".to_string())
    );
    let work = parse_work(include_bytes!("../../../examples/monorepo/go.work"))
        .unwrap_or_else(|error| panic!("{error}"));
    let uses: Vec<&str> = work.uses.iter().map(|used| used.path.as_str()).collect();
    assert_eq!(uses, ["./lib", "./svc-a", "./svc-b"]);
}

#[test]
fn reads_module_go_and_toolchain_past_blocks_and_comments() {
    let text = "// leading comment\n\
                module \"example.com/quoted\" // trailing comment\n\
                \n\
                go 1.22 // minimum\n\
                toolchain go1.23.4\n\
                require (\n\
                \tgithub.com/google/uuid v1.6.0 // indirect\n\
                \tgo 1.99\n\
                )\n\
                replace example.com/a => ../a\n\
                godebug default=go1.21\n";
    let parsed = module(text);
    assert_eq!(
        parsed,
        GoModule {
            path: "example.com/quoted".to_string(),
            go: Some("1.22".to_string()),
            toolchain: Some("1.23.4".to_string()),
            lines: DirectiveLines {
                go: 4,
                toolchain: 5
            },
            requires: true,
            // A block line is the block's directive whatever its first word.
            required: vec!["github.com/google/uuid".to_string(), "go".to_string()],
            replaces: vec![Replace {
                old_path: "example.com/a".to_string(),
                old_version: None,
                target: ReplaceTarget::Directory("../a".to_string()),
                span: Span {
                    line: 10,
                    column: 9
                },
                target_span: Span {
                    line: 10,
                    column: 26
                },
            }],
        }
    );
    assert!(!module("module m\ngo 1.22\n").requires);
    assert_eq!(is_older("1.22", "1.23rc1"), Some(true));
    assert_eq!(is_older("1.23.4", "1.23.4"), Some(false));
    assert_eq!(is_older("1.23", "x"), None);
    assert_eq!(parsed.go_minor().as_deref(), Some("1.23"));
}

#[test]
fn accepts_raw_quoted_paths_and_comment_only_lines() {
    assert_eq!(module("module `example.com/raw`\n").path, "example.com/raw");
    assert_eq!(
        module("//x\nmodule example.com/m//c\n").path,
        "example.com/m"
    );
    assert_eq!(module("module \"a\\\"b\"\n").path, "a\"b");
    assert_eq!(
        module("module example.com/m\r\ngo 1.21\r\n").go.as_deref(),
        Some("1.21")
    );
}

#[test]
fn go_minor_prefers_the_newer_version() {
    let newer_go = GoModule {
        path: "m".to_string(),
        go: Some("1.24rc1".to_string()),
        toolchain: Some("1.23.4".to_string()),
        ..GoModule::default()
    };
    assert_eq!(newer_go.go_minor().as_deref(), Some("1.24"));
    let only_toolchain = GoModule {
        go: None,
        toolchain: Some("1.21.3-mycorp".to_string()),
        ..newer_go.clone()
    };
    assert_eq!(only_toolchain.go_minor().as_deref(), Some("1.21"));
    let neither = GoModule {
        go: None,
        toolchain: None,
        ..newer_go
    };
    assert_eq!(neither.go_minor(), None);
    assert_eq!(major_minor("1.10.2").as_deref(), Some("1.10"));
    assert_eq!(major_minor("go1.10"), None);
}

#[test]
fn orders_prereleases_before_releases() {
    let parse_version = |text: &str| GoVersion::parse(text);
    assert!(parse_version("1.21beta1") < parse_version("1.21rc1"));
    assert!(parse_version("1.21rc2") < parse_version("1.21.0"));
    // The largest candidate number still sorts before the release, without overflow.
    assert!(parse_version("1.23rc4294967295") < parse_version("1.23"));
    assert!(parse_version("1.23beta4294967295") < parse_version("1.23rc1"));
    assert_eq!(GoVersion::parse("1.23rc4294967296"), None);
    assert!(parse_version("1.21.10") > parse_version("1.21.9"));
    assert!(parse_version("1.9") < parse_version("1.10"));
}

#[test]
fn reports_errors_with_line_numbers() {
    let cases: [(&str, GoModError); 11] = [
        ("", GoModError::MissingModule),
        ("go 1.22\n", GoModError::MissingModule),
        (
            "module (\n  example.com/m\n)\n",
            GoModError::Block {
                line: 1,
                directive: "module".to_string(),
            },
        ),
        (
            "\nmodule\n",
            GoModError::MissingValue {
                line: 2,
                directive: "module".to_string(),
            },
        ),
        (
            "module a b\n",
            GoModError::ExtraValue {
                line: 1,
                directive: "module".to_string(),
                extra: "b".to_string(),
            },
        ),
        (
            "module a\nmodule b\n",
            GoModError::Repeated {
                line: 2,
                first_line: 1,
                directive: "module".to_string(),
            },
        ),
        ("module \"a\n", GoModError::UnterminatedString { line: 1 }),
        (
            "module a\nrequire (\n b v1\n",
            GoModError::UnclosedBlock { line: 2 },
        ),
        (
            "module a\ngo one\n",
            GoModError::InvalidGoVersion {
                line: 2,
                version: "one".to_string(),
            },
        ),
        (
            "module a\n\ntoolchain 1.23.4\n",
            GoModError::InvalidToolchain {
                line: 3,
                toolchain: "1.23.4".to_string(),
            },
        ),
        ("\u{0}", GoModError::MissingModule),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(text.as_bytes()), Err(expected), "for {text:?}");
    }
    assert_eq!(parse(&[0xff, 0xfe]), Err(GoModError::NotUtf8));
}

#[test]
fn error_messages_name_the_line() {
    let error = GoModError::InvalidToolchain {
        line: 3,
        toolchain: "1.23.4".to_string(),
    };
    assert_eq!(
        error.to_string(),
        "line 3: `toolchain 1.23.4` is not a toolchain name such as `go1.23.4`"
    );
}

#[test]
fn reads_replace_lines_and_blocks_with_their_positions() {
    let text = "module example.com/monorepo/services/api\n\
                \n\
                go 1.22\n\
                \n\
                require example.com/monorepo/libs/shared v0.0.0-00010101000000-000000000000\n\
                \n\
                replace example.com/monorepo/libs/shared => ../../libs/shared\n\
                \n\
                replace (\n\
                \t// Our fork, until the fix is released.\n\
                \tgithub.com/google/uuid v1.6.0 => github.com/myorg/uuid v1.6.1 // fork\n\
                \t\"example.com/quoted\" => \"../../libs/with space\"\n\
                )\n";
    let parsed = module(text);
    assert_eq!(parsed.path, "example.com/monorepo/services/api");
    assert!(parsed.requires);
    assert_eq!(
        parsed.replaces,
        vec![
            Replace {
                old_path: "example.com/monorepo/libs/shared".to_string(),
                old_version: None,
                target: ReplaceTarget::Directory("../../libs/shared".to_string()),
                span: Span { line: 7, column: 9 },
                target_span: Span {
                    line: 7,
                    column: 45
                },
            },
            Replace {
                old_path: "github.com/google/uuid".to_string(),
                old_version: Some("v1.6.0".to_string()),
                target: ReplaceTarget::Module {
                    path: "github.com/myorg/uuid".to_string(),
                    version: "v1.6.1".to_string(),
                },
                span: Span {
                    line: 11,
                    column: 2
                },
                target_span: Span {
                    line: 11,
                    column: 35
                },
            },
            Replace {
                old_path: "example.com/quoted".to_string(),
                old_version: None,
                target: ReplaceTarget::Directory("../../libs/with space".to_string()),
                span: Span {
                    line: 12,
                    column: 2
                },
                target_span: Span {
                    line: 12,
                    column: 26
                },
            },
        ]
    );
}

#[test]
fn empty_blocks_parse_as_in_go() {
    // `replace ( )` and `require ( )` are empty blocks for the go command.
    let parsed = module("module m\nreplace ( )\nrequire ( )\ngo 1.23\n");
    assert!(parsed.replaces.is_empty());
    assert_eq!(parsed.go.as_deref(), Some("1.23"));
}

#[test]
fn reports_replace_and_quoting_errors_with_columns() {
    assert_eq!(
        parse(b"module m\n\nreplace (\n\texample.com/a => example.com/b\n)\n"),
        Err(GoModError::Replace(ReplaceError::ModuleWithoutVersion {
            line: 4,
            column: 19,
            path: "example.com/b".to_string(),
        }))
    );
    let error = parse(b"module m\nreplace example.com/a => ./a v1.0.0\n")
        .err()
        .map(|error| error.to_string());
    assert_eq!(
        error.as_deref(),
        Some(
            "line 2, column 26: the local directory `./a` cannot have a version; \
             remove the version"
        )
    );
    assert_eq!(
        parse(b"module \"example.com/\\q\"\n"),
        Err(GoModError::InvalidQuotedString { line: 1, column: 8 })
    );
    // The first problem in file order wins.
    assert_eq!(
        parse(b"module m\nreplace a => b\nmodule n\n"),
        Err(GoModError::Replace(ReplaceError::ModuleWithoutVersion {
            line: 2,
            column: 14,
            path: "b".to_string(),
        }))
    );
}
