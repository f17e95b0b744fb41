//! The rules, one function each.

use super::{Finding, Level, LintInput, Rule, Scope};
use crate::gomod;
use crate::spec::{Base, Spec};
use crate::vocabulary::{Located, Span};

/// A rule's check: every place it fires.
pub type RuleCheck = fn(LintInput<'_>) -> Vec<Finding>;

/// Every rule with its check, in README order.
pub static RULES: &[(&Rule, RuleCheck)] = &[
    (&RUNS_AS_ROOT, runs_as_root),
    (&UNPINNED_IMAGE, unpinned_image),
    (&GO_OLDER_THAN_MODULE, go_older_than_module),
    (&MISSING_GO_SUM, missing_go_sum),
    (&SYNTAX_LINE, syntax_line),
    (
        &HEALTHCHECK_INTERVAL_BELOW_TIMEOUT,
        healthcheck_interval_below_timeout,
    ),
    (&DUPLICATE_PORT, duplicate_port),
    (&PRIVILEGED_PORT, privileged_port),
];

/// `image.user` is uid 0.
pub static RUNS_AS_ROOT: Rule = Rule {
    name: "RunsAsRoot",
    level: Level::Warning,
    description: "The image runs its programs as root",
};

fn runs_as_root(input: LintInput<'_>) -> Vec<Finding> {
    let Some(user) = &input.spec.image.user else {
        return Vec::new();
    };
    if user.uid != 0 {
        return Vec::new();
    }
    vec![Finding {
        rule: &RUNS_AS_ROOT,
        message: format!(
            "`image.user: {}` runs the programs as root, so a compromised program owns the container; remove `image.user` (gostage's default is 65532:65532) or set a non-zero uid",
            user.written.value
        ),
        span: user.written.span,
    }]
}

/// `builder:` or `image.base` written with a tag and no digest. gostage's own choice of
/// builder (`golang:<go>` from go.mod) does not count: it follows the spec and go.mod.
pub static UNPINNED_IMAGE: Rule = Rule {
    name: "UnpinnedImage",
    level: Level::Info,
    description: "An image of the spec is named by tag, without a digest",
};

fn unpinned_image(input: LintInput<'_>) -> Vec<Finding> {
    let spec = input.spec;
    let mut written = Vec::new();
    if let Some(builder) = &spec.builder {
        written.push(("builder", &builder.value.written, builder.span));
    }
    if let Base::Image(base) = &spec.image.base {
        written.push(("image.base", &base.value.written, base.span));
    }
    written
        .into_iter()
        .filter(|(_, reference, _)| !reference.contains('@'))
        .map(|(key, reference, span)| Finding {
            rule: &UNPINNED_IMAGE,
            message: format!(
                "`{key}` names `{reference}` by tag: the tag can move to another image between two builds; append its digest (`{reference}@sha256:…`, from `docker buildx imagetools inspect {reference}`) to build from exactly that image"
            ),
            span,
        })
        .collect()
}

/// `go:` older than go.mod's `go` (the build fails) or `toolchain` line.
pub static GO_OLDER_THAN_MODULE: Rule = Rule {
    name: "GoOlderThanModule",
    level: Level::Error,
    description: "The spec's Go version is older than the one go.mod asks for",
};

fn go_older_than_module(input: LintInput<'_>) -> Vec<Finding> {
    let Some(go) = &input.spec.go else {
        return Vec::new();
    };
    let module = &input.context.module;
    // `go: 1.23` picks golang:1.23, the newest 1.23.x: compare major.minor only then.
    let older = |required: &str| {
        let required = match go.value.matches('.').count() {
            1 => gomod::major_minor(required).unwrap_or_else(|| required.to_string()),
            _ => required.to_string(),
        };
        gomod::is_older(&go.value, &required) == Some(true)
    };
    if let Some(required) = module.go.as_deref().filter(|required| older(required)) {
        return vec![Finding {
            rule: &GO_OLDER_THAN_MODULE,
            message: format!(
                "`go: {}` is older than go.mod's `go {required}` (go.mod:{}): the build would fail with `go.mod requires go >= {required}`; set `go: {}` or remove `go:` (gostage then follows go.mod)",
                go.value,
                module.lines.go,
                gomod::major_minor(required).unwrap_or_else(|| required.to_string())
            ),
            span: go.span,
        }];
    }
    let Some(toolchain) = module.toolchain.as_deref().filter(|t| older(t)) else {
        return Vec::new();
    };
    vec![Finding {
        rule: &GO_OLDER_THAN_MODULE,
        message: format!(
            "`go: {}` is older than go.mod's `toolchain go{toolchain}` (go.mod:{}): the module is built with an older Go than it names; set `go: {}` or remove `go:`",
            go.value,
            module.lines.toolchain,
            gomod::major_minor(toolchain).unwrap_or_else(|| toolchain.to_string())
        ),
        span: go.span,
    }]
}

/// go.mod requires modules but the context has no go.sum.
pub static MISSING_GO_SUM: Rule = Rule {
    name: "MissingGoSum",
    level: Level::Error,
    description: "go.mod requires modules but go.sum is missing",
};

fn missing_go_sum(input: LintInput<'_>) -> Vec<Finding> {
    let context = input.context;
    if !context.module.requires || context.go_sum || context.vendored {
        return Vec::new();
    }
    vec![Finding {
        rule: &MISSING_GO_SUM,
        message: "go.mod has `require` directives but the build context has no go.sum, so Go cannot check the downloaded modules and the build fails with `missing go.sum entry`; run `go mod tidy` and commit go.sum (and check that .dockerignore does not hide it)".to_string(),
        span: first_key(input.spec),
    }]
}

/// No `# syntax=` directive, or a misspelled one (`gostage check` only: BuildKit reads the
/// directive before gostage runs, so in a build it is always right).
pub static SYNTAX_LINE: Rule = Rule {
    name: "SyntaxLine",
    level: Level::Error,
    description: "The spec does not start with a `# syntax=` line naming the gostage image",
};

/// The directive BuildKit looks for in the leading lines (BuildKit
/// `frontend/dockerfile/parser/directives.go`: `#` in the first column, then `key=value`,
/// key case-insensitive; the first line that is not a known directive — a blank line, a
/// comment, a key — ends the directives).
const SYNTAX_KEY: &str = "syntax";

fn syntax_line(input: LintInput<'_>) -> Vec<Finding> {
    if input.scope != Scope::Cli {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(input.spec_file);
    let lines: Vec<&str> = text.lines().collect();
    let finding = |index: usize, message: String| Finding {
        rule: &SYNTAX_LINE,
        message,
        span: Span {
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            column: 1,
        },
    };
    let example = "# syntax=myorg/gostage";
    // The leading directives: BuildKit stops at the first line that is not one.
    let mut index = 0;
    while let Some((key, value)) = lines.get(index).and_then(|line| directive(line)) {
        if key == SYNTAX_KEY {
            return match value.is_empty() {
                true => vec![finding(
                    index,
                    format!(
                        "`{}` names no image; write `{example}`",
                        lines[index].trim()
                    ),
                )],
                false => Vec::new(),
            };
        }
        if crate::spec::closest(&key, &[SYNTAX_KEY]).is_some() {
            return vec![finding(
                index,
                format!(
                    "`{}`: did you mean `# syntax={value}`? BuildKit ignores `{key}`",
                    lines[index].trim()
                ),
            )];
        }
        if !OTHER_DIRECTIVES.contains(&key.as_str()) {
            // An unknown directive ends BuildKit's directives too.
            break;
        }
        index += 1;
    }
    if let Some(comment) = lines
        .get(index)
        .and_then(|line| line.trim().strip_prefix('#'))
    {
        let word: String = comment
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        if word.eq_ignore_ascii_case(SYNTAX_KEY) {
            return vec![finding(
                index,
                format!(
                    "`{}` is not a directive (it needs `=`); write `{example}`",
                    lines[index].trim()
                ),
            )];
        }
    }
    let later = (index..lines.len())
        .find(|&later| directive(lines[later]).is_some_and(|(key, _)| key == SYNTAX_KEY));
    vec![match later {
        Some(later) => finding(
            later,
            format!("BuildKit reads `# syntax=` only before the first blank line, comment or key (line {}); move it to the first line", index + 1),
        ),
        None => finding(
            0,
            format!("no `# syntax=` line: BuildKit runs gostage only when the file starts with one; add `{example}` (your published gostage image) as the first line"),
        ),
    }]
}

/// The other directives BuildKit knows, which may come before `syntax`.
const OTHER_DIRECTIVES: &[&str] = &["escape", "check"];

/// `key` (lower case) and value of a `#key=value` directive line: `#` in the first column,
/// then BuildKit's `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after leading spaces.
fn directive(line: &str) -> Option<(String, String)> {
    let comment = line.strip_prefix('#')?.trim_start();
    let (key, value) = comment.split_once('=')?;
    let key = key.trim_end();
    let mut characters = key.chars();
    let starts_with_letter = characters.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_with_letter || !characters.all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.trim().to_string()))
}

