//! `gostage llb`: the Plan for a spec on disk, marshalled and printed as JSON, offline.
//!
//! The request is made by the gateway's own option parsing (`gateway::options`) from the
//! flags, so the same flags give the same plan as a build with the same build-args and
//! platforms; only what a daemon would resolve differs (see [`OFFLINE_NOTE`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oci_spec::image::ImageConfiguration;

use crate::gateway::Environment;
use crate::plan::{self, ImageNeed, PlanError, PlanInput, Resolved};
use crate::render::{self, json, SpecSource};
use crate::vocabulary::ResolvedImage;

/// What the output says about the images, which an offline rendering cannot resolve.
pub const OFFLINE_NOTE: &str = "offline: images are not resolved, so image references are as written (no @sha256 digest pin) and their configs are empty (a build adds the builder's Env to each step, and the base image's Env, labels and history to the image config); local sources carry no session";

/// The flags of `gostage llb`.
#[derive(Debug, clap::Args)]
pub struct LlbArguments {
    /// Spec file.
    #[arg(default_value = "gostage.yaml")]
    pub file: PathBuf,
    /// The build context (the module root, or the directory `module:` is relative to);
    /// default: the spec file's directory.
    #[arg(long)]
    pub context: Option<PathBuf>,
    /// Target platform, as `--platform` of a build (repeat, or separate with commas).
    #[arg(long = "platform", value_name = "PLATFORM")]
    pub platforms: Vec<String>,
    /// Build target (`image`, `binary`, `test` or `debug`).
    #[arg(long)]
    pub target: Option<String>,
    /// A build-arg, `KEY=VALUE` (repeat for several).
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// The frontend image, as `# syntax=` names it: builder steps run gostage's binary from it.
    #[arg(long, value_name = "IMAGE", default_value = "myorg/gostage")]
    pub frontend_image: String,
}

