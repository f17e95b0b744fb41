//! `cargo xtask <task>`: provisioning and developer tasks for gostage (cargo-xtask pattern).
//!
//! The real components (registry, Docker Engine, buildkitd, buildx, Go builder images) are
//! described in docs/architecture.md, "Test environment": `up` provisions them on this
//! machine, `image` pushes the frontend image, `test` runs the end-to-end tests against them.

mod apt;
mod bench;
mod binfmt;
mod builder_images;
mod buildkitd;
mod buildx;
mod busybox_image;
mod config;
mod debian_rootfs;
mod demo;
mod docker_engine;
mod dockerfile_frontend;
mod fuzz;
mod golang_index;
mod image;
mod logs;
mod process;
mod registry;
mod report;
mod rust_image;
mod test;
mod up;
mod verify;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Developer tasks for gostage")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Provision registry, Docker Engine, buildkitd, buildx and Go builder images (idempotent).
    Up(up::Args),
    /// Build the static frontend binary and push the frontend image.
    Image,
    /// up + image, then build and run examples/hello through the Docker Engine.
    Demo,
    /// rustfmt and clippy checks, unit tests, then up + image, then the end-to-end tests.
    Test(test::Args),
    /// gostage against hand-written Dockerfiles on buildkitd: wall times, ratios, image sizes.
    Bench(bench::Args),
    /// cargo fuzz over every target of fuzz/ (spec to LLB, go.mod, parsers, options).
    Fuzz(fuzz::Args),
    /// Print the last lines of the daemon logs (registry, dockerd, buildkitd).
    Logs {
        /// How many lines of each log.
        #[arg(short = 'n', long, default_value_t = 60)]
        lines: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Up(args) => up::run(&args).map(|_| ()),
        Task::Image => image::run(),
        Task::Demo => demo::run(),
        Task::Test(args) => test::run(&args),
        Task::Bench(args) => bench::run(&args),
        Task::Fuzz(args) => fuzz::run(&args).map(|_| ()),
        Task::Logs { lines } => {
            logs::print_tails(lines);
            Ok(())
        }
    }
}
