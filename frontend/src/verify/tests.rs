use super::fixtures::synthetic_elf;
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
    assert!(matches!(
        section_range(&elf, table, names, BUILD_INFO_SECTION),
        Ok(None)
    ));
}

#[test]
fn rejects_what_is_not_elf() {
    let error = header(b"#!/bin/sh\n").expect_err("a script is not ELF");
    assert!(matches!(error, ElfError::NotElf));
    assert_eq!(error.to_string(), "is not an ELF executable");
}

fn expected(platform: &str, must_be_static: bool) -> ExpectedBinary {
    ExpectedBinary {
        path: "/usr/local/bin/app".into(),
        platform: Platform::parse(platform).unwrap_or_else(|problem| panic!("{problem:?}")),
        must_be_static,
        interpreter_in_result: !must_be_static,
        cgo: false,
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

/// The facts the gateway reads from `bytes`, read the way it reads them: the header, then the
/// program header table and the interpreter path by range.
fn facts_of(bytes: &[u8]) -> BinaryFacts {
    let elf = header(bytes).unwrap_or_else(|error| panic!("{error}"));
    let interpreter = interpreter_range(&elf, range(bytes, elf.program_headers()))
        .unwrap_or_else(|error| panic!("{error}"))
        .map(|at| {
            String::from_utf8_lossy(range(bytes, at))
                .trim_end_matches('\0')
                .to_string()
        });
    BinaryFacts {
        machine: elf.machine(),
        is_64_bit: elf.is_64_bit(),
        is_little_endian: elf.is_little_endian(),
        interpreter,
        arm_level: None,
    }
}

fn cgo_binary(platform: &str, must_be_static: bool) -> ExpectedBinary {
    ExpectedBinary {
        cgo: true,
        ..expected(platform, must_be_static)
    }
}

#[test]
fn a_static_cgo_binary_on_scratch_passes_and_a_dynamic_one_names_both_choices() {
    use goblin::elf::header::EM_AARCH64;
    let static_binary = facts_of(&synthetic_elf(EM_AARCH64, None));
    assert_eq!(static_binary.interpreter, None);
    assert_eq!(
        judge(&cgo_binary("linux/arm64", true), &static_binary),
        None
    );
    assert_eq!(
        interpreter_lookup(&cgo_binary("linux/arm64", true), &static_binary),
        None
    );

    let dynamic = facts_of(&synthetic_elf(
        EM_AARCH64,
        Some("/lib/ld-linux-aarch64.so.1"),
    ));
    assert_eq!(
        dynamic.interpreter.as_deref(),
        Some("/lib/ld-linux-aarch64.so.1")
    );
    let found = judge(&cgo_binary("linux/arm64", true), &dynamic)
        .unwrap_or_else(|| panic!("a dynamic binary on scratch is an error"));
    assert_eq!(found.span, Span { line: 3, column: 7 });
    assert_eq!(
        found.message,
        "/usr/local/bin/app for linux/arm64 is dynamically linked (program interpreter /lib/ld-linux-aarch64.so.1), but the base image has no C library to run it"
    );
    let help = found.help.unwrap_or_default();
    assert!(
        help.contains("`image.base: scratch` or `distroless`")
            && help.contains("`image.base: distroless-base`"),
        "{help}"
    );
}

#[test]
fn a_dynamic_binary_on_a_glibc_base_looks_up_its_interpreter() {
    use goblin::elf::header::EM_X86_64;
    let facts = facts_of(&synthetic_elf(
        EM_X86_64,
        Some("/lib64/ld-linux-x86-64.so.2"),
    ));
    let expected = cgo_binary("linux/amd64", false);
    assert_eq!(judge(&expected, &facts), None);
    let lookup = interpreter_lookup(&expected, &facts)
        .unwrap_or_else(|| panic!("a dynamic binary in an image is looked up"));
    assert_eq!(
        lookup,
        InterpreterLookup {
            interpreter: "/lib64/ld-linux-x86-64.so.2".into(),
            other_libc: Some("/lib/ld-musl-x86_64.so.1"),
        }
    );
    // The binary target has no image to look in.
    let binary_target = ExpectedBinary {
        interpreter_in_result: false,
        ..expected.clone()
    };
    assert_eq!(interpreter_lookup(&binary_target, &facts), None);

    // A musl base (Alpine) has the other interpreter: a mismatch, with both choices.
    let mismatch = missing_interpreter(&expected, &lookup, true);
    assert_eq!(mismatch.span, Span { line: 3, column: 7 });
    assert_eq!(
        mismatch.message,
        "/usr/local/bin/app for linux/amd64 is linked against glibc (program interpreter /lib64/ld-linux-x86-64.so.2), but the base image has musl (/lib/ld-musl-x86_64.so.1), not glibc"
    );
    let help = mismatch.help.unwrap_or_default();
    assert!(
        help.starts_with("choose one: link statically on `image.base: scratch` or `distroless`")
            && help.contains("`image.base: distroless-base`"),
        "{help}"
    );
    // A base with no C library at all.
    let missing = missing_interpreter(&expected, &lookup, false);
    assert_eq!(
        missing.message,
        "/usr/local/bin/app for linux/amd64 is linked against glibc, but its program interpreter /lib64/ld-linux-x86-64.so.2 is not in the image: the base image has no glibc"
    );
}

#[test]
fn a_musl_binary_on_a_glibc_base_says_to_build_with_a_debian_builder() {
    use goblin::elf::header::EM_AARCH64;
    let facts = facts_of(&synthetic_elf(
        EM_AARCH64,
        Some("/lib/ld-musl-aarch64.so.1"),
    ));
    let expected = cgo_binary("linux/arm64", false);
    let lookup = interpreter_lookup(&expected, &facts).unwrap_or_else(|| panic!("looked up"));
    assert_eq!(lookup.other_libc, Some("/lib/ld-linux-aarch64.so.1"));
    let mismatch = missing_interpreter(&expected, &lookup, true);
    assert_eq!(
        mismatch.message,
        "/usr/local/bin/app for linux/arm64 is linked against musl (program interpreter /lib/ld-musl-aarch64.so.1), but the base image has glibc (/lib/ld-linux-aarch64.so.1), not musl"
    );
    assert!(mismatch
        .help
        .as_deref()
        .is_some_and(|help| help.contains("not an `-alpine` one")));
}

#[test]
fn each_c_library_has_an_interpreter_per_architecture() {
    for platform in [
        "linux/amd64",
        "linux/arm64",
        "linux/arm/v7",
        "linux/386",
        "linux/ppc64le",
        "linux/s390x",
        "linux/riscv64",
    ] {
        let platform = Platform::parse(platform).unwrap_or_else(|problem| panic!("{problem}"));
        for libc in [Libc::Glibc, Libc::Musl] {
            let interpreter = libc
                .interpreter(&platform)
                .unwrap_or_else(|| panic!("{platform} {libc:?}"));
            assert_eq!(Libc::of_interpreter(interpreter), libc, "{interpreter}");
        }
    }
    assert_eq!(
        Libc::Glibc.interpreter(&Platform::parse("linux/mips").unwrap_or_else(|p| panic!("{p}"))),
        None
    );
}
