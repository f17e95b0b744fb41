//! The contract's command lines parse back into the subcommands they name, with the same
//! arguments in the same places.

use std::path::PathBuf;

use clap::Parser;

use super::StepCommand;
use crate::step_contract::Invocation;

#[derive(Debug, Parser)]
#[command(name = "gostage")]
struct Binary {
    #[command(subcommand)]
    command: StepCommand,
}

fn parsed(invocation: &Invocation) -> StepCommand {
    let line = invocation.command_line();
    Binary::try_parse_from(&line)
        .unwrap_or_else(|error| panic!("{line:?}: {error}"))
        .command
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

#[test]
fn every_invocation_parses_into_its_subcommand() {
    let explain = Invocation::Explain {
        command: strings(&["go", "build", "-o", "/out/x", "--", "."]),
    };
    assert_eq!(
        parsed(&explain),
        StepCommand::Explain {
            command: strings(&["go", "build", "-o", "/out/x", "--", "."])
        }
    );
    let download = Invocation::DownloadModules {
        downloads: "/gostage/module-downloads".into(),
    };
    assert_eq!(
        parsed(&download),
        StepCommand::DownloadModules {
            downloads: PathBuf::from("/gostage/module-downloads")
        }
    );
    let runtime = Invocation::RuntimeFiles {
        directory: "/out".into(),
    };
    assert_eq!(
        parsed(&runtime),
        StepCommand::RuntimeFiles {
            directory: PathBuf::from("/out")
        }
    );
    let sbom = Invocation::Sbom {
        output: "/out/sbom.spdx.json".into(),
        created: "2023-11-14T22:13:20Z".into(),
        binaries: strings(&["/in/server", "/in/worker"]),
    };
    assert_eq!(
        parsed(&sbom),
        StepCommand::Sbom {
            output: PathBuf::from("/out/sbom.spdx.json"),
            created: "2023-11-14T22:13:20Z".into(),
            binaries: vec![PathBuf::from("/in/server"), PathBuf::from("/in/worker")],
        }
    );
    for arguments in [
        strings(&["-tags", "netgo", "-count=1", "./..."]),
        Vec::new(),
    ] {
        let test = Invocation::TestReport {
            report_dir: "/out".into(),
            package_dir: "/src".into(),
            go_test_arguments: arguments.clone(),
        };
        assert_eq!(
            parsed(&test),
            StepCommand::TestReport {
                report_dir: PathBuf::from("/out"),
                package_dir: PathBuf::from("/src"),
                go_test_arguments: arguments,
            }
        );
    }
}
