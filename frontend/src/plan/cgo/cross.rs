//! Debian's cross compilers: which one builds C code for a target platform on a build
//! platform, and the packages that install it.
//!
//! Package names are Debian bookworm's (source packages `gcc-defaults` and
//! `cross-toolchain-base`/`cross-toolchain-base-ports`: `gcc-<triplet>`, `g++-<triplet>`, and
//! `libc6-dev-<Debian architecture>-cross` with the target's static and shared C library and
//! headers). On an amd64 build platform every pair of [`TOOLCHAINS`] was checked with
//! `apt-cache policy` on bookworm amd64; the arm64 build platform's pairs are those Debian's
//! archive lists for arm64 (amd64, armhf and i386 compilers).

use crate::vocabulary::Platform;

/// One Debian cross compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrossToolchain {
    /// The GNU triplet the compilers are named after (`aarch64-linux-gnu` →
    /// `aarch64-linux-gnu-gcc`).
    pub triplet: &'static str,
    /// The triplet as Debian spells it in package names (`_` is not allowed there:
    /// `x86_64-linux-gnu` → `gcc-x86-64-linux-gnu`).
    package_triplet: &'static str,
    /// The Debian architecture of the target's C library (`arm64`, `armhf`, `ppc64el`).
    debian_architecture: &'static str,
}

impl CrossToolchain {
    /// The C compiler, for `CC`.
    pub fn c_compiler(&self) -> String {
        format!("{}-gcc", self.triplet)
    }

    /// The C++ compiler, for `CXX`.
    pub fn cxx_compiler(&self) -> String {
        format!("{}-g++", self.triplet)
    }

    /// The Debian packages to install: the C and C++ compilers and the target's C library.
    pub fn packages(&self) -> [String; 3] {
        [
            format!("gcc-{}", self.package_triplet),
            format!("g++-{}", self.package_triplet),
            format!("libc6-dev-{}-cross", self.debian_architecture),
        ]
    }
}

/// A target for the toolchain table: GOARCH and the variant it needs (`""`: any).
struct Target {
    architecture: &'static str,
    variant: &'static str,
    toolchain: CrossToolchain,
    /// The build platforms' architectures whose Debian has this cross compiler.
    build_architectures: &'static [&'static str],
}

/// Debian's cross compilers by target. ARMv7 is Debian's `armhf` (hard-float ARMv7); Debian
/// has no compiler for ARMv6 hard-float, and its `armel` compiler targets ARMv5TE, so
/// `linux/arm/v6` and `linux/arm/v5` are not in the table.
const TOOLCHAINS: &[Target] = &[
    Target {
        architecture: "arm64",
        variant: "",
        toolchain: CrossToolchain {
            triplet: "aarch64-linux-gnu",
            package_triplet: "aarch64-linux-gnu",
            debian_architecture: "arm64",
        },
        build_architectures: &["amd64"],
    },
    Target {
        architecture: "arm",
        variant: "v7",
        toolchain: CrossToolchain {
            triplet: "arm-linux-gnueabihf",
            package_triplet: "arm-linux-gnueabihf",
            debian_architecture: "armhf",
        },
        build_architectures: &["amd64", "arm64"],
    },
    Target {
        architecture: "amd64",
        variant: "",
        toolchain: CrossToolchain {
            triplet: "x86_64-linux-gnu",
            package_triplet: "x86-64-linux-gnu",
            debian_architecture: "amd64",
        },
        build_architectures: &["arm64"],
    },
    Target {
        architecture: "386",
        variant: "",
        toolchain: CrossToolchain {
            triplet: "i686-linux-gnu",
            package_triplet: "i686-linux-gnu",
            debian_architecture: "i386",
        },
        build_architectures: &["amd64", "arm64"],
    },
    Target {
        architecture: "ppc64le",
        variant: "",
        toolchain: CrossToolchain {
            triplet: "powerpc64le-linux-gnu",
            package_triplet: "powerpc64le-linux-gnu",
            debian_architecture: "ppc64el",
        },
        build_architectures: &["amd64"],
    },
    Target {
        architecture: "s390x",
        variant: "",
        toolchain: CrossToolchain {
            triplet: "s390x-linux-gnu",
            package_triplet: "s390x-linux-gnu",
            debian_architecture: "s390x",
        },
        build_architectures: &["amd64"],
    },
    Target {
        architecture: "riscv64",
        variant: "",
        toolchain: CrossToolchain {
            triplet: "riscv64-linux-gnu",
            package_triplet: "riscv64-linux-gnu",
            debian_architecture: "riscv64",
        },
        build_architectures: &["amd64"],
    },
];

/// How C code for a target platform is compiled on the build platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CCompiler {
    /// The builder's own `gcc`: the target has the build platform's architecture (an amd64
    /// variant such as `v3` changes only Go's code).
    Native,
    /// A Debian cross compiler.
    Cross(CrossToolchain),
}

