//! The command line of `cargo xtask bench`: which case, how many runs, what to leave out.

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Case {
    /// amd64+arm64 against amd64 alone, cold: gostage, cross-compiling and emulating Dockerfiles.
    Multiplatform,
    /// Rebuilds (amd64+arm64): unchanged, after a one-line .go edit, after a dependency is
    /// added; gostage against the Dockerfiles.
    Warm,
    /// A CI run on an empty runner importing the last run's registry cache: gostage with
    /// cache.export against the cross-compiling Dockerfile, uuid-service amd64+arm64.
    Ci,
    /// The `ci` case on the large real program (Caddy), amd64.
    CiLarge,
    /// 16 different programs built at once, cold, against one alone.
    Load,
    /// ko (on the host) against gostage: cold, unchanged, one-line edit.
    Ko,
    /// A large real program (Caddy): cold, unchanged, one-line edit, amd64.
    Large,
    /// A cgo program (SQLite): cold, unchanged, one-line edit, amd64.
    Cgo,
    /// A service of a go.work repository built from its root: cold, unchanged, one-line edit
    /// of the shared library, amd64.
    Monorepo,
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
