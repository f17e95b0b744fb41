//! The `# syntax=` line, which only `gostage check` can see wrong.

use super::super::{Finding, Level, LintInput, Rule, Scope};
use crate::vocabulary::Span;

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

pub(super) fn syntax_line(input: LintInput<'_>) -> Vec<Finding> {
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
