//! From the spec as written (`raw`) to the validated model: checks every value, applies
//! defaults and normalises paths. Errors point at the offending key or value.

mod binaries;
mod build;
mod files;
mod healthcheck;
mod image;
mod known_hosts;
mod modules;
mod test;
mod values;

pub(super) use build::{GOWORK_VALUES, RESERVED as RESERVED_BUILD_ENV};

use super::model::{Cache, Spec};
use super::path::FieldPath;
use super::raw;
use super::spanned::Spanned;
use super::tree::{Node, NodeKind};
use crate::vocabulary::Diagnostic;
use crate::vocabulary::{ImageReference, Located, Platform, Problem, Span};

/// The only spec version.
const VERSION: u64 = 1;

/// Checks `spec` and builds the model. `document` is the same file as a tree, for key
/// positions and for what was written where serde accepted it loosely (`go: 1.20`); `text`
/// is the file itself, for positions inside multi-line values.
///
/// Errors: the first problem found, in the order of the model's fields.
pub(super) fn validate(spec: raw::Spec, document: &Node, text: &str) -> Result<Spec, Diagnostic> {
    let root = FieldPath::root();
    let version = version(spec.version, document.span)?;
    let go = match spec.go {
        Some(go) => Some(go_version(go, document)?),
        None => None,
    };
    let builder = match spec.builder {
        Some(builder) => {
            let reference = check(&builder, &root.key("builder"), ImageReference::parse)?;
            Some(Located::new(reference, builder.span))
        }
        None => None,
    };
    let binaries = binaries::validate(spec.main, spec.binaries, document)?;
    let build = build::validate(spec.module, spec.build)?;
    let image = image::validate(spec.image)?;
    let platforms = platforms(spec.platforms.unwrap_or_default())?;
    let modules = modules::validate(spec.modules, document, text)?;
    let files = files::validate(spec.files, document)?;
    let test = test::validate(spec.test, build.cgo)?;
    let cache = Cache {
        export: spec
            .cache
            .and_then(|cache| cache.export)
            .is_some_and(|export| export.value),
    };
    Ok(Spec {
        version,
        go,
        builder,
        binaries,
        build,
        image,
        platforms,
        modules,
        files,
        test,
        cache,
        span: document.span,
    })
}

/// Each of `platforms:` parsed and checked to be a Linux platform Go can target
/// ([`Platform::parse_target`]); duplicates are errors, since each platform becomes one image
/// of the index.
fn platforms(written: Vec<Spanned<String>>) -> Result<Vec<Located<Platform>>, Diagnostic> {
    let path = FieldPath::root().key("platforms");
    let mut platforms: Vec<Located<Platform>> = Vec::new();
    for (index, platform) in written.into_iter().enumerate() {
        let item = path.index(index);
        let parsed = check(&platform, &item, Platform::parse_target)?;
        if let Some(earlier) = platforms.iter().position(|known| known.value == parsed) {
            return Err(Diagnostic::new(
                platform.span,
                format!(
                    "`{item}` is `{parsed}` again, like `{}`",
                    path.index(earlier)
                ),
            )
            .with_help("list each platform once"));
        }
        platforms.push(Located::new(parsed, platform.span));
    }
    Ok(platforms)
}

fn version(version: Option<Spanned<u64>>, document: Span) -> Result<u32, Diagnostic> {
    let Some(version) = version else {
        return Err(Diagnostic::new(document, "the spec has no `version`")
            .with_help("add `version: 1` as the first key"));
    };
    if version.value != VERSION {
        return Err(Diagnostic::new(
            version.span,
            format!(
                "`version` is {}, but gostage knows only version 1",
                version.value
            ),
        )
        .with_help("write `version: 1`, or use a newer gostage"));
    }
    Ok(1)
}

