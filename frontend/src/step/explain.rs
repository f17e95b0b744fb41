//! `gostage explain -- COMMAND…`: runs a Go command for a build step, passes its output
//! through unchanged and, when the command fails, prints `gostage: HINT` for each known text
//! its output contained.
//!
//! BuildKit shows a failed step's output, but the frontend never sees it, so the step itself
//! has to say what to change and where in the spec. The hints come in the environment
//! variable [`HINTS_VARIABLE`] (`PATTERN<TAB>HINT` lines; the plan writes them with
//! `plan::failure_hints::explained`), not in the arguments, because BuildKit quotes a failed
//! step's whole command line in its error. The variable is removed from the command's
//! environment.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;

/// The variable that carries the hints: one `PATTERN<TAB>HINT` per line.
pub const HINTS_VARIABLE: &str = "GOSTAGE_FAILURE_HINTS";

/// One known text and what to say when a failed command printed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// A substring of one output line.
    pub pattern: String,
    /// The advice, one line.
    pub hint: String,
}

/// The rules in `value` (empty lines skipped).
///
/// Errors: a line without a tab, or with an empty pattern; names the line.
pub fn parse_rules(value: &str) -> Result<Vec<Rule>, String> {
    value
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once('\t') {
            Some((pattern, hint)) if !pattern.is_empty() => Ok(Rule {
                pattern: pattern.to_string(),
                hint: hint.to_string(),
            }),
            _ => Err(format!(
                "{HINTS_VARIABLE}: line {line:?} is not PATTERN<TAB>HINT"
            )),
        })
        .collect()
}

/// The hint of the first rule whose pattern `line` contains. Lines are bytes: a compiler
/// may print file names that are not UTF-8.
pub fn matching_hint<'a>(rules: &'a [Rule], line: &[u8]) -> Option<&'a str> {
    rules
        .iter()
        .find(|rule| {
            line.windows(rule.pattern.len())
                .any(|window| window == rule.pattern.as_bytes())
        })
        .map(|rule| rule.hint.as_str())
}

/// Runs `command` with `stdout` and `stderr` receiving its output line by line, and returns
/// its exit status and the hints its output matched, each once, in the order first seen.
///
/// Errors: the command cannot be started, or its output cannot be read.
pub fn supervise(
    command: &[String],
    rules: &[Rule],
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> std::io::Result<(ExitStatus, Vec<String>)> {
    let Some((program, arguments)) = command.split_first() else {
        return Err(std::io::Error::other("no command to run"));
    };
    let mut child = Command::new(program)
        .args(arguments)
        .env_remove(HINTS_VARIABLE)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| std::io::Error::new(error.kind(), format!("{program}: {error}")))?;
    let found = Mutex::new(Vec::<String>::new());
    let (Some(child_out), Some(child_err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(std::io::Error::other(
            "the command's output pipes are missing",
        ));
    };
    let copied = std::thread::scope(|scope| {
        let found = &found;
        let out = scope.spawn(move || pass_through(child_out, stdout, rules, found));
        let err = pass_through(child_err, stderr, rules, found);
        let out = out
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the output reader stopped")));
        out.and(err)
    });
    let status = child.wait()?;
    copied?;
    let hints = found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok((status, hints))
}

/// Copies `from` to `to` a line at a time, noting each line's hint in `found`.
fn pass_through(
    from: impl Read,
    to: &mut (dyn Write + Send),
    rules: &[Rule],
    found: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        to.write_all(&line)?;
        to.flush()?;
        if let Some(hint) = matching_hint(rules, &line) {
            let mut found = found
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if !found.iter().any(|known| known == hint) {
                found.push(hint.to_string());
            }
        }
    }
}

/// The subcommand: the command's exit status, 1 when it was killed by a signal, 2 when the
/// hints are malformed or the command cannot run.
pub fn run(command: &[String]) -> u8 {
    let rules = match parse_rules(&std::env::var(HINTS_VARIABLE).unwrap_or_default()) {
        Ok(rules) => rules,
        Err(error) => {
            eprintln!("gostage explain: {error}");
            return 2;
        }
    };
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    match supervise(command, &rules, &mut stdout, &mut stderr) {
        Ok((status, _)) if status.success() => 0,
        Ok((status, hints)) => {
            for hint in hints {
                eprintln!("gostage: {hint}");
            }
            match status.code() {
                Some(code) => u8::try_from(code)
                    .ok()
                    .filter(|code| *code > 0)
                    .unwrap_or(1),
                None => {
                    eprintln!("gostage explain: {} ended by {status}", command.join(" "));
                    1
                }
            }
        }
        Err(error) => {
            eprintln!("gostage explain: {error}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<Rule> {
        parse_rules(
            "401 Unauthorized\tpass --secret id=netrc\nmissing go.sum entry\trun go mod tidy\n",
        )
        .unwrap()
    }

    fn shell(script: &str) -> Vec<String> {
        ["sh", "-c", script].map(String::from).to_vec()
    }

    #[test]
    fn rules_need_a_tab_and_a_pattern() {
        assert_eq!(rules()[1].hint, "run go mod tidy");
        assert!(parse_rules("no tab here")
            .unwrap_err()
            .contains("no tab here"));
        assert!(parse_rules("\thint without pattern").is_err());
        assert_eq!(parse_rules("").unwrap(), Vec::new());
    }

    #[test]
    fn a_line_gets_the_first_matching_hint() {
        let rules = rules();
        assert_eq!(
            matching_hint(&rules, b"go: example.com/x: 401 Unauthorized\n"),
            Some("pass --secret id=netrc")
        );
        assert_eq!(
            matching_hint(&rules, b"\xff\xfe missing go.sum entry"),
            Some("run go mod tidy")
        );
        assert_eq!(matching_hint(&rules, b"all good"), None);
    }

    #[test]
    fn output_passes_through_and_hints_are_collected_once() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let script =
            "echo fetching; echo '401 Unauthorized' >&2; echo 'again 401 Unauthorized' >&2; \
                      echo 'missing go.sum entry' >&2; exit 3";
        let (status, hints) = supervise(&shell(script), &rules(), &mut out, &mut err).unwrap();
        assert_eq!(status.code(), Some(3));
        assert_eq!(out, b"fetching\n");
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "401 Unauthorized\nagain 401 Unauthorized\nmissing go.sum entry\n"
        );
        assert_eq!(hints, ["pass --secret id=netrc", "run go mod tidy"]);
    }

    #[test]
    fn the_hints_variable_is_not_passed_on() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let script = format!("echo \"[${{{HINTS_VARIABLE}-unset}}]\"");
        std::env::set_var(HINTS_VARIABLE, "x\ty");
        let result = supervise(&shell(&script), &[], &mut out, &mut err);
        std::env::remove_var(HINTS_VARIABLE);
        assert!(result.unwrap().0.success());
        assert_eq!(out, b"[unset]\n");
    }

    #[test]
    fn a_missing_program_is_an_error_naming_it() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let command = vec!["/nonexistent/go".to_string()];
        let error = supervise(&command, &[], &mut out, &mut err).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/go"), "{error}");
    }
}
