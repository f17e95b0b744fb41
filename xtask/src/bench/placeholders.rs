//! What the bench prints instead of what only this machine knows, so that bench/RESULTS.md
//! reads the same on every machine: paths relative to the repository, tools by name, and
//! placeholders for the registry, buildkitd's address and the GOPROXY value.

use crate::config::target_dir;
use gostage_support::config::{bin_dir, buildctl, workspace_root, BUILDKIT_ADDR, REGISTRY};
use std::path::Path;

/// What the placeholders stand for, written once at the top of bench/RESULTS.md.
pub(super) const LEGEND: &str = "In the text below, `$REGISTRY` is the local registry and \
    `$BUILDKIT_HOST` the address of the buildkitd that `cargo xtask up` starts, \
    `$(go env GOPROXY)` is the host's Go module proxy, and paths are relative to the \
    repository (`target/` is Cargo's target directory).";

/// Replacements, applied in order (the more specific first).
pub(super) struct Placeholders {
    replacements: Vec<(String, String)>,
}

impl Placeholders {
    /// For this machine: its checkout, target directory, buildctl and tool directory, and
    /// `goproxy` (`go env GOPROXY`, as the builds are given it).
    pub(super) fn of_this_machine(goproxy: &str) -> Placeholders {
        Placeholders::new(
            &workspace_root(),
            &target_dir(),
            &bin_dir(),
            &buildctl(),
            goproxy,
        )
    }

    /// `workspace` and `target` become relative (`target/...` stays `target/...` also when
    /// Cargo's target directory is elsewhere), `buildctl` and the tools in `tools` (ko) are
    /// named by their file name, `GOPROXY=<goproxy>` becomes `GOPROXY=$(go env GOPROXY)`,
    /// buildkitd's address `$BUILDKIT_HOST` and the registry's `$REGISTRY`.
    fn new(
        workspace: &Path,
        target: &Path,
        tools: &Path,
        buildctl: &Path,
        goproxy: &str,
    ) -> Placeholders {
        let text = |path: &Path| path.display().to_string();
        let mut replacements = Vec::new();
        if buildctl.is_absolute() {
            replacements.push((text(buildctl), "buildctl".to_string()));
        }
        replacements.extend([
            (format!("{}/", text(tools)), String::new()),
            (format!("{}/", text(target)), "target/".to_string()),
            (text(target), "target".to_string()),
            (format!("{}/", text(workspace)), String::new()),
            (text(workspace), ".".to_string()),
            (
                format!("GOPROXY={goproxy}"),
                "GOPROXY=$(go env GOPROXY)".to_string(),
            ),
            (BUILDKIT_ADDR.to_string(), "$BUILDKIT_HOST".to_string()),
            (REGISTRY.to_string(), "$REGISTRY".to_string()),
        ]);
        Placeholders { replacements }
    }

    /// `text` with every replacement made.
    pub(super) fn apply(&self, text: &str) -> String {
        self.replacements
            .iter()
            .fold(text.to_string(), |text, (from, to)| text.replace(from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::recipe::Recipe;
    use crate::bench::section::Section;
    use crate::bench::timing::{Row, Run};
    use crate::bench::BOTH;
    use gostage_support::build_command::{buildctl_dockerfile, Progress};
    use gostage_support::cmd::display;
    use std::path::PathBuf;

    /// A section with the commands and logs the bench makes, of a checkout at `workspace`.
    fn section(workspace: &Path, target: &Path, goproxy: &str) -> Section {
        let context = target.join("xtask/bench-context");
        let mut command =
            buildctl_dockerfile(Progress::Plain, &context, &workspace.join("xtask/bench"));
        command
            .args(["--opt", &format!("build-arg:GOPROXY={goproxy}")])
            .args([
                "--output",
                &format!("type=image,name={REGISTRY}/bench/uuid-service:cross,push=true"),
            ]);
        let ko = format!(
            "{} build --bare --platform=linux/amd64 ./cmd/uuid-service",
            bin_dir().join("ko").display()
        );
        let row = |recipe: Recipe, command: String, log: &str| Row {
            recipe,
            platforms: BOTH,
            runs: vec![Run {
                seconds: 1.5,
                load: "0.50".into(),
                slowest: vec![("go build".into(), 1.0)],
                log: target.join("xtask/bench-logs").join(log),
            }],
            image: String::new(),
            command,
        };
        Section {
            title: "leaks".into(),
            method: format!(
                "`{}` before each build; base {REGISTRY}/bench/static-base:latest",
                display(&crate::bench::timing::prune_command())
            ),
            rows: vec![
                row(Recipe::Cross, display(&command), "cross.log"),
                row(Recipe::Ko, ko, "ko.log"),
            ],
            ..Section::default()
        }
    }

    #[test]
    fn the_report_names_no_machine_path_registry_or_proxy() {
        let goproxy = gostage_support::go::env("GOPROXY")
            .ok()
            .filter(|proxy| !proxy.is_empty())
            .unwrap_or_else(|| "http://127.0.0.1:3000/proxy,off".into());
        let workspace = PathBuf::from("/home/someone/src/gostage");
        for target in [
            workspace.join("target"),
            PathBuf::from("/scratch/cargo-target"),
        ] {
            let placeholders =
                Placeholders::new(&workspace, &target, &bin_dir(), &buildctl(), &goproxy);
            let mut printed = String::new();
            section(&workspace, &target, &goproxy).print(&mut printed);
            let text = placeholders.apply(&printed);
            for secret in [
                workspace.display().to_string(),
                target.display().to_string(),
                bin_dir().display().to_string(),
                REGISTRY.to_string(),
                BUILDKIT_ADDR.to_string(),
                goproxy.clone(),
            ] {
                assert!(!text.contains(&secret), "{secret} in:\n{text}");
            }
            // No word, nor the value of an `a=b` word, is an absolute path.
            let absolute: Vec<&str> = text
                .split_whitespace()
                .flat_map(|word| word.split(['=', ',', '`']))
                .filter(|part| part.starts_with('/'))
                .collect();
            assert_eq!(absolute, Vec::<&str>::new(), "{text}");
            assert!(
                text.contains(
                    "#1 buildctl --addr $BUILDKIT_HOST build --progress=plain --frontend \
                     dockerfile.v0 --local context=target/xtask/bench-context --local \
                     dockerfile=xtask/bench --opt build-arg:GOPROXY=$(go env GOPROXY) \
                     --output type=image,name=$REGISTRY/bench/uuid-service:cross,push=true\n     \
                     log: target/xtask/bench-logs/cross.log"
                ),
                "{text}"
            );
            assert!(
                text.contains("#2 ko build --bare --platform=linux/amd64 ./cmd/uuid-service"),
                "{text}"
            );
            assert!(
                text.contains("`buildctl --addr $BUILDKIT_HOST prune --all` before each build; base $REGISTRY/bench/static-base:latest"),
                "{text}"
            );
            assert!(
                text.contains("build logs in target/xtask/bench-logs"),
                "{text}"
            );
        }
    }
}
