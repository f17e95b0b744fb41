//! cgo (`build.cgo: true`): what changes in the builder and the compile.
//!
//! - The builder gets `build.packages` and the cross compilers of the target platforms in an
//!   apt step of its own (`packages`), before `go mod download`, so both are cached across
//!   builds and every later builder step sees them.
//! - The compile runs with `CGO_ENABLED=1`; for a target architecture other than the build
//!   platform's, `CC` and `CXX` name Debian's cross compiler (`cross`), never emulation.
//! - On a base without a C library ([`Base::is_static`](crate::spec::Base::is_static)) the
//!   link is static: external linking with `-static`, and the tags `netgo` and `osusergo`, so
//!   Go's resolver and user lookup need no glibc NSS modules at run time (`go help
//!   buildconstraint`, `net` and `os/user` package docs). On any other base the link is
//!   dynamic, and the gate checks that the base has the binary's program interpreter.
//!
//! The environment of the compile holds nothing that changes between builds (no package list,
//! no time), so Go's build cache, keyed by `CC`, the `CGO_*` flags and the compiler's
//! identity (`cmd/go/internal/work`), finds the C parts of dependencies (SQLite's ~35 s)
//! compiled by the previous build.

mod cross;
mod packages;
#[cfg(test)]
mod tests;

pub use cross::{c_compiler, supported_targets, CCompiler};
pub use packages::{APT_CACHE_DIR, APT_CACHE_ID, APT_LISTS_DIR, APT_LISTS_ID};

use super::images::builder_image;
use super::{PlanError, Planner};
use crate::llb::Output;
use crate::spec::Spec;
use crate::vocabulary::{BuildRequest, Diagnostic, Platform, Problem};

/// How a cgo program is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linking {
    /// Fully static, for a base without a C library.
    Static,
    /// Against the base image's C library, found through the program interpreter.
    Dynamic,
}

/// How the programs of `spec` are linked with cgo: static on a base without a C library,
/// dynamic on any other.
pub fn linking(spec: &Spec) -> Linking {
    match spec.image.base.is_static() {
        true => Linking::Static,
        false => Linking::Dynamic,
    }
}

/// The tags the link of a static cgo program adds to `build.tags`: Go's own DNS resolver and
/// user lookup, instead of glibc's `getaddrinfo` and `getpwnam`, which load NSS modules at
/// run time even in a static binary (and warn at link time).
pub const STATIC_TAGS: [&str; 2] = ["netgo", "osusergo"];

/// The `-ldflags` of a static cgo program, after gostage's defaults: external linking (the C
/// linker links the C parts) with `-static` (`cmd/link` flags `-linkmode`, `-extldflags`).
pub const STATIC_LDFLAGS: &str = "-linkmode external -extldflags \"-static\"";

/// `build.tags`, plus [`STATIC_TAGS`] not already there for a static cgo link.
pub fn tags(spec: &Spec) -> Vec<String> {
    let mut tags = spec.build.tags.clone();
    if spec.build.cgo && linking(spec) == Linking::Static {
        for tag in STATIC_TAGS {
            if !tags.iter().any(|written| written == tag) {
                tags.push(tag.to_string());
            }
        }
    }
    tags
}

/// [`STATIC_LDFLAGS`] for a static cgo link, else nothing.
pub fn link_flags(spec: &Spec) -> Option<&'static str> {
    (spec.build.cgo && linking(spec) == Linking::Static).then_some(STATIC_LDFLAGS)
}

/// `CGO_ENABLED` from `build.cgo`.
pub fn cgo_enabled(spec: &Spec) -> (String, String) {
    let value = match spec.build.cgo {
        true => "1",
        false => "0",
    };
    ("CGO_ENABLED".to_string(), value.to_string())
}

/// `CC` and `CXX` of a cgo compile for `platform`: the cross compiler when the target's
/// architecture differs from the build platform's; nothing otherwise (Go's default, the
/// builder's `gcc`), and nothing without cgo.
pub fn compiler_env(planner: Planner<'_>, platform: &Platform) -> Vec<(String, String)> {
    if !planner.spec.build.cgo {
        return Vec::new();
    }
    match c_compiler(&planner.request.build_platform, platform) {
        Some(CCompiler::Cross(toolchain)) => vec![
            ("CC".to_string(), toolchain.c_compiler()),
            ("CXX".to_string(), toolchain.cxx_compiler()),
        ],
        _ => Vec::new(),
    }
}

/// The root of the steps that compile the module: the builder, with the apt step's packages
/// when cgo needs any (`build.packages`, cross compilers), else the builder image itself.
pub fn builder_root(planner: Planner<'_>) -> Output {
    if !planner.spec.build.cgo {
        return builder_image(planner);
    }
    let packages = packages::packages(planner);
    match packages.is_empty() {
        true => builder_image(planner),
        false => packages::installed(planner, &packages),
    }
}

/// Checks that cgo can build for every target of `platforms` on the build platform.
///
/// Errors: a target Debian has no cross compiler for, at its `platforms:` entry when the
/// spec chose the platforms, else naming `--platform`.
pub fn check_platforms(
    spec: &Spec,
    request: &BuildRequest,
    platforms: &[Platform],
) -> Result<(), PlanError> {
    if !spec.build.cgo {
        return Ok(());
    }
    let build = &request.build_platform;
    for platform in platforms {
        if c_compiler(build, platform).is_some() {
            continue;
        }
        // A node of that platform compiles natively, except for ARM below v7: Debian's only
        // hard-float ARM compiler is armhf, ARMv7.
        let native_node = match c_compiler(platform, platform) {
            Some(_) => format!(", build on a {platform} node of the builder (a native compile)"),
            None => String::new(),
        };
        let problem = Problem::new(
            format!("is {platform}, which cgo cannot build for on the build platform {build}: Debian has no cross compiler for it there"),
            format!(
                "with `build.cgo: true` gostage builds on {build} for {}; remove {platform}{native_node}, or turn cgo off",
                supported_targets(build).join(", ")
            ),
        );
        let written = spec
            .platforms
            .iter()
            .enumerate()
            .find(|(_, written)| &written.value == platform);
        return Err(match (request.platforms.is_empty(), written) {
            (true, Some((index, written))) => PlanError::Spec(
                Diagnostic::new(
                    written.span,
                    format!("`platforms[{index}]` {}", problem.message),
                )
                .with_help(problem.help),
            ),
            _ => PlanError::CgoPlatform(problem),
        });
    }
    Ok(())
}
