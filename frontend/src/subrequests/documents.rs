//! The four documents, built from the spec and the request alone (no image is resolved, no
//! step is solved).

use base64::Engine;
use serde_json::{json, Value};

use super::Answer;
use crate::context::layout::FileProblem;
use crate::lint::{Finding, Level};
use crate::plan::{KNOWN_HOSTS_SECRET_ID, NETRC_SECRET_ID, SSH_AGENT_ID};
use crate::spec::Spec;
use crate::vocabulary::{BuildRequest, Diagnostic, Span, Target, GO_ENVIRONMENT_BUILD_ARGS};

pub use crate::vocabulary::SpecSource;

/// The spec's bytes as the documents carry them.
fn base64(source: SpecSource<'_>) -> String {
    base64::engine::general_purpose::STANDARD.encode(source.data)
}

/// `pb.Location` JSON for `span` in source 0 (whose index `omitempty` drops), or with
/// `sourceIndex: -1` (no source) when the span is not a place in the file; both ends set,
/// as BuildKit's printers read both (`solver/errdefs/source.go`).
fn location(span: Span) -> Value {
    if span.line == 0 {
        return json!({"sourceIndex": -1});
    }
    let position = json!({"line": span.line, "character": span.column.saturating_sub(1)});
    json!({"ranges": [{"start": position, "end": position}]})
}

/// The line of `span` as `(line N)` for text, or nothing for no place.
fn line_note(span: Span) -> String {
    match span.line {
        0 => String::new(),
        line => format!(" (line {line})"),
    }
}

/// Each target with its one-line description (what it returns).
const TARGETS: &[(Target, &str, &str)] = &[
    (
        Target::Image,
        "image",
        "the container image: the static binaries, CA certificates, time zones and a non-root user",
    ),
    (
        Target::Binary,
        "binary",
        "only the static binaries at /, for --output type=local,dest=DIR",
    ),
    (
        Target::Test,
        "test",
        "runs go test (test.packages, test.flags) on the build platform and returns its report",
    ),
    (
        Target::Debug,
        "debug",
        "the image plus a static busybox shell at /busybox, for docker run -it --entrypoint /busybox/sh",
    ),
];

/// `frontend.subrequests.describe`: the requests gostage answers (`subrequests/types.go`
/// `Request`; no field is `omitempty`, so empty lists are `null`).
pub fn describe() -> Answer {
    let metadata = json!([{"name": "result.json", "description": ""}, {"name": "result.txt", "description": ""}]);
    let requests = [
        (
            super::OUTLINE,
            "List the build-args, secrets and SSH agents the build reads",
        ),
        (super::TARGETS, "List the targets gostage builds"),
        (
            super::LINT,
            "Run gostage's lint rules on the spec without building",
        ),
        (super::DESCRIBE, "List the subrequests gostage answers"),
    ];
    let json = Value::Array(
        requests
            .iter()
            .map(|(name, description)| {
                let opts = match *name {
                    super::DESCRIBE => Value::Null,
                    _ => json!([{"name": "target", "description": "Target to describe"}]),
                };
                json!({
                    "name": name, "version": super::DOCUMENT_VERSION, "type": "rpc",
                    "description": description, "opts": opts, "inputs": null,
                    "metadata": metadata, "refs": null,
                })
            })
            .collect(),
    );
    let text = requests
        .iter()
        .map(|(name, description)| format!("{name}\t{description}\n"))
        .collect();
    Answer {
        json,
        text,
        status: None,
    }
}

/// `frontend.targets`: every target, `image` the default (`targets/targets.go` `List`).
pub fn targets(source: SpecSource<'_>, spec: &Spec) -> Answer {
    let mut text = String::from("TARGET\tDESCRIPTION\n");
    let entries: Vec<Value> = TARGETS
        .iter()
        .map(|(target, name, description)| {
            let mut entry = json!({"name": name, "description": description});
            if *target == Target::default() {
                entry["default"] = json!(true);
            }
            if *target == Target::Test {
                if let Some(first) = spec.test.packages.first().filter(|p| p.span.line > 0) {
                    entry["location"] = location(first.span);
                }
            }
            let default = if *target == Target::default() {
                " (default)"
            } else {
                ""
            };
            text.push_str(&format!("{name}{default}\t{description}\n"));
            entry
        })
        .collect();
    Answer {
        json: json!({"targets": entries, "sources": [base64(source)]}),
        text,
        status: None,
    }
}

