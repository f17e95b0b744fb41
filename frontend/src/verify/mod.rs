//! What gostage checks in a solved result before returning it, and the checks themselves
//! over bytes: each binary is an ELF file for the target platform (machine, class,
//! byte order, and the ARM level Go recorded), static where the base has no C library, with
//! its program interpreter in the image where it is dynamically linked, and the entrypoint
//! exists. The gateway reads the bytes with ranged `ReadFile` calls
//! (`frontend/gateway/pb/gateway.proto` `FileRange`), so no tool runs in the image.

mod elf;
mod libc;

pub use libc::Libc;

pub use elf::{
    arm_level, expected_machine, header, interpreter_range, machine_name, names_range,
    section_range, ElfError, ElfHeader, BUILD_INFO_SECTION, MAX_TABLE_BYTES,
};

use crate::vocabulary::{Diagnostic, Platform, Span};

/// A binary the result must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedBinary {
    /// Path in the result (`/usr/local/bin/server`, or `/server` for the binary target).
    pub path: String,
    /// The platform it was compiled for.
    pub platform: Platform,
    /// Whether a program interpreter (dynamic linking) is an error: the base has no C
    /// library (scratch, distroless static).
    pub must_be_static: bool,
    /// Whether a dynamically linked binary's program interpreter must exist in the result:
    /// the result is an image over a base that may have a C library.
    pub interpreter_in_result: bool,
    /// Whether it was compiled with cgo (`build.cgo`), for the fix an error names.
    pub cgo: bool,
    /// The spec line of its `main:` (what compiled it).
    pub span: Span,
}

/// The entrypoint the image config names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedEntrypoint {
    /// Candidate paths, in lookup order: the absolute path, or each `PATH` directory joined
    /// with the bare name (as Docker looks it up).
    pub candidates: Vec<String>,
    /// `Entrypoint[0]` as written in the config.
    pub written: String,
    /// Where the spec decides it (`image.entrypoint`, else the first binary's `main:`).
    pub span: Span,
}

/// Everything to check in one platform's result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// The binaries.
    pub binaries: Vec<ExpectedBinary>,
    /// The entrypoint, for image targets.
    pub entrypoint: Option<ExpectedEntrypoint>,
}

/// What the gate read of one binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryFacts {
    /// `e_machine`.
    pub machine: u16,
    /// ELFCLASS64.
    pub is_64_bit: bool,
    /// ELFDATA2LSB.
    pub is_little_endian: bool,
    /// The program interpreter, for a dynamically linked executable.
    pub interpreter: Option<String>,
    /// `GOARM` from Go's build info, for arm.
    pub arm_level: Option<u8>,
}

/// The problem with `facts` for `expected`, placed at its `main:` line; `None` when it is
/// what the platform needs.
pub fn judge(expected: &ExpectedBinary, facts: &BinaryFacts) -> Option<Diagnostic> {
    let platform = &expected.platform;
    let at = |message: String, help: &str| {
        Some(Diagnostic::new(expected.span, message).with_help(help.to_string()))
    };
    if let Some((machine, is_64_bit, is_little_endian, name)) = expected_machine(platform) {
        if facts.machine != machine
            || facts.is_64_bit != is_64_bit
            || facts.is_little_endian != is_little_endian
        {
            return at(
                format!(
                    "{} is a {} {}-bit {}-endian executable, not one for {platform} ({name})",
                    expected.path,
                    machine_name(facts.machine),
                    if facts.is_64_bit { 64 } else { 32 },
                    if facts.is_little_endian { "little" } else { "big" },
                ),
                "the builder's Go did not build for the target platform: check that `builder:` is a Go toolchain image whose `go` honours GOOS/GOARCH, and that build.env sets neither",
            );
        }
    }
    if let (Some(interpreter), true) = (&facts.interpreter, expected.must_be_static) {
        let help = match expected.cgo {
            true => format!(
                "with `build.cgo: true` {}; gostage links statically on this base unless build.ldflags (`-linkmode`, `-extldflags`) or GOFLAGS (`-buildmode=pie`) undo it",
                choices(Libc::Glibc)
            ),
            false => "remove what links it dynamically: `-buildmode=pie` (in build.env GOFLAGS), `-linkmode=external` in build.ldflags; or use an `image.base` with a C library".to_string(),
        };
        return at(
            format!(
                "{} for {platform} is dynamically linked (program interpreter {interpreter}), but the base image has no C library to run it",
                expected.path
            ),
            &help,
        );
    }
    let wanted = platform
        .variant
        .strip_prefix('v')
        .and_then(|level| level.parse::<u8>().ok());
    if let (Some(wanted), Some(found)) = (
        wanted.filter(|_| platform.architecture == "arm"),
        facts.arm_level,
    ) {
        if wanted != found {
            return at(
                format!(
                    "{} was built for ARMv{found} (GOARM={found}), not for {platform}",
                    expected.path
                ),
                "remove GOARM from build.env and GOFLAGS: gostage sets it from the platform's variant",
            );
        }
    }
    None
}

