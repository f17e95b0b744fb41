//! The compile stage: one `go build` per binary and target platform, run on the build
//! platform (cross-compiling, never emulated), with the module cache (see `deps`) and the
//! build cache mounted, and without network; each through `gostage explain`, which ends a
//! failed compile with hints at the spec line (`failure_hints`).

use super::build_cache_layers::{self, CacheRequest};
use super::cgo;
use super::deps::Dependencies;
use super::failure_hints;
use super::ldflags::ldflags;
use super::offline_step::{OfflineGoStep, Root};
use super::{PlanError, Planner, BINARY_DIR, SOURCE_DIR};
use crate::context::layout::exact_pattern;
use crate::llb::{Constraints, Local, Output};
use crate::spec::Binary;
use crate::step_contract::OUTPUT_DIR;
use crate::vocabulary::Platform;

/// The path of the binary `name` in a compile output, the same as in the image:
/// `/usr/local/bin/<name>`.
pub fn binary_path(name: &str) -> String {
    format!("{BINARY_DIR}/{name}")
}

/// The module source from the client's context directory, without what
/// [`ModuleContext::excludes`](crate::context::ModuleContext::excludes) names. The files layer
/// copies from the same source, so the context is sent once. With modules elsewhere than
/// alone at the root (`module:`, go.work, local `replace` directories) only the local
/// modules' directories, the go.work files and the `files:` sources are sent, so an edit
/// elsewhere in the repository changes nothing the compile sees.
pub fn source(input: Planner<'_>) -> Output {
    let mut local = Local::new(&input.request.context_local)
        .session(&input.request.session_id)
        .exclude(input.context.excludes());
    // A local module at the context's root (gopls: `replace golang.org/x/tools => ..`) needs
    // the whole context, which no include pattern selects (BuildKit matches them against
    // paths below the root, and `.` matches none).
    let paths = input
        .context
        .location
        .paths
        .as_ref()
        .filter(|paths| !paths.compile_paths.iter().any(|path| path == "."));
    if let Some(paths) = paths {
        let files = input.spec.files.iter().map(|file| &file.src.value);
        let mut included: Vec<String> = paths
            .compile_paths
            .iter()
            .chain(files)
            .map(|path| exact_pattern(path))
            .collect();
        included.sort();
        included.dedup();
        local = local.include(included);
    }
    local
        .shared_key_hint("context")
        .build(&Constraints::default(), "load build context")
}

/// Where the module's Go commands run: the main module's directory under [`SOURCE_DIR`]
/// (`/src`, or `/src/svc` for `module: svc`), where `main:` and `test.packages` are read
/// as the go command reads them.
pub fn module_directory(input: Planner<'_>) -> String {
    match &input.context.location.module_dir {
        Some(directory) => format!("{SOURCE_DIR}/{directory}"),
        None => SOURCE_DIR.to_string(),
    }
}

/// The environment the module's own Go commands (`go build`, `go test`) get beyond the
/// builder's: `build.env`, then `CGO_ENABLED` (`0`, or `1` with `build.cgo`).
pub fn module_env(input: Planner<'_>) -> Vec<(String, String)> {
    let mut extra: Vec<(String, String)> = input
        .spec
        .build
        .env
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    extra.push(cgo::cgo_enabled(input.spec));
    extra
}

/// The environment of every `go build` for `platform` beyond the builder's: [`module_env`],
/// `GOOS`/`GOARCH` (and `GOARM`/`GOAMD64`) of the platform, and with cgo the cross
/// compiler's `CC` and `CXX` ([`cgo::compiler_env`]).
///
/// Errors: a target platform Go cannot build for (the spec and the options check theirs, so
/// only the build platform as the default target can be one).
fn compile_env(
    input: Planner<'_>,
    platform: &Platform,
) -> Result<Vec<(String, String)>, PlanError> {
    let mut extra = module_env(input);
    extra.extend(
        platform
            .go_env()
            .map_err(|problem| PlanError::BuildPlatform {
                platform: platform.clone(),
                problem,
            })?,
    );
    extra.extend(cgo::compiler_env(input, platform));
    Ok(extra)
}

/// Compiles without the DWARF that the link's `-w` drops anyway: the binary's code is the
/// same and the compile does less (uuid-service cold on 2 cores, host Go 1.26:
/// 13.8 s → 12.4 s). Go records it in the binary's build settings.
pub const NO_DWARF: &str = "-gcflags=all=-dwarf=false";

