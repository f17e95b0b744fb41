//! `cargo xtask bench`: gostage and the equivalent hand-written Dockerfiles, built side by side
//! on the same buildkitd (through buildctl) in one run, reported as wall times and ratios,
//! with the exact commands. A benchmark, not a test: one run per row, nothing is asserted.
//!
//! Cases:
//! - `multiplatform`: examples/uuid-service for linux/amd64+linux/arm64 against linux/amd64
//!   alone, cold (the whole BuildKit cache pruned before each measured build): gostage, the
//!   hand-written cross-compiling Dockerfile (xtask/bench/Dockerfile.cross) and the same
//!   Dockerfile without `--platform=$BUILDPLATFORM`, whose arm64 compile runs under qemu
//!   (xtask/bench/Dockerfile.emulated); and the sizes of the images.
//! - `warm`: rebuilds of the same sources, after a one-line edit of main.go (also with the
//!   emulating Dockerfile) and after a module is added to go.mod, gostage against the
//!   cross-compiling Dockerfile.
//! - `load`: 16 different programs (tests/fixtures/load-program) built at once, cold, against
//!   one of them alone (bench/load.rs).
//! - `ci`: a CI run on a runner that starts empty: the cache of the previous run imported from
//!   the registry, after a one-line edit of main.go, for gostage, gostage with
//!   `cache: {export: true}` and the cross-compiling Dockerfile.
//! - `ko`: ko on the host against gostage, cold, unchanged and edited (bench/ko.rs).
//! - `large`: a large real program (Caddy with its standard modules), gostage against the
//!   cross-compiling Dockerfile, cold, unchanged and edited (bench/programs.rs).
//! - `cgo`: examples/notes (SQLite through cgo) against Dockerfile.cgo, cold, unchanged and
//!   edited (bench/programs.rs).

mod ko;
mod load;
mod programs;
mod recipe;

use crate::config::scratch_dir;
use crate::{buildkitd, image, up};
use anyhow::bail;
use anyhow::{Context, Result};
use gostage_support::build_command::buildctl;
use gostage_support::config::{workspace_root, BUILDKIT_ADDR};
use gostage_support::{cmd, go};
use recipe::{Program, Recipe, Workspace};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Case {
    /// amd64+arm64 against amd64 alone, cold: gostage, cross-compiling and emulating Dockerfiles.
    Multiplatform,
    /// Rebuilds (amd64+arm64): unchanged, after a one-line .go edit, after a dependency is
    /// added; gostage against the Dockerfiles.
    Warm,
    /// A CI run on an empty runner importing the last run's registry cache: cache.export or not.
    Ci,
    /// 16 different programs built at once, cold, against one alone.
    Load,
    /// ko (on the host) against gostage: cold, unchanged, one-line edit.
    Ko,
    /// A large real program (Caddy): cold, unchanged, one-line edit, amd64.
    Large,
    /// A cgo program (SQLite): cold, unchanged, one-line edit, amd64.
    Cgo,
    /// Every case.
    All,
}

#[derive(clap::Args)]
pub struct Args {
    /// Which comparison to run.
    #[arg(long, value_enum, default_value_t = Case::All)]
    pub case: Case,
    /// Do not run `up` and `image` first (the environment and the frontend image are current).
    #[arg(long)]
    pub no_setup: bool,
    /// Leave out Dockerfile.emulated (its cold arm64 build under qemu takes minutes).
    #[arg(long)]
    pub no_emulated: bool,
    /// Measure each row this many times (each run prepared alike) and report the median.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
}

const AMD64: &[&str] = &["linux/amd64"];
const BOTH: &[&str] = &["linux/amd64", "linux/arm64"];

/// One run of a measured build.
struct Run {
    seconds: f64,
    /// The 1-minute load average just before the build.
    load: String,
    /// The slowest steps, from the plain progress output.
    slowest: Vec<(String, f64)>,
    log: PathBuf,
}

/// One measured build, run one or more times.
struct Row {
    recipe: Recipe,
    platforms: &'static [&'static str],
    /// Sorted by time.
    runs: Vec<Run>,
    image: String,
    command: String,
}

