//! How `gostage check` prints its report: `text` lines, one `json` document, or `github`
//! workflow commands that GitHub Actions shows as annotations.

use super::{Problem, Report};
use crate::lint::Level;

/// What `gostage check` prints: one line per problem (`text`), one JSON document (`json`),
/// or one GitHub Actions workflow command per problem (`github`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `FILE:LINE:COLUMN: …` per problem, then `FILE: ok` when the spec passes.
    #[default]
    Text,
    /// `{"file", "valid", "passed", "problems": [{"file", "line", "column", "level", "rule",
    /// "message", "fix"}]}`.
    Json,
    /// `::error file=F,line=L,col=C,title=RULE::MESSAGE` per problem (`::warning`,
    /// `::notice` for info), shown by GitHub Actions as annotations.
    Github,
}

impl Problem {
    /// The message, then `; ` and the fix when there is one.
    fn message_and_fix(&self) -> String {
        match &self.fix {
            Some(fix) => format!("{}; {fix}", self.message),
            None => self.message.clone(),
        }
    }

    /// The text line: `FILE:LINE:COLUMN: ` (`FILE: ` for the file as a whole), then
    /// `LEVEL: RULE: ` for a finding, then the message and fix.
    fn text_line(&self) -> String {
        let mut line = match self.line {
            0 => format!("{}: ", self.file),
            _ => format!("{}:{}:{}: ", self.file, self.line, self.column),
        };
        if let Some(rule) = self.rule {
            line.push_str(&format!("{}: {rule}: ", level_name(self.level)));
        }
        line.push_str(&self.message_and_fix());
        line
    }

    /// The GitHub Actions workflow command (GitHub docs, "Workflow commands for GitHub
    /// Actions": `::error file={name},line={line},col={col},title={title}::{message}`),
    /// without line and col for the file as a whole and without title for an error of an
    /// invalid spec.
    fn github_command(&self) -> String {
        let command = match self.level {
            Level::Info => "notice",
            Level::Warning => "warning",
            Level::Error => "error",
        };
        let mut properties = vec![format!("file={}", escape_property(&self.file))];
        if self.line > 0 {
            properties.push(format!("line={}", self.line));
        }
        if self.column > 0 {
            properties.push(format!("col={}", self.column));
        }
        if let Some(rule) = self.rule {
            properties.push(format!("title={}", escape_property(rule)));
        }
        format!(
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&self.message_and_fix())
        )
    }
}

/// `info`, `warning` or `error`, as the text and JSON formats write a level.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::Info => "info",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

/// Writes `level` as [`level_name`] does, for the JSON document.
pub(super) fn serialize_level<S: serde::Serializer>(
    level: &Level,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(level_name(*level))
}

