//! What the client asked for: the build's options, independent of how they arrived.

use std::collections::BTreeMap;

use super::{ImageReference, Platform, Problem, TemplateValues};

/// Build-args passed to `go mod download` and `go build` as environment variables when the
/// client sets them (`--build-arg GOPROXY=…`).
pub const GO_ENVIRONMENT_BUILD_ARGS: &[&str] = &[
    "GOPROXY",
    "GOPRIVATE",
    "GOFLAGS",
    "GONOSUMDB",
    "GONOPROXY",
    "GOSUMDB",
    "GOINSECURE",
];

/// What the build returns (`--target`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// The container image (the default).
    #[default]
    Image,
    /// Just the binaries at `/`, for `--output type=local`.
    Binary,
    /// `go test` of the module's packages on the build platform; returns the test report.
    Test,
    /// The image plus a static busybox shell under `/busybox`.
    Debug,
}

impl Target {
    /// Whether the target returns an image (with an image config): `image` and `debug`.
    pub fn is_image(self) -> bool {
        matches!(self, Target::Image | Target::Debug)
    }

    /// Every target's name, for `--target` and error messages.
    pub const NAMES: &'static [&'static str] = &["image", "binary", "test", "debug"];

    /// Parses a `--target` value (empty means the default).
    ///
    /// Errors: an unknown name, with the list of known ones.
    pub fn parse(name: &str) -> Result<Self, Problem> {
        match name {
            "" | "image" => Ok(Target::Image),
            "binary" => Ok(Target::Binary),
            "test" => Ok(Target::Test),
            "debug" => Ok(Target::Debug),
            other => Err(Problem::new(
                format!("`{other}` does not exist"),
                format!("gostage builds the targets {}", Self::NAMES.join(", ")),
            )),
        }
    }
}

/// How BuildKit resolves an image reference (`image.resolvemode` attr, `image-resolve-mode`
/// frontend option; `frontend/dockerui/attr.go`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResolveMode {
    /// The daemon's default (Docker 20.10: prefer the local image store).
    #[default]
    Default,
    /// Always ask the registry.
    Pull,
    /// Only the local store.
    Local,
}

impl ResolveMode {
    /// The option and attribute value: `default`, `pull` or `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolveMode::Default => "default",
            ResolveMode::Pull => "pull",
            ResolveMode::Local => "local",
        }
    }

    /// Parses the `image-resolve-mode` option value.
    ///
    /// Errors: a value other than `default`, `pull` or `local`.
    pub fn parse(value: &str) -> Result<Self, Problem> {
        match value {
            "" | "default" => Ok(ResolveMode::Default),
            "pull" => Ok(ResolveMode::Pull),
            "local" => Ok(ResolveMode::Local),
            other => Err(Problem::new(
                format!("`{other}` is not a resolve mode"),
                "use default, pull or local",
            )),
        }
    }
}