/// A build-arg the build reads, with what it does and where the spec makes it matter.
struct BuildArg {
    name: &'static str,
    description: &'static str,
    span: Span,
}

/// Every build-arg gostage reads: `VERSION`/`COMMIT` (ldflags templates and the OCI version
/// and revision labels), `SOURCE_DATE_EPOCH`, `BUILDKIT_MULTI_PLATFORM` and the Go
/// environment build-args ([`GO_ENVIRONMENT_BUILD_ARGS`]).
fn build_args(spec: &Spec) -> Vec<BuildArg> {
    let ldflags_span = |uses: fn(&crate::vocabulary::LdflagsTemplate) -> bool| {
        spec.build
            .ldflags
            .iter()
            .find(|entry| uses(&entry.value))
            .map(|entry| entry.span)
            .unwrap_or_default()
    };
    let mut args = vec![
        BuildArg {
            name: "VERSION",
            description: "{{ .Version }} in build.ldflags (default dev) and the label org.opencontainers.image.version",
            span: ldflags_span(crate::vocabulary::LdflagsTemplate::uses_version),
        },
        BuildArg {
            name: "COMMIT",
            description: "{{ .Commit }} in build.ldflags (default unknown) and the label org.opencontainers.image.revision",
            span: ldflags_span(crate::vocabulary::LdflagsTemplate::uses_commit),
        },
        BuildArg {
            name: "SOURCE_DATE_EPOCH",
            description: "Unix time of every file in the image and of the config's created (default 0)",
            span: Span::default(),
        },
        BuildArg {
            name: "BUILDKIT_MULTI_PLATFORM",
            description: "1 or true: return an image index even for one platform",
            span: Span::default(),
        },
    ];
    let modules_span = spec.modules.span.unwrap_or_default();
    args.extend(GO_ENVIRONMENT_BUILD_ARGS.iter().map(|name| BuildArg {
        name,
        description:
            "passed to go mod download (the one step with network) as the Go setting of that name",
        span: modules_span,
    }));
    args
}

/// `frontend.outline`: the chosen target (its description names the module's directory
/// when `module:` is not the context's root), the build-args with their values, the
/// secrets and SSH agents (`outline/outline.go` `Outline`).
pub fn outline(source: SpecSource<'_>, spec: &Spec, request: &BuildRequest) -> Answer {
    let (name, description) = TARGETS
        .iter()
        .find(|(target, ..)| *target == request.target)
        .map(|(_, name, description)| (*name, *description))
        .unwrap_or(("image", ""));
    let module = &spec.build.module;
    let description = match module.value.as_str() {
        crate::spec::Build::ROOT_MODULE => description.to_string(),
        module_dir => format!(
            "{description}; the Go module in {module_dir}/ of the build context (`module:`, \
             line {})",
            module.span.line
        ),
    };
    let mut text =
        format!("TARGET:\t{name}\nDESCRIPTION:\t{description}\n\nBUILD ARG\tVALUE\tDESCRIPTION\n");
    let args: Vec<Value> = build_args(spec)
        .into_iter()
        .map(|arg| {
            let mut entry = json!({"name": arg.name, "description": arg.description});
            let value = request.build_arg(arg.name);
            if let Some(value) = value {
                entry["value"] = json!(value);
            }
            if arg.span.line > 0 {
                entry["location"] = location(arg.span);
            }
            text.push_str(&format!(
                "{}\t{}\t{}\n",
                arg.name,
                value.unwrap_or(""),
                arg.description
            ));
            entry
        })
        .collect();
    let modules_span = spec.modules.span.unwrap_or_default();
    let at = |entry: Value, span: Span| -> Value {
        let mut entry = entry;
        if span.line > 0 {
            entry["location"] = location(span);
        }
        entry
    };
    let mut secrets = vec![at(json!({"name": NETRC_SECRET_ID}), modules_span)];
    let mut ssh = Vec::new();
    if !spec.modules.ssh.is_empty() {
        secrets.push(at(json!({"name": KNOWN_HOSTS_SECRET_ID}), modules_span));
        ssh.push(at(json!({"name": SSH_AGENT_ID}), modules_span));
    }
    text.push_str("\nSECRET\tREQUIRED\n");
    for secret in &secrets {
        text.push_str(&format!(
            "{}\tfalse\n",
            secret["name"].as_str().unwrap_or("")
        ));
    }
    if !ssh.is_empty() {
        text.push_str(&format!("\nSSH\tREQUIRED\n{SSH_AGENT_ID}\tfalse\n"));
    }
    let mut json = json!({
        "name": name, "description": description, "args": args, "secrets": secrets,
        "sources": [base64(source)],
    });
    if !ssh.is_empty() {
        json["ssh"] = Value::Array(ssh);
    }
    Answer {
        json,
        text,
        status: None,
    }
}

