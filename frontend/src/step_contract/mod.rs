//! The contract between the plan and the programs that run inside build steps: where the plan
//! mounts what, the paths and environment variables the programs read, the failure-hints
//! protocol, and the command lines. The plan builds every step's command line with
//! [`Invocation::command_line`]; module `step` parses it with clap definitions named by the
//! constants of [`subcommand`], and a unit test there parses each invocation back, so the
//! two sides cannot drift apart.
//!
//! The programs are subcommands of the `gostage` binary, the frontend image's only file
//! (`Dockerfile.frontend`): the plan mounts that image read-only at [`BINARY_DIR`], so a
//! step runs [`BINARY`] without compiling a helper first. Imports nothing of ours.

pub mod hints;

#[cfg(test)]
mod tests;

pub use hints::{decode as decode_hints, encode as encode_hints, HintsError, Rule, HINTS_VARIABLE};

/// Where the plan mounts the frontend image in a step.
pub const BINARY_DIR: &str = "/gostage/bin";

/// The `gostage` binary in a step: the frontend image holds it at `/gostage`
/// (`Dockerfile.frontend`, `cargo xtask image`), mounted at [`BINARY_DIR`].
pub const BINARY: &str = "/gostage/bin/gostage";

/// Where a step writes its result: the writable mount whose filesystem the plan uses.
pub const OUTPUT_DIR: &str = "/out";

/// Where the module's source (or, for the download step, its go.mod and go.sum) is mounted,
/// and the working directory of Go commands.
pub const SOURCE_DIR: &str = "/src";

/// Where the SBOM step mounts the binaries it describes, each at `/<name>`.
pub const SBOM_INPUT_DIR: &str = "/in";

/// Where the download step mounts the daemon's download cache (a cache mount); `gostage
/// download-modules` gets it as its argument.
pub const DOWNLOAD_CACHE_DIR: &str = "/gostage/module-downloads";

/// The `go test -json` event stream that `gostage test-report` writes in its report
/// directory (cmd/test2json's format, one event per line).
pub const TEST_REPORT_EVENTS: &str = "test-report.json";

/// The same run as text, as `go test -v` prints it, beside [`TEST_REPORT_EVENTS`].
pub const TEST_REPORT_TEXT: &str = "test-report.txt";

/// The names of the hidden subcommands that build steps run.
pub mod subcommand {
    /// `explain -- COMMAND…`: run a Go command, and end a failure with the hints of
    /// [`HINTS_VARIABLE`](super::HINTS_VARIABLE).
    pub const EXPLAIN: &str = "explain";
    /// `download-modules DOWNLOADS`: `go mod download` through the download cache.
    pub const DOWNLOAD_MODULES: &str = "download-modules";
    /// `runtime-files DIRECTORY`: the CA bundle, the time zone database and `/tmp`.
    pub const RUNTIME_FILES: &str = "runtime-files";
    /// `sbom OUTPUT CREATED BINARY…`: an SPDX document from the binaries' Go build info.
    pub const SBOM: &str = "sbom";
    /// `test-report REPORT_DIR PACKAGE_DIR -- GO_TEST_ARGUMENTS…`: `go test -json` and its
    /// reports.
    pub const TEST_REPORT: &str = "test-report";
}

/// One run of the `gostage` binary in a build step, with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// Runs `command` (a program and its arguments); when it fails, prints the hints of
    /// [`HINTS_VARIABLE`] for what it printed. The exit status is the command's.
    Explain {
        /// The command, after `--`.
        command: Vec<String>,
    },
    /// `go mod download` with the proxy tree of the download cache `downloads` first in
    /// GOPROXY, then keeps what it fetched there.
    DownloadModules {
        /// The download cache's mount point ([`DOWNLOAD_CACHE_DIR`]).
        downloads: String,
    },
    /// Writes the runtime files under `directory`.
    RuntimeFiles {
        /// Where to write them (a step's [`OUTPUT_DIR`]).
        directory: String,
    },
    /// Writes an SPDX 2.3 JSON document about `binaries` to `output`.
    Sbom {
        /// The document's path (under [`OUTPUT_DIR`]).
        output: String,
        /// The creation time to record, RFC 3339 (`SOURCE_DATE_EPOCH`, else the Unix epoch).
        created: String,
        /// The binaries' paths (under [`SBOM_INPUT_DIR`]); at least one. Each binary's file
        /// name is its name in the document.
        binaries: Vec<String>,
    },
    /// Runs `go test -json GO_TEST_ARGUMENTS…` in `package_dir` and writes
    /// [`TEST_REPORT_EVENTS`] and [`TEST_REPORT_TEXT`] into `report_dir`.
    TestReport {
        /// Where the reports go (a step's [`OUTPUT_DIR`]).
        report_dir: String,
        /// The module's directory ([`SOURCE_DIR`]).
        package_dir: String,
        /// `go test`'s arguments after `-json`, after `--`.
        go_test_arguments: Vec<String>,
    },
}

impl Invocation {
    /// The step's arguments: [`BINARY`], the subcommand's name, then its arguments in the
    /// order its clap definition in module `step` declares them (a program's own arguments
    /// after `--`, so that flags such as `-count=1` stay theirs).
    pub fn command_line(&self) -> Vec<String> {
        let (name, arguments): (&str, Vec<String>) = match self {
            Invocation::Explain { command } => (
                subcommand::EXPLAIN,
                std::iter::once("--".to_string())
                    .chain(command.iter().cloned())
                    .collect(),
            ),
            Invocation::DownloadModules { downloads } => {
                (subcommand::DOWNLOAD_MODULES, vec![downloads.clone()])
            }
            Invocation::RuntimeFiles { directory } => {
                (subcommand::RUNTIME_FILES, vec![directory.clone()])
            }
            Invocation::Sbom {
                output,
                created,
                binaries,
            } => (
                subcommand::SBOM,
                [output.clone(), created.clone()]
                    .into_iter()
                    .chain(binaries.iter().cloned())
                    .collect(),
            ),
            Invocation::TestReport {
                report_dir,
                package_dir,
                go_test_arguments,
            } => (
                subcommand::TEST_REPORT,
                [report_dir.clone(), package_dir.clone(), "--".to_string()]
                    .into_iter()
                    .chain(go_test_arguments.iter().cloned())
                    .collect(),
            ),
        };
        [BINARY.to_string(), name.to_string()]
            .into_iter()
            .chain(arguments)
            .collect()
    }
}