/// The C compiler for `target` on `build`, or `None` when Debian has none for the pair.
/// An arm target needs ARMv7 even natively: the builder's `gcc` on an arm build platform
/// is Debian's armhf compiler.
pub fn c_compiler(build: &Platform, target: &Platform) -> Option<CCompiler> {
    if target.architecture == "arm" && target.variant != "v7" {
        return None;
    }
    if build.architecture == target.architecture {
        return Some(CCompiler::Native);
    }
    TOOLCHAINS
        .iter()
        .find(|entry| {
            entry.architecture == target.architecture
                && (entry.variant.is_empty() || entry.variant == target.variant)
                && entry
                    .build_architectures
                    .contains(&build.architecture.as_str())
        })
        .map(|entry| CCompiler::Cross(entry.toolchain))
}

/// The target platforms cgo can build for on `build`, for messages (`linux/arm64, …`):
/// the build platform's architecture and each cross compiler Debian has there.
pub fn supported_targets(build: &Platform) -> Vec<String> {
    let native = match build.architecture.as_str() {
        "arm" => "linux/arm/v7".to_string(),
        architecture => format!("linux/{architecture}"),
    };
    let mut targets = vec![native];
    for entry in TOOLCHAINS {
        if entry
            .build_architectures
            .contains(&build.architecture.as_str())
        {
            targets.push(match entry.variant {
                "" => format!("linux/{}", entry.architecture),
                variant => format!("linux/{}/{variant}", entry.architecture),
            });
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(text: &str) -> Platform {
        Platform::parse(text).unwrap_or_else(|problem| panic!("{problem}"))
    }

    fn cross(build: &str, target: &str) -> Option<(String, String, [String; 3])> {
        match c_compiler(&platform(build), &platform(target)) {
            Some(CCompiler::Cross(toolchain)) => Some((
                toolchain.c_compiler(),
                toolchain.cxx_compiler(),
                toolchain.packages(),
            )),
            _ => None,
        }
    }

    #[test]
    fn arm64_from_amd64_uses_debians_aarch64_compiler() {
        assert_eq!(
            cross("linux/amd64", "linux/arm64"),
            Some((
                "aarch64-linux-gnu-gcc".to_string(),
                "aarch64-linux-gnu-g++".to_string(),
                [
                    "gcc-aarch64-linux-gnu".to_string(),
                    "g++-aarch64-linux-gnu".to_string(),
                    "libc6-dev-arm64-cross".to_string()
                ]
            ))
        );
    }

    #[test]
    fn amd64_from_arm64_spells_the_triplet_two_ways() {
        let (cc, _, packages) =
            cross("linux/arm64", "linux/amd64").unwrap_or_else(|| panic!("supported"));
        assert_eq!(cc, "x86_64-linux-gnu-gcc");
        assert_eq!(packages[0], "gcc-x86-64-linux-gnu");
        assert_eq!(packages[2], "libc6-dev-amd64-cross");
    }

    #[test]
    fn every_table_entry_has_its_compilers_and_library() {
        for (target, cc, library) in [
            (
                "linux/arm/v7",
                "arm-linux-gnueabihf-gcc",
                "libc6-dev-armhf-cross",
            ),
            ("linux/386", "i686-linux-gnu-gcc", "libc6-dev-i386-cross"),
            (
                "linux/ppc64le",
                "powerpc64le-linux-gnu-gcc",
                "libc6-dev-ppc64el-cross",
            ),
            (
                "linux/s390x",
                "s390x-linux-gnu-gcc",
                "libc6-dev-s390x-cross",
            ),
            (
                "linux/riscv64",
                "riscv64-linux-gnu-gcc",
                "libc6-dev-riscv64-cross",
            ),
        ] {
            let found = cross("linux/amd64", target);
            assert_eq!(
                found
                    .as_ref()
                    .map(|(c, _, packages)| (c.as_str(), packages[2].as_str())),
                Some((cc, library)),
                "{target}"
            );
        }
    }

    #[test]
    fn same_architecture_is_native_and_unknown_pairs_are_none() {
        let native = |build: &str, target: &str| c_compiler(&platform(build), &platform(target));
        assert_eq!(
            native("linux/amd64", "linux/amd64/v3"),
            Some(CCompiler::Native)
        );
        assert_eq!(
            native("linux/arm64", "linux/arm64"),
            Some(CCompiler::Native)
        );
        assert_eq!(native("linux/amd64", "linux/arm/v6"), None);
        assert_eq!(native("linux/amd64", "linux/mips64le"), None);
        assert_eq!(native("linux/arm64", "linux/s390x"), None);
        assert_eq!(
            native("linux/amd64", "linux/amd64"),
            Some(CCompiler::Native)
        );
    }

    #[test]
    fn lists_the_supported_targets_of_a_build_platform() {
        assert_eq!(
            supported_targets(&platform("linux/amd64")),
            [
                "linux/amd64",
                "linux/arm64",
                "linux/arm/v7",
                "linux/386",
                "linux/ppc64le",
                "linux/s390x",
                "linux/riscv64"
            ]
        );
        assert_eq!(
            supported_targets(&platform("linux/arm64")),
            ["linux/arm64", "linux/arm/v7", "linux/amd64", "linux/386"]
        );
    }
}
