//! An in-memory BuildKit daemon for the gateway's unit tests: files per ref, image configs
//! to resolve, the capabilities and workers a `Ping` would announce, every call recorded,
//! and a failure to inject per call.
//!
//! A solve gets a new ref whose files depend on what the definition is: a definition of
//! local sources only (`local://<name>`) sees the files given for that local; any other is a
//! build, which sees the files given for the `GOARCH` its compile step sets (the target
//! platform's architecture).

use std::collections::BTreeMap;
use std::sync::Mutex;

use bollard_buildkit_proto::google::rpc;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{Result as BuildResult, WarnRequest};
use bollard_buildkit_proto::pb;
use prost::Message;

use super::daemon::{ByteRange, Daemon, ImageConfig};
use crate::vocabulary::{CacheImport, Platform, ResolveMode};

/// Go's `os.ModeDir` (bit 31), as `StatFile` reports a directory.
const MODE_DIRECTORY: u32 = 1 << 31;

/// The gateway capabilities of BuildKit v0.8, the one Docker 20.10 vendors
/// (moby/buildkit `frontend/gateway/pb/caps.go` at v0.8.3): no `gateway.warnings` (v0.10),
/// no `reference.attestations` (v0.11).
pub const DOCKER_20_10_CAPS: &[&str] = &[
    "solve.base",
    "solve.inlinereturn",
    "resolveimage",
    "resolveimage.resolvemode",
    "readfile",
    "return",
    "returnmap",
    "readdir",
    "statfile",
    "importcaches",
    "proto.refarray",
    "reference.output",
    "frontend.inputs",
    "gateway.solve.metadata",
    "gateway.exec",
    "frontend.caps",
    "gateway.solve.evaluate",
];

/// Files by path (no leading `/`); directories are the prefixes of the paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filesystem {
    files: BTreeMap<String, Vec<u8>>,
}

impl Filesystem {
    /// Adds the file `path` with `data`.
    pub fn file(mut self, path: &str, data: impl Into<Vec<u8>>) -> Self {
        self.files.insert(normalize(path), data.into());
        self
    }

    fn read(&self, path: &str) -> Option<&Vec<u8>> {
        self.files.get(&normalize(path))
    }

    fn is_directory(&self, path: &str) -> bool {
        let path = normalize(path);
        path.is_empty()
            || self
                .files
                .keys()
                .any(|file| file.starts_with(&format!("{path}/")))
    }

    /// The names directly under `directory` that match `pattern`.
    fn list(&self, directory: &str, pattern: &str) -> Vec<String> {
        let directory = normalize(directory);
        let prefix = match directory.is_empty() {
            true => String::new(),
            false => format!("{directory}/"),
        };
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|file| file.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .filter(|name| glob_matches(pattern, name))
            .collect();
        names.dedup();
        names
    }
}

/// `/usr/local/bin/x` and `./x` → `usr/local/bin/x` and `x`; `.` and `/` → ``.
fn normalize(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    match path.trim_matches('/') {
        "." => String::new(),
        trimmed => trimmed.to_string(),
    }
}

/// A glob with `*` (any run of characters) as the only wildcard, as `*.go`.
fn glob_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|at| rest.is_char_boundary(*at))
                .any(|at| glob_matches(tail, &rest[at..]))
        }
    }
}

/// A gateway call, for injecting a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `Solve`; the subject is every op's progress name and every source identifier.
    Solve,
    /// `ReadFile`; the subject is the path.
    ReadFile,
    /// `ReadDir`; the subject is the directory.
    ReadDir,
    /// `StatFile`; the subject is the path.
    StatFile,
    /// `ResolveImageConfig`; the subject is the reference.
    ResolveImageConfig,
    /// `Warn`; the subject is the short text.
    Warn,
}

