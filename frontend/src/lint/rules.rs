//! The rules, one function each.

use super::{Finding, Level, LintInput, Rule};

/// A rule's check: every place it fires.
pub type RuleCheck = fn(LintInput<'_>) -> Vec<Finding>;

/// Every rule with its check, in README order.
pub static RULES: &[(&Rule, RuleCheck)] = &[(&RUNS_AS_ROOT, runs_as_root)];

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

#[cfg(test)]
mod tests {
    use super::super::{check, LintInput, Scope};
    use crate::context::ModuleContext;

    fn findings(spec_text: &str) -> Vec<(String, u32)> {
        let spec = crate::spec::parse(spec_text.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
        let context = ModuleContext::read(b"module example.com/m\ngo 1.23\n", false, None)
            .unwrap_or_else(|error| panic!("{error}"));
        check(LintInput {
            spec_file: spec_text.as_bytes(),
            spec: &spec,
            context: &context,
            scope: Scope::Build,
        })
        .into_iter()
        .map(|finding| (finding.rule.name.to_string(), finding.span.line))
        .collect()
    }

    #[test]
    fn root_user_is_found_at_its_line() {
        assert_eq!(
            findings("version: 1\nimage:\n  user: 0\n"),
            [("RunsAsRoot".to_string(), 3)]
        );
        assert_eq!(findings("version: 1\nimage:\n  user: 1000\n"), []);
    }
}
