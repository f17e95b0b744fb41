//! The spec exactly as written: serde types that mirror `gostage.yaml` (unknown keys are
//! errors), with positions, and the source of the JSON Schema.
//!
//! Doc comments here are user documentation: they become the schema's descriptions that
//! editors show. `validate` turns these types into the public model.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::spanned::Spanned;

/// gostage.yaml: how to build a Go module into a minimal container image.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gostage.yaml")]
pub(crate) struct Spec {
    /// Version of the gostage.yaml format: `1`.
    #[schemars(required, range(min = 1, max = 1))]
    pub version: Option<Spanned<u64>>,
    /// Go version to build with, quoted: `"1.23"` or `"1.23.4"`. Default: go.mod's
    /// `toolchain`, else its `go` directive.
    #[schemars(regex(pattern = r"^[0-9]+\.[0-9]+(\.[0-9]+|rc[0-9]+|beta[0-9]+)?$"))]
    pub go: Option<Spanned<String>>,
    /// Image that compiles the program, e.g. `golang:1.23`. Default: `golang:<major.minor>`
    /// of the Go version.
    pub builder: Option<Spanned<String>>,
    /// Directory of the main module's go.mod, relative to the build context, e.g. `svc` when
    /// the context is a repository's root and the service is in `svc/`. `main`,
    /// `binaries[].main` and `test.packages` are relative to it; a `go.work` in it or a
    /// directory above it (inside the context) builds in workspace mode, as `go build` there
    /// does. Default: `.` (go.mod at the root of the context).
    #[schemars(regex(pattern = r"^[^/\\\u0000*?\[][^\\\u0000*?\[]*$"))]
    pub module: Option<Spanned<String>>,
    /// Go package of the one program to build, relative to the module root: `.` or
    /// `./cmd/server`. Use `binaries` instead for several programs. Default: `.`.
    pub main: Option<Spanned<String>>,
    /// Programs to build into the image, when there are several. Use `main` instead for one.
    pub binaries: Option<Spanned<Vec<Binary>>>,
    /// How to compile.
    pub build: Option<Build>,
    /// What the output image looks like.
    pub image: Option<Image>,
    /// Linux platforms (`linux/arch[/variant]`, e.g. `linux/arm64`, or the architecture
    /// alone) to build when the build does not ask for any. Default: the platform of the
    /// build.
    #[schemars(inner(regex(
        pattern = r"^\s*([A-Za-z0-9_-]+|[Ll][Ii][Nn][Uu][Xx]/[A-Za-z0-9_-]+(/[A-Za-z0-9]+)?)\s*$"
    )))]
    pub platforms: Option<Vec<Spanned<String>>>,
    /// Where private modules come from: hosts fetched with git over SSH and their host keys.
    pub modules: Option<Spanned<Modules>>,
    /// Files or directories of the build context to copy into the image, owned by root, in a
    /// layer of their own before the binaries.
    pub files: Option<Vec<File>>,
    /// What `--target test` runs: `go test <flags> <packages>` on the build platform.
    pub test: Option<Test>,
    /// What the build keeps for later builds on other machines.
    pub cache: Option<Cache>,
}

/// Where private modules come from.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Modules {
    /// Hosts whose modules are fetched with git over SSH; build with `--ssh default`. Go
    /// fetches them directly (they are added to `GOPRIVATE`), and git rewrites
    /// `https://<host>/` to the SSH `url`.
    pub ssh: Option<Vec<SshHost>>,
    /// Host keys of the SSH hosts, in OpenSSH `known_hosts` format (one `hosts keytype key`
    /// per line, e.g. from `ssh-keyscan git.example.com`). Or pass them as
    /// `--secret id=known_hosts,src=$HOME/.ssh/known_hosts`. Host keys are always checked.
    pub known_hosts: Option<Spanned<String>>,
}

/// A host whose modules are fetched with git over SSH.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SshHost {
    /// The host name that starts the module paths, e.g. `git.example.com` (no scheme, port
    /// or path).
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub host: Spanned<String>,
    /// The SSH URL that replaces `https://<host>/`: `user@host:` or `ssh://user@host[:port]/`,
    /// ending where git appends the module's path. Default: `git@<host>:`.
    #[schemars(regex(pattern = r"^(ssh://\S+/|[^\s/@:]+@[^\s/@:]+:(\S*/)?)$"))]
    pub url: Option<Spanned<String>>,
}

/// A file or directory of the build context to copy into the image.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    /// Path in the build context (relative, inside it): `config/app.yaml`, `static`.
    #[schemars(regex(pattern = r"^[^/\u0000][^\u0000]*$"))]
    pub src: Spanned<String>,
    /// Absolute path in the image. Ending in `/`: into that directory, under the source's
    /// name (`/srv/` + `static` → `/srv/static`); otherwise the copy's own path.
    #[schemars(regex(pattern = r"^/[^\u0000]*$"))]
    pub dst: Spanned<String>,
    /// Permission bits of everything copied, as a quoted octal string: `"0644"`, `"0755"`.
    /// Default: `"0644"` for a file, `"0755"` for a directory and everything in it.
    #[schemars(regex(pattern = r"^0?[0-7]{3}$"))]
    pub mode: Option<Spanned<String>>,
}