/// Docker's default healthcheck interval and timeout, in nanoseconds (30s each;
/// `docker-image-spec` `HealthcheckConfig`: 0 means the default).
const DOCKER_HEALTHCHECK_DEFAULT: i64 = 30_000_000_000;

/// A healthcheck whose timeout is longer than its interval.
pub static HEALTHCHECK_INTERVAL_BELOW_TIMEOUT: Rule = Rule {
    name: "HealthcheckIntervalBelowTimeout",
    level: Level::Warning,
    description: "The healthcheck interval is shorter than its timeout",
};

fn healthcheck_interval_below_timeout(input: LintInput<'_>) -> Vec<Finding> {
    let Some(healthcheck) = &input.spec.image.healthcheck else {
        return Vec::new();
    };
    let or_default = |value: i64| match value {
        0 => DOCKER_HEALTHCHECK_DEFAULT,
        value => value,
    };
    let interval = or_default(healthcheck.value.interval);
    let timeout = or_default(healthcheck.value.timeout);
    if interval >= timeout {
        return Vec::new();
    }
    vec![Finding {
        rule: &HEALTHCHECK_INTERVAL_BELOW_TIMEOUT,
        message: format!(
            "the healthcheck probes every {} but waits up to {} for an answer, so a slow probe overlaps the next one and the container turns unhealthy late; make `interval` at least `timeout` (unset ones are Docker's 30s)",
            seconds(interval),
            seconds(timeout)
        ),
        span: healthcheck.span,
    }]
}

