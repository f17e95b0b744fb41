//! Rules about the modules: the Go version against go.mod, go.sum, and the module
//! directories `.dockerignore` hides.

use super::super::{Finding, Level, LintInput, Rule};
use crate::gomod;
use crate::spec::Spec;
use crate::vocabulary::Span;

/// `go:` older than go.mod's `go` (the build fails) or `toolchain` line.
pub static GO_OLDER_THAN_MODULE: Rule = Rule {
    name: "GoOlderThanModule",
    level: Level::Error,
    description: "The spec's Go version is older than the one go.mod asks for",
};

pub(super) fn go_older_than_module(input: LintInput<'_>) -> Vec<Finding> {
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

pub(super) fn missing_go_sum(input: LintInput<'_>) -> Vec<Finding> {
    let context = input.context;
    if !context.module.requires || context.go_sum || context.vendored {
        return Vec::new();
    }
    let mut module_dir = ".";
    if let Some(layout) = input.layout {
        // A module from a directory of the context is not downloaded, so has no checksum.
        let downloads = context
            .module
            .required
            .iter()
            .any(|required| !layout.is_local(required));
        // In a workspace, go.work.sum and every workspace module's go.sum hold checksums.
        let workspace_sums = layout.workspace.as_ref().is_some_and(|workspace| {
            workspace.go_work_sum || layout.local_modules.iter().any(|module| module.go_sum)
        });
        if !downloads || workspace_sums {
            return Vec::new();
        }
        module_dir = &layout.module_dir;
    }
    let (go_mod, go_sum) = match module_dir {
        "." => (
            "go.mod".to_string(),
            "the build context has no go.sum".to_string(),
        ),
        module_dir => (
            format!("{module_dir}/go.mod"),
            format!("{module_dir}/go.sum is missing"),
        ),
    };
    vec![Finding {
        rule: &MISSING_GO_SUM,
        message: format!("{go_mod} has `require` directives but {go_sum}, so Go cannot check the downloaded modules and the build fails with `missing go.sum entry`; run `go mod tidy` and commit go.sum (and check that .dockerignore does not hide it)"),
        span: first_key(input.spec),
    }]
}

/// Where the first key is written (the file as a whole when unknown).
fn first_key(spec: &Spec) -> Span {
    spec.span
}

/// A module directory the build needs is hidden by `.dockerignore`.
pub static LOCAL_MODULE_IGNORED: Rule = Rule {
    name: "LocalModuleIgnored",
    level: Level::Error,
    description: "A module directory the build needs (the main module, a go.work `use` or a local `replace` target) is hidden by .dockerignore",
};

pub(super) fn local_module_ignored(input: LintInput<'_>) -> Vec<Finding> {
    let Some(layout) = input.layout else {
        return Vec::new();
    };
    let module = &input.spec.build.module;
    let span = match module.span.line {
        0 => first_key(input.spec),
        _ => module.span,
    };
    layout
        .local_modules
        .iter()
        .filter_map(|local| {
            let pattern = local.hidden_by.as_deref()?;
            let directory = &local.directory;
            Some(Finding {
                rule: &LOCAL_MODULE_IGNORED,
                message: format!(
                    "`{directory}` (named by {}) is hidden by the exclude pattern `{pattern}`, so the build does not get its go.mod or sources and Go fails reading `{directory}/go.mod`; remove the pattern from .dockerignore, or add `!{directory}` after it",
                    local.origin.describe()
                ),
                span,
            })
        })
        .collect()
}
