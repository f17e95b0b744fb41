//! The validated `gostage.yaml` model that the rest of the frontend consumes.
//!
//! `spec::parse` turns YAML bytes into these types; every field a later error may need to
//! point at keeps its [`Span`] so that `plan` and `gateway` can report `gostage.yaml:LINE:COLUMN`.

use std::collections::BTreeMap;

use crate::vocabulary::{ImageReference, LdflagsTemplate, Located, Platform, Span};

/// A whole, validated spec (version 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Schema version; only `1` exists.
    pub version: u32,
    /// Go version requested by `go:` (e.g. `1.23`), if any; otherwise go.mod decides.
    pub go: Option<Located<String>>,
    /// Builder image reference from `builder:` (e.g. `golang:1.23`), if any.
    pub builder: Option<Located<ImageReference>>,
    /// The programs to build: from `main:` (one, named after its directory) or `binaries:`.
    /// Never empty: with neither key, one binary from `.` named after the module path.
    pub binaries: Vec<Binary>,
    /// Compiler settings from `build:`.
    pub build: Build,
    /// Output image settings from `image:`.
    pub image: Image,
    /// Target platforms from `platforms:` (normalised, each one Go can target), used when
    /// the client passes none. Empty means the build platform.
    pub platforms: Vec<Located<Platform>>,
    /// Where private modules come from (`modules:`); empty when not written.
    pub modules: Modules,
    /// Files of the build context to copy into the image (`files:`), in the order written.
    pub files: Vec<CopiedFile>,
    /// What `--target test` runs (`test:`).
    pub test: Test,
    /// What the build keeps for later builds, from `cache:`.
    pub cache: Cache,
    /// Where the whole document starts (for errors that concern the file as a whole).
    pub span: Span,
}

/// One program to compile into the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    /// Go package path of the `main` package, relative to the module root, as written
    /// (`./cmd/server`, `.`). Always starts with `.`.
    pub main: Located<String>,
    /// File name of the binary in the image (`/usr/local/bin/<name>`) when written; validated
    /// to be a plain file name (no `/`, not `.` or `..`). `None`: `plan` derives it from the
    /// main directory's last element, or for `.` from the module path's last element.
    pub name: Option<String>,
}

/// What `--target test` runs (`test:`): `go test <flags> <packages>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Test {
    /// Package patterns as written (`./...`, `./internal/...`); default `./...` at line 0.
    /// None starts with `-`.
    pub packages: Vec<Located<String>>,
    /// `go test` flags as written (`-count=1`, `-v`); each starts with `-`, none is `-race`.
    pub flags: Vec<Located<String>>,
}

impl Test {
    /// The package pattern used when `test.packages` is not written: every package of the
    /// module.
    pub const DEFAULT_PACKAGES: &'static str = "./...";
}

impl Default for Test {
    fn default() -> Self {
        Self {
            packages: vec![Located::new(
                Self::DEFAULT_PACKAGES.to_string(),
                Span::default(),
            )],
            flags: Vec::new(),
        }
    }
}

/// Compiler settings (`build:`), and the module they compile (`module:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    /// The directory of the main module's go.mod, relative to the build context root and
    /// normalised (`./svc/` → `svc`; `.` is the root, the default, at line 0), from the
    /// top-level `module:` key. The go command runs there, as with `go -C <dir>`; `main`,
    /// `binaries[].main` and `test.packages` are relative to it. Never absolute, never
    /// outside the context, never a pattern (`*`, `?`, `[`).
    pub module: Located<String>,
    /// Extra `-ldflags` entries, appended after `-s -w -buildid=`; each entry is one flag
    /// (e.g. `-X main.version={{ .Version }}`), its templates already checked.
    pub ldflags: Vec<Located<LdflagsTemplate>>,
    /// Build tags passed as `-tags a,b`.
    pub tags: Vec<String>,
    /// Extra environment for `go build` (e.g. `GOEXPERIMENT`).
    pub env: BTreeMap<String, String>,
    /// `cgo:`: compile with `CGO_ENABLED=1` and the builder's C toolchain (a Debian cross
    /// compiler for another target architecture). `plan` links statically on a base without a
    /// C library ([`Base::is_static`]) and dynamically on any other base.
    pub cgo: bool,
    /// `packages:`: Debian package names installed in the builder with `apt-get` before the
    /// compile, in the order written, each once; only with `cgo` (checked).
    pub packages: Vec<Located<String>>,
}

impl Build {
    /// `module:` when it is not written: the build context's root.
    pub const ROOT_MODULE: &'static str = ".";
}

impl Default for Build {
    fn default() -> Self {
        Self {
            module: Located::new(Self::ROOT_MODULE.to_string(), Span::default()),
            ldflags: Vec::new(),
            tags: Vec::new(),
            env: BTreeMap::new(),
            cgo: false,
            packages: Vec::new(),
        }
    }
}

/// What `image.base: distroless` stands for: Google's distroless static image for Debian 12,
/// with the `nonroot` user (65532) as its `User` (tags: GoogleContainerTools/distroless
/// README). Resolved for each target platform like any base; `--build-context` with this
/// name replaces it.
pub const DISTROLESS: &str = "gcr.io/distroless/static-debian12:nonroot";

/// What `image.base: distroless-base` stands for: Google's distroless base image for Debian 12
/// (glibc, libssl, openssl, ca-certificates on top of the static image), with the `nonroot`
/// user (tags: GoogleContainerTools/distroless README, `base/README.md`). The base for a
/// dynamically linked cgo program.
pub const DISTROLESS_BASE: &str = "gcr.io/distroless/base-debian12:nonroot";

/// Repositories of Google's distroless images without a C library (`static`, and its
/// per-Debian-release names `static-debian11`, `static-debian12`, …).
const STATIC_DISTROLESS_REPOSITORY: &str = "gcr.io/distroless/static";

