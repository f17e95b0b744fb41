//! What the `gostage` binary does inside build steps: the plan mounts the frontend image
//! (the same static binary that planned the build) into build steps and runs these
//! commands there, so no helper is compiled on a build's critical path. Where things are
//! mounted, the variables and the command lines are `step_contract`'s.
//!
//! - [`explain`]: runs a Go command, passes its output through and, when it fails, ends with
//!   the hints the plan gave for the texts it printed (`plan::failure_hints`).
//! - [`download_modules`]: `go mod download` into the step's layer, through the daemon's
//!   download cache.
//! - [`runtime_files`]: gathers the CA bundle, the time zone database and a sticky `/tmp`.
//! - [`sbom`]: the SPDX document of the binaries, from their Go build information.
//! - [`test_report`]: `go test -json`, with the event stream and the text as reports.
//!
//! The binary is static (glibc, crt-static) and reads nothing but its arguments, its
//! environment and the files it is given, so it runs in any builder image on the build
//! platform, and on an empty root filesystem (`sbom`).

pub mod download_modules;
pub mod explain;
pub mod runtime_files;
pub mod sbom;
pub mod test_report;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::step_contract::subcommand;

/// The hidden `gostage` subcommands that build steps run; their names and argument order are
/// those of `step_contract::Invocation`.
#[derive(Debug, PartialEq, Eq, clap::Subcommand)]
pub enum StepCommand {
    #[command(name = subcommand::EXPLAIN, hide = true)]
    /// Run COMMAND; when it fails, print the hints of `GOSTAGE_FAILURE_HINTS` for what it
    /// printed. The exit status is the command's.
    Explain {
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, num_args = 1..)]
        command: Vec<String>,
    },
    #[command(name = subcommand::DOWNLOAD_MODULES, hide = true)]
    /// Run `go mod download` with the module proxy tree under DOWNLOADS first in GOPROXY,
    /// then copy what it fetched there. The exit status is `go mod download`'s.
    DownloadModules {
        /// The download cache (a cache mount); its `cache/download` is the proxy tree.
        downloads: PathBuf,
    },
    #[command(name = subcommand::RUNTIME_FILES, hide = true)]
    /// Write `etc/ssl/certs/ca-certificates.crt`, `usr/share/zoneinfo/…` and a 1777 `tmp/`
    /// under DIRECTORY, from the builder's CA bundle and Go distribution.
    RuntimeFiles {
        /// Where to write them (created when missing).
        directory: PathBuf,
    },
    #[command(name = subcommand::SBOM, hide = true)]
    /// Write an SPDX 2.3 JSON document about the Go binaries BINARY… to OUTPUT, from their
    /// Go build information, created at CREATED.
    Sbom {
        /// The document's path (parent directories are created).
        output: PathBuf,
        /// The creation time to record, RFC 3339.
        created: String,
        /// The binaries; each one's file name is its name in the document.
        #[arg(required = true, num_args = 1..)]
        binaries: Vec<PathBuf>,
    },
    #[command(name = subcommand::TEST_REPORT, hide = true)]
    /// Run `go test -json GO_TEST_ARGUMENTS…` in PACKAGE_DIR; write test-report.json and
    /// test-report.txt into REPORT_DIR. Exit status 1 when tests fail, 2 when they cannot
    /// run.
    TestReport {
        /// Where the reports go (must exist).
        report_dir: PathBuf,
        /// The module's directory.
        package_dir: PathBuf,
        /// `go test`'s arguments after `-json`, after `--`.
        #[arg(last = true)]
        go_test_arguments: Vec<String>,
    },
}

/// Runs `command` and returns the process's exit status (0-255).
pub fn run(command: StepCommand) -> u8 {
    match command {
        StepCommand::Explain { command } => explain::run(&command),
        StepCommand::DownloadModules { downloads } => download_modules::run(&downloads),
        StepCommand::RuntimeFiles { directory } => {
            let gathered = runtime_files::BuilderPaths::discover()
                .and_then(|paths| runtime_files::gather(&directory, &paths));
            match gathered {
                Ok(()) => 0,
                Err(error) => {
                    eprintln!("gostage runtime files: {error}");
                    1
                }
            }
        }
        StepCommand::Sbom {
            output,
            created,
            binaries,
        } => sbom::run(&output, &created, &binaries),
        StepCommand::TestReport {
            report_dir,
            package_dir,
            go_test_arguments,
        } => test_report::run(&report_dir, &package_dir, &go_test_arguments),
    }
}
