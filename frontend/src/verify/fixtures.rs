//! ELF files for tests: what the gate reads, without a Go toolchain.

/// A minimal ELF executable as a linker writes one: the header, one program header (a
/// `PT_INTERP` naming `interpreter`, or a `PT_LOAD` for a static binary) and the
/// interpreter path after it. 64-bit little-endian layout (ELF-64 Object File Format, 1.5):
/// header 64 bytes, program header entries 56 bytes.
pub fn synthetic_elf(machine: u16, interpreter: Option<&str>) -> Vec<u8> {
    const PT_LOAD: u32 = 1;
    const PT_INTERP: u32 = 3;
    let path = interpreter
        .map(|path| format!("{path}\0"))
        .unwrap_or_default();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    bytes.extend_from_slice(&[0; 8]);
    bytes.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
    bytes.extend_from_slice(&machine.to_le_bytes());
    bytes.extend_from_slice(&1u32.to_le_bytes()); // e_version
    bytes.extend_from_slice(&0x40_1000u64.to_le_bytes()); // e_entry
    bytes.extend_from_slice(&64u64.to_le_bytes()); // e_phoff
    bytes.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    bytes.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    bytes.extend_from_slice(&64u16.to_le_bytes()); // e_ehsize
    bytes.extend_from_slice(&56u16.to_le_bytes()); // e_phentsize
    bytes.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    bytes.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
    bytes.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    bytes.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    let kind = if interpreter.is_some() {
        PT_INTERP
    } else {
        PT_LOAD
    };
    let size = u64::try_from(path.len()).unwrap_or(0);
    bytes.extend_from_slice(&kind.to_le_bytes());
    bytes.extend_from_slice(&4u32.to_le_bytes()); // p_flags: PF_R
    bytes.extend_from_slice(&120u64.to_le_bytes()); // p_offset: right after this entry
    bytes.extend_from_slice(&0x40_0078u64.to_le_bytes()); // p_vaddr
    bytes.extend_from_slice(&0x40_0078u64.to_le_bytes()); // p_paddr
    bytes.extend_from_slice(&size.to_le_bytes()); // p_filesz
    bytes.extend_from_slice(&size.to_le_bytes()); // p_memsz
    bytes.extend_from_slice(&1u64.to_le_bytes()); // p_align
    bytes.extend_from_slice(path.as_bytes());
    bytes
}
