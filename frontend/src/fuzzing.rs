//! Entry points for fuzzing: each takes arbitrary bytes and must return, without panicking,
//! whatever the bytes are. `cargo fuzz` runs them (fuzz/fuzz_targets, `cargo xtask fuzz`) and
//! the unit tests replay every file of `fuzz/corpus/<target>/` through them, so an input that
//! once failed stays tested.
//!
//! Targets:
//! - [`spec_to_llb`]: a spec (and, after a NUL byte, a go.mod) through parsing, validation,
//!   the lint rules, the `--call` documents, planning for every target and LLB/image-config
//!   rendering: the whole path of a build, with every image resolved to a fixed config.
//! - [`go_mod`]: go.mod and go.work parsing, version comparison and placing their local
//!   directories in the build context.
//! - [`references`]: the one-line parsers (platform, image reference, ldflags template,
//!   duration, binary name), one input per line.
//! - [`options`]: frontend options (`KEY=VALUE` lines, as BuildKit passes
//!   `BUILDKIT_FRONTEND_OPT_<n>`) into a build request, and the subrequest checks.

use std::collections::BTreeMap;

use crate::context::{ModuleContext, PathKind};
use crate::gateway::Environment;
use crate::gomod::{self, GoModule};
use crate::lint::{self, LintInput, Scope};
use crate::plan::{self, PlanInput, Resolved};
use crate::render::{self, SpecSource};
use crate::vocabulary::{
    check_binary_name, derive_binary_name, duration_nanoseconds, BuildRequest, ImageReference,
    LdflagsTemplate, Platform, ResolvedImage, Target as BuildTarget,
};

/// A fuzz target: any bytes in, no panic out.
pub type Target = fn(&[u8]);

/// Each target with its name, the directory of its corpus under `fuzz/corpus/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("spec_to_llb", |data| {
        spec_to_llb(data);
    }),
    ("go_mod", go_mod),
    ("references", references),
    ("options", options),
];

/// The go.mod used when the input has none.
const DEFAULT_GO_MOD: &[u8] = b"module example.com/fuzz\n\ngo 1.23\n";

/// A spec, optionally followed by a NUL byte and a go.mod, through the whole plan. Returns
/// how many platforms were rendered, over the four targets.
pub fn spec_to_llb(data: &[u8]) -> usize {
    let (spec_bytes, go_mod_bytes) = match data.iter().position(|byte| *byte == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, DEFAULT_GO_MOD),
    };
    let Ok(spec) = crate::spec::parse(spec_bytes) else {
        return 0;
    };
    let module = gomod::parse(go_mod_bytes).unwrap_or_else(|_| GoModule {
        path: "example.com/fuzz".into(),
        ..GoModule::default()
    });
    // Every `files:` source exists, so planning goes past that check.
    let file_sources: BTreeMap<String, PathKind> = spec
        .files
        .iter()
        .map(|file| (file.src.value.clone(), PathKind::File))
        .collect();
    let context = ModuleContext {
        module,
        go_sum: true,
        vendored: false,
        ignore_patterns: Vec::new(),
        file_sources,
        location: Default::default(),
    };
    let _ = lint::check(LintInput {
        spec_file: spec_bytes,
        spec: &spec,
        context: &context,
        layout: None,
        scope: Scope::Cli,
    });
    let source = SpecSource {
        filename: "gostage.yaml",
        data: spec_bytes,
    };
    let _ = crate::subrequests::targets(source, &spec);
    let mut rendered = 0;
    for target in [
        BuildTarget::Image,
        BuildTarget::Binary,
        BuildTarget::Test,
        BuildTarget::Debug,
    ] {
        let request = BuildRequest {
            target,
            frontend_image: ImageReference::parse("myorg/gostage").ok(),
            sbom: true,
            ..Default::default()
        };
        let _ = crate::subrequests::outline(source, &spec, &request);
        let input = PlanInput {
            spec: &spec,
            context: &context,
            request: &request,
        };
        let Ok(needs) = plan::needs(input) else {
            continue;
        };
        let per_platform = |need: &Option<plan::ImageNeed>| match need {
            Some(need) => needs
                .platforms
                .iter()
                .map(|platform| (platform.clone(), resolved(&need.reference)))
                .collect(),
            None => BTreeMap::new(),
        };
        let resolved_images = Resolved {
            builder: resolved(&needs.builder.reference),
            frontend: resolved(&needs.frontend.reference),
            bases: per_platform(&needs.base),
            busyboxes: per_platform(&needs.busybox),
        };
        if let Ok(plan) = plan::plan(input, &needs, &resolved_images) {
            if let Ok(platforms) = render::render(&plan, Some(source)) {
                rendered += platforms.len();
            }
        }
    }
    rendered
}