/// The two ways a program with C parts runs, for errors: statically linked on a base
/// without a C library, or dynamically against the base's glibc; `libc` is the C library the
/// binary was linked against.
fn choices(libc: Libc) -> String {
    let dynamic = match libc {
        Libc::Glibc => "link dynamically against glibc on a base that has it: `image.base: distroless-base` (or a Debian-based image)",
        Libc::Musl => "link dynamically against glibc: build with a Debian builder (`builder: golang:<version>`, not an `-alpine` one) on a glibc base such as `image.base: distroless-base`",
    };
    format!("choose one: link statically on `image.base: scratch` or `distroless` (with `build.cgo: true`, gostage links statically there), or {dynamic}")
}

/// The paths the gate looks up in the result for a dynamically linked binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterpreterLookup {
    /// The binary's program interpreter.
    pub interpreter: String,
    /// The other C library's interpreter for the platform, looked up only when the first is
    /// missing, to tell a musl/glibc mismatch from a base without any C library.
    pub other_libc: Option<&'static str>,
}

/// What to look up for `expected` with `facts`: `Some` for a dynamically linked binary whose
/// interpreter must be in the result ([`ExpectedBinary::interpreter_in_result`]).
pub fn interpreter_lookup(
    expected: &ExpectedBinary,
    facts: &BinaryFacts,
) -> Option<InterpreterLookup> {
    let interpreter = facts.interpreter.as_ref()?;
    if !expected.interpreter_in_result {
        return None;
    }
    let libc = Libc::of_interpreter(interpreter);
    Some(InterpreterLookup {
        interpreter: interpreter.clone(),
        other_libc: libc.other().interpreter(&expected.platform),
    })
}

/// The problem when the result lacks `lookup.interpreter`; `other_found` says whether the
/// other C library's interpreter (`lookup.other_libc`) is in the result. Placed at the
/// binary's `main:` line.
pub fn missing_interpreter(
    expected: &ExpectedBinary,
    lookup: &InterpreterLookup,
    other_found: bool,
) -> Diagnostic {
    let libc = Libc::of_interpreter(&lookup.interpreter);
    let platform = &expected.platform;
    let message = match (lookup.other_libc, other_found) {
        (Some(other), true) => format!(
            "{} for {platform} is linked against {} (program interpreter {}), but the base image has {} ({other}), not {}",
            expected.path,
            libc.name(),
            lookup.interpreter,
            libc.other().name(),
            libc.name()
        ),
        _ => format!(
            "{} for {platform} is linked against {}, but its program interpreter {} is not in the image: the base image has no {}",
            expected.path,
            libc.name(),
            lookup.interpreter,
            libc.name()
        ),
    };
    Diagnostic::new(expected.span, message).with_help(choices(libc))
}

/// The problem when none of `entrypoint`'s candidates exists.
pub fn missing_entrypoint(entrypoint: &ExpectedEntrypoint, platform: &Platform) -> Diagnostic {
    Diagnostic::new(
        entrypoint.span,
        format!(
            "the image's entrypoint `{}` is not in the image for {platform} (looked at {})",
            entrypoint.written,
            entrypoint.candidates.join(", ")
        ),
    )
    .with_help("set `image.entrypoint` to a program of the image, e.g. /usr/local/bin/<binary name>, or remove it to run the first binary")
}

/// The candidate paths of `program` in an image whose `PATH` is `path` (`:`-separated).
pub fn entrypoint_candidates(program: &str, path: &str) -> Vec<String> {
    if program.starts_with('/') {
        return vec![program.to_string()];
    }
    path.split(':')
        .filter(|directory| directory.starts_with('/'))
        .map(|directory| format!("{}/{program}", directory.trim_end_matches('/')))
        .collect()
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