/// What the lint request found: the findings of a valid spec, or the error that stops the
/// spec from being read at all.
#[derive(Clone, Debug)]
pub enum LintOutcome<'a> {
    /// The rules ran.
    Findings(&'a [Finding]),
    /// The spec (or its context) is invalid: reported as the document's `buildError`.
    Invalid(&'a Diagnostic),
    /// A go.mod or go.work of the context is: reported as the `buildError`, placed in that
    /// file (the document's second source).
    InvalidFile(&'a FileProblem),
}

/// `frontend.lint`: each finding a warning at its line; status 1 when a finding is at
/// [`Level::Warning`] or above or the spec is invalid (`lint/lint.go` `LintResults`; there
/// `sources` are `SourceInfo` objects, not base64 strings).
pub fn lint(source: SpecSource<'_>, outcome: LintOutcome<'_>) -> Answer {
    let sources = json!([{
        "filename": source.filename,
        "language": "YAML",
        "data": base64(source),
    }]);
    match outcome {
        LintOutcome::Findings(findings) => {
            let warnings: Vec<Value> = findings
                .iter()
                .map(|finding| {
                    json!({
                        "ruleName": finding.rule.name,
                        "description": finding.rule.description,
                        "detail": finding.message,
                        "location": location(finding.span),
                    })
                })
                .collect();
            let failing = findings
                .iter()
                .any(|finding| finding.rule.level >= Level::Warning);
            let text = match findings.len() {
                0 => "Check complete, no warnings found.\n".to_string(),
                count => {
                    let mut text = format!("Check complete, {count} warnings have been found!\n");
                    for finding in findings {
                        text.push_str(&format!(
                            "{}: {}{}\n",
                            finding.rule.name,
                            finding.message,
                            line_note(finding.span)
                        ));
                    }
                    text
                }
            };
            Answer {
                json: json!({"warnings": warnings, "sources": sources}),
                text,
                status: Some(i32::from(failing)),
            }
        }
        LintOutcome::Invalid(diagnostic) => {
            let message = diagnostic.render(source.filename);
            let mut build_error = json!({"message": message});
            // `buildError.location` is not a pointer in Go: always present, and its
            // `sourceIndex` must index `sources` (`lint.go` `PrintErrorTo`).
            build_error["location"] = match diagnostic.span.line {
                0 => json!({"ranges": [{"start": {"line": 1}, "end": {"line": 1}}]}),
                _ => location(diagnostic.span),
            };
            Answer {
                json: json!({"warnings": [], "sources": sources, "buildError": build_error}),
                text: format!("{message}\n"),
                status: Some(1),
            }
        }
        LintOutcome::InvalidFile(problem) => {
            let message = problem.render(&problem.path);
            let mut sources = sources;
            if let Some(sources) = sources.as_array_mut() {
                sources.push(json!({
                    "filename": problem.path,
                    "language": problem.path.rsplit('/').next().unwrap_or_default(),
                    "data": base64::engine::general_purpose::STANDARD.encode(&problem.data),
                }));
            }
            let location = match problem.diagnostic.span.line {
                0 => {
                    json!({"sourceIndex": 1, "ranges": [{"start": {"line": 1}, "end": {"line": 1}}]})
                }
                _ => {
                    let mut location = location(problem.diagnostic.span);
                    location["sourceIndex"] = json!(1);
                    location
                }
            };
            Answer {
                json: json!({
                    "warnings": [], "sources": sources,
                    "buildError": {"message": message, "location": location},
                }),
                text: format!("{message}\n"),
                status: Some(1),
            }
        }
    }
}
