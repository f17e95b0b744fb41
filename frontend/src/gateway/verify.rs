//! The verification gate: before a result is returned, each built binary's ELF header,
//! program headers and (for arm) Go build info are read from the solved ref with ranged
//! `ReadFile` calls; a dynamically linked binary's program interpreter and the entrypoint
//! are looked up with `StatFile` ([`crate::verify`] decides). The lookups are in the result
//! itself, the image filesystem the container runs (the base plus gostage's layers): it is
//! solved already, while the base alone would be one more definition to solve per
//! platform, and `StatFile` follows symlinks to the end, as the kernel does when it loads
//! the interpreter (`continuity` `fs.RootPath`). A failed check fails the build at the spec line that caused
//! it.

use futures_util::future::join_all;

use super::daemon::{ByteRange, Daemon};
use super::errors::FrontendError;
use super::SpecFile;
use crate::verify::{self, BinaryFacts, ElfError, ExpectedBinary, Verification, MAX_TABLE_BYTES};
use crate::vocabulary::{Diagnostic, Platform};

/// Why a binary's facts cannot be read from the result: said after "<path> for <platform>".
#[derive(Debug, thiserror::Error)]
enum BinaryProblem {
    /// The result has no file at the binary's path.
    #[error("is missing from the result")]
    Missing,
    /// The file is not a readable ELF executable.
    #[error(transparent)]
    Elf(#[from] ElfError),
}

/// Checks every `(ref, platform, verification)` of `checks`, all platforms at once (each
/// read makes the daemon build that platform's result, so checking them one after the
/// other would build the platforms one after the other).
///
/// Errors: the first failure of [`check`], in the order of `checks`; a failed build
/// surfaces here, as `build for <platform>: …`.
pub async fn check_all<D: Daemon>(
    daemon: &D,
    spec_file: &SpecFile,
    checks: Vec<(String, Platform, Verification)>,
) -> Result<(), FrontendError> {
    let running = checks
        .iter()
        .map(|(reference, platform, verification)| async move {
            check(daemon, spec_file, reference, platform, verification)
                .await
                .map_err(|error| match error {
                    Failure::Read(status) => {
                        FrontendError::daemon(format!("build for {platform}"), status)
                    }
                    Failure::Check(error) => error,
                })
        });
    join_all(running).await.into_iter().collect()
}

/// How [`check`] fails: a read failed (the build of the ref, most likely), or a check did.
enum Failure {
    /// The daemon failed a read: reported as the build of that platform failing.
    Read(tonic::Status),
    /// The result is not what the spec asks for, at the spec line that asks.
    Check(FrontendError),
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        Failure::Read(status)
    }
}

/// Checks `verification` against the solved ref `reference` of `platform`.
///
/// Errors: a check failed ([`FrontendError::Spec`] at its line), or a read failed.
async fn check<D: Daemon>(
    daemon: &D,
    spec_file: &SpecFile,
    reference: &str,
    platform: &Platform,
    verification: &Verification,
) -> Result<(), Failure> {
    let failed = |diagnostic: Diagnostic| Failure::Check(spec_file.error(diagnostic));
    for binary in &verification.binaries {
        let facts = match read_facts(daemon, reference, binary).await? {
            Ok(facts) => facts,
            Err(problem) => {
                return Err(failed(
                    Diagnostic::new(binary.span, format!("{} for {platform} {problem}", binary.path))
                        .with_help("check that `main:` names the directory of a `package main` (go build -o writes an archive for any other package)"),
                ))
            }
        };
        if let Some(diagnostic) = verify::judge(binary, &facts) {
            return Err(failed(diagnostic));
        }
        if let Some(lookup) = verify::interpreter_lookup(binary, &facts) {
            if daemon
                .stat_file(reference, &lookup.interpreter)
                .await?
                .is_none()
            {
                let other_found = match lookup.other_libc {
                    Some(other) => daemon.stat_file(reference, other).await?.is_some(),
                    None => false,
                };
                return Err(failed(verify::missing_interpreter(
                    binary,
                    &lookup,
                    other_found,
                )));
            }
        }
    }
    if let Some(entrypoint) = &verification.entrypoint {
        // A binary read above needs no second look.
        let read_above = entrypoint.candidates.first().is_some_and(|first| {
            verification
                .binaries
                .iter()
                .any(|binary| &binary.path == first)
        });
        let mut found = read_above;
        for candidate in entrypoint.candidates.iter().filter(|_| !read_above) {
            if daemon.stat_file(reference, candidate).await?.is_some() {
                found = true;
                break;
            }
        }
        if !found {
            return Err(failed(verify::missing_entrypoint(entrypoint, platform)));
        }
    }
    Ok(())
}