/// `reference` pinned, with a small config that has an `Env` and a user.
fn resolved(reference: &ImageReference) -> ResolvedImage {
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Env": ["PATH=/usr/local/go/bin:/usr/bin", "GOTOOLCHAIN=local"], "User": "65532"}
    });
    ResolvedImage {
        reference: reference
            .pinned("sha256:0000000000000000000000000000000000000000000000000000000000000000"),
        config: serde_json::from_value(config).unwrap_or_default(),
        healthcheck: None,
    }
}

/// The same bytes as a go.mod and as a go.work, then the version comparisons the lint rules
/// make and the placing of every local directory they name inside the build context.
pub fn go_mod(data: &[u8]) {
    if let Ok(module) = gomod::parse(data) {
        let _ = module.go_minor();
        if let Some(go) = &module.go {
            let _ = gomod::major_minor(go);
            for other in ["1.21", "1.23.4", "1.24rc1", go.as_str()] {
                let _ = gomod::is_older(go, other);
                let _ = gomod::is_older(other, go);
            }
        }
        resolve_directories(&module.replaces, &[]);
    }
    if let Ok(work) = gomod::parse_work(data) {
        resolve_directories(&work.replaces, &work.uses);
    }
}

/// Each local `replace` directory and `use` path placed in the context, from the root and
/// from a module two levels down.
fn resolve_directories(replaces: &[gomod::Replace], uses: &[gomod::Use]) {
    let directories = replaces
        .iter()
        .filter_map(|replace| match &replace.target {
            gomod::ReplaceTarget::Directory(path) => Some(path.as_str()),
            gomod::ReplaceTarget::Module { .. } => None,
        })
        .chain(uses.iter().map(|used| used.path.as_str()));
    for directory in directories {
        for base_dir in [".", "services/api"] {
            let _ = gomod::resolve_in_context(base_dir, directory);
        }
    }
}

/// Each line through every one-line parser.
pub fn references(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let Ok(platform) = Platform::parse(line) {
            let _ = platform.go_env();
        }
        if let Ok(reference) = ImageReference::parse(line) {
            let _ = reference.context_names();
            let _ = reference.pinned("sha256:00");
        }
        if let Ok(template) = LdflagsTemplate::parse(line) {
            let _ = template.uses_version();
        }
        let _ = duration_nanoseconds(line);
        let _ = check_binary_name(line);
        let _ = derive_binary_name(line, Some(line));
    }
}

/// `KEY=VALUE` lines as frontend options, into a build request.
pub fn options(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut variables: Vec<(String, String)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (format!("BUILDKIT_FRONTEND_OPT_{index}"), line.to_string()))
        .collect();
    // A line `BUILDKIT_WORKERS=…` is the workers variable itself.
    if let Some(workers) = text
        .lines()
        .find_map(|line| line.strip_prefix("BUILDKIT_WORKERS="))
    {
        variables.push(("BUILDKIT_WORKERS".to_string(), workers.to_string()));
    }
    let Ok(environment) = Environment::from_variables(variables) else {
        return;
    };
    let _ = crate::subrequests::check_caps(environment.option("frontend.caps").unwrap_or_default());
    let _ = crate::subrequests::check_request(environment.option("requestid").unwrap_or_default());
    let _ = environment.multi_platform();
    if let Ok(request) = environment.request(&[Platform::linux_amd64()]) {
        let _ = request.template_values();
        let _ = request.epoch_nanoseconds();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of `fuzz/corpus/<target>/` through its target: inputs that once made a
    /// target fail stay tested, without libFuzzer.
    #[test]
    fn the_corpus_replays_without_a_panic() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
        for (name, target) in TARGETS {
            let directory = corpus.join(name);
            let entries = std::fs::read_dir(&directory)
                .unwrap_or_else(|error| panic!("{}: {error}", directory.display()));
            let mut count = 0;
            for entry in entries {
                let path = entry.unwrap_or_else(|error| panic!("{error}")).path();
                let data = std::fs::read(&path)
                    .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
                target(&data);
                count += 1;
            }
            assert!(count > 0, "{} is empty", directory.display());
        }
    }

    #[test]
    fn the_spec_target_reaches_rendering_for_every_target() {
        // Two platforms for image, binary and debug; the test target has one.
        let spec = b"# syntax=myorg/gostage\nversion: 1\nmain: ./cmd/server\nplatforms: [linux/amd64, linux/arm64]\n";
        assert_eq!(spec_to_llb(spec), 7);
        // With a go.mod after a NUL byte, the module path names the binary.
        let with_module = b"version: 1\n\0module example.com/x/api\n\ngo 1.22\n".to_vec();
        assert_eq!(spec_to_llb(&with_module), 4);
        assert_eq!(spec_to_llb(b"version: 2\n"), 0);
    }
}
