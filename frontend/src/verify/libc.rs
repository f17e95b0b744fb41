//! Which C library a program interpreter belongs to, and each C library's interpreter per
//! platform, so the gate can say "musl binary on a glibc base" rather than only "missing".
//!
//! Paths: glibc's `shlib-versions` files (`sysdeps/unix/sysv/linux/<arch>/shlib-versions`,
//! `ld=` entries; Debian bookworm's `libc6` ships them there); musl's `/lib/ld-musl-<arch>.so.1`
//! (musl's Makefile, `LDSO_PATHNAME`, with the architecture names of `arch/`).

use crate::vocabulary::Platform;

/// A C library that links programs dynamically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    /// GNU C library (Debian, distroless base).
    Glibc,
    /// musl (Alpine).
    Musl,
}

impl Libc {
    /// The name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        }
    }

    /// The other one.
    pub fn other(self) -> Libc {
        match self {
            Libc::Glibc => Libc::Musl,
            Libc::Musl => Libc::Glibc,
        }
    }

    /// Which C library the interpreter path `interpreter` belongs to: musl's are named
    /// `ld-musl-*`; any other is taken for glibc's.
    pub fn of_interpreter(interpreter: &str) -> Libc {
        let file = interpreter.rsplit('/').next().unwrap_or(interpreter);
        match file.starts_with("ld-musl-") {
            true => Libc::Musl,
            false => Libc::Glibc,
        }
    }

    /// The program interpreter of this C library for `platform`, or `None` for an
    /// architecture the table does not know.
    pub fn interpreter(self, platform: &Platform) -> Option<&'static str> {
        let architecture = platform.architecture.as_str();
        Some(match (self, architecture) {
            (Libc::Glibc, "amd64") => "/lib64/ld-linux-x86-64.so.2",
            (Libc::Glibc, "arm64") => "/lib/ld-linux-aarch64.so.1",
            (Libc::Glibc, "arm") => "/lib/ld-linux-armhf.so.3",
            (Libc::Glibc, "386") => "/lib/ld-linux.so.2",
            (Libc::Glibc, "ppc64le") => "/lib64/ld64.so.2",
            (Libc::Glibc, "s390x") => "/lib/ld64.so.1",
            (Libc::Glibc, "riscv64") => "/lib/ld-linux-riscv64-lp64d.so.1",
            (Libc::Musl, "amd64") => "/lib/ld-musl-x86_64.so.1",
            (Libc::Musl, "arm64") => "/lib/ld-musl-aarch64.so.1",
            (Libc::Musl, "arm") => "/lib/ld-musl-armhf.so.1",
            (Libc::Musl, "386") => "/lib/ld-musl-i386.so.1",
            (Libc::Musl, "ppc64le") => "/lib/ld-musl-powerpc64le.so.1",
            (Libc::Musl, "s390x") => "/lib/ld-musl-s390x.so.1",
            (Libc::Musl, "riscv64") => "/lib/ld-musl-riscv64.so.1",
            _ => return None,
        })
    }
}