impl Row {
    /// The median run (the lower one of an even count).
    fn median(&self) -> &Run {
        &self.runs[(self.runs.len() - 1) / 2]
    }
    fn seconds(&self) -> f64 {
        self.median().seconds
    }
}

/// What a case printed: its rows, ratios and notes.
#[derive(Default)]
struct Section {
    title: String,
    method: String,
    rows: Vec<Row>,
    ratios: Vec<String>,
    notes: Vec<String>,
}

impl Section {
    fn find(&self, recipe: Recipe, platforms: &[&str]) -> Option<&Row> {
        self.rows.get(self.position(recipe, platforms)?)
    }

    /// The index of the row of `recipe` for `platforms`.
    fn position(&self, recipe: Recipe, platforms: &[&str]) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.recipe == recipe && r.platforms == platforms)
    }

    /// `a / b` as a ratio line, when both rows exist.
    fn ratio(&mut self, a: (Recipe, &[&str]), b: (Recipe, &[&str]), note: &str) {
        let (Some(x), Some(y)) = (self.find(a.0, a.1), self.find(b.0, b.1)) else {
            return;
        };
        let line = ratio_line(x, y, note);
        self.ratios.push(line);
    }

    fn print(&self, out: &mut String) {
        let _ = writeln!(out, "\n## {}\n{}\n", self.title, self.method);
        if self.rows.is_empty() {
            for note in &self.notes {
                let _ = writeln!(out, "  {note}");
            }
            return;
        }
        let runs = self.rows.first().map_or(1, |r| r.runs.len());
        let wall = if runs > 1 {
            format!("wall (median of {runs}, min–max)")
        } else {
            "wall".to_string()
        };
        let walls: Vec<String> = self
            .rows
            .iter()
            .map(|row| {
                let mut wall = format!("{:.1}s", row.seconds());
                if row.runs.len() > 1 {
                    let (min, max) = (&row.runs[0], &row.runs[row.runs.len() - 1]);
                    wall.push_str(&format!(" ({:.1}–{:.1})", min.seconds, max.seconds));
                }
                wall
            })
            .collect();
        let width = walls
            .iter()
            .chain(std::iter::once(&wall))
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "  {:<3} {:<20} {:<24} {wall:>width$}  {:>5}  slowest steps",
            "#", "build", "platforms", "load"
        );
        for (i, (row, wall)) in self.rows.iter().zip(&walls).enumerate() {
            let run = row.median();
            let slowest = run
                .slowest
                .iter()
                .map(|(name, secs)| format!("{name} {secs:.1}s"))
                .collect::<Vec<_>>()
                .join("; ");
            let _ = writeln!(
                out,
                "  {:<3} {:<20} {:<24} {wall:>width$}  {:>5}  {slowest}",
                i + 1,
                row.recipe.name(),
                row.platforms.join(","),
                run.load,
            );
        }
        if !self.ratios.is_empty() {
            let _ = writeln!(out, "\n  ratios:");
            for line in &self.ratios {
                let _ = writeln!(out, "  {line}");
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "\n  {note}");
        }
        let _ = writeln!(
            out,
            "\n  commands (in order; build logs in {}):",
            log_dir().display()
        );
        for (i, row) in self.rows.iter().enumerate() {
            let _ = writeln!(
                out,
                "  #{} {}\n     log: {}",
                i + 1,
                row.command,
                row.median().log.display()
            );
        }
    }
}

/// `x / y` in seconds as a report line: the two rows named, the ratio, then `note`.
fn ratio_line(x: &Row, y: &Row, note: &str) -> String {
    format!(
        "{:<58} {:>6.2}×  {note}",
        format!(
            "{} {} / {} {}",
            x.recipe.name(),
            short(x.platforms),
            y.recipe.name(),
            short(y.platforms)
        ),
        x.seconds() / y.seconds()
    )
}

fn short(platforms: &[&str]) -> String {
    platforms
        .iter()
        .map(|p| p.trim_start_matches("linux/"))
        .collect::<Vec<_>>()
        .join("+")
}

/// `buildctl prune --all`: drops the build cache, the cache mounts and the pulled images.
fn prune() -> Result<()> {
    cmd::output(&mut prune_command())?;
    Ok(())
}

fn prune_command() -> Command {
    let mut c = buildctl();
    c.args(["prune", "--all"]);
    c
}

