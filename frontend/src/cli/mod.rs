//! Commands for people (the binary run outside BuildKit): check, llb, schema, version.

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
    /// Check a spec file and print errors as FILE:LINE:COLUMN.
    Check {
        /// Spec file (default gostage.yaml).
        #[arg(default_value = "gostage.yaml")]
        file: PathBuf,
    },
    /// Print the build's LLB and image configs as JSON, offline (images are not resolved).
    Llb(llb::LlbArguments),
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
        Some(Command::Llb(arguments)) => match llb::llb_json(&arguments) {
            Ok(value) => print_json(&value),
            Err(error) => {
                eprintln!("{error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Schema) => print_json(&crate::spec::schema()),
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

fn check(file: &std::path::Path) -> ExitCode {
    match checked(file) {
        Ok(name) => {
            let _ = writeln!(std::io::stdout(), "{name}: ok");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The file's name when its spec is valid; else the error as `FILE:LINE:COLUMN: …` (or
/// `FILE: …` when it cannot be read).
fn checked(file: &std::path::Path) -> Result<String, String> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|error| format!("{name}: {error}"))?;
    crate::spec::parse(&bytes)
        .map(|_| name.clone())
        .map_err(|diagnostic| diagnostic.render(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `checked` on `text` written to a file of its own, with the file named `gostage.yaml`
    /// in the message.
    fn check_text(case: usize, text: &str) -> Result<String, String> {
        let directory = std::env::temp_dir().join(format!("gostage-check-{}", std::process::id()));
        let file = directory.join(format!("case-{case}.yaml"));
        std::fs::create_dir_all(&directory)
            .and_then(|()| std::fs::write(&file, text))
            .unwrap_or_else(|error| panic!("{error}"));
        let shown = file.display().to_string();
        checked(&file).map_err(|message| message.replace(&shown, "gostage.yaml"))
    }

    #[test]
    fn check_places_what_the_build_would_refuse() {
        for (case, text) in [
            (
                "version: 1\nplatforms: [linux/s390xx]\n",
                "gostage.yaml:2:13: `platforms[0]` has architecture `s390xx`",
            ),
            (
                "version: 1\nbuild:\n  ldflags: [\"-X a={{ .Nope }}\"]\n",
                "gostage.yaml:3:13: `build.ldflags[0]` uses the unknown template",
            ),
            (
                "version: 1\nimage:\n  base: Alpine:3\n",
                "gostage.yaml:3:9: `image.base` is not an image reference",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let message = check_text(case, text.0).expect_err(text.0);
            let expected = text.1;
            assert!(message.starts_with(expected), "{message}");
        }
        assert!(check_text(9, "version: 1\nplatforms: [linux/arm64]\n").is_ok());
    }
}
