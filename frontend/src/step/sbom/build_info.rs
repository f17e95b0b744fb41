//! The Go build information of an ELF binary, read as Go's `debug/buildinfo.Read` reads it
//! (golang/go `src/debug/buildinfo/buildinfo.go`, `src/runtime/debug/mod.go`
//! `ParseBuildInfo`): the section `.go.buildinfo` is found with module `verify`'s ELF
//! parser; in it, a 16-byte aligned header starting with `\xff Go buildinf:`, then the Go
//! version and the module information as varint-length-prefixed strings (the format since Go
//! 1.18, flag bit 2; gostage compiles with `-buildvcs=false`, which older Go lacks).

use crate::verify;

/// The header's magic (`buildInfoMagic`).
const MAGIC: &[u8] = b"\xff Go buildinf:";
/// The header's size and alignment (`buildInfoHeaderSize`, `buildInfoAlign`).
const HEADER_SIZE: usize = 32;
const ALIGNMENT: usize = 16;
/// The flag of the inline string format (`flagsVersionInl`), in the header's byte 15.
const INLINE_STRINGS: u8 = 0x2;
/// The sentinels around the module information (`cmd/go/internal/modload` `infoStart`,
/// `infoEnd`): 16 bytes each.
const SENTINEL_SIZE: usize = 16;

/// A module as the build information records it (`runtime/debug.Module`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    /// The module path.
    pub path: String,
    /// The version (`(devel)` for the main module built from a directory).
    pub version: String,
    /// The go.sum hash (`h1:…`), empty when Go has none.
    pub sum: String,
    /// The module that replaced this one (`replace` in go.mod).
    pub replace: Option<Box<Module>>,
}

/// What the SBOM needs of `runtime/debug.BuildInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The Go toolchain's version, e.g. `go1.23.4`.
    pub go_version: String,
    /// The main package's path.
    pub path: String,
    /// The main module.
    pub main: Module,
    /// The dependencies, in the order Go recorded them.
    pub deps: Vec<Module>,
}

/// Why a binary's build information cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BuildInfoError {
    /// Not an ELF file, or its headers cannot be parsed (module `verify`'s sentence).
    #[error("it {0}")]
    Elf(#[from] verify::ElfError),
    /// No `.go.buildinfo` section: not a Go binary, or its section headers were stripped.
    #[error("it has no .go.buildinfo section (not a Go program?)")]
    NoSection,
    /// The section holds no header, or ends inside it.
    #[error("its .go.buildinfo section holds no Go build information header")]
    NoHeader,
    /// A build information format older than Go 1.18 (pointers instead of inline strings).
    #[error("its build information is in the format of Go before 1.18, which gostage does not read; build with Go 1.18 or later")]
    OldFormat,
    /// A string runs past the end of the section, or the Go version is empty.
    #[error("its build information is truncated")]
    Truncated,
    /// A line of the module information that Go's own parser refuses.
    #[error("could not parse Go build info: line {line}: {message}")]
    Malformed {
        /// The line's number, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// The build information in `binary`, the bytes of an ELF file.
///
/// Errors: see [`BuildInfoError`].
pub fn read(binary: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    let section = section(binary)?;
    let (version, modules) = raw(section)?;
    let mut info = parse(&modules)?;
    info.go_version = version;
    Ok(info)
}

/// The bytes of the `.go.buildinfo` section.
fn section(binary: &[u8]) -> Result<&[u8], BuildInfoError> {
    let elf = verify::header(binary).map_err(BuildInfoError::Elf)?;
    let table = slice(binary, elf.section_headers()).ok_or(BuildInfoError::NoSection)?;
    let names_at = verify::names_range(&elf, table).map_err(BuildInfoError::Elf)?;
    let names = slice(binary, names_at).ok_or(BuildInfoError::NoSection)?;
    let at = verify::section_range(&elf, table, names, verify::BUILD_INFO_SECTION)
        .map_err(BuildInfoError::Elf)?
        .ok_or(BuildInfoError::NoSection)?;
    slice(binary, at).ok_or(BuildInfoError::Truncated)
}

/// `bytes[offset..offset + length]`, if it is all there.
fn slice(bytes: &[u8], (offset, length): (u64, u64)) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(length).ok()?)?;
    bytes.get(start..end)
}