/// One recorded call, with what it was asked.
#[derive(Clone, Debug)]
pub enum Call {
    /// `Solve`.
    Solve {
        /// The definition solved.
        definition: pb::Definition,
        /// The caches it named.
        cache_imports: Vec<CacheImport>,
    },
    /// `ReadFile`.
    ReadFile {
        /// The ref.
        reference: String,
        /// The path.
        path: String,
        /// The range, when only part was asked for.
        range: Option<ByteRange>,
    },
    /// `ReadDir`.
    ReadDir {
        /// The ref.
        reference: String,
        /// The directory.
        path: String,
    },
    /// `StatFile`.
    StatFile {
        /// The ref.
        reference: String,
        /// The path.
        path: String,
    },
    /// `ResolveImageConfig`.
    ResolveImageConfig {
        /// The reference.
        reference: String,
        /// The platform.
        platform: Platform,
        /// The resolve mode.
        resolve_mode: ResolveMode,
    },
    /// `Warn`.
    Warn(WarnRequest),
    /// `Return` with a result.
    ReturnResult(BuildResult),
    /// `Return` with an error.
    ReturnError(rpc::Status),
}

/// What changes as calls arrive.
#[derive(Default)]
struct State {
    /// Files of each ref handed out.
    refs: BTreeMap<String, Filesystem>,
    calls: Vec<Call>,
    solves_in_flight: usize,
    most_solves_in_flight: usize,
}

/// The in-memory daemon. Configure it with the builder methods, then pass `&fake` where a
/// [`Daemon`] is wanted and read the calls afterwards.
pub struct FakeDaemon {
    caps: Vec<String>,
    worker_platforms: Vec<Platform>,
    locals: BTreeMap<String, Filesystem>,
    results: BTreeMap<String, Filesystem>,
    images: BTreeMap<String, ImageConfig>,
    failures: Vec<(Method, String, tonic::Status)>,
    state: Mutex<State>,
}

impl FakeDaemon {
    /// A current daemon: every v0.8 capability plus `gateway.warnings` and
    /// `reference.attestations`; one linux/amd64 worker.
    pub fn current() -> Self {
        let mut caps: Vec<String> = DOCKER_20_10_CAPS
            .iter()
            .map(|cap| cap.to_string())
            .collect();
        caps.extend(["gateway.warnings".into(), "reference.attestations".into()]);
        Self::with_caps(caps)
    }

    /// Docker 20.10's daemon (BuildKit v0.8 capabilities, [`DOCKER_20_10_CAPS`]).
    pub fn docker_20_10() -> Self {
        Self::with_caps(
            DOCKER_20_10_CAPS
                .iter()
                .map(|cap| cap.to_string())
                .collect(),
        )
    }

    fn with_caps(caps: Vec<String>) -> Self {
        Self {
            caps,
            worker_platforms: vec![Platform::linux_amd64()],
            locals: BTreeMap::new(),
            results: BTreeMap::new(),
            images: BTreeMap::new(),
            failures: Vec::new(),
            state: Mutex::new(State::default()),
        }
    }

    /// Without capability `cap`.
    pub fn without_cap(mut self, cap: &str) -> Self {
        self.caps.retain(|known| known != cap);
        self
    }

    /// The files of local `name` (`dockerfile`, `context`) as the client sends them.
    pub fn with_local(mut self, name: &str, files: Filesystem) -> Self {
        self.locals.insert(name.to_string(), files);
        self
    }

    /// The files of a build for architecture `goarch` (the `GOARCH` of its compile step).
    pub fn with_result(mut self, goarch: &str, files: Filesystem) -> Self {
        self.results.insert(goarch.to_string(), files);
        self
    }

    /// The image `reference` (normalised, as `docker.io/library/golang:1.23`) with `config`
    /// JSON and manifest `digest`.
    pub fn with_image(mut self, reference: &str, digest: &str, config: serde_json::Value) -> Self {
        let image = ImageConfig {
            digest: digest.to_string(),
            config: config.to_string().into_bytes(),
        };
        self.images.insert(reference.to_string(), image);
        self
    }