/// What `--target test` runs: `go test <flags> <packages>`, with the caches and build
/// settings of the compile.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Test {
    /// Package patterns to test, relative to the module root, e.g. `./...` or
    /// `./internal/...`. Default: `[./...]`.
    pub packages: Option<Spanned<Vec<Spanned<String>>>>,
    /// `go test` flags, one list item each with `=` before a value, e.g. `-count=1`, `-v`,
    /// `-run=TestAPI`. `-race` needs `build.cgo: true`.
    #[schemars(inner(regex(pattern = r"^-")))]
    pub flags: Option<Vec<Spanned<String>>>,
}

/// One program to build into the image.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Binary {
    /// Go package of the program, relative to the module root, e.g. `./cmd/server`.
    pub main: Spanned<String>,
    /// File name of the binary in `/usr/local/bin`. Default: the last element of `main`
    /// (for `.`, of the module path).
    pub name: Option<Spanned<String>>,
}

/// How to compile (`go build`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Build {
    /// Extra `-ldflags` entries, one flag each (e.g. `-X main.version={{ .Version }}`),
    /// added after `-s -w -buildid=`.
    pub ldflags: Option<Vec<Spanned<String>>>,
    /// Build tags (`go build -tags`), e.g. `netgo`.
    #[schemars(inner(regex(pattern = r"^[A-Za-z0-9_.]+$")))]
    pub tags: Option<Vec<Spanned<String>>>,
    /// Extra environment variables for `go build`, e.g. `GOEXPERIMENT`. `CGO_ENABLED`,
    /// `GOOS`, `GOARCH`, `GOCACHE`, `GOMODCACHE` and `GOPATH` are set by gostage, and with
    /// `cgo: true` also `CC` and `CXX`.
    #[schemars(schema_with = "build_env_schema")]
    pub env: Option<Map>,
    /// Whether to compile with cgo (`CGO_ENABLED=1`) and the builder's C toolchain, for
    /// packages with C code such as SQLite drivers. On `scratch` or `distroless` gostage links
    /// the program statically (tags `netgo` and `osusergo` added); on a base with glibc
    /// (`distroless-base`, a Debian-based image) dynamically. For another target architecture
    /// gostage installs Debian's cross compiler. Default: `false` (a static pure-Go binary).
    pub cgo: Option<Spanned<bool>>,
    /// Debian packages to install in the builder with `apt-get` before the compile (C
    /// libraries and their headers), e.g. `libsqlite3-dev`; names only, each once. Needs
    /// `cgo: true`. Installed in a step of their own, cached across builds.
    #[schemars(inner(regex(pattern = r"^[a-z0-9][a-z0-9+.-]+$")))]
    pub packages: Option<Vec<Spanned<String>>>,
}

/// What the output image looks like.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Image {
    /// What the image starts from: `scratch` (empty, the default), `distroless`
    /// (`gcr.io/distroless/static-debian12:nonroot`), `distroless-base`
    /// (`gcr.io/distroless/base-debian12:nonroot`, with glibc, for `build.cgo`), or an image
    /// reference. A base image's
    /// user, environment and working directory are kept unless set here.
    pub base: Option<Spanned<String>>,
    /// User the programs run as, numeric: `uid` or `uid:gid`. Default: the base image's user,
    /// else `65532:65532`.
    #[serde(default)]
    #[schemars(schema_with = "user_schema")]
    pub user: Option<Spanned<String>>,
    /// Working directory of the programs (absolute path).
    #[schemars(regex(pattern = r"^/"))]
    pub workdir: Option<Spanned<String>>,
    /// Command that starts the container, as a list. Default: the (first) binary.
    pub entrypoint: Option<Spanned<Vec<String>>>,
    /// Arguments passed to the entrypoint, as a list.
    pub cmd: Option<Spanned<Vec<String>>>,
    /// Environment variables of the image.
    pub env: Option<Map>,
    /// Ports the programs listen on: `8080`, `"8080/tcp"` or `"53/udp"`.
    pub ports: Option<Vec<Spanned<Port>>>,
    /// Labels of the image, e.g. `org.opencontainers.image.description`.
    pub labels: Option<Map>,
    /// How Docker checks that the container works: `http` (gostage adds a small probe that
    /// needs no shell) or `cmd` (a probe you ship), plus optional timings.
    pub healthcheck: Option<Spanned<Healthcheck>>,
}