/// A file or directory of the build context copied into the image (`files:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedFile {
    /// Path in the build context, normalised (`./config/` → `config`), never empty, absolute
    /// or outside the context; its span is where `src:` was written.
    pub src: Located<String>,
    /// Absolute path of the copy in the image: `dst` as written, or for a `dst` ending in `/`,
    /// that directory joined with the last element of `src`.
    pub dst: String,
    /// Permission bits for everything copied (`mode:`); `None`: 0644 for a file, 0755 for a
    /// directory and everything in it.
    pub mode: Option<u32>,
}

/// The numeric user the programs run as (`image.user`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// As written, `uid[:gid]`: the config's `User`.
    pub written: Located<String>,
    /// Numeric uid.
    pub uid: u32,
    /// Numeric gid (the uid when only a uid is written).
    pub gid: u32,
}

/// The user gostage runs programs as when neither the spec nor the base image names one:
/// `nonroot` of distroless, 65532:65532.
pub const DEFAULT_USER: &str = "65532:65532";

/// What the build keeps for later builds (`cache:`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cache {
    /// `cache.export`: Go's build cache after compiling the standard library, then the
    /// imported dependency packages, is an ordinary layer per platform (exported by
    /// `--cache-to … mode=max`) rather than only the contents of a cache mount (never
    /// exported: moby/buildkit#1474). Default `false`.
    pub export: bool,
}

/// What the final stage starts from (`image.base`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Base {
    /// An empty filesystem (the default).
    #[default]
    Scratch,
    /// Any other image (e.g. `gcr.io/distroless/static`; `distroless` is [`DISTROLESS`]).
    Image(Located<ImageReference>),
}

impl Base {
    /// Whether the base has no C library, so a program on it must be statically linked:
    /// scratch, and Google's distroless static images ([`DISTROLESS`],
    /// `gcr.io/distroless/static[-debianNN]`, any tag or digest). Any other image may bring
    /// one (a glibc base such as [`DISTROLESS_BASE`] or a Debian image does).
    pub fn is_static(&self) -> bool {
        match self {
            Base::Scratch => true,
            Base::Image(reference) => {
                let repository = reference.value.repository();
                repository == STATIC_DISTROLESS_REPOSITORY
                    || repository
                        .strip_prefix(STATIC_DISTROLESS_REPOSITORY)
                        .and_then(|rest| rest.strip_prefix("-debian"))
                        .is_some_and(|release| {
                            !release.is_empty() && release.bytes().all(|byte| byte.is_ascii_digit())
                        })
            }
        }
    }
}

/// A container port from `image.ports` (`8080`, `8080/tcp`, `53/udp`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Port {
    /// Port number, 1..=65535.
    pub number: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
}

/// Output image settings (`image:`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    /// Final stage base.
    pub base: Base,
    /// `User` of the image config, if written; `None`: the base image's `User`, else
    /// [`DEFAULT_USER`] (`plan` decides).
    pub user: Option<User>,
    /// `WorkingDir` (absolute path), if written; `None` keeps the base image's.
    pub workdir: Option<String>,
    /// `Entrypoint` override; default is the (first) binary.
    pub entrypoint: Option<Vec<String>>,
    /// `Cmd` (arguments to the entrypoint).
    pub cmd: Option<Vec<String>>,
    /// Extra `Env` of the image config; each key replaces the base image's entry.
    pub env: BTreeMap<String, String>,
    /// `ExposedPorts`, sorted and deduplicated.
    pub ports: Vec<Port>,
    /// `image.ports` as written, in order, duplicates kept, each where it is written (for
    /// the lint rules).
    pub written_ports: Vec<Located<Port>>,
    /// Extra `Labels`.
    pub labels: BTreeMap<String, String>,
    /// `Healthcheck` of the image config, if written (at the `healthcheck:` mapping).
    pub healthcheck: Option<Located<Healthcheck>>,
}

/// `image.healthcheck`: a probe and its timings. Durations are in nanoseconds, as the image
/// config stores them; 0 means Docker's default (`docker-image-spec` `HealthcheckConfig`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Healthcheck {
    /// What Docker runs.
    pub probe: Probe,
    /// `interval`: time between two probes; 0 or at least 1ms.
    pub interval: i64,
    /// `timeout`: time after which a probe counts as failed; 0 or at least 1ms.
    pub timeout: i64,
    /// `start-period`: time after the start during which failures do not count; 0 or at
    /// least 1ms.
    pub start_period: i64,
    /// `retries`: consecutive failures that make the container unhealthy; 0 = Docker's 3.
    pub retries: i64,
}

/// The probe of a healthcheck.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    /// `http`: gostage's probe program gets this `http://host[:port][/path]` URL (checked).
    Http(Located<String>),
    /// `cmd`: a program of the image and its arguments, run without a shell; never empty.
    Command(Vec<String>),
}

/// Where private modules come from (`modules:`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Modules {
    /// Where `modules:` is written (`None` when it is not), for hints about private modules.
    pub span: Option<Span>,
    /// Hosts whose modules are fetched with git over SSH, in spec order, each host once.
    pub ssh: Vec<SshHost>,
    /// `known_hosts` lines for those hosts (OpenSSH format, checked line by line), as written.
    pub known_hosts: Option<Located<String>>,
}

/// A host whose modules git fetches over SSH (`modules.ssh[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshHost {
    /// The host name that starts the module paths (`git.example.com`): lower case, no
    /// scheme, port or path.
    pub host: Located<String>,
    /// The URL git uses instead of `https://<host>/`: `user@host:` (scp form) or
    /// `ssh://user@host[:port]/…/`; the written `url`, else `git@<host>:` placed at `host`.
    pub url: Located<String>,
}
