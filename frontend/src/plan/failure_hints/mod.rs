//! What gostage adds when a Go step fails: BuildKit shows a failed step's output, but the
//! frontend never sees it, so each step runs its command through `gostage explain` (module
//! `step`, from the frontend image), which passes the output through and, when the command
//! fails, ends with the hint of each known text it saw, naming the spec line to change. The
//! hints travel as `step_contract::hints` encodes them.

use super::gostage_binary;
use super::netrc::{credential_failure_hints, download_line};
use super::ssh::ssh_failure_hints;
use super::Planner;
use crate::llb::Exec;
use crate::spec::{Binary, Spec};
use crate::step_contract::{encode_hints, Invocation, HINTS_VARIABLE};

/// A text Go prints, and what to tell the user when a failed step printed it.
pub type Hint = (&'static str, String);

/// `command` run through `gostage explain`: the step's arguments, and the variable with
/// `hints` to add to its environment ([`HINTS_VARIABLE`], not the arguments: BuildKit
/// quotes a failed step's whole command line in its error). The step also needs [`mount`].
pub fn explained(hints: &[Hint], command: Vec<String>) -> (Vec<String>, (String, String)) {
    let args = Invocation::Explain { command }.command_line();
    (args, (HINTS_VARIABLE.to_string(), encode_hints(hints)))
}

/// Mounts the binary [`explained`] runs.
pub fn mount(planner: Planner<'_>, exec: &mut Exec) {
    gostage_binary::mount(planner, exec);
}

/// `FILE:LINE` of the spec for hints.
fn at(planner: Planner<'_>, line: u32) -> String {
    format!("{}:{line}", planner.request.spec_filename)
}

/// The line that picks the Go toolchain: `go:`, else `builder:`, else the first key.
fn toolchain_line(spec: &Spec) -> u32 {
    spec.go
        .as_ref()
        .map(|go| go.span.line)
        .or_else(|| spec.builder.as_ref().map(|builder| builder.span.line))
        .unwrap_or(spec.span.line)
}

/// Hints every Go step shares: a toolchain older than go.mod (Go 1.21+ prints `go.mod
/// requires go >= X (running go Y; GOTOOLCHAIN=local)`, `cmd/go/internal/gover`), a
/// missing go.sum entry, and the build machine running out of disk or memory.
fn common(planner: Planner<'_>, line: u32) -> Vec<Hint> {
    let toolchain = at(planner, toolchain_line(planner.spec));
    let here = at(planner, line);
    vec![
        (
            "go.mod requires go >=",
            format!("the builder's Go is older than go.mod's `go` line: set `go:` to at least that version, or remove `go:` and `builder:` so gostage picks golang:<go.mod's version> (see {toolchain})"),
        ),
        (
            "missing go.sum entry",
            format!("go.sum lacks an entry the build needs: run `go mod tidy` and commit go.sum, and check that .dockerignore does not hide it (see {here})"),
        ),
        (
            "no space left on device",
            format!("the daemon's disk (or the tmpfs a step writes to) is full: free space with `docker builder prune` or `buildctl prune`, or point GOTMPDIR in build.env back at the default (see {here})"),
        ),
        (
            "cannot allocate memory",
            format!("the compile ran out of memory: compile fewer packages at once with `build.env: {{GOFLAGS: -p=1}}`, or give the daemon more memory (see {here})"),
        ),
        (
            "out of memory",
            format!("the compile ran out of memory: compile fewer packages at once with `build.env: {{GOFLAGS: -p=1}}`, or give the daemon more memory (see {here})"),
        ),
        (
            "signal: killed",
            format!("a Go process was killed, usually by the kernel's out-of-memory killer: compile fewer packages at once with `build.env: {{GOFLAGS: -p=1}}`, or give the daemon more memory (see {here})"),
        ),
    ]
}

/// The hints of a cgo compile (`build.cgo`), at the first of `build.packages` (else at
/// `line`): a missing C header or library (gcc prints `fatal error: <header>.h: No such
/// file or directory`, the linker `cannot find -l<name>`), and a builder without a C
/// compiler (Go prints `cgo: C compiler "<CC>" not found`, `cmd/go/internal/work`).
fn cgo(planner: Planner<'_>, line: u32) -> Vec<Hint> {
    let packages = planner
        .spec
        .build
        .packages
        .first()
        .map_or(line, |package| package.span.line);
    let here = at(planner, packages);
    vec![
        (
            ".h: No such file or directory",
            format!("a C header is missing from the builder: add the Debian package that ships it (usually `lib<name>-dev`) to `build.packages` (see {here})"),
        ),
        (
            "cannot find -l",
            format!("the C linker cannot find a library: add its Debian `-dev` package to `build.packages` (a static link, on scratch or distroless, needs the `.a` file it ships); packages are installed for the build platform's architecture, so for another target architecture use a Go package that compiles its C library from source, as github.com/mattn/go-sqlite3 does (see {here})"),
        ),
        (
            "cgo: C compiler",
            format!("the builder has no C compiler for cgo: use a Debian-based builder such as `golang:<version>` (gostage installs cross compilers with apt-get), not an `-alpine` one (see {here})"),
        ),
    ]
}

/// The download step's hints: SSH failures (whose `could not read Username` hint also names
/// the netrc secret), refused credentials, then [`common`] at the download line.
pub fn download(planner: Planner<'_>) -> Vec<Hint> {
    let spec_file = &planner.request.spec_filename;
    let mut hints = ssh_failure_hints(&planner.spec.modules, spec_file);
    hints.extend(credential_failure_hints(planner.spec, spec_file));
    hints.extend(common(planner, download_line(planner.spec)));
    hints
}

/// The hints of the compile of `binary`: a `main:` that is not a main package or names
/// nothing Go can build (at that binary's line), a module go.mod does not require, with cgo missing C
/// headers, libraries and compilers ([`cgo`]), VCS stamping, then [`common`].
pub fn compile(planner: Planner<'_>, binary: &Binary) -> Vec<Hint> {
    let line = binary.main.span.line;
    let here = at(planner, line);
    let mut hints = Vec::new();
    let main = &binary.main.value;
    for pattern in [
        "is not a main package",
        "no Go files in",
        "no required module provides package",
        "directory not found",
    ] {
        hints.push((
            pattern,
            format!("`main: {main}` must name a directory of the module holding `package main` (relative to go.mod, e.g. ./cmd/server) (see {here})"),
        ));
    }
    let top = at(planner, planner.spec.span.line);
    // In a workspace the compile gets only the modules go.mod requires (Layout::compile_paths);
    // Go says this when an import needs another `use` module.
    if let Some(paths) = &planner.context.location.paths {
        if !paths.modules_left_out.is_empty() {
            let go_mod = match &planner.context.location.module_dir {
                Some(directory) => format!("{directory}/go.mod"),
                None => "go.mod".to_string(),
            };
            hints.push((
                "no required module provides package",
                format!("in a workspace gostage gives the compile the modules that {go_mod} requires (directly or through them), not {}: if the package is in one of these, add `require <its module path> v0.0.0` to {go_mod} (see {top})", paths.modules_left_out.join(", ")),
            ));
        }
    }
    // Go says this when the compile, which runs without network, needs a module that the
    // download step's layer lacks: `go mod download` fetches what go.mod requires, so go.mod
    // does not require it.
    hints.push((
        "module lookup disabled by GOPROXY=off",
        format!("the compile needs a module that go.mod does not require, and gostage compiles without network (modules come only from the `go mod download` step): run `go mod tidy` and commit go.mod and go.sum (see {top})"),
    ));
    if planner.spec.build.cgo {
        hints.extend(cgo(planner, line));
    }
    hints.push((
        "error obtaining VCS status",
        format!("Go tried to stamp version control information, which gostage turns off (`-buildvcs=false`; .git is not sent): remove `-buildvcs=true` from build.env GOFLAGS or the GOFLAGS build-arg (see {here})"),
    ));
    hints.extend(common(planner, line));
    hints
}

#[cfg(test)]
mod tests;
