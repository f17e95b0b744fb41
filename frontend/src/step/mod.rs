//! What the `gostage` binary does inside build steps: the plan mounts the frontend image
//! (the same static binary that planned the build) into builder steps and runs these
//! commands there, so no helper is compiled with the builder's Go on a build's critical path.
//!
//! - [`explain`]: runs a Go command, passes its output through and, when it fails, ends with
//!   the hints the plan gave for the texts it printed (`plan::failure_hints`).
//! - [`download_modules`]: `go mod download` into the step's layer, through the daemon's
//!   download cache.
//! - [`runtime_files`]: gathers the CA bundle, the time zone database and a sticky `/tmp`.
//!
//! The binary is static (glibc, crt-static) and reads nothing but its arguments, its
//! environment and the builder's files, so it runs in any builder image on the build
//! platform.

pub mod download_modules;
pub mod explain;
pub mod runtime_files;

/// The hidden `gostage` subcommands that build steps run.
#[derive(Debug, clap::Subcommand)]
pub enum StepCommand {
    #[command(hide = true)]
    /// Run COMMAND; when it fails, print the hints of `GOSTAGE_FAILURE_HINTS` for what it
    /// printed. The exit status is the command's.
    Explain {
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, num_args = 1..)]
        command: Vec<String>,
    },
    #[command(hide = true)]
    /// Run `go mod download` with the module proxy tree under DOWNLOADS first in GOPROXY,
    /// then copy what it fetched there. The exit status is `go mod download`'s.
    DownloadModules {
        /// The download cache (a cache mount); its `cache/download` is the proxy tree.
        downloads: std::path::PathBuf,
    },
    #[command(hide = true)]
    /// Write `etc/ssl/certs/ca-certificates.crt`, `usr/share/zoneinfo/…` and a 1777 `tmp/`
    /// under DIRECTORY, from the builder's CA bundle and Go distribution.
    RuntimeFiles {
        /// Where to write them (created when missing).
        directory: std::path::PathBuf,
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
    }
}
