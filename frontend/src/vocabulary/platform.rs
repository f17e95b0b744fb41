//! Target platforms: parsing, normalisation and the Go environment for each.

use std::fmt;

use super::Problem;

/// Architectures Go can target with cgo off (`go tool dist list`, linux ports).
const ARCHITECTURES: &[&str] = &[
    "amd64", "arm64", "arm", "386", "ppc64le", "ppc64", "s390x", "riscv64", "mips64le", "mips64",
    "mipsle", "mips", "loong64",
];

/// Operating systems Go can target that a platform may name (`go tool dist list`); target
/// platforms are linux only ([`Platform::parse_target`]).
const OPERATING_SYSTEMS: &[&str] = &["linux", "windows", "freebsd", "darwin", "netbsd", "openbsd"];

/// An OCI platform, normalised as containerd's `platforms.Normalize` does
/// (`containerd/platforms/database.go`): `x86_64` → `amd64`, `aarch64` → `arm64`,
/// `arm64/v8` → `arm64`, bare `arm` → `arm/v7`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// `linux`, …
    pub os: String,
    /// GOARCH-style architecture: `amd64`, `arm64`, `arm`, …
    pub architecture: String,
    /// `v7` for arm, `v2`/`v3` for amd64, or empty.
    pub variant: String,
}

impl Platform {
    /// `linux/amd64`.
    pub fn linux_amd64() -> Self {
        Self::normalised("linux", "amd64", "")
    }

    /// The platform this binary was compiled for (`std::env::consts`, normalised as a worker
    /// platform: `x86_64` → amd64, `aarch64` → arm64).
    pub fn of_this_binary() -> Self {
        Self::normalised(std::env::consts::OS, std::env::consts::ARCH, "")
    }

    /// Parses a platform, `os/arch[/variant]` (or `arch` alone, meaning linux), normalises
    /// it, and checks that Go can build for it ([`Platform::go_env`]). A platform to build
    /// images for is read with [`Platform::parse_target`], which also requires linux.
    ///
    /// Errors: a [`Problem`] that follows the value's name (`is not a platform`), for a
    /// malformed value, an unknown operating system or architecture, or an unknown variant.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let platform = Self::read(text)?;
        platform.go_env()?;
        Ok(platform)
    }

    /// Parses a target platform (`platforms:` of the spec, the `--platform` option) as
    /// [`Platform::parse`] does, and checks that it is a Linux one: gostage builds Linux
    /// container images (and binaries for them), so `darwin/arm64` or `windows/amd64` would
    /// plan an image nothing can run.
    ///
    /// Errors: those of [`Platform::parse`], and an operating system other than linux
    /// (`has operating system `darwin`, but gostage builds Linux images`).
    pub fn parse_target(text: &str) -> Result<Self, Problem> {
        let platform = Self::read(text)?;
        if platform.os != "linux" {
            let linux = Self {
                os: "linux".to_string(),
                ..platform.clone()
            };
            return Err(Problem::new(
                format!(
                    "has operating system `{}`, but gostage builds Linux images",
                    platform.os
                ),
                format!(
                    "write `{linux}` (the same architecture): container images hold Linux \
                     programs, which Docker Desktop runs on macOS and Windows too"
                ),
            ));
        }
        platform.go_env()?;
        Ok(platform)
    }

    /// `os/arch[/variant]` split and normalised, not checked against what Go can target.
    fn read(text: &str) -> Result<Self, Problem> {
        const HELP: &str = "write os/arch[/variant], e.g. linux/arm64";
        let parts: Vec<&str> = text.trim().split('/').collect();
        let (os, architecture, variant) = match parts.as_slice() {
            [architecture] => ("linux", *architecture, ""),
            [os, architecture] => (*os, *architecture, ""),
            [os, architecture, variant] => (*os, *architecture, *variant),
            _ => return Err(Problem::new(format!("is not a platform: `{text}`"), HELP)),
        };
        if os.is_empty() || architecture.is_empty() {
            return Err(Problem::new(format!("is not a platform: `{text}`"), HELP));
        }
        Ok(Self::normalised(
            &os.to_lowercase(),
            &architecture.to_lowercase(),
            &variant.to_lowercase(),
        ))
    }

    /// A platform as a BuildKit worker reports it, normalised but not checked: the build
    /// platform only has to run the builder, not be a Go target.
    pub fn from_worker(os: &str, architecture: &str, variant: &str) -> Self {
        Self::normalised(os, architecture, variant)
    }

    fn normalised(os: &str, architecture: &str, variant: &str) -> Self {
        let (architecture, variant) = match (architecture, variant) {
            ("x86_64" | "x86-64" | "amd64", "v1") => ("amd64", ""),
            ("x86_64" | "x86-64", variant) => ("amd64", variant),
            ("aarch64" | "arm64", "v8" | "8") => ("arm64", ""),
            ("aarch64", variant) => ("arm64", variant),
            ("armhf", _) => ("arm", "v7"),
            ("armel", _) => ("arm", "v6"),
            ("arm", "") => ("arm", "v7"),
            ("i386", variant) => ("386", variant),
            (architecture, variant) => (architecture, variant),
        };
        // containerd accepts arm variants written as a bare digit (`arm/7`).
        let variant = match variant.parse::<u8>() {
            Ok(_) if architecture == "arm" => format!("v{variant}"),
            _ => variant.to_string(),
        };
        Self {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant,
        }
    }

    /// `GOOS`, `GOARCH` and the variant variable (`GOARM`, `GOAMD64`) for `go build`
    /// (`go help environment`).
    ///
    /// Errors: platforms Go cannot target with cgo off, or unknown variants.
    pub fn go_env(&self) -> Result<Vec<(String, String)>, Problem> {
        if !OPERATING_SYSTEMS.contains(&self.os.as_str()) {
            return Err(Problem::new(
                format!("has operating system `{}`, which Go cannot target", self.os),
                "use linux, e.g. linux/amd64",
            ));
        }
        if !ARCHITECTURES.contains(&self.architecture.as_str()) {
            return Err(Problem::new(
                format!(
                    "has architecture `{}`, which Go cannot target",
                    self.architecture
                ),
                format!("use one of {}", ARCHITECTURES.join(", ")),
            ));
        }
        let mut env = vec![
            ("GOOS".to_string(), self.os.clone()),
            ("GOARCH".to_string(), self.architecture.clone()),
        ];
        match (self.architecture.as_str(), self.variant.as_str()) {
            (_, "") => {}
            ("arm", "v5" | "v6" | "v7") => {
                env.push(("GOARM".into(), self.variant[1..].to_string()))
            }
            ("amd64", "v2" | "v3" | "v4") => env.push(("GOAMD64".into(), self.variant.clone())),
            (architecture, variant) => {
                return Err(Problem::new(
                    format!("has variant `{variant}`, which `{architecture}` does not have"),
                    "use v5, v6 or v7 for arm, v2, v3 or v4 for amd64, or no variant",
                ));
            }
        }
        Ok(env)
    }
}