/// `go:` must be a quoted string: unquoted, YAML reads `1.20` as the number 1.2.
fn go_version(go: Spanned<String>, document: &Node) -> Result<Located<String>, Diagnostic> {
    let path = FieldPath::root().key("go");
    if let Some(node) = document.get(&path) {
        if matches!(node.kind, NodeKind::Number(_) | NodeKind::Bool(_)) {
            return Err(Diagnostic::new(
                go.span,
                format!("`go` must be a quoted string, found {}", node.describe()),
            )
            .with_help(format!(
                "write `go: \"{}\"`; unquoted, YAML reads a version as a number, and 1.20 \
                 would become 1.2",
                go.value
            )));
        }
    }
    check(&go, &path, values::go_version)?;
    Ok(go.located())
}

/// Runs a value check and places its problem at the value.
fn check<T, Value: ?Sized, Output>(
    spanned: &Spanned<T>,
    path: &FieldPath,
    check: impl FnOnce(&Value) -> Result<Output, Problem>,
) -> Result<Output, Diagnostic>
where
    T: std::borrow::Borrow<Value>,
{
    check(spanned.value.borrow()).map_err(|problem| at(spanned.span, path, problem))
}

/// A problem of the value at `path`, written at `span`.
fn at(span: Span, path: &FieldPath, problem: Problem) -> Diagnostic {
    Diagnostic::new(span, format!("`{path}` {}", problem.message)).with_help(problem.help)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::spec::model::{
        Base, Binary, Build, Cache, CopiedFile, Image, Modules, Port, Spec, Test, User,
    };
    use crate::spec::testing::{assert_error, help, parse_err, parse_ok};
    use crate::vocabulary::{ImageReference, LdflagsTemplate, Located, Platform, Problem, Span};

    fn at(line: u32, column: u32) -> Span {
        Span { line, column }
    }

    fn located(value: &str, line: u32, column: u32) -> Located<String> {
        Located::new(value.to_string(), at(line, column))
    }

    fn parsed<T>(
        parse: impl Fn(&str) -> Result<T, Problem>,
        value: &str,
        line: u32,
        column: u32,
    ) -> Located<T> {
        let value = parse(value).unwrap_or_else(|problem| panic!("{value}: {problem}"));
        Located::new(value, at(line, column))
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| value.to_string()).collect()
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn applies_the_defaults() {
        let spec = parse_ok("# syntax=myorg/gostage\nversion: 1\n");
        assert_eq!(
            spec,
            Spec {
                version: 1,
                go: None,
                builder: None,
                binaries: vec![Binary {
                    main: located(".", 2, 1),
                    name: None,
                }],
                build: Build::default(),
                image: Image::default(),
                platforms: Vec::new(),
                modules: Modules::default(),
                files: Vec::new(),
                test: Test::default(),
                cache: Cache::default(),
                span: at(2, 1),
            }
        );
        assert_eq!(
            spec.image.user, None,
            "plan picks the base's or the default"
        );
        assert_eq!(spec.image.base, Base::Scratch);
    }

    #[test]
    fn reads_every_field() {
        let text = r#"# syntax=myorg/gostage
version: 1
go: "1.23.4"
builder: golang:1.23
binaries:
  - main: ./cmd/server/
  - main: ./cmd/tool
    name: gostage-tool
build:
  ldflags: ["-X main.version={{ .Version }}"]
  tags: [netgo, osusergo]
  env: {GOEXPERIMENT: "", GOFLAGS: -mod=mod}
  cgo: false
image:
  base: gcr.io/distroless/static
  user: "1000:2000"
  workdir: /srv/
  entrypoint: [/usr/local/bin/server]
  cmd: [--listen, ":8080"]
  env: {LOG_LEVEL: info}
  ports: [8080, "53/udp", "8080/tcp", 443]
  labels:
    org.opencontainers.image.source: https://example.com/repo
platforms: [linux/amd64, linux/arm64]
files:
  - src: static
    dst: /srv/
test:
  packages: [./internal/...]
  flags: [-count=1, -v]
cache:
  export: true
"#;
        let expected = Spec {
            version: 1,
            go: Some(located("1.23.4", 3, 5)),
            builder: Some(parsed(ImageReference::parse, "golang:1.23", 4, 10)),
            binaries: vec![
                Binary {
                    main: located("./cmd/server", 6, 11),
                    name: None,
                },
                Binary {
                    main: located("./cmd/tool", 7, 11),
                    name: Some("gostage-tool".to_string()),
                },
            ],
            build: Build {
                module: Build::default().module,
                ldflags: vec![parsed(
                    LdflagsTemplate::parse,
                    "-X main.version={{ .Version }}",
                    10,
                    13,
                )],
                tags: strings(&["netgo", "osusergo"]),
                env: map(&[("GOEXPERIMENT", ""), ("GOFLAGS", "-mod=mod")]),
                cgo: false,
                packages: Vec::new(),
            },
            image: Image {
                base: Base::Image(parsed(
                    ImageReference::parse,
                    "gcr.io/distroless/static",
                    15,
                    9,
                )),
                user: Some(User {
                    written: located("1000:2000", 16, 9),
                    uid: 1000,
                    gid: 2000,
                }),
                workdir: Some("/srv".to_string()),
                entrypoint: Some(strings(&["/usr/local/bin/server"])),
                cmd: Some(strings(&["--listen", ":8080"])),
                env: map(&[("LOG_LEVEL", "info")]),
                ports: vec![
                    Port {
                        number: 53,
                        protocol: "udp".to_string(),
                    },
                    Port {
                        number: 443,
                        protocol: "tcp".to_string(),
                    },
                    Port {
                        number: 8080,
                        protocol: "tcp".to_string(),
                    },
                ],
                written_ports: [
                    (8080, "tcp", 11),
                    (53, "udp", 17),
                    (8080, "tcp", 27),
                    (443, "tcp", 39),
                ]
                .into_iter()
                .map(|(number, protocol, column)| {
                    let port = Port {
                        number,
                        protocol: protocol.to_string(),
                    };
                    Located::new(port, Span { line: 21, column })
                })
                .collect(),
                labels: map(&[(
                    "org.opencontainers.image.source",
                    "https://example.com/repo",
                )]),
                healthcheck: None,
            },
            platforms: vec![
                parsed(Platform::parse, "linux/amd64", 24, 13),
                parsed(Platform::parse, "linux/arm64", 24, 26),
            ],
            modules: Modules::default(),
            files: vec![CopiedFile {
                src: located("static", 26, 10),
                dst: "/srv/static".to_string(),
                mode: None,
            }],
            test: Test {
                packages: vec![located("./internal/...", 29, 14)],
                flags: vec![located("-count=1", 30, 11), located("-v", 30, 21)],
            },
            cache: Cache { export: true },
            span: at(2, 1),
        };
        assert_eq!(parse_ok(text), expected);
    }

    #[test]
    fn requires_version_1() {
        let diagnostic = assert_error(
            "# syntax=myorg/gostage\nmain: .\n",
            2,
            1,
            "the spec has no `version`",
        );
        assert_eq!(help(&diagnostic), "add `version: 1` as the first key");
        assert_error(
            "version: 2\n",
            1,
            10,
            "`version` is 2, but gostage knows only version 1",
        );
    }

    #[test]
    fn go_must_be_a_quoted_version() {
        let diagnostic = assert_error(
            "version: 1\ngo: 1.23\n",
            2,
            5,
            "`go` must be a quoted string, found the number 1.23",
        );
        assert!(help(&diagnostic).starts_with("write `go: \"1.23\"`"));
        let diagnostic = assert_error(
            "version: 1\ngo: 1.20\n",
            2,
            5,
            "`go` must be a quoted string, found the number 1.2",
        );
        assert!(help(&diagnostic).starts_with("write `go: \"1.20\"`"));
        assert_eq!(
            parse_ok("version: 1\ngo: '1.20'\n").go,
            Some(located("1.20", 2, 5))
        );
        assert_eq!(
            parse_ok("version: 1\ngo: 1.22.3\n").go.map(|go| go.value),
            Some("1.22.3".to_string())
        );
        assert_error(
            "version: 1\ngo: \"go1.23\"\n",
            2,
            5,
            "`go` starts with `go`",
        );
        assert_error(
            "version: 1\ngo: \"latest\"\n",
            2,
            5,
            "`go` is not a Go version: `latest`",
        );
    }

    #[test]
    fn builder_is_one_image_reference() {
        assert_error(
            "version: 1\nbuilder: \"golang 1.23\"\n",
            2,
            10,
            "`builder` is not an image reference: `golang 1.23` contains spaces",
        );
        assert_error(
            "version: 1
image:
  base: Alpine:3
",
            3,
            9,
            "`image.base` is not an image reference: `Alpine:3` has upper-case letters in its repository",
        );
    }

    #[test]
    fn platforms_are_checked_where_they_are_written() {
        assert_error(
            "version: 1
platforms: [linux/amd64, linux/s390xx]
",
            2,
            26,
            "`platforms[1]` has architecture `s390xx`, which Go cannot target",
        );
        assert_error(
            "version: 1
platforms: [\"\"]
",
            2,
            13,
            "`platforms[0]` is not a platform: ``",
        );
        assert_error(
            "version: 1
platforms:
  - linux/arm/v7/extra
",
            3,
            5,
            "`platforms[0]` is not a platform: `linux/arm/v7/extra`",
        );
        let diagnostic = assert_error(
            "version: 1
platforms:
  - linux/amd64
  - darwin/arm64
",
            4,
            5,
            "`platforms[1]` has operating system `darwin`, but gostage builds Linux images",
        );
        assert_eq!(
            help(&diagnostic),
            "write `linux/arm64` (the same architecture): container images hold Linux \
             programs, which Docker Desktop runs on macOS and Windows too"
        );
        assert_error(
            "version: 1\nplatforms: [windows/amd64]\n",
            2,
            13,
            "`platforms[0]` has operating system `windows`, but gostage builds Linux images",
        );
        let diagnostic = parse_err(
            "version: 1
platforms: [linux/arm64, linux/arm64/v8]
",
        );
        assert_eq!(diagnostic.span, at(2, 26));
        assert!(diagnostic.message.contains("again"), "{diagnostic:?}");
    }

    #[test]
    fn cache_export_is_a_boolean_and_the_section_rejects_unknown_keys() {
        assert_eq!(
            parse_ok("version: 1\ncache: {export: false}\n").cache,
            Cache { export: false }
        );
        assert_eq!(parse_ok("version: 1\ncache: {}\n").cache, Cache::default());
        let diagnostic = assert_error(
            "version: 1\ncache:\n  export: yes\n",
            3,
            11,
            "`cache.export` must be `true` or `false`, found the string \"yes\"",
        );
        assert_eq!(help(&diagnostic), "write `true` or `false`");
        let diagnostic = assert_error(
            "version: 1\ncache:\n  exprot: true\n",
            3,
            3,
            "unknown key `exprot` in `cache`",
        );
        assert!(help(&diagnostic).starts_with("did you mean `export`?"));
    }

    #[test]
    fn ldflags_templates_are_checked_where_they_are_written() {
        assert_error(
            "version: 1
build:
  ldflags:
    - -X main.v={{ .Nope }}
",
            4,
            7,
            "`build.ldflags[0]` uses the unknown template `{{ .Nope }}`",
        );
        assert_error(
            "version: 1
build:
  ldflags: [\"-X main.v={{ .Version\"]
",
            3,
            13,
            "`build.ldflags[0]` has an unterminated `{{` in `-X main.v={{ .Version`",
        );
    }
}