/// The Go version and the module information (without its sentinels; empty when it has
/// none, as for a binary built outside module mode) in the section's bytes.
fn raw(section: &[u8]) -> Result<(String, Vec<u8>), BuildInfoError> {
    let start = (0..section.len())
        .step_by(ALIGNMENT)
        .find(|start| section[*start..].starts_with(MAGIC))
        .ok_or(BuildInfoError::NoHeader)?;
    let header = section
        .get(start..start + HEADER_SIZE)
        .ok_or(BuildInfoError::NoHeader)?;
    if header[15] & INLINE_STRINGS == 0 {
        return Err(BuildInfoError::OldFormat);
    }
    let rest = &section[start + HEADER_SIZE..];
    let (version, rest) = length_prefixed(rest)?;
    let (modules, _) = length_prefixed(rest)?;
    if version.is_empty() {
        return Err(BuildInfoError::Truncated);
    }
    let framed =
        modules.len() > 2 * SENTINEL_SIZE && modules[modules.len() - SENTINEL_SIZE - 1] == b'\n';
    let modules = match framed {
        true => modules[SENTINEL_SIZE..modules.len() - SENTINEL_SIZE].to_vec(),
        false => Vec::new(),
    };
    Ok((String::from_utf8_lossy(version).into_owned(), modules))
}

/// A string with its length as an unsigned varint (`encoding/binary.Uvarint`) before it, and
/// what follows it.
fn length_prefixed(bytes: &[u8]) -> Result<(&[u8], &[u8]), BuildInfoError> {
    let mut length: u64 = 0;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        let low = u64::from(byte & 0x7f);
        if index == 9 && *byte > 1 {
            break;
        }
        length |= low << (7 * index);
        if byte & 0x80 == 0 {
            let rest = &bytes[index + 1..];
            let length = usize::try_from(length).map_err(|_| BuildInfoError::Truncated)?;
            return match (rest.get(..length), rest.get(length..)) {
                (Some(string), Some(after)) => Ok((string, after)),
                _ => Err(BuildInfoError::Truncated),
            };
        }
    }
    Err(BuildInfoError::Truncated)
}

/// The module information's lines (`ParseBuildInfo`): `path`, `mod`, `dep` and `=>` (the
/// replacement of the module on the line before); `build` settings are not needed and
/// skipped. A last line without a newline is ignored, as Go does.
fn parse(modules: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    let text = String::from_utf8_lossy(modules);
    let mut info = BuildInfo::default();
    // Which module a `=>` line replaces: none, the main module, or the last dependency.
    enum Last {
        None,
        Main,
        Dependency,
    }
    let mut last = Last::None;
    let mut lines = text.split('\n').collect::<Vec<_>>();
    lines.pop();
    for (index, line) in lines.into_iter().enumerate() {
        let number = index + 1;
        let malformed = |message: String| BuildInfoError::Malformed {
            line: number,
            message,
        };
        if let Some(path) = line.strip_prefix("path\t") {
            info.path = path.to_string();
        } else if let Some(columns) = line.strip_prefix("mod\t") {
            info.main = module(columns, number)?;
            last = Last::Main;
        } else if let Some(columns) = line.strip_prefix("dep\t") {
            info.deps.push(module(columns, number)?);
            last = Last::Dependency;
        } else if let Some(columns) = line.strip_prefix("=>\t") {
            let elements: Vec<&str> = columns.split('\t').collect();
            let [path, version, sum] = elements[..] else {
                return Err(malformed(format!(
                    "expected 3 columns for replacement; got {}",
                    elements.len()
                )));
            };
            let replacement = Some(Box::new(Module {
                path: path.to_string(),
                version: version.to_string(),
                sum: sum.to_string(),
                replace: None,
            }));
            match last {
                Last::Main => info.main.replace = replacement,
                Last::Dependency => {
                    if let Some(dependency) = info.deps.last_mut() {
                        dependency.replace = replacement;
                    }
                }
                Last::None => {
                    return Err(malformed(
                        "replacement with no module on previous line".to_string(),
                    ))
                }
            }
            last = Last::None;
        }
    }
    Ok(info)
}

/// A `mod` or `dep` line's columns: path, version and an optional sum; `line` is the line's
/// number, for the error.
fn module(columns: &str, line: usize) -> Result<Module, BuildInfoError> {
    let elements: Vec<&str> = columns.split('\t').collect();
    let (path, version, sum) = match elements[..] {
        [path, version] => (path, version, ""),
        [path, version, sum] => (path, version, sum),
        _ => {
            return Err(BuildInfoError::Malformed {
                line,
                message: format!("expected 2 or 3 columns; got {}", elements.len()),
            })
        }
    };
    Ok(Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: sum.to_string(),
        replace: None,
    })
}