/// A workflow command's message with the characters that would end or split it encoded, as
/// actions/toolkit `packages/core/src/command.ts` `escapeData` does: `%` → `%25`, `\r` →
/// `%0D`, `\n` → `%0A`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value encoded as actions/toolkit
/// `packages/core/src/command.ts` `escapeProperty` does: [`escape_data`], then `:` → `%3A`
/// and `,` → `%2C`, which would otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// What `gostage check` prints on stdout for `report` in `format`: each line ends with a
/// newline; the `github` format prints nothing for a spec without problems.
///
/// Errors: the JSON document cannot be written (serde_json).
pub fn render(report: &Report, format: Format) -> Result<String, serde_json::Error> {
    let mut output = String::new();
    match format {
        Format::Text => {
            for problem in &report.problems {
                output.push_str(&problem.text_line());
                output.push('\n');
            }
            if report.passed {
                output.push_str(&format!("{}: ok\n", report.file));
            }
        }
        Format::Json => {
            output = serde_json::to_string_pretty(report)?;
            output.push('\n');
        }
        Format::Github => {
            for problem in &report.problems {
                output.push_str(&problem.github_command());
                output.push('\n');
            }
        }
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::super::report;
    use super::*;

    /// What `gostage check --format FORMAT` prints for each format, for the spec `data`
    /// named `name`, checked in `context_dir`.
    fn printed(name: &str, data: &str, context_dir: &std::path::Path) -> [String; 3] {
        let checked = report(name, data.as_bytes(), context_dir);
        [Format::Text, Format::Json, Format::Github]
            .map(|format| render(&checked, format).unwrap_or_else(|error| panic!("{error}")))
    }

    fn empty_directory() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn an_invalid_spec_prints_its_located_error_with_the_fix_apart() {
        let directory = empty_directory();
        let [text, json, github] = printed("g.yaml", "version: 2\n", directory.path());
        assert_eq!(
            text,
            "g.yaml:1:10: `version` is 2, but gostage knows only version 1; write `version: \
             1`, or use a newer gostage\n"
        );
        assert_eq!(
            json,
            r#"{
  "file": "g.yaml",
  "valid": false,
  "passed": false,
  "problems": [
    {
      "file": "g.yaml",
      "line": 1,
      "column": 10,
      "level": "error",
      "rule": null,
      "message": "`version` is 2, but gostage knows only version 1",
      "fix": "write `version: 1`, or use a newer gostage"
    }
  ]
}
"#
        );
        assert_eq!(
            github,
            "::error file=g.yaml,line=1,col=10::`version` is 2, but gostage knows only version \
             1; write `version: 1`, or use a newer gostage\n"
        );
        // A file name with `,` or `:` stays one property.
        let [_, _, github] = printed("deploy/a,b:c.yaml", "version: 2\n", directory.path());
        assert!(
            github.starts_with("::error file=deploy/a%2Cb%3Ac.yaml,line=1,col=10::"),
            "{github}"
        );
    }

    #[test]
    fn a_go_mod_error_is_placed_in_go_mod_on_disk() {
        let directory = empty_directory();
        std::fs::write(
            directory.path().join("go.mod"),
            "module example.com/m\ngo banana\n",
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let go_mod = directory.path().join("go.mod").display().to_string();
        let checked = report(
            "g.yaml",
            b"# syntax=myorg/gostage\nversion: 1\n",
            directory.path(),
        );
        assert!(!checked.valid && !checked.passed);
        assert_eq!(
            checked.problems,
            [Problem {
                file: go_mod.clone(),
                line: 2,
                column: 1,
                level: Level::Error,
                rule: None,
                message: "`go banana` is not a Go version such as `1.23` or `1.23.4`".to_string(),
                fix: None,
            }]
        );
        assert_eq!(
            render(&checked, Format::Text).unwrap_or_default(),
            format!("{go_mod}:2:1: `go banana` is not a Go version such as `1.23` or `1.23.4`\n")
        );
    }

    #[test]
    fn findings_print_with_their_level_and_rule() {
        let directory = empty_directory();
        let spec =
            "# syntax=myorg/gostage\nversion: 1\nbuilder: golang:1.23\nimage:\n  user: \"0\"\n";
        let unpinned = "`builder` names `golang:1.23` by tag: the tag can move to another image \
                        between two builds; append its digest (`golang:1.23@sha256:…`, from \
                        `docker buildx imagetools inspect golang:1.23`) to build from exactly \
                        that image";
        let root = "`image.user: 0` runs the programs as root, so a compromised program owns \
                    the container; remove `image.user` (gostage's default is 65532:65532) or \
                    set a non-zero uid";
        let [text, json, github] = printed("g.yaml", spec, directory.path());
        assert_eq!(
            text,
            format!(
                "g.yaml:3:10: info: UnpinnedImage: {unpinned}\n\
                 g.yaml:5:9: warning: RunsAsRoot: {root}\n"
            )
        );
        assert_eq!(
            json,
            format!(
                r#"{{
  "file": "g.yaml",
  "valid": true,
  "passed": false,
  "problems": [
    {{
      "file": "g.yaml",
      "line": 3,
      "column": 10,
      "level": "info",
      "rule": "UnpinnedImage",
      "message": "{unpinned}",
      "fix": null
    }},
    {{
      "file": "g.yaml",
      "line": 5,
      "column": 9,
      "level": "warning",
      "rule": "RunsAsRoot",
      "message": "{root}",
      "fix": null
    }}
  ]
}}
"#
            )
        );
        assert_eq!(
            github,
            format!(
                "::notice file=g.yaml,line=3,col=10,title=UnpinnedImage::{unpinned}\n\
                 ::warning file=g.yaml,line=5,col=9,title=RunsAsRoot::{root}\n"
            )
        );
    }

    #[test]
    fn a_passing_spec_prints_ok_an_empty_list_or_nothing() {
        let directory = empty_directory();
        let [text, json, github] = printed(
            "g.yaml",
            "# syntax=myorg/gostage\nversion: 1\n",
            directory.path(),
        );
        assert_eq!(text, "g.yaml: ok\n");
        assert_eq!(
            json,
            "{\n  \"file\": \"g.yaml\",\n  \"valid\": true,\n  \"passed\": true,\n  \
             \"problems\": []\n}\n"
        );
        assert_eq!(github, "");
    }

    #[test]
    fn a_file_as_a_whole_has_no_line_or_column() {
        let problem = Problem {
            file: "svc/go.work".to_string(),
            line: 0,
            column: 0,
            level: Level::Error,
            rule: None,
            message: "permission denied (os error 13)".to_string(),
            fix: None,
        };
        assert_eq!(
            problem.text_line(),
            "svc/go.work: permission denied (os error 13)"
        );
        assert_eq!(
            problem.github_command(),
            "::error file=svc/go.work::permission denied (os error 13)"
        );
    }

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        let text = "100% done, see a:b\r\nnext";
        assert_eq!(escape_data(text), "100%25 done, see a:b%0D%0Anext");
        assert_eq!(escape_property(text), "100%25 done%2C see a%3Ab%0D%0Anext");
        // `%` first, so an encoded character is not encoded twice.
        assert_eq!(escape_data("%0A\n"), "%250A%0A");
    }
}
