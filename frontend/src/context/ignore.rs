//! Which paths of the build context the exclude patterns keep from a transfer, matched as
//! BuildKit's file transfer matches them: moby/patternmatcher `patternmatcher.go`
//! (`New`, `Pattern.compile`, `MatchesOrParentMatches`), which fsutil applies to every path
//! it walks. gostage needs the answer for a handful of paths (the modules a build needs), to
//! say which pattern hides one before the build fails without it.

use regex::Regex;

/// Exclude patterns compiled once.
#[derive(Debug)]
pub struct IgnoreMatcher {
    patterns: Vec<Pattern>,
}

/// One pattern, as `New` and `compile` prepare it.
#[derive(Debug)]
struct Pattern {
    /// The pattern as written (with its `!`), for messages.
    written: String,
    /// `!pattern`: a path it matches is sent after all.
    exclusion: bool,
    matching: Matching,
}

/// How a pattern matches (patternmatcher's `matchType`): a plain path is compared, `dir/**`
/// is a prefix, `**/name` a suffix, anything else a regular expression.
#[derive(Debug)]
enum Matching {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Expression(Regex),
    /// A pattern that does not compile: it matches nothing here (the transfer itself fails
    /// on it, with BuildKit's message).
    Invalid,
}

impl IgnoreMatcher {
    /// Compiles `patterns` (`.dockerignore` lines, comments and blank lines already dropped,
    /// or any exclude pattern of a transfer). A bare `!` is skipped.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Self {
        let patterns = patterns
            .into_iter()
            .filter_map(|written| {
                let trimmed = written.trim();
                let (exclusion, body) = match trimmed.strip_prefix('!') {
                    Some(body) => (true, body),
                    None => (false, trimmed),
                };
                let cleaned = clean(body);
                if cleaned.is_empty() {
                    return None;
                }
                Some(Pattern {
                    written: trimmed.to_string(),
                    exclusion,
                    matching: compile(&cleaned),
                })
            })
            .collect();
        Self { patterns }
    }

    /// The pattern that keeps `path` (context-relative, `/`-separated) out of a transfer,
    /// itself or through one of its parent directories, as written; `None` when the path is
    /// sent. As in `MatchesOrParentMatches`, the last pattern that decides wins, so a later
    /// `!pattern` sends a path again.
    pub fn hiding(&self, path: &str) -> Option<&str> {
        let path = clean(path);
        if path.is_empty() {
            return None;
        }
        let parents: Vec<&str> = path
            .match_indices('/')
            .map(|(index, _)| &path[..index])
            .collect();
        let mut hidden_by: Option<&str> = None;
        for pattern in &self.patterns {
            // An inclusion cannot add to a path already hidden, nor an exclusion bring back
            // one that is sent: skip the work, as patternmatcher does.
            if pattern.exclusion != hidden_by.is_some() {
                continue;
            }
            let matches =
                pattern.matches(&path) || parents.iter().any(|parent| pattern.matches(parent));
            if matches {
                hidden_by = match pattern.exclusion {
                    true => None,
                    false => Some(pattern.written.as_str()),
                };
            }
        }
        hidden_by
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.matching {
            Matching::Exact(exact) => path == exact,
            Matching::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Matching::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Matching::Expression(expression) => expression.is_match(path),
            Matching::Invalid => false,
        }
    }
}

/// `filepath.Clean` of a relative, `/`-separated path without the leading `/` Docker's
/// `.dockerignore` reader removes: `./a//b/` → `a/b`, `a/../b` → `b`; `.` → ``.
fn clean(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." if kept.last().is_some_and(|last| *last != "..") => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    kept.join("/")
}