/// `nanoseconds` as `1.5s`.
fn seconds(nanoseconds: i64) -> String {
    format!("{}s", nanoseconds as f64 / 1e9)
}

/// The same port written twice in `image.ports` (`8080` and `8080/tcp` are the same).
pub static DUPLICATE_PORT: Rule = Rule {
    name: "DuplicatePort",
    level: Level::Warning,
    description: "A port is declared twice in image.ports",
};

fn duplicate_port(input: LintInput<'_>) -> Vec<Finding> {
    let ports = &input.spec.image.written_ports;
    ports
        .iter()
        .enumerate()
        .filter_map(|(index, port)| {
            let first = ports[..index]
                .iter()
                .find(|earlier| earlier.value == port.value)?;
            Some(Finding {
                rule: &DUPLICATE_PORT,
                message: format!(
                    "port {}/{} is already declared at line {}; remove this one",
                    port.value.number, port.value.protocol, first.span.line
                ),
                span: port.span,
            })
        })
        .collect()
}

/// A port below 1024 in an image that runs as a non-root user.
pub static PRIVILEGED_PORT: Rule = Rule {
    name: "PrivilegedPort",
    level: Level::Warning,
    description: "A port below 1024 in an image that runs as a non-root user",
};

fn privileged_port(input: LintInput<'_>) -> Vec<Finding> {
    let spec = input.spec;
    if spec.image.user.as_ref().is_some_and(|user| user.uid == 0) {
        return Vec::new();
    }
    let mut seen: Vec<&Located<crate::spec::Port>> = Vec::new();
    let mut findings = Vec::new();
    for port in &spec.image.written_ports {
        if port.value.number >= 1024 || seen.iter().any(|earlier| earlier.value == port.value) {
            continue;
        }
        seen.push(port);
        findings.push(Finding {
            rule: &PRIVILEGED_PORT,
            message: format!(
                "port {} is below 1024 but the program runs as a non-root user: Docker allows the bind, Kubernetes and Podman without NET_BIND_SERVICE refuse it; listen on a port from 1024 up (8080) and map it (`-p 80:8080`)",
                port.value.number
            ),
            span: port.span,
        });
    }
    findings
}

/// Where the first key is written (the file as a whole when unknown).
fn first_key(spec: &Spec) -> Span {
    spec.span
}

#[cfg(test)]
mod tests;
