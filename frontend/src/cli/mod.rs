//! Commands for people (the binary run outside BuildKit): check, schema, version.

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
    /// Check a spec file and print errors as FILE:LINE:COLUMN.
    Check {
        /// Spec file (default gostage.yaml).
        #[arg(default_value = "gostage.yaml")]
        file: PathBuf,
    },
    /// Print the JSON Schema of gostage.yaml (for editors).
    Schema,
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
        Some(Command::Check { file }) => check(&file),
        Some(Command::Schema) => match serde_json::to_string_pretty(&crate::spec::schema()) {
            Ok(text) => {
                // A closed pipe (`gostage schema | head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout(), "{text}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("gostage: {error}");
                ExitCode::FAILURE
            }
        },
    }
}

fn check(file: &std::path::Path) -> ExitCode {
    let name = file.display().to_string();
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{name}: {error}");
            return ExitCode::FAILURE;
        }
    };
    match crate::spec::parse(&bytes) {
        Ok(_) => {
            let _ = writeln!(std::io::stdout(), "{name}: ok");
            ExitCode::SUCCESS
        }
        Err(diagnostic) => {
            eprintln!("{}", diagnostic.render(&name));
            ExitCode::FAILURE
        }
    }
}
