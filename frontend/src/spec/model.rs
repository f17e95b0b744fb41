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

/// Compiler settings (`build:`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Build {
    /// Extra `-ldflags` entries, appended after `-s -w -buildid=`; each entry is one flag
    /// (e.g. `-X main.version={{ .Version }}`), its templates already checked.
    pub ldflags: Vec<Located<LdflagsTemplate>>,
    /// Build tags passed as `-tags a,b`.
    pub tags: Vec<String>,
    /// Extra environment for `go build` (e.g. `GOEXPERIMENT`).
    pub env: BTreeMap<String, String>,
    /// `cgo:`; only `false` is supported now (a `true` is rejected at parse time).
    pub cgo: bool,
}

/// What the build keeps for later builds (`cache:`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cache {
    /// `cache.export`: the downloaded modules and the standard library's build cache are
    /// ordinary layers (exported by `--cache-to … mode=max`) rather than only the contents of
    /// cache mounts (never exported: moby/buildkit#1474). Default `false`.
    pub export: bool,
}

/// What the final stage starts from (`image.base`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Base {
    /// An empty filesystem (the default).
    #[default]
    Scratch,
    /// Any other image (e.g. `gcr.io/distroless/static`).
    Image(Located<ImageReference>),
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Final stage base.
    pub base: Base,
    /// `User` of the image config, `uid[:gid]`; default `65532:65532`.
    pub user: Located<String>,
    /// Numeric uid parsed from `user` (for /etc/passwd).
    pub uid: u32,
    /// Numeric gid parsed from `user` (defaults to `uid` when only a uid is written).
    pub gid: u32,
    /// `WorkingDir` (absolute path), if written.
    pub workdir: Option<String>,
    /// `Entrypoint` override; default is the (first) binary.
    pub entrypoint: Option<Vec<String>>,
    /// `Cmd` (arguments to the entrypoint).
    pub cmd: Option<Vec<String>>,
    /// Extra `Env` of the image config.
    pub env: BTreeMap<String, String>,
    /// `ExposedPorts`, sorted and deduplicated.
    pub ports: Vec<Port>,
    /// Extra `Labels`.
    pub labels: BTreeMap<String, String>,
}

impl Default for Image {
    fn default() -> Self {
        Self {
            base: Base::Scratch,
            user: Located::new("65532:65532".to_string(), Span::default()),
            uid: 65532,
            gid: 65532,
            workdir: None,
            entrypoint: None,
            cmd: None,
            env: BTreeMap::new(),
            ports: Vec::new(),
            labels: BTreeMap::new(),
        }
    }
}