/// [`NO_DWARF`], unless the build's GOFLAGS (`build.env`, the build-arg, or the builder's
/// `Env`) has its own `-gcflags`, which a flag on the command line would replace.
fn compiler_flags(input: Planner<'_>) -> Vec<String> {
    let builder_goflags = input
        .builder
        .env()
        .into_iter()
        .find_map(|entry| entry.strip_prefix("GOFLAGS=").map(str::to_string));
    let goflags = [
        input.spec.build.env.get("GOFLAGS").cloned(),
        input.request.build_arg("GOFLAGS").map(str::to_string),
        builder_goflags,
    ];
    match goflags
        .iter()
        .flatten()
        .any(|value| value.contains("-gcflags"))
    {
        true => Vec::new(),
        false => vec![NO_DWARF.to_string()],
    }
}

/// `-tags a,b` from `build.tags` (with the tags of a static cgo link, [`cgo::tags`]), or
/// nothing.
fn tags(input: Planner<'_>) -> Vec<String> {
    let tags = cgo::tags(input.spec);
    match tags.is_empty() {
        true => Vec::new(),
        false => vec!["-tags".into(), tags.join(",")],
    }
}

/// The flags that decide how a package compiles, and so its build cache entry, as [`build`]
/// passes them: `-trimpath`, the compiler flags and the tags (link flags do not).
fn package_flags(input: Planner<'_>) -> Vec<String> {
    let mut flags = vec!["-trimpath".to_string()];
    flags.extend(compiler_flags(input));
    flags.extend(tags(input));
    flags
}

/// The build cache layer of `cache.export` for `platform`: the standard library and the
/// dependency packages of every binary, compiled with the compile's flags and environment
/// (`build_cache_layers`), which seeds each compile's build cache.
///
/// Errors: as [`build`].
pub fn cache_layer(
    input: Planner<'_>,
    deps: &Dependencies,
    platform: &Platform,
) -> Result<Output, PlanError> {
    let request = CacheRequest {
        platform,
        env: compile_env(input, platform)?,
        flags: package_flags(input),
        packages: input
            .spec
            .binaries
            .iter()
            .map(|binary| binary.main.value.clone())
            .collect(),
        tests: false,
    };
    Ok(build_cache_layers::layer(
        input,
        deps,
        &source(input),
        &module_directory(input),
        &request,
    ))
}

/// A filesystem holding only `/usr/local/bin/<name>` ([`BINARY_DIR`]), the binary of `binary`
/// for `platform` (static, or with `build.cgo` on a base with a C library linked dynamically:
/// `cgo`). The build cache is the cache mount, seeded from `cache_layer` when given
/// (`cache.export`); then `go build -v` names each package it compiles rather than finds in
/// the cache, so the log shows that only the main module's packages were compiled.
///
/// Errors: a target platform Go cannot build for (the spec and the options check theirs, so
/// only the build platform as the default target can be one).
pub fn build(
    input: Planner<'_>,
    deps: &Dependencies,
    cache_layer: Option<&Output>,
    binary: &Binary,
    name: &str,
    platform: &Platform,
) -> Result<Output, PlanError> {
    let spec = input.spec;
    let mut extra = compile_env(input, platform)?;
    let mut args: Vec<String> = ["go", "build", "-trimpath", "-buildvcs=false"]
        .map(String::from)
        .to_vec();
    if cache_layer.is_some() {
        args.push("-v".into());
    }
    args.extend(compiler_flags(input));
    args.push("-ldflags".into());
    args.push(ldflags(
        cgo::link_flags(spec),
        &spec.build.ldflags,
        input.request.template_values(),
    ));
    args.extend(tags(input));
    args.push("-o".into());
    // Under the step's output mount, at its place in the image (`go build` creates the
    // directories), so that the final stage adds it with one copy.
    args.push(format!("{OUTPUT_DIR}{}", binary_path(name)));
    args.push(binary.main.value.clone());
    let (args, hints) = failure_hints::explained(&failure_hints::compile(input, binary), args);
    extra.push(hints);
    // No network: every module comes from the download step's module cache, so a module
    // missing from go.sum fails here with Go's error instead of being fetched unchecked.
    let mut step = OfflineGoStep::new(input, args, &extra, Root::ReadOnly(&deps.root))
        .cwd(&module_directory(input))
        .build_cache(platform, cache_layer)
        .line(binary.main.span.line);
    let exec = step.exec();
    exec.readonly(SOURCE_DIR, &source(input));
    failure_hints::mount(input, exec);
    let output = exec.writable(OUTPUT_DIR, None);
    deps.mount_modules(exec);
    let name = format!("go build {} ({platform})", binary.main.value);
    Ok(step.build(&name).output(output))
}

#[cfg(test)]
mod tests;