impl fmt::Display for Platform {
    /// `os/arch[/variant]`, containerd's `platforms.Format`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(formatter, "/{}", self.variant)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Platform {
        Platform::parse(text).unwrap_or_else(|problem| panic!("{text}: {problem}"))
    }

    #[test]
    fn normalises_like_containerd() {
        let cases = [
            ("linux/x86_64", "linux/amd64"),
            ("linux/aarch64", "linux/arm64"),
            ("linux/arm64/v8", "linux/arm64"),
            ("linux/arm", "linux/arm/v7"),
            ("linux/armhf", "linux/arm/v7"),
            ("linux/arm/v6", "linux/arm/v6"),
            ("amd64", "linux/amd64"),
            ("linux/amd64/v3", "linux/amd64/v3"),
        ];
        for (written, expected) in cases {
            assert_eq!(parsed(written).to_string(), expected, "{written}");
        }
    }

    #[test]
    fn go_env_maps_variants() {
        assert_eq!(
            parsed("linux/arm/v7").go_env(),
            Ok(vec![
                ("GOOS".into(), "linux".into()),
                ("GOARCH".into(), "arm".into()),
                ("GOARM".into(), "7".into())
            ])
        );
        assert_eq!(
            parsed("linux/amd64/v3").go_env().map(|env| env[2].clone()),
            Ok(("GOAMD64".into(), "v3".into()))
        );
    }

    #[test]
    fn rejects_what_go_cannot_target_and_malformed_values() {
        for text in [
            "linux/sparc",
            "linux/s390xx",
            "",
            "linux/arm/v7/extra",
            "/amd64",
            "plan9x/amd64",
            "linux/arm64/v9",
        ] {
            assert!(Platform::parse(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn target_platforms_are_linux_ones() {
        assert_eq!(
            Platform::parse_target("linux/arm64/v8").map(|platform| platform.to_string()),
            Ok("linux/arm64".to_string())
        );
        assert_eq!(
            Platform::parse_target("arm").map(|platform| platform.to_string()),
            Ok("linux/arm/v7".to_string())
        );
        for (text, os, fix) in [
            ("darwin/arm64", "darwin", "linux/arm64"),
            ("windows/amd64", "windows", "linux/amd64"),
            ("FreeBSD/x86_64", "freebsd", "linux/amd64"),
            ("plan9/386", "plan9", "linux/386"),
            ("openbsd/arm/v6", "openbsd", "linux/arm/v6"),
        ] {
            let problem = Platform::parse_target(text).map_err(|problem| {
                (
                    problem.message,
                    problem.help.split(' ').nth(1).map(str::to_string),
                )
            });
            assert_eq!(
                problem,
                Err((
                    format!("has operating system `{os}`, but gostage builds Linux images"),
                    Some(format!("`{fix}`"))
                )),
                "{text}"
            );
        }
        // What Go cannot build is still refused as such.
        assert_eq!(
            Platform::parse_target("linux/sparc").map_err(|problem| problem.message),
            Err("has architecture `sparc`, which Go cannot target".to_string())
        );
        // Other platforms still parse: a worker or a test may name one.
        assert_eq!(
            Platform::parse("darwin/arm64").map(|platform| platform.os),
            Ok("darwin".to_string())
        );
    }

    #[test]
    fn worker_platforms_are_normalised_without_checks() {
        let worker = Platform::from_worker("linux", "x86_64", "");
        assert_eq!(worker, Platform::linux_amd64());
        assert!(Platform::from_worker("linux", "sparc", "")
            .go_env()
            .is_err());
    }
}