    /// Fails every `method` call whose subject contains `subject` with `status`.
    pub fn failing(mut self, method: Method, subject: &str, status: tonic::Status) -> Self {
        self.failures.push((method, subject.to_string(), status));
        self
    }

    /// Every call so far, in order of arrival.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The definitions solved, in order of arrival.
    pub fn solved(&self) -> Vec<pb::Definition> {
        self.calls()
            .into_iter()
            .filter_map(|call| match call {
                Call::Solve { definition, .. } => Some(definition),
                _ => None,
            })
            .collect()
    }

    /// The warnings sent.
    pub fn warnings(&self) -> Vec<WarnRequest> {
        self.calls()
            .into_iter()
            .filter_map(|call| match call {
                Call::Warn(warning) => Some(warning),
                _ => None,
            })
            .collect()
    }

    /// The most solves that were waiting for an answer at the same time.
    pub fn most_solves_in_flight(&self) -> usize {
        self.state().most_solves_in_flight
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A test that panicked while holding the lock has failed already.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn record(&self, call: Call) {
        self.state().calls.push(call);
    }

    fn failure(&self, method: Method, subject: &str) -> Result<(), tonic::Status> {
        match self
            .failures
            .iter()
            .find(|(failing, needle, _)| *failing == method && subject.contains(needle.as_str()))
        {
            Some((_, _, status)) => Err(status.clone()),
            None => Ok(()),
        }
    }

    fn files_of(&self, reference: &str) -> Result<Filesystem, tonic::Status> {
        self.state()
            .refs
            .get(reference)
            .cloned()
            .ok_or_else(|| tonic::Status::invalid_argument(format!("no such ref {reference}")))
    }

    /// What a solve of `definition` gives: a local's files, or a build result's.
    fn files_of_definition(&self, facts: &DefinitionFacts) -> Result<Filesystem, tonic::Status> {
        let is_build = facts
            .sources
            .iter()
            .any(|source| !source.starts_with("local://"));
        if !is_build {
            return Ok(facts
                .sources
                .iter()
                .filter_map(|source| source.strip_prefix("local://"))
                .find_map(|name| self.locals.get(name).cloned())
                .unwrap_or_default());
        }
        let mut matching = self
            .results
            .iter()
            .filter(|(goarch, _)| facts.goarch.contains(*goarch));
        match (matching.next(), matching.next()) {
            (Some((_, files)), None) => Ok(files.clone()),
            (None, _) => Ok(Filesystem::default()),
            (Some(_), Some(_)) => Err(tonic::Status::internal(format!(
                "the fake cannot tell which result a build for {:?} is",
                facts.goarch
            ))),
        }
    }
}

/// What the fake reads of a definition.
struct DefinitionFacts {
    /// Source identifiers (`local://context`, `docker-image://…`).
    sources: Vec<String>,
    /// The `GOARCH` values exec steps set.
    goarch: Vec<String>,
    /// Source identifiers and progress names, one a line: the subject of failures.
    subject: String,
}

impl DefinitionFacts {
    fn of(definition: &pb::Definition) -> Self {
        let (mut sources, mut goarch) = (Vec::new(), Vec::new());
        for bytes in &definition.def {
            match pb::Op::decode(bytes.as_slice()).ok().and_then(|op| op.op) {
                Some(pb::op::Op::Source(source)) => sources.push(source.identifier),
                Some(pb::op::Op::Exec(exec)) => goarch.extend(
                    exec.meta
                        .into_iter()
                        .flat_map(|meta| meta.env)
                        .filter_map(|variable| variable.strip_prefix("GOARCH=").map(String::from)),
                ),
                _ => {}
            }
        }
        let names = definition
            .metadata
            .values()
            .filter_map(|metadata| metadata.description.get("llb.customname").cloned());
        let subject = sources
            .iter()
            .cloned()
            .chain(names)
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            sources,
            goarch,
            subject,
        }
    }
}

