//! Frontend options: `BUILDKIT_FRONTEND_OPT_<n>=key=value` environment variables, the
//! session id and the workers (`frontend/gateway/gateway.go`; names as the Dockerfile
//! frontend reads them, `frontend/dockerui/config.go`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::vocabulary::{
    BuildRequest, CacheImport, ImageReference, Platform, Problem, ResolveMode, Target,
};

/// Environment variable that carries the client session id; its absence means the binary
/// was not started by BuildKit.
pub const SESSION_ID_VARIABLE: &str = "BUILDKIT_SESSION_ID";

/// An option or variable BuildKit passed that gostage cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// A frontend option with a bad value (`--platform`, `--target`, …).
    #[error("{}", problem.about(subject))]
    Invalid {
        /// The option as the user knows it, e.g. ``--platform `linux/sparc` ``.
        subject: String,
        /// What is wrong.
        problem: Problem,
    },
    /// `BUILDKIT_WORKERS` is not the JSON list BuildKit writes (`frontend/gateway/gateway.go`).
    #[error("BUILDKIT_WORKERS is not a JSON list of workers: {0}")]
    Workers(String),
}

/// The raw inputs BuildKit gives the frontend process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// Frontend options by key (split on the first `=`; values may be empty).
    pub options: BTreeMap<String, String>,
    /// `BUILDKIT_SESSION_ID`.
    pub session_id: String,
    /// Platforms of the first worker, from `BUILDKIT_WORKERS` (may be empty).
    pub worker_platforms: Vec<Platform>,
}

/// An entry of the `cache-imports` option: BuildKit's `CacheOptionsEntry` as JSON
/// (`client/solve.go` writes it, `frontend/dockerui/config.go` reads it).
#[derive(Deserialize)]
struct CacheOptionsEntry {
    #[serde(rename = "Type", default)]
    cache_type: String,
    #[serde(rename = "Attrs", default)]
    attributes: Option<BTreeMap<String, String>>,
}

/// One entry of `BUILDKIT_WORKERS` (BuildKit's `client.WorkerInfo` as JSON; current daemons
/// write lower-case keys).
#[derive(Deserialize)]
struct Worker {
    #[serde(rename = "platforms", alias = "Platforms", default)]
    platforms: Option<Vec<WorkerPlatform>>,
}

#[derive(Deserialize)]
struct WorkerPlatform {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: String,
}

impl Environment {
    /// Reads the variables from `variables` (the process environment in production).
    ///
    /// Errors: a `BUILDKIT_WORKERS` value that is not a JSON list of workers (`null` is none).
    pub fn from_variables(
        variables: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, OptionsError> {
        let mut environment = Environment::default();
        for (name, value) in variables {
            if name.starts_with("BUILDKIT_FRONTEND_OPT_") {
                let (key, value) = value.split_once('=').unwrap_or((value.as_str(), ""));
                environment
                    .options
                    .insert(key.to_string(), value.to_string());
            } else if name == SESSION_ID_VARIABLE {
                environment.session_id = value;
            } else if name == "BUILDKIT_WORKERS" {
                let workers: Vec<Worker> = serde_json::from_str::<Option<Vec<Worker>>>(&value)
                    .map_err(|error| OptionsError::Workers(error.to_string()))?
                    .unwrap_or_default();
                environment.worker_platforms = workers
                    .into_iter()
                    .next()
                    .and_then(|worker| worker.platforms)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|platform| {
                        Platform::from_worker(
                            &platform.os,
                            &platform.architecture,
                            &platform.variant,
                        )
                    })
                    .collect();
            }
        }
        Ok(environment)
    }

