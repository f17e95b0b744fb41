//! The few ELF facts the gate needs, parsed with goblin from byte ranges: the header, the
//! program headers (for `PT_INTERP`), and the section headers (for Go's build info).
//! Offsets and constants: the ELF specification (System V ABI, "Object Files").

use goblin::container::Ctx;
use goblin::elf::header::{self, Header};
use goblin::elf::program_header::{ProgramHeader, PT_INTERP};
use goblin::elf::section_header::SectionHeader;

use crate::vocabulary::Platform;

/// The most the gate reads for one table or section (program headers, section headers,
/// names, build info): far more than any Go binary needs, and bounded so a corrupt header
/// cannot make it read a whole file.
pub const MAX_TABLE_BYTES: u64 = 1 << 20;

/// Go's build-info section (`debug/buildinfo`): holds the module info, with `GOARM=` for arm.
pub const BUILD_INFO_SECTION: &str = ".go.buildinfo";

/// Why bytes are not a readable ELF executable. Each message completes a sentence that
/// starts with the file ("/usr/local/bin/server for linux/amd64 is not an ELF executable").
#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    /// The file does not start with the ELF magic bytes.
    #[error("is not an ELF executable")]
    NotElf,
    /// The ELF header does not parse.
    #[error("has a malformed ELF header: {0}")]
    MalformedHeader(#[source] goblin::error::Error),
    /// `EI_CLASS` is neither 32- nor 64-bit.
    #[error("has an unknown ELF class: {0}")]
    UnknownClass(#[source] goblin::error::Error),
    /// `EI_DATA` is neither little- nor big-endian.
    #[error("has an unknown ELF byte order: {0}")]
    UnknownByteOrder(#[source] goblin::error::Error),
    /// The program header table does not parse.
    #[error("has malformed program headers: {0}")]
    MalformedProgramHeaders(#[source] goblin::error::Error),
    /// The section header table does not parse.
    #[error("has malformed section headers: {0}")]
    MalformedSectionHeaders(#[source] goblin::error::Error),
    /// `e_shstrndx` names no section.
    #[error("has no section-name table")]
    NoSectionNames,
}

/// The header facts the gate uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElfHeader {
    header: Header,
    context: Ctx,
}

impl ElfHeader {
    /// `e_machine`.
    pub fn machine(&self) -> u16 {
        self.header.e_machine
    }

    /// 64-bit (ELFCLASS64).
    pub fn is_64_bit(&self) -> bool {
        self.context.container.is_big()
    }

    /// Little-endian (ELFDATA2LSB).
    pub fn is_little_endian(&self) -> bool {
        self.context.le.is_little()
    }

    /// `(offset, length)` of the program header table.
    pub fn program_headers(&self) -> (u64, u64) {
        (
            self.header.e_phoff,
            u64::from(self.header.e_phentsize) * u64::from(self.header.e_phnum),
        )
    }

    /// `(offset, length)` of the section header table.
    pub fn section_headers(&self) -> (u64, u64) {
        (
            self.header.e_shoff,
            u64::from(self.header.e_shentsize) * u64::from(self.header.e_shnum),
        )
    }
}

/// Parses the ELF header from the first bytes of a file.
///
/// Errors: not an ELF file, a malformed header, or an unknown class or byte order.
pub fn header(bytes: &[u8]) -> Result<ElfHeader, ElfError> {
    if bytes.get(..4) != Some(&header::ELFMAG[..]) {
        return Err(ElfError::NotElf);
    }
    let header = goblin::elf::Elf::parse_header(bytes).map_err(ElfError::MalformedHeader)?;
    let container = header.container().map_err(ElfError::UnknownClass)?;
    let endian = header.endianness().map_err(ElfError::UnknownByteOrder)?;
    Ok(ElfHeader {
        header,
        context: Ctx::new(container, endian),
    })
}

/// `(offset, length)` of the program interpreter path (`PT_INTERP`), if the program headers
/// in `table` name one: a dynamically linked executable.
///
/// Errors: a table goblin cannot parse.
pub fn interpreter_range(elf: &ElfHeader, table: &[u8]) -> Result<Option<(u64, u64)>, ElfError> {
    let count = usize::from(elf.header.e_phnum);
    let headers = ProgramHeader::parse(table, 0, count, elf.context)
        .map_err(ElfError::MalformedProgramHeaders)?;
    Ok(headers
        .iter()
        .find(|program| program.p_type == PT_INTERP)
        .map(|program| (program.p_offset, program.p_filesz)))
}

/// `(offset, length)` of section `name`, given the section header table and the bytes of the
/// section-name string table (`e_shstrndx`'s section; read it with [`names_range`] first).
///
/// Errors: a table goblin cannot parse.
pub fn section_range(
    elf: &ElfHeader,
    table: &[u8],
    names: &[u8],
    name: &str,
) -> Result<Option<(u64, u64)>, ElfError> {
    let sections = parse_sections(elf, table)?;
    Ok(sections
        .iter()
        .find(|section| {
            let start = section.sh_name;
            names
                .get(start..)
                .and_then(|rest| rest.split(|byte| *byte == 0).next())
                .is_some_and(|found| found == name.as_bytes())
        })
        .map(|section| (section.sh_offset, section.sh_size)))
}

/// `(offset, length)` of the section-name string table.
///
/// Errors: a table goblin cannot parse, or an index out of range.
pub fn names_range(elf: &ElfHeader, table: &[u8]) -> Result<(u64, u64), ElfError> {
    let sections = parse_sections(elf, table)?;
    sections
        .get(usize::from(elf.header.e_shstrndx))
        .map(|section| (section.sh_offset, section.sh_size))
        .ok_or(ElfError::NoSectionNames)
}

fn parse_sections(elf: &ElfHeader, table: &[u8]) -> Result<Vec<SectionHeader>, ElfError> {
    let count = usize::from(elf.header.e_shnum);
    // `parse_from`: the table was read on its own, so it starts at offset 0 (`parse` reads
    // offset 0 as "no section headers").
    SectionHeader::parse_from(table, 0, count, elf.context)
        .map_err(ElfError::MalformedSectionHeaders)
}

/// The ARM level (`GOARM`, 5 to 7) Go recorded in the build info bytes, if any.
pub fn arm_level(build_info: &[u8]) -> Option<u8> {
    let text = String::from_utf8_lossy(build_info);
    let rest = &text[text.find("GOARM=")? + "GOARM=".len()..];
    rest.chars()
        .next()?
        .to_digit(10)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// What an executable for `platform` must say: `(e_machine, 64-bit, little-endian, name)`,
/// for the architectures Go builds for on Linux (`go tool dist list`), or `None` for one
/// the gate does not know.
pub fn expected_machine(platform: &Platform) -> Option<(u16, bool, bool, &'static str)> {
    Some(match platform.architecture.as_str() {
        "amd64" => (header::EM_X86_64, true, true, "x86-64"),
        "arm64" => (header::EM_AARCH64, true, true, "AArch64"),
        "arm" => (header::EM_ARM, false, true, "ARM"),
        "386" => (header::EM_386, false, true, "Intel 80386"),
        "ppc64le" => (header::EM_PPC64, true, true, "PowerPC64 little-endian"),
        "ppc64" => (header::EM_PPC64, true, false, "PowerPC64"),
        "s390x" => (header::EM_S390, true, false, "IBM S/390"),
        "riscv64" => (header::EM_RISCV, true, true, "RISC-V"),
        "loong64" => (header::EM_LOONGARCH, true, true, "LoongArch"),
        "mips64le" => (header::EM_MIPS, true, true, "MIPS64 little-endian"),
        "mips64" => (header::EM_MIPS, true, false, "MIPS64"),
        "mipsle" => (header::EM_MIPS, false, true, "MIPS little-endian"),
        "mips" => (header::EM_MIPS, false, false, "MIPS"),
        _ => return None,
    })
}

/// The name of machine `machine` for messages.
pub fn machine_name(machine: u16) -> String {
    header::machine_to_str(machine).to_string()
}
