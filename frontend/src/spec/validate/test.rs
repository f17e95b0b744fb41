//! `test:` → what `--target test` runs.

use super::check;
use crate::spec::model::Test;
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::vocabulary::{Diagnostic, Located, Problem};

/// `go test` flags that instrument with C code, so they need cgo (`go help build`: `-race`,
/// `-msan` and `-asan` are supported only with cgo enabled on linux).
const NEEDS_CGO: [&str; 3] = ["race", "msan", "asan"];

/// Checks package patterns and flags (`-race`, `-msan` and `-asan` only with `cgo`, the
/// validated `build.cgo`). Absent `test:` or `test.packages` gives `./...`.
pub(super) fn validate(test: Option<raw::Test>, cgo: bool) -> Result<Test, Diagnostic> {
    let Some(test) = test else {
        return Ok(Test::default());
    };
    let section = FieldPath::root().key("test");
    let mut result = Test::default();
    if let Some(written) = test.packages {
        let path = section.key("packages");
        if written.value.is_empty() {
            return Err(
                Diagnostic::new(written.span, format!("`{path}` is empty")).with_help(
                    "list at least one package pattern, e.g. `[./...]`, or remove `packages`",
                ),
            );
        }
        result.packages = Vec::new();
        for (index, package) in written.value.into_iter().enumerate() {
            check(&package, &path.index(index), package_pattern)?;
            result.packages.push(package.located());
        }
    }
    let path = section.key("flags");
    for (index, flag) in test.flags.unwrap_or_default().into_iter().enumerate() {
        check(&flag, &path.index(index), |text: &str| test_flag(text, cgo))?;
        result.flags.push(Located::new(flag.value, flag.span));
    }
    Ok(result)
}

/// A package pattern for `go test`: not empty, not a flag, no whitespace.
fn package_pattern(text: &str) -> Result<(), Problem> {
    if text.is_empty() {
        return Err(Problem::new(
            "is empty",
            "write a package pattern such as `./...` or `./internal/...`",
        ));
    }
    if text.starts_with('-') {
        return Err(Problem::new(
            format!("is the flag `{text}`, not a package"),
            format!("move `{text}` to `test.flags`"),
        ));
    }
    if text.chars().any(char::is_whitespace) {
        return Err(Problem::new(
            format!("`{text}` contains spaces"),
            "write one package pattern per list item",
        ));
    }
    Ok(())
}

/// One `go test` flag: starts with `-`, its name has no whitespace (a value follows `=`),
/// and it needs cgo only when `cgo` is on.
fn test_flag(text: &str, cgo: bool) -> Result<(), Problem> {
    let Some(flag) = text.strip_prefix('-') else {
        return Err(Problem::new(
            format!("`{text}` is not a flag"),
            "start each flag with `-` (e.g. `-count=1`); package patterns go in `test.packages`",
        ));
    };
    let flag = flag.strip_prefix('-').unwrap_or(flag);
    let (name, value) = match flag.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (flag, None),
    };
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        let example = match name.split_once(char::is_whitespace) {
            Some((name, value)) => format!("`-{name}={}`", value.trim()),
            None => "`-run=TestAPI`".to_string(),
        };
        return Err(Problem::new(
            format!("`{text}` is not one flag"),
            format!("write one flag per list item, with `=` before its value: {example}"),
        ));
    }
    // `-race=false` is the default and harmless; any other value turns it on.
    if !cgo && NEEDS_CGO.contains(&name) && value != Some("false") {
        return Err(Problem::new(
            format!("is `{text}`: -{name} needs cgo, which gostage builds without"),
            format!("remove `{text}`, or set `build.cgo: true`"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::spec::testing::{assert_error, help, parse_err, parse_ok};

    #[test]
    fn defaults_to_every_package_without_flags() {
        let test = parse_ok("version: 1\n").test;
        let packages: Vec<&str> = test.packages.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(packages, ["./..."]);
        assert!(test.flags.is_empty());
        let test = parse_ok("version: 1\ntest:\n  flags: [-v]\n").test;
        assert_eq!(test.packages[0].value, "./...");
        assert_eq!(test.flags[0].value, "-v");
        assert_eq!(
            (test.flags[0].span.line, test.flags[0].span.column),
            (3, 11)
        );
    }

    #[test]
    fn refuses_race_where_it_is_written() {
        for flag in ["-race", "-race=true", "--race"] {
            let text = format!("version: 1\ntest:\n  flags:\n    - -count=1\n    - {flag}\n");
            let diagnostic = assert_error(
                &text,
                5,
                7,
                &format!(
                    "`test.flags[1]` is `{flag}`: -race needs cgo, which gostage builds without"
                ),
            );
            assert_eq!(
                help(&diagnostic),
                format!("remove `{flag}`, or set `build.cgo: true`")
            );
        }
        assert_eq!(
            parse_ok("version: 1\ntest:\n  flags: [-race=false]\n")
                .test
                .flags[0]
                .value,
            "-race=false"
        );
    }

    #[test]
    fn race_is_allowed_with_cgo() {
        let flags = parse_ok("version: 1\nbuild:\n  cgo: true\ntest:\n  flags: [-race]\n")
            .test
            .flags;
        assert_eq!(flags[0].value, "-race");
    }

    #[test]
    fn flags_are_single_dashed_items() {
        let diagnostic = assert_error(
            "version: 1\ntest:\n  flags: [\"-run TestAPI\"]\n",
            3,
            11,
            "`test.flags[0]` `-run TestAPI` is not one flag",
        );
        assert_eq!(
            help(&diagnostic),
            "write one flag per list item, with `=` before its value: `-run=TestAPI`"
        );
        assert_error(
            "version: 1\ntest:\n  flags: [count=1]\n",
            3,
            11,
            "`test.flags[0]` `count=1` is not a flag",
        );
    }

    #[test]
    fn packages_are_patterns_not_flags() {
        let test = parse_ok("version: 1\ntest:\n  packages: [./internal/..., ./cmd/server]\n").test;
        let packages: Vec<&str> = test.packages.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(packages, ["./internal/...", "./cmd/server"]);
        assert_eq!(test.packages[1].span.line, 3);
        assert_error(
            "version: 1\ntest:\n  packages: [./..., -v]\n",
            3,
            21,
            "`test.packages[1]` is the flag `-v`, not a package",
        );
        assert_error(
            "version: 1\ntest:\n  packages: []\n",
            3,
            13,
            "`test.packages` is empty",
        );
        assert!(parse_err("version: 1\ntest:\n  paths: [./...]\n")
            .message
            .contains("paths"));
    }
}