    /// The option `key`, if present (possibly empty).
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    /// Builds the request; `ping_platforms` (from `Ping`) is used when `BUILDKIT_WORKERS` gave none.
    ///
    /// Errors: a `platform` that is not Linux or that Go cannot target, an unknown `target` or `image-resolve-mode`, or a
    /// `SOURCE_DATE_EPOCH` that is not a Unix time.
    pub fn request(&self, ping_platforms: &[Platform]) -> Result<BuildRequest, OptionsError> {
        let invalid =
            |subject: String| move |problem: Problem| OptionsError::Invalid { subject, problem };
        let mut request = BuildRequest {
            session_id: self.session_id.clone(),
            ..Default::default()
        };
        if let Some(filename) = self.option("filename").filter(|name| !name.is_empty()) {
            request.spec_filename = filename.to_string();
        }
        if let Some(key) = self.option("dockerfilekey").filter(|key| !key.is_empty()) {
            request.spec_local = key.to_string();
        }
        let target = self.option("target").unwrap_or_default();
        request.target = Target::parse(target).map_err(invalid(format!("--target `{target}`")))?;
        if let Some(value) = self
            .option("build-arg:SOURCE_DATE_EPOCH")
            .filter(|value| !value.is_empty())
        {
            let seconds = value
                .parse::<i64>()
                .ok()
                .filter(|seconds| *seconds >= 0)
                .ok_or_else(|| OptionsError::Invalid {
                    subject: format!("build-arg SOURCE_DATE_EPOCH=`{value}`"),
                    problem: Problem::new(
                        "is not a Unix time",
                        "pass seconds since 1970, e.g. $(git log -1 --format=%ct)",
                    ),
                })?;
            request.source_date_epoch = Some(seconds);
        }
        if let Some(source) = self.option("source").filter(|source| !source.is_empty()) {
            request.frontend_image = Some(ImageReference::parse(source).map_err(invalid(
                format!("the frontend image (option source) `{source}`"),
            ))?);
        }
        if let Some(list) = self.option("platform").filter(|list| !list.is_empty()) {
            request.platforms = list
                .split(',')
                .map(|item| {
                    Platform::parse_target(item).map_err(invalid(format!("--platform `{item}`")))
                })
                .collect::<Result<_, _>>()?;
        }
        request.frontend_platform = Platform::of_this_binary();
        request.build_platform = self
            .worker_platforms
            .first()
            .or_else(|| ping_platforms.first())
            .cloned()
            .unwrap_or_else(Platform::linux_amd64);
        if let Some(mode) = self.option("image-resolve-mode") {
            request.resolve_mode =
                ResolveMode::parse(mode).map_err(invalid("image-resolve-mode".to_string()))?;
        }
        request.no_cache = self.option("no-cache").is_some_and(str::is_empty);
        // `--sbom=true` arrives as `attest:sbom=` (buildx `build/opt.go`); `--sbom=false` as
        // `disabled=true`.
        request.sbom = self
            .option("attest:sbom")
            .is_some_and(|value| !value.split(',').any(|part| part.trim() == "disabled=true"));
        request.cache_imports = self.cache_imports()?;
        for (key, value) in &self.options {
            if let Some(name) = key.strip_prefix("build-arg:") {
                request.build_args.insert(name.to_string(), value.clone());
            } else if let Some(name) = key.strip_prefix("label:") {
                request.labels.insert(name.to_string(), value.clone());
            } else if let Some(name) = key.strip_prefix("context:") {
                request
                    .named_contexts
                    .insert(name.to_string(), value.clone());
            }
        }
        Ok(request)
    }

