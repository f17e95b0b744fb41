//! Go release versions and their order (the standard library's `go/version`).

/// A Go release version: `1.23`, `1.23.4`, `1.24rc1`, `1.21beta1`, optionally followed by a
/// custom toolchain suffix such as `-mycorp` (only allowed after a full version).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct GoVersion {
    major: u32,
    minor: u32,
    stage: Stage,
}

/// Where a version stands in Go's release order (`go/version` in the standard library):
/// betas, then release candidates, then the release and its patches. The variant order is
/// the sort order, so no number is ever combined with another (a huge `rc` number cannot
/// overflow into a patch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// `1.21beta1`.
    Beta(u32),
    /// `1.24rc1`.
    Candidate(u32),
    /// `1.23` (patch 0) or `1.23.4`.
    Release(u32),
}

impl GoVersion {
    pub(super) fn parse(text: &str) -> Option<Self> {
        let text = text
            .split_once('-')
            .map_or(text, |(version, _suffix)| version);
        let (major, rest) = text.split_once('.')?;
        let major = number(major)?;
        let digits_end = rest
            .find(|character: char| !character.is_ascii_digit())
            .unwrap_or(rest.len());
        let (minor, rest) = rest.split_at(digits_end);
        let minor = number(minor)?;
        let stage = if rest.is_empty() {
            Stage::Release(0)
        } else if let Some(patch) = rest.strip_prefix('.') {
            Stage::Release(number(patch)?)
        } else if let Some(candidate) = rest.strip_prefix("rc") {
            Stage::Candidate(number(candidate)?)
        } else if let Some(beta) = rest.strip_prefix("beta") {
            Stage::Beta(number(beta)?)
        } else {
            return None;
        };
        Some(Self {
            major,
            minor,
            stage,
        })
    }

    pub(super) fn major_minor(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

/// A non-empty run of ASCII digits as a number.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
