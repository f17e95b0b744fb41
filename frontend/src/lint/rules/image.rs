//! Rules about the image: its user, its base and builder references, its healthcheck and
//! its ports.

use super::super::{Finding, Level, LintInput, Rule};
use crate::spec::Base;
use crate::vocabulary::Located;

/// `image.user` is uid 0.
pub static RUNS_AS_ROOT: Rule = Rule {
    name: "RunsAsRoot",
    level: Level::Warning,
    description: "The image runs its programs as root",
};

pub(super) fn runs_as_root(input: LintInput<'_>) -> Vec<Finding> {
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

pub(super) fn unpinned_image(input: LintInput<'_>) -> Vec<Finding> {
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

/// Docker's default healthcheck interval and timeout, in nanoseconds (30s each;
/// `docker-image-spec` `HealthcheckConfig`: 0 means the default).
const DOCKER_HEALTHCHECK_DEFAULT: i64 = 30_000_000_000;

/// A healthcheck whose timeout is longer than its interval.
pub static HEALTHCHECK_INTERVAL_BELOW_TIMEOUT: Rule = Rule {
    name: "HealthcheckIntervalBelowTimeout",
    level: Level::Warning,
    description: "The healthcheck interval is shorter than its timeout",
};

pub(super) fn healthcheck_interval_below_timeout(input: LintInput<'_>) -> Vec<Finding> {
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

pub(super) fn duplicate_port(input: LintInput<'_>) -> Vec<Finding> {
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

pub(super) fn privileged_port(input: LintInput<'_>) -> Vec<Finding> {
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