    /// The caches to import: the `cache-imports` option (JSON, current clients), then each
    /// reference of `cache-from` (a comma list of registry references, the older form that
    /// Docker 20.10 sends, often empty), as the Dockerfile frontend reads them
    /// (`frontend/dockerui/config.go`).
    ///
    /// Errors: a `cache-imports` value that is not a JSON list of cache entries.
    fn cache_imports(&self) -> Result<Vec<CacheImport>, OptionsError> {
        let mut imports = Vec::new();
        if let Some(json) = self.option("cache-imports").filter(|json| !json.is_empty()) {
            let entries: Vec<CacheOptionsEntry> =
                serde_json::from_str(json).map_err(|error| OptionsError::Invalid {
                    subject: format!("cache-imports `{json}`"),
                    problem: Problem::new(
                        format!("is not a JSON list of cache entries: {error}"),
                        "pass caches with --cache-from (buildx) or --import-cache (buildctl)",
                    ),
                })?;
            imports.extend(entries.into_iter().map(|entry| CacheImport {
                cache_type: entry.cache_type,
                attributes: entry.attributes.unwrap_or_default(),
            }));
        }
        let references = self.option("cache-from").unwrap_or_default();
        for reference in references.split(',').filter(|item| !item.is_empty()) {
            imports.push(CacheImport {
                cache_type: "registry".into(),
                attributes: BTreeMap::from([("ref".to_string(), reference.to_string())]),
            });
        }
        Ok(imports)
    }

