//! Named lint rules over a spec and its module context: what builds but is probably not what
//! the user wants (runs as root, images not pinned, go.mod newer than `go:` …).
//!
//! One list of rules, three users: `gostage check` (the CLI), `--call=check` (the
//! `frontend.lint` subrequest) and normal builds (each finding sent as a build warning through
//! the gateway's `Warn` RPC where the daemon has the `gateway.warnings` cap). Every finding
//! carries the spec position it concerns, so buildx prints that line.

mod rules;

use crate::context::{Layout, ModuleContext};
use crate::spec::Spec;
use crate::vocabulary::Span;

pub use rules::RULES;

/// How serious a finding is. Builds go on whatever the level: an `Error` names what will make
/// the build fail later, with the cause at the spec line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Worth knowing (an image by tag without a digest).
    Info,
    /// Probably a mistake.
    Warning,
    /// The build will fail because of it.
    Error,
}

/// Who runs the rules: some rules concern what only one of them sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// BuildKit runs gostage (normal builds and `--call=check`): the `# syntax=` line was
    /// already read by BuildKit, so it cannot be wrong.
    Build,
    /// `gostage check` on a file: BuildKit has not seen it yet.
    Cli,
}

/// A named rule, documented in docs/lint-rules.md.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// CamelCase name, as buildx prints it (`WARNING: RunsAsRoot`).
    pub name: &'static str,
    /// Default level of its findings.
    pub level: Level,
    /// What the rule checks, one sentence (the warning's description).
    pub description: &'static str,
}

/// One rule firing at one place in the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule that fired.
    pub rule: &'static Rule,
    /// What is wrong here and how to fix it, one or two sentences.
    pub message: String,
    /// Where in the spec file (1-based; line 0 = the file as a whole).
    pub span: Span,
}

/// What the rules look at: the spec file's bytes (for what parsing drops, such as comments),
/// the parsed spec and the module's context.
#[derive(Clone, Copy, Debug)]
pub struct LintInput<'a> {
    /// The spec file as read.
    pub spec_file: &'a [u8],
    /// The parsed, valid spec.
    pub spec: &'a Spec,
    /// Facts of the build context (go.mod, …).
    pub context: &'a ModuleContext,
    /// Where the context's Go modules are; `None` when nothing is known of them (`gostage
    /// check` without go.mod).
    pub layout: Option<&'a Layout>,
    /// Who runs the rules.
    pub scope: Scope,
}

/// Every finding of every rule, sorted by position then rule name.
pub fn check(input: LintInput<'_>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = RULES
        .iter()
        .flat_map(|(_, rule_check)| rule_check(input))
        .collect();
    findings.sort_by(|a, b| (a.span, a.rule.name).cmp(&(b.span, b.rule.name)));
    findings
}