/// Where each measured build's progress output is kept.
fn log_dir() -> PathBuf {
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
pub(crate) struct Build<'a> {
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
pub(crate) fn prime(
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
pub(crate) fn builds<'a>(
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
fn measure_rounds(builds: &[Build<'_>], runs: u32) -> Result<Vec<Row>> {
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

/// Why the emulated rows cannot run, if they cannot: qemu binfmt for arm64 and a buildkitd
/// worker that lists linux/arm64.
fn emulation_unavailable() -> Option<String> {
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

fn multiplatform(ws: &Workspace, emulated: Result<(), String>, runs: u32) -> Result<Section> {
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

/// A ratio's verdict against a goal: `met` when `value ≤ goal`.
fn verdict(value: f64, goal: f64) -> String {
    match value <= goal {
        true => format!("goal ≤ {goal:.2}×: met"),
        false => format!("goal ≤ {goal:.2}×: MISSED"),
    }
}

/// Where the time of a missed goal went, from each row's median run: its longest step and
/// the rest of the wall time (wall minus that step, which other steps may overlap), or that
/// no step ran.
fn breakdown(x: &Row, y: &Row) -> String {
    let part = |row: &Row| {
        let run = row.median();
        let name = format!("{} {}", row.recipe.name(), short(row.platforms));
        match run.slowest.first() {
            Some((step, seconds)) if *seconds >= 0.05 => format!(
                "{name} {:.1}s = its longest step ({step}) {seconds:.1}s + {:.1}s of the rest",
                run.seconds,
                run.seconds - seconds
            ),
            _ => format!(
                "{name} {:.2}s with no step run (every step cached, or a build outside BuildKit)",
                run.seconds
            ),
        }
    };
    format!("{}; {}", part(x), part(y))
}

impl Section {
    /// [`Section::judged_rows`] for the rows of `a` and `b`, when both exist.
    fn judged(
        &mut self,
        a: (Recipe, &[&str]),
        b: (Recipe, &[&str]),
        note: &str,
        goal: f64,
        why: Option<String>,
    ) {
        if let (Some(a), Some(b)) = (self.position(a.0, a.1), self.position(b.0, b.1)) {
            self.judged_rows(a, b, note, goal, why);
        }
    }

    /// The ratio line of `rows[a] / rows[b]` with `note` (a parenthesis) and the verdict
    /// against `goal`; when missed, a `why:` line under it with the measured [`breakdown`]
    /// and `why`, what the caller knows about the cause. By index, for sections where a
    /// recipe and platforms repeat (cold, unchanged, edit).
    fn judged_rows(&mut self, a: usize, b: usize, note: &str, goal: f64, why: Option<String>) {
        let (Some(x), Some(y)) = (self.rows.get(a), self.rows.get(b)) else {
            return;
        };
        let value = x.seconds() / y.seconds();
        let note = format!("{}; {})", note.trim_end_matches(')'), verdict(value, goal));
        let mut lines = vec![ratio_line(x, y, &note)];
        if value > goal {
            let mut reason = breakdown(x, y);
            if let Some(why) = why {
                reason.push_str(&format!("; {why}"));
            }
            lines.push(format!("    why: {reason}"));
        }
        self.ratios.extend(lines);
    }
}

/// The rebuild cases, each its own section, for gostage and the Dockerfiles on amd64+arm64:
/// the same sources again (`unchanged`), after a one-line edit of main.go (`warm`), and after
/// a new module in go.mod imported by the program (`dependency added`).
fn warm(ws: &Workspace, emulated: Result<(), String>, runs: u32) -> Result<Vec<Section>> {
    let mut unchanged = Section {
        title: "unchanged: uuid-service amd64+arm64, the same sources built again".into(),
        method: "For each recipe: one build (not timed, fills the cache), then the measured \
                 builds of the same sources: every step is cached, so this is the frontend's \
                 and BuildKit's own overhead (gateway round trips, cache lookups, export). \
                 Dockerfile.floor copies one file FROM scratch through the same Dockerfile \
                 frontend image: the frontend's container, one spec read and the export and \
                 push of two platforms, the part of every row that no recipe can cut."
            .into(),
        ..Section::default()
    };
    let mut edited = Section {
        title: "warm: uuid-service amd64+arm64, rebuild after a one-line edit of main.go".into(),
        method: "For each recipe: one build of the current sources (not timed, fills the cache), \
                 then a one-line change of cmd/uuid-service/main.go (a new log message, unique \
                 per build), then the measured rebuild. Nothing is pruned."
            .into(),
        ..Section::default()
    };
    let mut dependency = Section {
        title: "dependency added: uuid-service amd64+arm64, a new module in go.mod".into(),
        method: "For each recipe, from the original go.mod: before each measured build, `go get` \
                 of one more small module (github.com/pkg/errors, then dustin/go-humanize, …; \
                 go.mod and go.sum change) and a file of the main package importing it (not \
                 timed). The build downloads the new module and compiles it and the program."
            .into(),
        ..Section::default()
    };
    // Emulated first: after the multiplatform case its build is the one still in the cache.
    let mut primed = Vec::new();
    match &emulated {
        Ok(()) => primed.push(Recipe::Emulated),
        Err(why) => edited
            .notes
            .push(format!("Dockerfile.emulated skipped: {why}.")),
    }
    primed.extend([Recipe::Gostage, Recipe::Cross, Recipe::Floor]);
    ws.remove_dependencies()?;
    let tag = |recipe: Recipe| format!("{}-warm", recipe.tag());
    for &recipe in &primed {
        prime(ws, recipe, BOTH, &tag(recipe))?;
    }
    // Unchanged and edited rebuilds alternate their recipes, round by round.
    let nothing = || Ok(());
    let edit = || ws.edit_main();
    let again = [Recipe::Gostage, Recipe::Cross, Recipe::Floor];
    unchanged.rows = measure_rounds(&builds(ws, &again, BOTH, &tag, &nothing), runs)?;
    let edited_recipes: Vec<Recipe> = primed
        .iter()
        .copied()
        .filter(|recipe| *recipe != Recipe::Floor)
        .collect();
    edited.rows = measure_rounds(&builds(ws, &edited_recipes, BOTH, &tag, &edit), runs)?;
    // Each recipe adds its own modules from the original go.mod, one per build.
    let add = || ws.add_dependency();
    for recipe in [Recipe::Gostage, Recipe::Cross] {
        ws.remove_dependencies()?;
        dependency.rows.extend(measure_rounds(
            &builds(ws, &[recipe], BOTH, &tag, &add),
            runs,
        )?);
    }
    ws.remove_dependencies()?;
    let floor_why = match (
        unchanged.find(Recipe::Floor, BOTH),
        unchanged.find(Recipe::Cross, BOTH),
        unchanged.find(Recipe::Gostage, BOTH),
    ) {
        (Some(floor), Some(cross), Some(gostage)) => Some(format!(
            "Dockerfile.floor (one file FROM scratch through a frontend image) takes {:.0} ms, \
             {:.2}× of Dockerfile.cross: the goal leaves {:.0} ms above that floor for \
             reading the spec and go.mod, resolving the images and checking the result, and \
             gostage takes {:.0} ms",
            floor.seconds() * 1000.0,
            floor.seconds() / cross.seconds(),
            (0.8 * cross.seconds() - floor.seconds()) * 1000.0,
            (gostage.seconds() - floor.seconds()) * 1000.0,
        )),
        _ => None,
    };
    unchanged.judged(
        (Recipe::Gostage, BOTH),
        (Recipe::Cross, BOTH),
        "(gostage against the cross-compiling Dockerfile)",
        0.8,
        floor_why,
    );
    unchanged.ratio(
        (Recipe::Floor, BOTH),
        (Recipe::Cross, BOTH),
        "(the floor: a trivial build through a frontend image; no recipe goes below it)",
    );
    edited.ratio(
        (Recipe::Gostage, BOTH),
        (Recipe::Cross, BOTH),
        "(gostage against the cross-compiling Dockerfile)",
    );
    edited.ratio(
        (Recipe::Gostage, BOTH),
        (Recipe::Emulated, BOTH),
        "(gostage against the emulating Dockerfile)",
    );
    dependency.ratio(
        (Recipe::Gostage, BOTH),
        (Recipe::Cross, BOTH),
        "(gostage against the cross-compiling Dockerfile)",
    );
    Ok(vec![unchanged, edited, dependency])
}

/// The `ci` case: each recipe's previous run exports its cache, then a fresh runner (pruned
/// daemon, edited main.go) imports it; measured is that second build.
fn ci(ws: &Workspace, runs: u32) -> Result<Section> {
    let mut s = Section {
        title: "ci: uuid-service amd64+arm64 on an empty runner, importing the last run's cache"
            .into(),
        method: format!(
            "For each recipe: the previous CI run, not timed (`{prune}`, a one-line edit of \
             main.go, the build with --export-cache type=registry,ref=…,mode=max); then the \
             measured run as a fresh runner does it: another one-line edit (the next commit), \
             `{prune}` (an empty daemon: no build cache, no cache mounts, no images), and the \
             build with --import-cache and --export-cache of the same reference. Modules come \
             through the host's GOPROXY. The time includes pulling the builder image and the \
             cache from the local registry and pushing the image and the cache.",
            prune = cmd::display(&prune_command())
        ),
        ..Section::default()
    };
    s.notes.push(
        "gostage without cache.export is not a row: on a runner that starts empty, `go mod \
         download` comes from the imported cache without its modules (they were in a cache \
         mount), and the offline compile stops with a hint to set cache.export \
         (tests/tests/cache_export.rs)."
            .into(),
    );
    for recipe in [Recipe::GostageExport, Recipe::Cross] {
        let tag = format!("{}-ci", recipe.tag());
        let command = || ws.ci_command(recipe, BOTH, &tag);
        prune()?;
        ws.edit_main()?;
        let mut previous = command();
        eprintln!(
            "+ {} (the previous run, not timed)",
            cmd::display(&previous)
        );
        cmd::output(&mut previous)?;
        let fresh_runner = || {
            ws.edit_main()?;
            prune()
        };
        let build = Build {
            command: Box::new(command),
            ..Build::of(ws, recipe, BOTH, &tag, &fresh_runner)
        };
        s.rows.extend(measure_rounds(&[build], runs)?);
    }
    s.ratio(
        (Recipe::GostageExport, BOTH),
        (Recipe::Cross, BOTH),
        "(cache.export against the hand-written cross-compiling Dockerfile)",
    );
    Ok(s)
}

fn human(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.2} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

fn header(runs: u32) -> String {
    let buildkit = buildkitd::running_version();
    let go = go::env("GOVERSION").unwrap_or_default();
    let commit = cmd::output(
        Command::new("git")
            .args(["describe", "--always", "--dirty"])
            .current_dir(workspace_root()),
    )
    .map(|s| s.trim().to_string())
    .unwrap_or_else(|_| "unknown".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "# cargo xtask bench (workspace {commit})\n\
         buildkitd {buildkit} at {BUILDKIT_ADDR}, driven by buildctl; {cpus} CPUs; \
         golang:1.23 = the host's {go} (cargo xtask up)\n\
         {runs} run(s) per row, the rows compared in a ratio alternating round by round; every image is pushed to the local registry (included in the time)",
    )
}

pub fn run(args: &Args) -> Result<()> {
    up::ensure_toolchains_on_path()?;
    if !args.no_setup {
        up::run(&up::Args { skip_verify: true })?;
        image::run()?;
    }
    let ws = Workspace::new(
        Program::uuid_service(),
        &workspace_root().join("xtask/bench"),
        &scratch_dir("bench-context"),
    )
    .context("preparing the bench context")?;
    let emulated = match emulation_unavailable() {
        Some(why) => Err(why),
        None if args.no_emulated => Err("--no-emulated was given".to_string()),
        None => Ok(()),
    };
    // Each section is printed (stdout) as soon as its case is done, and all of them end up
    // in bench/RESULTS.md.
    let mut report = format!("{}\n{}\n", header(args.runs), machine());
    println!("{report}");
    let start = Instant::now();
    let show = |section: Section, report: &mut String| {
        let mut out = String::new();
        section.print(&mut out);
        println!("{out}");
        report.push_str(&out);
        report.push('\n');
    };
    if matches!(args.case, Case::Multiplatform | Case::All) {
        show(
            multiplatform(&ws, emulated.clone(), args.runs)?,
            &mut report,
        );
    }
    if matches!(args.case, Case::Warm | Case::All) {
        for section in warm(&ws, emulated, args.runs)? {
            show(section, &mut report);
        }
    }
    if matches!(args.case, Case::Ci | Case::All) {
        show(ci(&ws, args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Load | Case::All) {
        show(load::load(args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Ko | Case::All) {
        show(ko::ko(&ws, args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Large | Case::All) {
        show(programs::large(args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Cgo | Case::All) {
        show(programs::cgo(args.runs)?, &mut report);
    }
    let finished = format!("bench finished in {:.0}s", start.elapsed().as_secs_f64());
    println!("{finished}");
    write_results(args, &report, &finished)
}

/// Writes bench/RESULTS.md: the command, the machine and every section printed.
fn write_results(args: &Args, report: &str, finished: &str) -> Result<()> {
    let case = format!("{:?}", args.case).to_lowercase();
    let path = workspace_root().join("bench/RESULTS.md");
    std::fs::create_dir_all(path.parent().context("bench/ has no parent")?)?;
    let mut flags = String::new();
    if args.no_emulated {
        flags.push_str(" --no-emulated");
    }
    if args.no_setup {
        flags.push_str(" --no-setup");
    }
    let text = format!(
        "# Benchmark results\n\nWritten by `cargo xtask bench --case {case} --runs {runs}{flags}`; \
         times are medians of {runs} run(s), in seconds, wall clock of the client command.\n\n\
         ```text\n{report}{finished}\n```\n",
        runs = args.runs
    );
    std::fs::write(&path, text)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The machine: CPUs, memory, kernel and OS, Docker Engine.
fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches(" kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or("unknown".to_string(), |kib| {
            format!("{:.1} GiB", kib as f64 / 1_048_576.0)
        });
    let os = read("/etc/os-release")
        .lines()
        .find_map(|line| line.strip_prefix("PRETTY_NAME="))
        .unwrap_or("unknown")
        .trim_matches('"')
        .to_string();
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|value| value.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_default();
    let docker = cmd::docker(&["version", "-f", "{{.Server.Version}}"]).unwrap_or_default();
    format!("machine: {os}, kernel {kernel}, {cpu}, {memory} memory; Docker Engine {docker}")
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
        assert_eq!(short(BOTH), "amd64+arm64");
    }

    fn row(recipe: Recipe, seconds: f64, slowest: &[(&str, f64)]) -> Row {
        Row {
            recipe,
            platforms: AMD64,
            runs: vec![Run {
                seconds,
                load: "0.00".into(),
                slowest: slowest
                    .iter()
                    .map(|(name, s)| (name.to_string(), *s))
                    .collect(),
                log: PathBuf::new(),
            }],
            image: String::new(),
            command: String::new(),
        }
    }

    #[test]
    fn a_missed_goal_says_where_the_time_went() {
        let mut section = Section {
            rows: vec![
                row(Recipe::Gostage, 27.4, &[("go build", 22.1)]),
                row(Recipe::Cross, 29.1, &[("RUN go build", 23.7)]),
                row(Recipe::Gostage, 0.25, &[]),
                row(Recipe::Cross, 0.2, &[]),
            ],
            ..Section::default()
        };
        section.judged_rows(0, 1, "(cold)", 0.9, Some("more".into()));
        section.judged_rows(0, 1, "(cold)", 0.95, None);
        section.judged_rows(2, 3, "(unchanged)", 0.8, None);
        assert_eq!(section.ratios.len(), 5);
        assert!(section.ratios[0].ends_with("0.94×  (cold; goal ≤ 0.90×: MISSED)"));
        assert_eq!(
            section.ratios[1],
            "    why: gostage amd64 27.4s = its longest step (go build) 22.1s + 5.3s of the rest; \
             Dockerfile.cross amd64 29.1s = its longest step (RUN go build) 23.7s + 5.4s of the \
             rest; more"
        );
        assert!(section.ratios[2].ends_with("(cold; goal ≤ 0.95×: met)"));
        assert!(section.ratios[4]
            .starts_with("    why: gostage amd64 0.25s with no step run (every step cached"));
    }

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