/// How much of a binary the first read takes: the ELF header and, in a Go binary, the program
/// header table and an interpreter path lie within it, so a binary costs one read.
const PREFIX_BYTES: u64 = 4096;

/// `length` bytes of the file `path` of `reference` from `offset` (fewer at its end, none
/// when it is missing), the length capped at [`MAX_TABLE_BYTES`].
async fn read_range<D: Daemon>(
    daemon: &D,
    reference: &str,
    path: &str,
    (offset, length): (u64, u64),
) -> Result<Option<Vec<u8>>, tonic::Status> {
    let range = ByteRange {
        offset,
        length: length.min(MAX_TABLE_BYTES),
    };
    daemon.read_file(reference, path, Some(range)).await
}

/// `length` bytes from `offset` of the file: from `prefix` (its first bytes) when they hold
/// them, else read (the length capped at [`MAX_TABLE_BYTES`]).
async fn bytes_at<D: Daemon>(
    daemon: &D,
    reference: &str,
    path: &str,
    prefix: &[u8],
    (offset, length): (u64, u64),
) -> Result<Vec<u8>, tonic::Status> {
    let length = length.min(MAX_TABLE_BYTES);
    let end = offset.saturating_add(length);
    if let (Ok(start), Ok(end)) = (usize::try_from(offset), usize::try_from(end)) {
        if let Some(bytes) = prefix.get(start..end) {
            return Ok(bytes.to_vec());
        }
    }
    Ok(read_range(daemon, reference, path, (offset, length))
        .await?
        .unwrap_or_default())
}

/// Reads what [`verify::judge`] needs; `Ok(Err(problem))` when the file is missing or not
/// a readable ELF executable.
async fn read_facts<D: Daemon>(
    daemon: &D,
    reference: &str,
    binary: &ExpectedBinary,
) -> Result<Result<BinaryFacts, BinaryProblem>, tonic::Status> {
    let path = &binary.path;
    let Some(prefix) = read_range(daemon, reference, path, (0, PREFIX_BYTES)).await? else {
        return Ok(Err(BinaryProblem::Missing));
    };
    let elf = match verify::header(&prefix) {
        Ok(elf) => elf,
        Err(problem) => return Ok(Err(problem.into())),
    };
    let table = bytes_at(daemon, reference, path, &prefix, elf.program_headers()).await?;
    let interpreter = match verify::interpreter_range(&elf, &table) {
        Ok(Some(at)) => {
            let bytes = bytes_at(daemon, reference, path, &prefix, at).await?;
            Some(
                String::from_utf8_lossy(&bytes)
                    .trim_end_matches('\0')
                    .to_string(),
            )
        }
        Ok(None) => None,
        Err(problem) => return Ok(Err(problem.into())),
    };
    let arm_level = match binary.platform.architecture.as_str() {
        "arm" => read_arm_level(daemon, reference, path, &elf).await?,
        _ => None,
    };
    Ok(Ok(BinaryFacts {
        machine: elf.machine(),
        is_64_bit: elf.is_64_bit(),
        is_little_endian: elf.is_little_endian(),
        interpreter,
        arm_level,
    }))
}

/// `GOARM` from the binary's `.go.buildinfo` section, when the sections can be read.
async fn read_arm_level<D: Daemon>(
    daemon: &D,
    reference: &str,
    path: &str,
    elf: &verify::ElfHeader,
) -> Result<Option<u8>, tonic::Status> {
    let Some(table) = read_range(daemon, reference, path, elf.section_headers()).await? else {
        return Ok(None);
    };
    let Ok(names_at) = verify::names_range(elf, &table) else {
        return Ok(None);
    };
    let names = read_range(daemon, reference, path, names_at)
        .await?
        .unwrap_or_default();
    let Ok(Some(section)) = verify::section_range(elf, &table, &names, verify::BUILD_INFO_SECTION)
    else {
        return Ok(None);
    };
    let build_info = read_range(daemon, reference, path, section)
        .await?
        .unwrap_or_default();
    Ok(verify::arm_level(&build_info))
}
