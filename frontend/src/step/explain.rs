//! `gostage explain -- COMMAND…`: runs a Go command for a build step, passes its output
//! through unchanged and, when the command fails, prints `gostage: HINT` for each known text
//! its output contained.
//!
//! BuildKit shows a failed step's output, but the frontend never sees it, so the step itself
//! has to say what to change and where in the spec. The hints come in the environment
//! variable [`HINTS_VARIABLE`] (`step_contract::hints`, written by
//! `plan::failure_hints::explained`), which is removed from the command's environment.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;

use crate::step_contract::{decode_hints, HintsError, Rule, HINTS_VARIABLE};

/// Why the command could not be run and watched.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// The hints variable is malformed.
    #[error(transparent)]
    Hints(#[from] HintsError),
    /// Nothing after `--`.
    #[error("no command to run")]
    NoCommand,
    /// The command cannot be started.
    #[error("{program}: {source}")]
    Start {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The command's output cannot be read or passed on, or it cannot be waited for.
    #[error("{0}")]
    Output(#[from] std::io::Error),
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
/// Errors: no command, the command cannot be started, or its output cannot be read.
pub fn supervise(
    command: &[String],
    rules: &[Rule],
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> Result<(ExitStatus, Vec<String>), ExplainError> {
    let Some((program, arguments)) = command.split_first() else {
        return Err(ExplainError::NoCommand);
    };
    let mut child = Command::new(program)
        .args(arguments)
        .env_remove(HINTS_VARIABLE)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| ExplainError::Start {
            program: program.clone(),
            source,
        })?;
    let found = Mutex::new(Vec::<String>::new());
    let (Some(child_out), Some(child_err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(std::io::Error::other("the command's output pipes are missing").into());
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
    match explain(command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("gostage explain: {error}");
            2
        }
    }
}

/// Runs `command` with the hints of [`HINTS_VARIABLE`]; its exit status (1 for a signal),
/// after the hints its output matched when it failed.
fn explain(command: &[String]) -> Result<u8, ExplainError> {
    let rules = decode_hints(&std::env::var(HINTS_VARIABLE).unwrap_or_default())?;
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let (status, hints) = supervise(command, &rules, &mut stdout, &mut stderr)?;
    if status.success() {
        return Ok(0);
    }
    for hint in hints {
        eprintln!("gostage: {hint}");
    }
    Ok(match status.code() {
        Some(code) => u8::try_from(code)
            .ok()
            .filter(|code| *code > 0)
            .unwrap_or(1),
        None => {
            eprintln!("gostage explain: {} ended by {status}", command.join(" "));
            1
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<Rule> {
        decode_hints(
            "401 Unauthorized\tpass --secret id=netrc\nmissing go.sum entry\trun go mod tidy\n",
        )
        .unwrap()
    }

    fn shell(script: &str) -> Vec<String> {
        ["sh", "-c", script].map(String::from).to_vec()
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