/// `Pattern.compile`: the pattern as a regular expression, or the cheaper comparison it
/// allows (`dir/**` a prefix, `**/name` a suffix, a pattern without wildcards the path).
fn compile(pattern: &str) -> Matching {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Expression,
    }
    let mut expression = String::from("^");
    let mut kind = Kind::Exact;
    let mut characters = pattern.chars().peekable();
    let mut first = true;
    while let Some(character) = characters.next() {
        match character {
            '*' if characters.peek() == Some(&'*') => {
                characters.next();
                // `**/` is `**`.
                if characters.peek() == Some(&'/') {
                    characters.next();
                }
                if characters.peek().is_none() {
                    // `**` at the end matches everything below, as in .gitignore.
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        expression.push_str(".*");
                        kind = Kind::Expression;
                    }
                } else {
                    // Any number of directories, even none.
                    expression.push_str("(.*/)?");
                    kind = Kind::Expression;
                }
                if first {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                expression.push_str("[^/]*");
                kind = Kind::Expression;
            }
            '?' => {
                expression.push_str("[^/]");
                kind = Kind::Expression;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                expression.push('\\');
                expression.push(character);
            }
            '\\' => match characters.next() {
                Some(escaped) => {
                    expression.push_str(&regex::escape(&escaped.to_string()));
                    kind = Kind::Expression;
                }
                None => expression.push_str("\\\\"),
            },
            '[' | ']' => {
                expression.push(character);
                kind = Kind::Expression;
            }
            other => expression.push(other),
        }
        first = false;
    }
    match kind {
        Kind::Exact => Matching::Exact(pattern.to_string()),
        Kind::Prefix => Matching::Prefix(pattern[..pattern.len() - 2].to_string()),
        Kind::Suffix => Matching::Suffix(pattern[2..].to_string()),
        Kind::Expression => {
            expression.push('$');
            match Regex::new(&expression) {
                Ok(compiled) => Matching::Expression(compiled),
                Err(_) => Matching::Invalid,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hiding<'a>(matcher: &'a IgnoreMatcher, path: &str) -> Option<&'a str> {
        matcher.hiding(path)
    }

    #[test]
    fn a_directory_pattern_hides_everything_below_it() {
        let matcher = IgnoreMatcher::new(["lib", "./third_party/"]);
        assert_eq!(hiding(&matcher, "lib"), Some("lib"));
        assert_eq!(hiding(&matcher, "lib/go.mod"), Some("lib"));
        assert_eq!(
            hiding(&matcher, "third_party/x/go.mod"),
            Some("./third_party/")
        );
        assert_eq!(hiding(&matcher, "library/go.mod"), None);
        assert_eq!(hiding(&matcher, "svc/lib/go.mod"), None);
    }

    #[test]
    fn wildcards_follow_patternmatcher() {
        let matcher =
            IgnoreMatcher::new(["*.md", "**/testdata", "build/**", "svc-?/tmp", "a[0-9]"]);
        assert_eq!(hiding(&matcher, "README.md"), Some("*.md"));
        // `*` stays within one directory.
        assert_eq!(hiding(&matcher, "docs/README.md"), None);
        // `**/name` matches at any depth, the root included.
        assert_eq!(hiding(&matcher, "testdata/go.mod"), Some("**/testdata"));
        assert_eq!(
            hiding(&matcher, "lib/x/testdata/go.mod"),
            Some("**/testdata")
        );
        assert_eq!(hiding(&matcher, "build/out/go.mod"), Some("build/**"));
        assert_eq!(hiding(&matcher, "buildx/go.mod"), None);
        assert_eq!(hiding(&matcher, "svc-a/tmp/go.mod"), Some("svc-?/tmp"));
        assert_eq!(hiding(&matcher, "a7/go.mod"), Some("a[0-9]"));
        assert_eq!(hiding(&matcher, "ab/go.mod"), None);
    }

    #[test]
    fn a_later_exclusion_sends_a_path_again_and_a_later_pattern_hides_it_again() {
        let matcher = IgnoreMatcher::new(["services", "!services/api", "services/api/tmp"]);
        assert_eq!(hiding(&matcher, "services/worker/go.mod"), Some("services"));
        assert_eq!(hiding(&matcher, "services/api/go.mod"), None);
        assert_eq!(
            hiding(&matcher, "services/api/tmp/x"),
            Some("services/api/tmp")
        );
        // A bare `!` and an empty pattern are no patterns.
        let matcher = IgnoreMatcher::new(["!", "", "."]);
        assert_eq!(hiding(&matcher, "go.mod"), None);
    }

    #[test]
    fn regular_expression_characters_are_literal() {
        let matcher = IgnoreMatcher::new(["v1.0+(old)*"]);
        assert_eq!(hiding(&matcher, "v1.0+(old)-x"), Some("v1.0+(old)*"));
        assert_eq!(hiding(&matcher, "v1x0+(old)-x"), None);
        // A class that does not compile matches nothing.
        let matcher = IgnoreMatcher::new(["[z-a]*"]);
        assert_eq!(hiding(&matcher, "q"), None);
    }
}