/// `image.healthcheck`: exactly one of `http` or `cmd`, plus optional timings. Durations are
/// written as Go writes them: `500ms`, `2s`, `1m30s`; `0` means Docker's default.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{"required": ["http"]}, {"required": ["cmd"]}]))]
pub(crate) struct Healthcheck {
    /// URL the probe gets inside the container, `http://` only, e.g.
    /// `http://localhost:8080/healthz`: healthy when it answers 200-399.
    #[schemars(regex(pattern = r"^http://[^/?#\s@]+([/?]\S*)?$"))]
    pub http: Option<Spanned<String>>,
    /// Program to run as the probe, with its arguments (no shell), e.g.
    /// `[/usr/local/bin/server, -healthcheck]`: healthy when it exits 0.
    #[schemars(length(min = 1))]
    pub cmd: Option<Spanned<Vec<String>>>,
    /// Time between two probes, e.g. `30s` (Docker's default).
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub interval: Option<Spanned<String>>,
    /// Time after which a probe counts as failed, e.g. `30s` (Docker's default).
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub timeout: Option<Spanned<String>>,
    /// Time after the start during which failures do not count, e.g. `10s` (default 0).
    #[serde(rename = "start-period")]
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub start_period: Option<Spanned<String>>,
    /// Consecutive failures that make the container unhealthy (Docker's default: 3).
    #[schemars(range(min = 0, max = 2147483647))]
    pub retries: Option<Spanned<i64>>,
}

/// A Go duration (`time.ParseDuration`) without a sign: `0`, or number-unit pairs.
const DURATION_PATTERN: &str = r"^(0|(([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$";

/// What the build keeps for later builds on other machines (`cache:`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Cache {
    /// Keep the compiled standard library and the compiled dependency packages in ordinary
    /// layers per platform (the dependencies keyed by the list of packages the sources
    /// import, not by the sources) instead of only in a BuildKit cache mount, so that
    /// `--cache-to type=registry,ref=…,mode=max` exports them and a CI runner that starts
    /// empty builds with `--cache-from` compiling only the main module's packages (the
    /// downloaded modules are always such a layer). Costs a `go list` step per platform on
    /// every edit. Default: `false`.
    pub export: Option<Spanned<bool>>,
}

/// A mapping of strings to strings, in the order written, with positions.
#[derive(Debug, Default)]
pub(crate) struct Map {
    /// `(key, value)` pairs in document order.
    pub entries: Vec<(Spanned<String>, Spanned<String>)>,
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor)
    }
}

struct MapVisitor;

impl<'de> Visitor<'de> for MapVisitor {
    type Value = Map;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a mapping of names to strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut mapping: A) -> Result<Map, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = mapping.next_entry()? {
            entries.push(entry);
        }
        Ok(Map { entries })
    }
}

impl JsonSchema for Map {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "StringMap".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": { "type": "string" }
        })
    }
}

/// A port as written: a number, or text such as `8080/tcp` (checked by `validate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Port {
    /// An unquoted number (may be out of range).
    Number(i128),
    /// Anything quoted or with a `/protocol`.
    Text(String),
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PortVisitor)
    }
}

struct PortVisitor;

impl Visitor<'_> for PortVisitor {
    type Value = Port;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a port number or a string such as \"8080/tcp\"")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Port, E> {
        Ok(Port::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Port, E> {
        Ok(Port::Number(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Port, E> {
        Ok(Port::Number(value))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Port, E> {
        Ok(Port::Number(i128::try_from(value).unwrap_or(i128::MAX)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Port, E> {
        Ok(Port::Text(value.to_string()))
    }
}

impl JsonSchema for Port {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Port".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                { "type": "integer", "minimum": 1, "maximum": 65535 },
                { "type": "string", "pattern": "^[0-9]{1,5}(/(tcp|udp))?$" }
            ]
        })
    }
}

/// `image.user`: `"uid"`, `"uid:gid"`, or a bare uid number.
fn user_schema(_generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "integer", "minimum": 0, "maximum": 4294967295_u64 },
            { "type": "string", "pattern": "^[0-9]+(:[0-9]+)?$" }
        ]
    })
}

/// `build.env`: a mapping of environment variable names, except those gostage sets
/// (`validate::RESERVED_BUILD_ENV`), to strings.
fn build_env_schema(_generator: &mut SchemaGenerator) -> Schema {
    let reserved: Vec<&str> = super::validate::RESERVED_BUILD_ENV
        .iter()
        .map(|(name, _, _)| *name)
        .collect();
    json_schema!({
        "type": ["object", "null"],
        "propertyNames": {
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
            "not": { "enum": reserved }
        },
        "properties": {
            "GOWORK": {
                "enum": super::validate::GOWORK_VALUES,
                "description": "`off` builds without go.work's workspace (gostage finds go.work as the go command does)."
            }
        },
        "additionalProperties": { "type": "string" }
    })
}
