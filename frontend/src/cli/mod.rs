//! Commands for people (the binary run outside BuildKit): check, llb, schema, version.

pub mod check;
pub mod context;
pub mod init;
pub mod llb;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gostage: a BuildKit frontend that turns gostage.yaml into a minimal container image
/// for a Go program.
///
/// Put `# syntax=myorg/gostage` on the first line of gostage.yaml and run
/// `docker build -f gostage.yaml .`; BuildKit then runs this program as the frontend.
#[derive(Parser)]
#[command(name = "gostage", version, about, long_about)]
struct Arguments {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a spec file and run the lint rules; print findings as FILE:LINE:COLUMN and
    /// exit 1 on an error or a warning.
    Check {
        /// Spec file (default gostage.yaml; `-` reads standard input, with go.mod from the
        /// current directory). At most 1 MiB is read.
        #[arg(default_value = "gostage.yaml")]
        file: PathBuf,
    },
    /// Write a commented gostage.yaml for the Go module in DIR, with its main packages; at a
    /// workspace's root (DIR has go.work), one <module>.gostage.yaml with `module:` for each
    /// workspace module that has main packages.
    ///
    /// With `--from Dockerfile`: convert that Go Dockerfile into DIR/gostage.yaml and print
    /// what became of each instruction.
    Init {
        /// The module's directory (the one with go.mod), or the workspace's (with go.work);
        /// default the current directory.
        #[arg(default_value = ".")]
        directory: PathBuf,
        /// A Dockerfile that builds the module's program(s), to convert.
        #[arg(long, value_name = "DOCKERFILE")]
        from: Option<PathBuf>,
        /// The frontend image the spec's `# syntax=` line names.
        #[arg(long, value_name = "IMAGE", default_value = "myorg/gostage")]
        frontend_image: String,
    },
    /// Print gostage's version.
    Version,
    /// Print the build's LLB and image configs as JSON, offline (images are not resolved).
    Llb(llb::LlbArguments),
    /// Print the JSON Schema of gostage.yaml (for editors).
    Schema,
    /// What build steps run (hidden: `explain`, `download-modules`, `runtime-files`, `sbom`,
    /// `test-report`).
    #[command(flatten)]
    Step(crate::step::StepCommand),
}

/// Runs the CLI; with no command prints help.
pub fn main() -> ExitCode {
    let arguments = Arguments::parse();
    match arguments.command {
        None => {
            use clap::CommandFactory;
            let _ = Arguments::command().print_long_help();
            ExitCode::SUCCESS
        }
        Some(Command::Check { file }) => check::run(&file),
        Some(Command::Init {
            directory,
            from: Some(dockerfile),
            frontend_image,
        }) => match init::init_from_dockerfile(&directory, &dockerfile, &frontend_image) {
            Ok((written, report)) => {
                let mut stdout = std::io::stdout().lock();
                let _ = write!(stdout, "{report}");
                let _ = writeln!(stdout, "wrote {}", written.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("gostage init: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Init {
            directory,
            from: None,
            ..
        }) => match init::init(&directory) {
            Ok(written) => {
                let mut stdout = std::io::stdout().lock();
                for path in written {
                    let _ = writeln!(stdout, "wrote {}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("gostage init: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Version) => {
            let _ = writeln!(std::io::stdout(), "gostage {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(Command::Llb(arguments)) => match llb::llb_json(&arguments) {
            Ok(value) => print_json(&value),
            Err(error) => {
                eprintln!("{error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Schema) => print_json(&crate::spec::schema()),
        Some(Command::Step(command)) => ExitCode::from(crate::step::run(command)),
    }
}

/// Prints `value` as indented JSON on stdout.
fn print_json(value: &serde_json::Value) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            // A closed pipe (`gostage schema | head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout(), "{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gostage: {error}");
            ExitCode::FAILURE
        }
    }
}
