//! The verification gate: before a result is returned, each built binary's ELF header,
//! program headers and (for arm) Go build info are read from the solved ref with ranged
//! `ReadFile` calls; a dynamically linked binary's program interpreter and the entrypoint
//! are looked up with `StatFile` ([`crate::verify`] decides). The lookups are in the result
//! itself, the image filesystem the container runs (the base plus gostage's layers): it is
//! solved already, while the base alone would be one more definition to solve per
//! platform, and `StatFile` follows symlinks to the end, as the kernel does when it loads
//! the interpreter (`continuity` `fs.RootPath`). A failed check fails the build at the spec line that caused it.

use super::bridge::Bridge;
use super::errors::FrontendError;
use super::SpecFile;
use crate::verify::{self, BinaryFacts, ExpectedBinary, Verification, MAX_TABLE_BYTES};
use crate::vocabulary::{Diagnostic, Platform};

/// Checks every `(ref, platform, verification)` of `checks`, all platforms at once (each
/// read makes the daemon build that platform's result, so checking them one after the
/// other would build the platforms one after the other).
///
/// Errors: the first failure of [`check`]; a failed build surfaces here, as `build for
/// <platform>: …`.
pub async fn check_all(
    bridge: &Bridge,
    spec_file: &SpecFile,
    checks: Vec<(String, Platform, Verification)>,
) -> Result<(), FrontendError> {
    let mut running = tokio::task::JoinSet::new();
    for (reference, platform, verification) in checks {
        let mut bridge = bridge.clone();
        let spec_file = spec_file.clone();
        running.spawn(async move {
            check(
                &mut bridge,
                &spec_file,
                &reference,
                &platform,
                &verification,
            )
            .await
            .map_err(|error| match error {
                FrontendError::Daemon { status, .. } => {
                    FrontendError::daemon(format!("build for {platform}"), status)
                }
                other => other,
            })
        });
    }
    while let Some(joined) = running.join_next().await {
        joined.map_err(|error| {
            FrontendError::Other(format!("the verification stopped: {error}"))
        })??;
    }
    Ok(())
}

/// Checks `verification` against the solved ref `reference` of `platform`.
///
/// Errors: a check failed ([`FrontendError::Spec`] at its line), or a read failed.
async fn check(
    bridge: &mut Bridge,
    spec_file: &SpecFile,
    reference: &str,
    platform: &Platform,
    verification: &Verification,
) -> Result<(), FrontendError> {
    for binary in &verification.binaries {
        let facts = match read_facts(bridge, reference, binary).await? {
            Ok(facts) => facts,
            Err(problem) => {
                return Err(spec_file.error(
                    Diagnostic::new(binary.span, format!("{} for {platform} {problem}", binary.path))
                        .with_help("check that `main:` names the directory of a `package main` (go build -o writes an archive for any other package)"),
                ))
            }
        };
        if let Some(diagnostic) = verify::judge(binary, &facts) {
            return Err(spec_file.error(diagnostic));
        }
        if let Some(lookup) = verify::interpreter_lookup(binary, &facts) {
            if bridge
                .stat_file(reference, &lookup.interpreter)
                .await?
                .is_none()
            {
                let other_found = match lookup.other_libc {
                    Some(other) => bridge.stat_file(reference, other).await?.is_some(),
                    None => false,
                };
                return Err(spec_file.error(verify::missing_interpreter(
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
            if bridge.stat_file(reference, candidate).await?.is_some() {
                found = true;
                break;
            }
        }
        if !found {
            return Err(spec_file.error(verify::missing_entrypoint(entrypoint, platform)));
        }
    }
    Ok(())
}

/// How much of a binary the first read takes: the ELF header and, in a Go binary, the program
/// header table and an interpreter path lie within it, so a binary costs one read.
const PREFIX_BYTES: u64 = 4096;

/// `length` bytes from `offset` of the file: from `prefix` (its first bytes) when they hold
/// them, else read (the length capped at [`MAX_TABLE_BYTES`]).
async fn bytes_at(
    bridge: &mut Bridge,
    reference: &str,
    path: &str,
    prefix: &[u8],
    (offset, length): (u64, u64),
) -> Result<Vec<u8>, FrontendError> {
    let length = length.min(MAX_TABLE_BYTES);
    let end = offset.saturating_add(length);
    if let (Ok(start), Ok(end)) = (usize::try_from(offset), usize::try_from(end)) {
        if let Some(bytes) = prefix.get(start..end) {
            return Ok(bytes.to_vec());
        }
    }
    Ok(bridge
        .read_file_range(reference, path, offset, length)
        .await?
        .unwrap_or_default())
}

/// Reads what [`verify::judge`] needs; `Ok(Err(problem))` when the file is missing or not
/// a readable ELF executable.
async fn read_facts(
    bridge: &mut Bridge,
    reference: &str,
    binary: &ExpectedBinary,
) -> Result<Result<BinaryFacts, String>, FrontendError> {
    let path = &binary.path;
    let Some(prefix) = bridge
        .read_file_range(reference, path, 0, PREFIX_BYTES)
        .await?
    else {
        return Ok(Err("is missing from the result".into()));
    };
    let elf = match verify::header(&prefix) {
        Ok(elf) => elf,
        Err(problem) => return Ok(Err(problem)),
    };
    let table = bytes_at(bridge, reference, path, &prefix, elf.program_headers()).await?;
    let interpreter = match verify::interpreter_range(&elf, &table) {
        Ok(Some(at)) => {
            let bytes = bytes_at(bridge, reference, path, &prefix, at).await?;
            Some(
                String::from_utf8_lossy(&bytes)
                    .trim_end_matches('\0')
                    .to_string(),
            )
        }
        Ok(None) => None,
        Err(problem) => return Ok(Err(problem)),
    };
    let arm_level = match binary.platform.architecture.as_str() {
        "arm" => read_arm_level(bridge, reference, path, &elf).await?,
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
async fn read_arm_level(
    bridge: &mut Bridge,
    reference: &str,
    path: &str,
    elf: &verify::ElfHeader,
) -> Result<Option<u8>, FrontendError> {
    let bounded = |(offset, length): (u64, u64)| (offset, length.min(MAX_TABLE_BYTES));
    let (offset, length) = bounded(elf.section_headers());
    let Some(table) = bridge
        .read_file_range(reference, path, offset, length)
        .await?
    else {
        return Ok(None);
    };
    let Ok(names_at) = verify::names_range(elf, &table) else {
        return Ok(None);
    };
    let (offset, length) = bounded(names_at);
    let names = bridge
        .read_file_range(reference, path, offset, length)
        .await?
        .unwrap_or_default();
    let Ok(Some(section)) = verify::section_range(elf, &table, &names, verify::BUILD_INFO_SECTION)
    else {
        return Ok(None);
    };
    let (offset, length) = bounded(section);
    let build_info = bridge
        .read_file_range(reference, path, offset, length)
        .await?
        .unwrap_or_default();
    Ok(verify::arm_level(&build_info))
}
