use super::*;

/// This test executable: a real ELF for the host, dynamically linked (cargo links test
/// binaries against the host's C library).
fn own_executable() -> Vec<u8> {
    let path = std::env::current_exe().unwrap_or_else(|error| panic!("{error}"));
    std::fs::read(path).unwrap_or_else(|error| panic!("{error}"))
}

fn range(bytes: &[u8], (offset, length): (u64, u64)) -> &[u8] {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let end = start
        .saturating_add(usize::try_from(length).unwrap_or(usize::MAX))
        .min(bytes.len());
    &bytes[start..end]
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[test]
fn reads_machine_and_interpreter_of_a_real_executable_from_ranges() {
    let bytes = own_executable();
    let elf = header(&bytes[..64]).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        expected_machine(&Platform::linux_amd64()).map(|m| m.0),
        Some(elf.machine())
    );
    assert!(elf.is_64_bit() && elf.is_little_endian());
    let interpreter = interpreter_range(&elf, range(&bytes, elf.program_headers()))
        .unwrap_or_else(|error| panic!("{error}"))
        .map(|at| {
            String::from_utf8_lossy(range(&bytes, at))
                .trim_end_matches('\0')
                .to_string()
        });
    assert!(
        interpreter
            .as_deref()
            .is_some_and(|path| path.starts_with("/lib")),
        "{interpreter:?}"
    );
    let table = range(&bytes, elf.section_headers());
    let names = range(
        &bytes,
        names_range(&elf, table).unwrap_or_else(|error| panic!("{error}")),
    );
    assert!(section_range(&elf, table, names, ".text")
        .unwrap_or_else(|error| panic!("{error}"))
        .is_some());
    assert_eq!(
        section_range(&elf, table, names, BUILD_INFO_SECTION),
        Ok(None)
    );
}

#[test]
fn rejects_what_is_not_elf() {
    assert!(header(b"#!/bin/sh\n").is_err());
}

fn expected(platform: &str, must_be_static: bool) -> ExpectedBinary {
    ExpectedBinary {
        path: "/usr/local/bin/app".into(),
        platform: Platform::parse(platform).unwrap_or_else(|problem| panic!("{problem:?}")),
        must_be_static,
        span: Span { line: 3, column: 7 },
    }
}

fn facts(machine: u16, is_64_bit: bool) -> BinaryFacts {
    BinaryFacts {
        machine,
        is_64_bit,
        is_little_endian: true,
        interpreter: None,
        arm_level: None,
    }
}

#[test]
fn judges_machine_interpreter_and_arm_level() {
    use goblin::elf::header::{EM_AARCH64, EM_ARM, EM_X86_64};
    assert_eq!(
        judge(&expected("linux/amd64", true), &facts(EM_X86_64, true)),
        None
    );
    let wrong = judge(&expected("linux/amd64", true), &facts(EM_AARCH64, true));
    assert!(
        wrong
            .as_ref()
            .is_some_and(|d| d.message.contains("not one for linux/amd64") && d.span.line == 3),
        "{wrong:?}"
    );

    let dynamic = BinaryFacts {
        interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
        ..facts(EM_X86_64, true)
    };
    let found = judge(&expected("linux/amd64", true), &dynamic);
    assert!(
        found
            .as_ref()
            .is_some_and(|d| d.message.contains("/lib64/ld-linux-x86-64.so.2")),
        "{found:?}"
    );
    assert_eq!(judge(&expected("linux/amd64", false), &dynamic), None);

    let arm = |level| BinaryFacts {
        arm_level: Some(level),
        ..facts(EM_ARM, false)
    };
    assert_eq!(judge(&expected("linux/arm/v7", true), &arm(7)), None);
    let level = judge(&expected("linux/arm/v7", true), &arm(5));
    assert!(
        level.as_ref().is_some_and(|d| d.message.contains("ARMv5")),
        "{level:?}"
    );
    assert_eq!(arm_level(b"\tbuild\tGOARM=6\n"), Some(6));
    assert_eq!(arm_level(b"build\tGOOS=linux\n"), None);
}

#[test]
fn entrypoints_are_looked_up_in_path() {
    assert_eq!(entrypoint_candidates("/app", "/bin"), ["/app"]);
    assert_eq!(
        entrypoint_candidates("app", "/usr/local/bin:/bin/:relative"),
        ["/usr/local/bin/app", "/bin/app"]
    );
}
