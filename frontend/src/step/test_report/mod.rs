//! `gostage test-report REPORT_DIR PACKAGE_DIR -- GO_TEST_ARGUMENTS…`: runs `go test -json`
//! for the `test` target in PACKAGE_DIR and writes two reports into REPORT_DIR:
//! [`TEST_REPORT_EVENTS`], the event stream exactly as `go test -json` prints it (one
//! cmd/test2json event per line: what gotestsum, go-junit-report and CI test views read),
//! and [`TEST_REPORT_TEXT`], the same run as text (what `go test -v` prints: the events'
//! `Output`, and what `go test` printed on stderr).
//!
//! The step log gets what `go test` without `-v` prints: each package's result and the
//! output of failing tests only, so a failure is not buried in passing tests' output. When
//! tests fail, it ends with their names in at most [`MAX_SUMMARY_LINES`] lines: BuildKit's
//! plain progress shows only the last ten lines of a failed step (`logsBufferSize` in
//! moby/buildkit `util/progress/progressui/printer.go`).
//!
//! `go test` gets this process's environment, GOFLAGS included: unlike the Go program gostage
//! ran with `go run` before, nothing here is compiled that the module's GOFLAGS could break.

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use serde::Deserialize;

use crate::step_contract::{TEST_REPORT_EVENTS, TEST_REPORT_TEXT};

/// The most lines the failure summary takes, its header included.
pub const MAX_SUMMARY_LINES: usize = 8;

/// Why the tests could not be run or reported (exit status 2; a failing test is not an
/// error).
#[derive(Debug, thiserror::Error)]
pub enum TestReportError {
    /// A report file cannot be created.
    #[error("cannot create {path}: {source}")]
    Create {
        /// The report.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `go` cannot be started.
    #[error("cannot run `go test` ({0}); use a builder image with Go on PATH")]
    Start(std::io::Error),
    /// `go test`'s output cannot be read, or a report cannot be written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The part of a cmd/test2json `TestEvent` the reports read (golang/go
/// `src/cmd/internal/test2json/test2json.go`); every field may be missing.
#[derive(Debug, Default, Deserialize)]
struct Event {
    #[serde(rename = "Action", default)]
    action: Option<String>,
    #[serde(rename = "Package", default)]
    package: Option<String>,
    #[serde(rename = "Test", default)]
    test: Option<String>,
    #[serde(rename = "Output", default)]
    output: Option<String>,
}

/// Where one line of `go test -json`'s output goes besides the event report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Routed {
    /// For the text report.
    pub text: Vec<u8>,
    /// For the step log.
    pub log: Vec<u8>,
}

/// The state of the event stream: each running test's output, held back until the test
/// fails (then it goes to the log) or passes (then it is dropped), and the failed tests.
#[derive(Debug, Default)]
pub struct EventStream {
    pending: HashMap<(String, String), Vec<String>>,
    failed: Vec<String>,
}

impl EventStream {
    /// Routes one line of `go test -json`'s stdout (without its newline). A line that is not
    /// an event with an `Action` (older Go prints some build errors as plain text) goes to
    /// the text report and the log as it is, with a newline.
    pub fn route(&mut self, line: &[u8]) -> Routed {
        let event = serde_json::from_slice::<Event>(line).ok().filter(|event| {
            event
                .action
                .as_deref()
                .is_some_and(|action| !action.is_empty())
        });
        let Some(event) = event else {
            let mut plain = line.to_vec();
            plain.push(b'\n');
            return Routed {
                text: plain.clone(),
                log: plain,
            };
        };
        let output = event.output.unwrap_or_default();
        let package = event.package.unwrap_or_default();
        let test = event.test.unwrap_or_default();
        let mut routed = Routed {
            text: output.clone().into_bytes(),
            log: Vec::new(),
        };
        if test.is_empty() {
            // Package results and build output.
            routed.log = output.into_bytes();
            return routed;
        }
        let failure = format!("--- FAIL: {test} ({package})");
        let key = (package, test);
        match event.action.as_deref() {
            Some("output") => self.pending.entry(key).or_default().push(output),
            Some("fail") => {
                routed.log = self
                    .pending
                    .remove(&key)
                    .unwrap_or_default()
                    .concat()
                    .into_bytes();
                self.failed.push(failure);
            }
            Some("pass" | "skip") => {
                self.pending.remove(&key);
            }
            _ => {}
        }
        routed
    }