impl Daemon for FakeDaemon {
    fn has_cap(&self, cap: &str) -> bool {
        self.caps.iter().any(|known| known == cap)
    }

    fn worker_platforms(&self) -> &[Platform] {
        &self.worker_platforms
    }

    async fn solve(
        &self,
        definition: pb::Definition,
        cache_imports: &[CacheImport],
    ) -> Result<String, tonic::Status> {
        let facts = DefinitionFacts::of(&definition);
        self.record(Call::Solve {
            definition,
            cache_imports: cache_imports.to_vec(),
        });
        {
            let mut state = self.state();
            state.solves_in_flight += 1;
            state.most_solves_in_flight = state.most_solves_in_flight.max(state.solves_in_flight);
        }
        // A daemon answers later: let the other calls of a join be sent meanwhile.
        tokio::task::yield_now().await;
        self.state().solves_in_flight -= 1;
        self.failure(Method::Solve, &facts.subject)?;
        let files = self.files_of_definition(&facts)?;
        let mut state = self.state();
        let reference = format!("ref-{}", state.refs.len() + 1);
        state.refs.insert(reference.clone(), files);
        Ok(reference)
    }

    async fn read_file(
        &self,
        reference: &str,
        path: &str,
        range: Option<ByteRange>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        self.record(Call::ReadFile {
            reference: reference.to_string(),
            path: path.to_string(),
            range,
        });
        self.failure(Method::ReadFile, path)?;
        let files = self.files_of(reference)?;
        let Some(data) = files.read(path) else {
            return Ok(None);
        };
        Ok(Some(match range {
            None => data.clone(),
            Some(ByteRange { offset, length }) => {
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                let end = start
                    .saturating_add(usize::try_from(length).unwrap_or(usize::MAX))
                    .min(data.len());
                data[start..end].to_vec()
            }
        }))
    }

    async fn read_dir(
        &self,
        reference: &str,
        path: &str,
        pattern: &str,
    ) -> Result<Option<Vec<String>>, tonic::Status> {
        self.record(Call::ReadDir {
            reference: reference.to_string(),
            path: path.to_string(),
        });
        self.failure(Method::ReadDir, path)?;
        let files = self.files_of(reference)?;
        Ok(files.is_directory(path).then(|| files.list(path, pattern)))
    }

    async fn stat_file(&self, reference: &str, path: &str) -> Result<Option<u32>, tonic::Status> {
        self.record(Call::StatFile {
            reference: reference.to_string(),
            path: path.to_string(),
        });
        self.failure(Method::StatFile, path)?;
        let files = self.files_of(reference)?;
        if files.read(path).is_some() {
            Ok(Some(0o644))
        } else if files.is_directory(path) {
            Ok(Some(MODE_DIRECTORY | 0o755))
        } else {
            Ok(None)
        }
    }

    async fn resolve_image_config(
        &self,
        reference: &str,
        platform: &Platform,
        resolve_mode: ResolveMode,
        _log_name: &str,
    ) -> Result<ImageConfig, tonic::Status> {
        self.record(Call::ResolveImageConfig {
            reference: reference.to_string(),
            platform: platform.clone(),
            resolve_mode,
        });
        self.failure(Method::ResolveImageConfig, reference)?;
        self.images
            .get(reference)
            .cloned()
            .ok_or_else(|| tonic::Status::not_found(format!("{reference}: not found")))
    }

    async fn warn(&self, warning: WarnRequest) -> Result<(), tonic::Status> {
        let short = String::from_utf8_lossy(&warning.short).to_string();
        self.record(Call::Warn(warning));
        self.failure(Method::Warn, &short)
    }

    async fn return_result(&self, result: BuildResult) -> Result<(), tonic::Status> {
        self.record(Call::ReturnResult(result));
        Ok(())
    }

    async fn return_error(&self, error: rpc::Status) -> Result<(), tonic::Status> {
        self.record(Call::ReturnError(error));
        Ok(())
    }
}
