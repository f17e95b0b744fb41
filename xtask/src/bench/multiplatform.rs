//! The `multiplatform` case: uuid-service for amd64+arm64 against amd64 alone, cold, gostage
//! against the cross-compiling and the emulating Dockerfiles, and the images' sizes.

use super::recipe::{self, Recipe, Workspace};
use super::section::{short, Section};
use super::timing::{builds, measure_rounds, prune, prune_command};
use super::{AMD64, BOTH};
use anyhow::Result;
use gostage_support::build_command::buildctl;
use gostage_support::cmd;
use std::fmt::Write as _;

/// Why the emulated rows cannot run, if they cannot: qemu binfmt for arm64 and a buildkitd
/// worker that lists linux/arm64.
pub(super) fn emulation_unavailable() -> Option<String> {
    let handler = std::fs::read_to_string("/proc/sys/fs/binfmt_misc/qemu-aarch64");
    match handler {
        Ok(text) if text.lines().next() == Some("enabled") => {}
        Ok(_) => return Some("the qemu-aarch64 binfmt_misc handler is disabled".into()),
        Err(_) => {
            return Some(
                "no qemu-aarch64 binfmt_misc handler (/proc/sys/fs/binfmt_misc/qemu-aarch64)"
                    .into(),
            )
        }
    }
    match cmd::output(buildctl().args(["debug", "workers", "-v"])) {
        Ok(out) if out.contains("linux/arm64") => None,
        Ok(_) => Some("buildkitd's worker does not list linux/arm64".into()),
        Err(e) => Some(format!("buildctl debug workers failed: {e:#}")),
    }
}

pub(super) fn multiplatform(
    ws: &Workspace,
    emulated: Result<(), String>,
    runs: u32,
) -> Result<Section> {
    let mut s = Section {
        title: "multiplatform: uuid-service, amd64+arm64 against amd64 alone, cold".into(),
        method: format!(
            "Every measured build is cold: `{}` runs before it (not timed), dropping the build \
             cache, the cache mounts and the pulled images, so each build pulls golang:1.23 (and \
             the frontend) from the local registry, downloads the modules through GOPROXY and \
             compiles everything, then pushes its image. load = 1-minute load average when the \
             build starts: the tail of the previous build plus any other work on the machine, \
             which inflates a row (use --runs N for medians).",
            cmd::display(&prune_command())
        ),
        ..Section::default()
    };
    // Each platform set alternates its recipes, round by round.
    for platforms in [AMD64, BOTH] {
        let mut recipes = vec![Recipe::Gostage, Recipe::Cross];
        if platforms == BOTH && emulated.is_ok() {
            recipes.push(Recipe::Emulated);
        }
        let tag =
            |recipe: Recipe| format!("{}-{}", recipe.tag(), short(platforms).replace('+', "-"));
        let cold = builds(ws, &recipes, platforms, &tag, &prune);
        s.rows.extend(measure_rounds(&cold, runs)?);
    }
    if let Err(why) = &emulated {
        s.notes.push(format!("Dockerfile.emulated skipped: {why}."));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    s.judged(
        (Recipe::Gostage, BOTH),
        (Recipe::Gostage, AMD64),
        "(two platforms against one)",
        1.3,
        Some(format!(
            "the two platforms' compiles run at once and share this machine's {cores} cores"
        )),
    );
    s.ratio(
        (Recipe::Cross, BOTH),
        (Recipe::Cross, AMD64),
        "(the same for the cross-compiling Dockerfile)",
    );
    for platforms in [AMD64, BOTH] {
        s.judged(
            (Recipe::Gostage, platforms),
            (Recipe::Cross, platforms),
            "(gostage against the best hand-written Dockerfile)",
            0.9,
            None,
        );
    }
    s.ratio(
        (Recipe::Emulated, BOTH),
        (Recipe::Gostage, BOTH),
        "(what a Dockerfile without --platform=$BUILDPLATFORM costs)",
    );

    let mut sizes = String::from(
        "image sizes, linux/amd64 (compressed = layers + config in the registry; \
         unpacked = `docker image inspect` after `docker pull` into the Engine):",
    );
    for recipe in [Recipe::Gostage, Recipe::Cross, Recipe::Emulated] {
        let Some(row) = s.find(recipe, BOTH) else {
            continue;
        };
        let size = recipe::image_size(&row.image)?;
        let _ = write!(
            sizes,
            "\n    {:<22} {:>10} compressed {:>10} unpacked  {} layer(s)  {}",
            recipe.name(),
            human(size.compressed),
            human(size.unpacked),
            size.layers,
            recipe.contents()
        );
    }
    s.notes.push(sizes);
    Ok(s)
}

fn human(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.2} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use gostage_support::config::workspace_root;

    /// The two Dockerfiles differ in what is measured: where the build stage runs.
    #[test]
    fn dockerfiles_cross_compile_or_emulate() -> std::io::Result<()> {
        let dir = workspace_root().join("xtask/bench");
        // The instructions, without comments.
        let read = |f: &str| {
            let text = std::fs::read_to_string(dir.join(f))?;
            Ok::<_, std::io::Error>(
                text.lines()
                    .filter(|l| !l.starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        };
        let (cross, emulated) = (read("Dockerfile.cross")?, read("Dockerfile.emulated")?);
        assert!(cross.contains("FROM --platform=$BUILDPLATFORM golang:1.23 AS build"));
        assert!(cross.contains("GOARCH=$TARGETARCH"));
        assert!(emulated.lines().any(|l| l == "FROM golang:1.23 AS build"));
        assert!(!emulated.contains("BUILDPLATFORM") && !emulated.contains("GOARCH"));
        for text in [&cross, &emulated] {
            assert!(text.contains("FROM scratch") && text.contains("type=cache"));
        }
        Ok(())
    }
}