/// A build request, parsed from the frontend options (see `gateway::options`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildRequest {
    /// Client session that serves the local directories (`BUILDKIT_SESSION_ID`).
    pub session_id: String,
    /// Name of the local that holds the spec file (`dockerfile`, or the `dockerfilekey` option).
    pub spec_local: String,
    /// Path of the spec file inside that local (`filename` option; default `gostage.yaml`).
    pub spec_filename: String,
    /// Name of the local that holds the Go module (`context`).
    pub context_local: String,
    /// `--target`.
    pub target: Target,
    /// The frontend image, from the `source` option (the `# syntax=` image, or
    /// `--opt source=` of `gateway.v0`; `frontend/gateway/gateway.go` `keySource`): builder
    /// steps run gostage's own binary from it (module `step`). `None` outside BuildKit.
    pub frontend_image: Option<ImageReference>,
    /// `--platform` list, normalised; empty means the spec's `platforms`, else the build
    /// platform.
    pub platforms: Vec<Platform>,
    /// Where compiles run: the first platform of the first worker.
    pub build_platform: Platform,
    /// The platform of the running frontend binary, whose image variant the builder steps
    /// mount: the daemon started the frontend for its own platform (BuildKit's gateway
    /// resolves the frontend image with no platform), so that binary runs on the daemon's
    /// kernel whatever the build platform is (a worker declaring linux/arm64 on an amd64
    /// host, a single-platform frontend image).
    pub frontend_platform: Platform,
    /// `--build-arg` values by name.
    pub build_args: BTreeMap<String, String>,
    /// `--label` values, copied into the image config.
    pub labels: BTreeMap<String, String>,
    /// `--build-context name=value` (the `context:<name>` options), by name.
    pub named_contexts: BTreeMap<String, String>,
    /// `image-resolve-mode`.
    pub resolve_mode: ResolveMode,
    /// `--no-cache` (for every step).
    pub no_cache: bool,
    /// `SOURCE_DATE_EPOCH` build-arg: seconds since 1970 for file times and `created`.
    pub source_date_epoch: Option<i64>,
    /// The client asked for an SBOM attestation (`attest:sbom`, e.g. `--sbom=true`).
    pub sbom: bool,
    /// Caches to import (`--cache-from`, `--import-cache`), passed on with every solve of
    /// the build: BuildKit gives them to the frontend, which must forward them
    /// (`frontend/dockerui/config.go`, `cache-imports`).
    pub cache_imports: Vec<CacheImport>,
}

/// One cache to import, as BuildKit's `CacheOptionsEntry` (`api/services/control`): the
/// importer `type` (`registry`, `local`, `gha`, …) and its attributes (`ref=…`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheImport {
    /// The importer: `registry`, `local`, `gha`, `s3`, …
    pub cache_type: String,
    /// Its attributes, e.g. `ref` for `registry`.
    pub attributes: BTreeMap<String, String>,
}

impl Default for BuildRequest {
    fn default() -> Self {
        Self {
            session_id: String::new(),
            spec_local: "dockerfile".into(),
            spec_filename: "gostage.yaml".into(),
            context_local: "context".into(),
            target: Target::Image,
            frontend_image: None,
            platforms: Vec::new(),
            build_platform: Platform::linux_amd64(),
            frontend_platform: Platform::linux_amd64(),
            build_args: BTreeMap::new(),
            labels: BTreeMap::new(),
            named_contexts: BTreeMap::new(),
            resolve_mode: ResolveMode::Default,
            no_cache: false,
            sbom: false,
            source_date_epoch: None,
            cache_imports: Vec::new(),
        }
    }
}

impl BuildRequest {
    /// The mtime of every file in the final stage, in Unix nanoseconds:
    /// `SOURCE_DATE_EPOCH` when given, else 0, so the same inputs give the same layers.
    pub fn epoch_nanoseconds(&self) -> i64 {
        self.source_date_epoch
            .unwrap_or(0)
            .saturating_mul(1_000_000_000)
    }

    /// The build-arg `name`, if the client set it to a non-empty value.
    pub fn build_arg(&self, name: &str) -> Option<&str> {
        self.build_args
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// What `{{ .Version }}` and `{{ .Commit }}` expand to: the `VERSION` and `COMMIT`
    /// build-args, else `dev` and `unknown`.
    pub fn template_values(&self) -> TemplateValues<'_> {
        TemplateValues {
            version: self.build_arg("VERSION").unwrap_or("dev"),
            commit: self.build_arg("COMMIT").unwrap_or("unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_target_and_lists_them_for_an_unknown_one() {
        let parsed: Vec<Result<Target, Problem>> = ["", "image", "binary", "test", "debug"]
            .map(Target::parse)
            .to_vec();
        assert_eq!(
            parsed,
            [
                Ok(Target::Image),
                Ok(Target::Image),
                Ok(Target::Binary),
                Ok(Target::Test),
                Ok(Target::Debug)
            ]
        );
        let problem = Target::parse("tests").expect_err("not a target");
        assert_eq!(problem.message, "`tests` does not exist");
        assert_eq!(
            problem.help,
            "gostage builds the targets image, binary, test, debug"
        );
    }
}
