//! The Go build information a Go binary carries (what `go version -m` prints): toolchain, main
//! package, dependencies and build settings.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;

/// The build information the Go linker writes into every binary (what `go version -m` prints).
#[derive(Clone, Debug, Default)]
pub struct GoBuildInfo {
    /// The toolchain, e.g. `go1.23.4`.
    pub go_version: String,
    /// The main package's import path.
    pub path: String,
    /// Dependencies: module path → version.
    pub deps: BTreeMap<String, String>,
    /// `build` lines: `GOOS`, `GOARCH`, `GOARM`, `CGO_ENABLED`, `-trimpath`, ...
    pub settings: BTreeMap<String, String>,
}

/// Reads the Go build information of a binary (the `\xff Go buildinf:` blob, Go ≥ 1.18 layout:
/// 16-byte magic, pointer size, flags with bit 2 = inline strings, then at offset 32 the
/// version and the module info as uvarint-length-prefixed strings).
pub fn go_build_info(bytes: &[u8]) -> Result<GoBuildInfo> {
    const MAGIC: &[u8] = b"\xff Go buildinf:";
    let start = bytes
        .windows(MAGIC.len())
        .position(|w| w == MAGIC)
        .context("no Go build information (not a Go binary?)")?;
    let header = bytes
        .get(start..start + 32)
        .context("truncated Go build information")?;
    if header[15] & 2 == 0 {
        bail!("Go build information in the pre-1.18 layout (pointers), not supported");
    }
    let mut rest = &bytes[start + 32..];
    let mut string = || -> Result<String> {
        let (len, used) = uvarint(rest).context("bad length in Go build information")?;
        let text = rest
            .get(used..used + len)
            .context("truncated Go build information")?;
        rest = &rest[used + len..];
        Ok(String::from_utf8_lossy(text).into_owned())
    };
    let go_version = string()?;
    let mut modinfo = string()?;
    // The module info is framed by two 16-byte sentinels.
    if modinfo.len() >= 33 && modinfo.is_char_boundary(16) {
        modinfo = modinfo[16..modinfo.len() - 16].to_string();
    }
    let mut info = GoBuildInfo {
        go_version,
        ..GoBuildInfo::default()
    };
    for line in modinfo.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["path", path, ..] => info.path = path.to_string(),
            ["dep", path, version, ..] => {
                info.deps.insert(path.to_string(), version.to_string());
            }
            ["build", setting, ..] => {
                let (key, value) = setting.split_once('=').unwrap_or((setting, ""));
                info.settings.insert(key.to_string(), value.to_string());
            }
            _ => {}
        }
    }
    Ok(info)
}

fn uvarint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        value |= ((byte & 0x7f) as usize) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inline_build_info() -> Result<()> {
        let modinfo = format!(
            "{}path\texample.com/x/cmd/x\nmod\texample.com/x\t(devel)\t\ndep\tgithub.com/google/uuid\tv1.6.0\th1:abc=\nbuild\tGOARCH=arm\nbuild\tGOARM=7\nbuild\t-trimpath=true\n{}",
            "0".repeat(16),
            "1".repeat(16)
        );
        let mut blob = vec![0u8; 7];
        blob.extend_from_slice(b"\xff Go buildinf:");
        blob.extend_from_slice(&[8, 2]);
        blob.extend_from_slice(&[0; 16]);
        for text in ["go1.23.4", modinfo.as_str()] {
            let mut len = text.len();
            while len >= 0x80 {
                blob.push((len as u8) | 0x80);
                len >>= 7;
            }
            blob.push(len as u8);
            blob.extend_from_slice(text.as_bytes());
        }
        let info = go_build_info(&blob)?;
        assert_eq!(info.go_version, "go1.23.4");
        assert_eq!(info.path, "example.com/x/cmd/x");
        assert_eq!(info.deps["github.com/google/uuid"], "v1.6.0");
        assert_eq!(info.settings["GOARM"], "7");
        assert_eq!(info.settings["-trimpath"], "true");
        Ok(())
    }
}
