//! The rules, one function each.

mod image;
mod module;
mod syntax;

use super::{Finding, LintInput, Rule};
use image::{
    duplicate_port, healthcheck_interval_below_timeout, privileged_port, runs_as_root,
    unpinned_image, DUPLICATE_PORT, HEALTHCHECK_INTERVAL_BELOW_TIMEOUT, PRIVILEGED_PORT,
    RUNS_AS_ROOT, UNPINNED_IMAGE,
};
use module::{
    go_older_than_module, local_module_ignored, missing_go_sum, GO_OLDER_THAN_MODULE,
    LOCAL_MODULE_IGNORED, MISSING_GO_SUM,
};
use syntax::{syntax_line, SYNTAX_LINE};

/// A rule's check: every place it fires.
pub type RuleCheck = fn(LintInput<'_>) -> Vec<Finding>;

/// Every rule with its check, in the order of docs/lint-rules.md.
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
    (&LOCAL_MODULE_IGNORED, local_module_ignored),
];

#[cfg(test)]
mod tests;
