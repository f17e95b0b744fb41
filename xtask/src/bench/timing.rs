//! Measuring builds: the prepared, timed runs of each build, round by round, their wall times,
//! the load average before each and the slowest steps of its progress log (kept in
//! `target/xtask/bench-logs`), and the daemon prune that makes a build cold.

use super::recipe::{Recipe, Workspace};
use crate::config::scratch_dir;
use anyhow::{bail, Context, Result};
use gostage_support::build_command::buildctl;
use gostage_support::cmd;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One run of a measured build.
pub(super) struct Run {
    pub(super) seconds: f64,
    /// The 1-minute load average just before the build.
    pub(super) load: String,
    /// The slowest steps, from the plain progress output.
    pub(super) slowest: Vec<(String, f64)>,
    pub(super) log: PathBuf,
}

/// One measured build, run one or more times.
pub(super) struct Row {
    pub(super) recipe: Recipe,
    pub(super) platforms: &'static [&'static str],
    /// Sorted by time.
    pub(super) runs: Vec<Run>,
    pub(super) image: String,
    pub(super) command: String,
}

impl Row {
    /// The median run (the lower one of an even count).
    pub(super) fn median(&self) -> &Run {
        &self.runs[(self.runs.len() - 1) / 2]
    }
    pub(super) fn seconds(&self) -> f64 {
        self.median().seconds
    }
}

/// `buildctl prune --all`: drops the build cache, the cache mounts and the pulled images.
pub(super) fn prune() -> Result<()> {
    cmd::output(&mut prune_command())?;
    Ok(())
}

pub(super) fn prune_command() -> Command {
    let mut c = buildctl();
    c.args(["prune", "--all"]);
    c
}

/// Where each measured build's progress output is kept.
pub(super) fn log_dir() -> PathBuf {
    scratch_dir("bench-logs")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The `n` slowest steps of a plain progress log (`#N name` ... `#N DONE 12.3s`), leaving out
/// exporting (pushing) and context transfers.
fn slowest_steps(log: &str, n: usize) -> Vec<(String, f64)> {
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    let mut steps = Vec::new();
    for line in log.lines() {
        let Some((id, text)) = line.strip_prefix('#').and_then(|l| l.split_once(' ')) else {
            continue;
        };
        if id.parse::<u32>().is_err() {
            continue;
        }
        let name = *names.entry(id).or_insert(text);
        if let Some(secs) = text
            .strip_prefix("DONE ")
            .and_then(|t| t.trim_end_matches('s').parse::<f64>().ok())
        {
            if !name.starts_with("[internal]") && !name.starts_with("exporting") {
                let mut short: String = name.chars().take(48).collect();
                if short.len() < name.len() {
                    short.push('…');
                }
                steps.push((short, secs));
            }
        }
    }
    steps.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut seen = std::collections::BTreeSet::new();
    steps.retain(|(name, _)| seen.insert(name.clone()));
    steps.truncate(n);
    steps
}

/// One build to measure: what it is, what runs before each run of it (not timed) and the
/// command that builds and pushes `image`.
pub(super) struct Build<'a> {
    pub recipe: Recipe,
    pub platforms: &'static [&'static str],
    pub tag: String,
    pub image: String,
    pub prepare: &'a dyn Fn() -> Result<()>,
    pub command: Box<dyn Fn() -> Command + 'a>,
}

impl<'a> Build<'a> {
    /// `recipe` for `platforms` on the workspace's sources, pushed as `tag`.
    pub fn of(
        ws: &'a Workspace,
        recipe: Recipe,
        platforms: &'static [&'static str],
        tag: &str,
        prepare: &'a dyn Fn() -> Result<()>,
    ) -> Self {
        let owned = tag.to_string();
        Build {
            recipe,
            platforms,
            tag: tag.to_string(),
            image: ws.image(tag),
            prepare,
            command: Box::new(move || ws.command(recipe, platforms, &owned)),
        }
    }
}

/// One build of `recipe`, not timed, so that the measured builds after it find its cache.
pub(super) fn prime(
    ws: &Workspace,
    recipe: Recipe,
    platforms: &'static [&'static str],
    tag: &str,
) -> Result<()> {
    let mut command = ws.command(recipe, platforms, tag);
    eprintln!("+ {} (fills the cache, not timed)", cmd::display(&command));
    cmd::output(&mut command)?;
    Ok(())
}

/// [`Build::of`] for each of `recipes`, tagged `tag(recipe)`, each prepared by `prepare`.
pub(super) fn builds<'a>(
    ws: &'a Workspace,
    recipes: &[Recipe],
    platforms: &'static [&'static str],
    tag: &dyn Fn(Recipe) -> String,
    prepare: &'a dyn Fn() -> Result<()>,
) -> Vec<Build<'a>> {
    recipes
        .iter()
        .map(|&recipe| Build::of(ws, recipe, platforms, &tag(recipe), prepare))
        .collect()
}

/// Runs `builds` in `runs` rounds, each round every build once in order after its `prepare`,
/// so that the machine's drift (background work, the tail of a cold build) falls on every
/// row alike; one row per build, in the order given.
pub(super) fn measure_rounds(builds: &[Build<'_>], runs: u32) -> Result<Vec<Row>> {
    let mut rows: Vec<Row> = builds
        .iter()
        .map(|build| Row {
            recipe: build.recipe,
            platforms: build.platforms,
            runs: Vec::new(),
            image: build.image.clone(),
            command: cmd::display(&(build.command)()),
        })
        .collect();
    for n in 1..=runs {
        for (build, row) in builds.iter().zip(&mut rows) {
            (build.prepare)()?;
            let log_name = if runs > 1 {
                format!("{}-run{n}.log", build.tag)
            } else {
                format!("{}.log", build.tag)
            };
            row.runs.push(measure_once(
                (build.command)(),
                build.recipe,
                build.platforms,
                &log_name,
            )?);
        }
    }
    for row in &mut rows {
        row.runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    }
    Ok(rows)
}

fn measure_once(
    mut command: Command,
    recipe: Recipe,
    platforms: &'static [&'static str],
    log_name: &str,
) -> Result<Run> {
    let line = cmd::display(&command);
    eprintln!("+ {line}");
    let load = load_average();
    let start = Instant::now();
    let out = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start `{line}`"))?;
    let seconds = start.elapsed().as_secs_f64();
    // buildctl prints the progress on stderr.
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::create_dir_all(log_dir())?;
    let log_file = log_dir().join(log_name);
    std::fs::write(&log_file, format!("$ {line}\n{log}"))?;
    if !out.status.success() {
        bail!("`{line}` failed: {}\n{log}", out.status);
    }
    eprintln!(
        "==> {} {}: {seconds:.1}s",
        recipe.name(),
        platforms.join(",")
    );
    Ok(Run {
        seconds,
        load,
        slowest: slowest_steps(&log, 3),
        log: log_file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_slowest_steps() {
        let log = "#1 [internal] load build definition from Dockerfile.cross\n#1 DONE 9.0s\n\n#5 [linux/arm64 build 6/6] RUN go build\n#5 12.1 compiling\n#5 DONE 31.5s\n\n#6 go mod download\n#6 DONE 2.0s\n\n#7 exporting to image\n#7 DONE 4.0s\n\n#8 copy\n#8 CACHED\n";
        let steps = slowest_steps(log, 3);
        assert_eq!(
            steps,
            vec![
                ("[linux/arm64 build 6/6] RUN go build".to_string(), 31.5),
                ("go mod download".to_string(), 2.0)
            ]
        );
    }
}