/// Why `gostage llb` printed no plan.
#[derive(Debug, thiserror::Error)]
pub enum LlbError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A spec error, rendered as `FILE:LINE:COLUMN: …`.
    #[error("{0}")]
    Spec(String),
    /// A flag gostage cannot use.
    #[error(transparent)]
    Options(#[from] crate::gateway::OptionsError),
    /// The context's Go modules cannot be read or placed.
    #[error(transparent)]
    Context(#[from] super::context::ContextError),
    /// No plan could be made.
    #[error(transparent)]
    Plan(PlanError),
    /// The image config could not be built.
    #[error(transparent)]
    Image(#[from] crate::image::ImageError),
    /// The definitions could not be shown.
    #[error(transparent)]
    Json(#[from] json::JsonError),
}

/// The JSON `gostage llb` prints for `arguments`.
///
/// Errors: [`LlbError`], spec errors rendered with the file name, and go.mod or go.work
/// errors with the file's path on disk.
pub fn llb_json(arguments: &LlbArguments) -> Result<serde_json::Value, LlbError> {
    let filename = arguments.file.display().to_string();
    let data = read(&arguments.file)?;
    let spec = crate::spec::parse(&data)
        .map_err(|diagnostic| LlbError::Spec(diagnostic.render(&filename)))?;
    let context_dir = match &arguments.context {
        Some(directory) => directory.clone(),
        None => arguments
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let context = super::context::read_context(&context_dir, &spec, &filename)?.module;
    let request = Environment {
        options: options(arguments),
        ..Default::default()
    }
    .request(&[])?;
    let input = PlanInput {
        spec: &spec,
        context: &context,
        request: &request,
    };
    let plan_error = |error: PlanError| match error {
        PlanError::Spec(diagnostic) => LlbError::Spec(diagnostic.render(&filename)),
        other => LlbError::Plan(other),
    };
    let needs = plan::needs(input).map_err(plan_error)?;
    let per_platform = |need: &Option<ImageNeed>| match need {
        Some(need) => needs
            .platforms
            .iter()
            .map(|platform| (platform.clone(), unresolved(need)))
            .collect(),
        None => BTreeMap::new(),
    };
    let resolved = Resolved {
        builder: unresolved(&needs.builder),
        frontend: unresolved(&needs.frontend),
        bases: per_platform(&needs.base),
        busyboxes: per_platform(&needs.busybox),
    };
    let plan = plan::plan(input, &needs, &resolved).map_err(plan_error)?;
    let source = SpecSource {
        filename: &filename,
        data: &data,
    };
    let rendered = render::render(&plan, Some(source))?;
    Ok(json::platforms_json(&rendered, OFFLINE_NOTE)?)
}

/// The frontend options a build with the same flags would pass.
fn options(arguments: &LlbArguments) -> BTreeMap<String, String> {
    let mut options = BTreeMap::new();
    options.insert("source".to_string(), arguments.frontend_image.clone());
    if !arguments.platforms.is_empty() {
        options.insert("platform".to_string(), arguments.platforms.join(","));
    }
    if let Some(target) = &arguments.target {
        options.insert("target".to_string(), target.clone());
    }
    for build_arg in &arguments.build_args {
        let (key, value) = build_arg.split_once('=').unwrap_or((build_arg, ""));
        options.insert(format!("build-arg:{key}"), value.to_string());
    }
    options
}

/// An image as written, with an empty config: what an offline plan can know of it.
fn unresolved(need: &ImageNeed) -> ResolvedImage {
    ResolvedImage {
        reference: need.reference.normalized.clone(),
        config: ImageConfiguration::default(),
        healthcheck: None,
    }
}

fn read(path: &Path) -> Result<Vec<u8>, LlbError> {
    std::fs::read(path).map_err(|source| LlbError::Read {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arguments(platforms: &[&str], build_args: &[&str]) -> LlbArguments {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hello");
        LlbArguments {
            file: example.join("gostage.yaml"),
            context: None,
            platforms: platforms.iter().map(|p| p.to_string()).collect(),
            target: None,
            build_args: build_args.iter().map(|a| a.to_string()).collect(),
            frontend_image: "myorg/gostage".into(),
        }
    }

    fn printed(arguments: &LlbArguments) -> String {
        llb_json(arguments)
            .map(|value| value.to_string())
            .unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn prints_the_same_bytes_twice() {
        let arguments = arguments(&["linux/amd64", "linux/arm64"], &["VERSION=1.2.3"]);
        assert_eq!(printed(&arguments), printed(&arguments));
    }

    #[test]
    fn flags_reach_the_plan_as_build_options_do() {
        let text = printed(&arguments(&["linux/arm/v7"], &["VERSION=9.9.9"]));
        assert!(text.contains("GOARM=7"), "{text}");
        assert!(text.contains("-X main.version=9.9.9"), "{text}");
        assert!(
            text.contains(r#""org.opencontainers.image.version":"9.9.9""#),
            "{text}"
        );
        assert!(text.starts_with(r#"{"note":"offline"#), "{text}");
    }

    #[test]
    fn test_and_debug_targets_print_their_steps() {
        let mut test = arguments(&["linux/arm64", "linux/amd64"], &[]);
        test.target = Some("test".into());
        let text = printed(&test);
        assert!(text.contains("go test ./... (linux/amd64)"), "{text}");
        assert!(
            !text.contains("linux/arm64"),
            "tests run on the build platform: {text}"
        );
        let mut debug = arguments(&["linux/arm64"], &[]);
        debug.target = Some("debug".into());
        let text = printed(&debug);
        assert!(
            text.contains("docker-image://docker.io/library/busybox:1.36-musl"),
            "{text}"
        );
        assert!(text.contains("PATH=/usr/local/bin:/busybox"), "{text}");
    }

    #[test]
    fn bad_flags_are_errors() {
        let error = llb_json(&arguments(&["linux/sparc"], &[])).expect_err("sparc");
        assert!(
            error.to_string().starts_with("--platform `linux/sparc`"),
            "{error}"
        );
        let error = llb_json(&arguments(&[], &["SOURCE_DATE_EPOCH=yesterday"])).expect_err("epoch");
        assert!(error.to_string().contains("not a Unix time"), "{error}");
    }
}