    /// Whether the client asked for a multi-platform result even for one platform
    /// (`multi-platform` option or `BUILDKIT_MULTI_PLATFORM` build-arg).
    pub fn multi_platform(&self) -> bool {
        let truthy = |value: &str| matches!(value, "true" | "1");
        self.option("multi-platform").is_some_and(truthy)
            || self
                .option("build-arg:BUILDKIT_MULTI_PLATFORM")
                .is_some_and(truthy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn reads_the_worker_platforms_as_current_daemons_write_them() {
        // Lower-case keys, as buildkitd v0.32 sets BUILDKIT_WORKERS for the frontend.
        let environment = Environment::from_variables(variables(&[(
            "BUILDKIT_WORKERS",
            r#"[{"id":"jx5ugsjtg2","labels":{},"platforms":[{"architecture":"arm64","os":"linux"}]}]"#,
        )]))
        .unwrap_or_else(|error| panic!("{error}"));
        let request = environment
            .request(&[Platform::linux_amd64()])
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(request.build_platform.to_string(), "linux/arm64");
    }

    #[test]
    fn reads_options_session_and_workers() {
        let environment = Environment::from_variables(variables(&[
            ("BUILDKIT_FRONTEND_OPT_0", "filename=gostage.yaml"),
            (
                "BUILDKIT_FRONTEND_OPT_1",
                "build-arg:GOPROXY=https://proxy.example,direct",
            ),
            (
                "BUILDKIT_FRONTEND_OPT_2",
                "platform=linux/arm64/v8,linux/amd64",
            ),
            ("BUILDKIT_FRONTEND_OPT_3", "no-cache="),
            ("BUILDKIT_FRONTEND_OPT_4", "label:team=payments"),
            (
                "BUILDKIT_FRONTEND_OPT_5",
                "context:golang:1.23=docker-image://example.org/go:1.23",
            ),
            ("BUILDKIT_SESSION_ID", "session-1"),
            (
                "BUILDKIT_WORKERS",
                r#"[{"ID":"w","Labels":{},"Platforms":[{"architecture":"arm64","os":"linux"}]}]"#,
            ),
            ("PATH", "/bin"),
        ]))
        .unwrap_or_else(|error| panic!("{error}"));
        let request = environment
            .request(&[])
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(request.session_id, "session-1");
        assert_eq!(
            request.build_args["GOPROXY"],
            "https://proxy.example,direct"
        );
        let platforms: Vec<String> = request.platforms.iter().map(ToString::to_string).collect();
        assert_eq!(platforms, ["linux/arm64", "linux/amd64"]);
        assert_eq!(request.build_platform.to_string(), "linux/arm64");
        assert!(request.no_cache);
        assert_eq!(request.labels["team"], "payments");
        assert_eq!(
            request.named_contexts["golang:1.23"],
            "docker-image://example.org/go:1.23"
        );
    }

    #[test]
    fn cache_imports_come_from_both_option_forms() {
        let environment = Environment::from_variables(variables(&[
            (
                "BUILDKIT_FRONTEND_OPT_0",
                r#"cache-imports=[{"Type":"registry","Attrs":{"ref":"r.example/cache:ci"}},{"Type":"gha","Attrs":null}]"#,
            ),
            ("BUILDKIT_FRONTEND_OPT_1", "cache-from=r.example/old:1"),
        ]))
        .unwrap_or_else(|error| panic!("{error}"));
        let request = environment
            .request(&[])
            .unwrap_or_else(|error| panic!("{error}"));
        let registry = |reference: &str| CacheImport {
            cache_type: "registry".into(),
            attributes: BTreeMap::from([("ref".to_string(), reference.to_string())]),
        };
        assert_eq!(
            request.cache_imports,
            [
                registry("r.example/cache:ci"),
                CacheImport {
                    cache_type: "gha".into(),
                    attributes: BTreeMap::new(),
                },
                registry("r.example/old:1"),
            ]
        );
        // Docker 20.10 sends an empty `cache-from` with every build.
        let empty =
            Environment::from_variables(variables(&[("BUILDKIT_FRONTEND_OPT_0", "cache-from=")]))
                .and_then(|environment| environment.request(&[]))
                .unwrap_or_else(|error| panic!("{error}"));
        assert!(empty.cache_imports.is_empty());
        let bad = Environment::from_variables(variables(&[(
            "BUILDKIT_FRONTEND_OPT_0",
            "cache-imports={}",
        )]))
        .and_then(|environment| environment.request(&[]))
        .expect_err("an object is not a list of cache entries");
        assert!(bad.to_string().contains("cache-imports"), "{bad}");
    }

    #[test]
    fn null_workers_and_no_options_give_defaults() {
        let environment = Environment::from_variables(variables(&[("BUILDKIT_WORKERS", "null")]))
            .unwrap_or_else(|error| panic!("{error}"));
        let request = environment
            .request(&[])
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(request.spec_filename, "gostage.yaml");
        assert_eq!(request.spec_local, "dockerfile");
        assert_eq!(request.build_platform, Platform::linux_amd64());
        assert!(!request.no_cache);
        assert!(!request.sbom);
        assert_eq!(request.target, Target::Image);
        assert_eq!(request.source_date_epoch, None);
    }

    #[test]
    fn bad_target_and_epoch_are_errors() {
        let with = |option: &str| {
            Environment::from_variables(variables(&[("BUILDKIT_FRONTEND_OPT_0", option)]))
                .and_then(|environment| environment.request(&[]))
        };
        assert!(with("target=nope").is_err_and(|error| error.to_string().contains("image, binary")));
        assert!(with("platform=linux/sparc").is_err_and(|error| error
            .to_string()
            .starts_with("--platform `linux/sparc` has architecture")));
        assert_eq!(
            with("platform=linux/amd64,darwin/arm64").map_err(|error| error.to_string()),
            Err(
                "--platform `darwin/arm64` has operating system `darwin`, but gostage builds \
                 Linux images; write `linux/arm64` (the same architecture): container images \
                 hold Linux programs, which Docker Desktop runs on macOS and Windows too"
                    .to_string()
            )
        );
        // A worker on another operating system is still read: it is the build platform.
        let environment = Environment::from_variables(variables(&[(
            "BUILDKIT_WORKERS",
            r#"[{"platforms":[{"architecture":"amd64","os":"windows"}]}]"#,
        )]))
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(environment.worker_platforms[0].to_string(), "windows/amd64");
        assert!(Environment::from_variables(variables(&[("BUILDKIT_WORKERS", "[{")])).is_err());
        assert!(with("build-arg:SOURCE_DATE_EPOCH=yesterday").is_err());
        let request = with("build-arg:SOURCE_DATE_EPOCH=1700000000")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(request.source_date_epoch, Some(1_700_000_000));
        assert_eq!(request.epoch_nanoseconds(), 1_700_000_000_000_000_000);
    }
}