    /// The failed tests so far, as `--- FAIL: TestName (package)`, in the order they failed.
    pub fn failed(&self) -> &[String] {
        &self.failed
    }
}

/// The exit status of the step and the lines that end its log, given whether `go test`
/// succeeded and which tests failed: 0 and nothing on success; else 1 and the failing tests'
/// names, at most [`MAX_SUMMARY_LINES`] lines (the first names, then how many more there are
/// above), or a pointer to `go test`'s output when no test failed (a package did not build).
pub fn conclusion(succeeded: bool, failed: &[String]) -> (u8, String) {
    if succeeded {
        return (0, String::new());
    }
    if failed.is_empty() {
        return (
            1,
            "FAIL: go test failed (see its output above)\n".to_string(),
        );
    }
    let mut summary = format!("FAIL: {} failing test(s):\n", failed.len());
    let shown = match failed.len() > MAX_SUMMARY_LINES - 1 {
        true => &failed[..MAX_SUMMARY_LINES - 2],
        false => failed,
    };
    for name in shown {
        summary.push_str(name);
        summary.push('\n');
    }
    let hidden = failed.len() - shown.len();
    if hidden > 0 {
        summary.push_str(&format!("... and {hidden} more (above)\n"));
    }
    (1, summary)
}

/// The subcommand: 0 when the tests pass, 1 when `go test` fails, 2 when it cannot run or
/// the reports cannot be written.
pub fn run(report_dir: &Path, package_dir: &Path, go_test_arguments: &[String]) -> u8 {
    match report(report_dir, package_dir, go_test_arguments) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("gostage test report: {error}");
            2
        }
    }
}

/// Runs the tests, writes the reports and the log, and returns the exit status.
fn report(
    report_dir: &Path,
    package_dir: &Path,
    go_test_arguments: &[String],
) -> Result<u8, TestReportError> {
    let create = |name: &str| {
        let path = report_dir.join(name);
        File::create(&path)
            .map(BufWriter::new)
            .map_err(|source| TestReportError::Create { path, source })
    };
    let mut events = create(TEST_REPORT_EVENTS)?;
    let text = Mutex::new(create(TEST_REPORT_TEXT)?);
    let mut child = Command::new("go")
        .args(["test", "-json"])
        .args(go_test_arguments)
        .current_dir(package_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(TestReportError::Start)?;
    let (Some(child_out), Some(child_err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(std::io::Error::other("the output pipes of `go test` are missing").into());
    };
    let mut stream = EventStream::default();
    let copied: std::io::Result<()> = std::thread::scope(|scope| {
        let text = &text;
        let errors = scope.spawn(move || copy_stderr(child_err, text));
        let routed = route_stdout(child_out, &mut stream, &mut events, text);
        let errors = errors
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the stderr reader stopped")));
        routed.and(errors)
    });
    let status = child.wait()?;
    copied?;
    events.flush()?;
    text.into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .flush()?;
    let (code, summary) = conclusion(status.success(), stream.failed());
    let mut log = std::io::stdout().lock();
    log.write_all(summary.as_bytes())?;
    log.flush()?;
    Ok(code)
}

/// Reads `go test -json`'s stdout line by line: each line to the event report, and where
/// [`EventStream::route`] sends it.
fn route_stdout(
    from: impl Read,
    stream: &mut EventStream,
    events: &mut impl Write,
    text: &Mutex<impl Write>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    let mut log = std::io::stdout();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let content = without_line_end(&line);
        events.write_all(content)?;
        events.write_all(b"\n")?;
        let routed = stream.route(content);
        lock(text).write_all(&routed.text)?;
        log.write_all(&routed.log)?;
        log.flush()?;
    }
}

/// `line` as Go's `bufio.ScanLines` gives it: without its `\n`, and without a `\r` before
/// that.
fn without_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Copies `go test`'s stderr to this process's stderr and to the text report.
fn copy_stderr(from: impl Read, text: &Mutex<impl Write>) -> std::io::Result<()> {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    let mut errors = std::io::stderr();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        errors.write_all(&line)?;
        lock(text).write_all(&line)?;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
