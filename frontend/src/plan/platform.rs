//! Target platforms: parsing, normalisation and the Go environment for each.

use std::fmt;

use bollard_buildkit_proto::pb;

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
        Self {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: String::new(),
        }
    }

    /// Parses `os/arch[/variant]` (or `arch` alone, meaning linux) and normalises it.
    ///
    /// Errors: a sentence naming the problem, for the caller to place in a diagnostic.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.trim().split('/').collect();
        let (os, architecture, variant) = match parts.as_slice() {
            [arch] => ("linux", *arch, ""),
            [os, arch] => (*os, *arch, ""),
            [os, arch, variant] => (*os, *arch, *variant),
            _ => {
                return Err(format!(
                    "`{text}` is not a platform; write os/arch[/variant], e.g. linux/arm64"
                ))
            }
        };
        if os.is_empty() || architecture.is_empty() {
            return Err(format!(
                "`{text}` is not a platform; write os/arch[/variant], e.g. linux/arm64"
            ));
        }
        Ok(Self::normalised(
            &os.to_lowercase(),
            &architecture.to_lowercase(),
            &variant.to_lowercase(),
        ))
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

    /// The wire form for LLB ops and `ResolveImageConfig`.
    pub fn to_pb(&self) -> pb::Platform {
        pb::Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            ..Default::default()
        }
    }

    /// From the wire form (worker platforms), normalised.
    pub fn from_pb(platform: &pb::Platform) -> Self {
        Self::normalised(&platform.os, &platform.architecture, &platform.variant)
    }

    /// `GOOS`, `GOARCH` and the variant variable (`GOARM`, `GOAMD64`) for `go build`.
    ///
    /// Errors: platforms Go cannot target with cgo off, or unknown variants.
    pub fn go_env(&self) -> Result<Vec<(String, String)>, String> {
        const ARCHITECTURES: &[&str] = &[
            "amd64", "arm64", "arm", "386", "ppc64le", "ppc64", "s390x", "riscv64", "mips64le",
            "mips64", "mipsle", "mips", "loong64",
        ];
        if !matches!(
            self.os.as_str(),
            "linux" | "windows" | "freebsd" | "darwin" | "netbsd" | "openbsd"
        ) {
            return Err(format!(
                "operating system `{}` is not supported; use linux",
                self.os
            ));
        }
        if !ARCHITECTURES.contains(&self.architecture.as_str()) {
            return Err(format!(
                "architecture `{}` is not supported; use one of {}",
                self.architecture,
                ARCHITECTURES.join(", ")
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
                return Err(format!(
                    "variant `{variant}` of `{architecture}` is not supported"
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
            assert_eq!(
                Platform::parse(written).map(|p| p.to_string()),
                Ok(expected.to_string()),
                "{written}"
            );
        }
    }

    #[test]
    fn go_env_maps_variants() {
        let arm = Platform::parse("linux/arm/v7").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            arm.go_env(),
            Ok(vec![
                ("GOOS".into(), "linux".into()),
                ("GOARCH".into(), "arm".into()),
                ("GOARM".into(), "7".into())
            ])
        );
        let amd = Platform::parse("linux/amd64/v3").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            amd.go_env().map(|env| env[2].clone()),
            Ok(("GOAMD64".into(), "v3".into()))
        );
        assert!(Platform::parse("linux/sparc")
            .unwrap_or_else(|e| panic!("{e}"))
            .go_env()
            .is_err());
    }

    #[test]
    fn rejects_malformed() {
        assert!(Platform::parse("a/b/c/d").is_err());
        assert!(Platform::parse("/amd64").is_err());
    }
}
