//! What an executable is, read with goblin: its machine, class, flags and whether it is static.

use anyhow::{Context, Result};

/// e_machine of 32-bit ARM.
pub const EM_ARM: u16 = goblin::elf::header::EM_ARM;
/// e_machine of x86-64.
pub const EM_X86_64: u16 = goblin::elf::header::EM_X86_64;
/// e_machine of AArch64.
pub const EM_AARCH64: u16 = goblin::elf::header::EM_AARCH64;
/// The EABI version bits of an ARM e_flags.
pub const EF_ARM_EABIMASK: u32 = 0xff00_0000;
/// EABI version 5 in an ARM e_flags.
pub const EF_ARM_EABI_VER5: u32 = 0x0500_0000;

/// What the tests and the image task want to know about an executable.
#[derive(Debug)]
pub struct ElfInfo {
    /// The dynamic loader it asks for (PT_INTERP); None for a static executable.
    pub interpreter: Option<String>,
    /// Shared libraries it needs (DT_NEEDED).
    pub libraries: Vec<String>,
    /// e_machine ([`EM_X86_64`], [`EM_AARCH64`], [`EM_ARM`]).
    pub machine: u16,
    /// ELFCLASS64 (else ELFCLASS32).
    pub is_64: bool,
    /// ELFDATA2LSB (else big endian).
    pub little_endian: bool,
    /// e_flags (for ARM: the EABI version and float ABI bits).
    pub flags: u32,
}

impl ElfInfo {
    /// Neither a dynamic loader nor shared libraries: it runs FROM scratch.
    pub fn is_static(&self) -> bool {
        self.interpreter.is_none() && self.libraries.is_empty()
    }
}

/// Reads the ELF headers of `bytes`.
pub fn inspect(bytes: &[u8]) -> Result<ElfInfo> {
    let elf = goblin::elf::Elf::parse(bytes).context("not an ELF file")?;
    Ok(ElfInfo {
        interpreter: elf.interpreter.map(str::to_string),
        libraries: elf.libraries.iter().map(|s| s.to_string()).collect(),
        machine: elf.header.e_machine,
        is_64: elf.is_64,
        little_endian: elf.little_endian,
        flags: elf.header.e_flags,
    })
}

/// Reads the ELF headers of the file at `path`.
pub fn inspect_file(path: &std::path::Path) -> Result<ElfInfo> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    inspect(&bytes).with_context(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_host_executable() -> Result<()> {
        let info = inspect_file(&std::env::current_exe()?)?;
        assert_eq!(info.machine, EM_X86_64);
        assert!(info.is_64 && info.little_endian);
        Ok(())
    }

    #[test]
    fn rejects_other_files() {
        assert!(inspect(b"#!/bin/sh\n").is_err());
    }
}
