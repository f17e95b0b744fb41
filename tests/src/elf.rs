//! ELF inspection with goblin.

use anyhow::{Context, Result};

/// What the tests want to know about an executable.
#[derive(Debug)]
pub struct ElfInfo {
    /// The dynamic loader it asks for (PT_INTERP); None for a static executable.
    pub interpreter: Option<String>,
    /// Shared libraries it needs (DT_NEEDED).
    pub libraries: Vec<String>,
    /// e_machine (EM_X86_64 = 62, EM_AARCH64 = 183).
    pub machine: u16,
}

impl ElfInfo {
    pub fn is_static(&self) -> bool {
        self.interpreter.is_none() && self.libraries.is_empty()
    }
}

pub fn inspect(bytes: &[u8]) -> Result<ElfInfo> {
    let elf = goblin::elf::Elf::parse(bytes).context("not an ELF file")?;
    Ok(ElfInfo {
        interpreter: elf.interpreter.map(str::to_string),
        libraries: elf.libraries.iter().map(|s| s.to_string()).collect(),
        machine: elf.header.e_machine,
    })
}
