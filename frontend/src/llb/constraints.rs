//! What every op carries besides its body: the platform it runs on, whether the cache may
//! answer it, and the spec lines it comes from (BuildKit `client/llb/constraints.go`).

use bollard_buildkit_proto::pb;

use super::source::platform as wire_platform;
use crate::vocabulary::Platform;

/// A range of 1-based lines in the spec file that an op comes from, for BuildKit source maps
/// (`pb.Source.locations`, ops.proto): a failing op is then reported at these lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceRange {
    /// First line (1-based).
    pub start_line: u32,
    /// Last line (1-based, inclusive).
    pub end_line: u32,
}

/// Constraints of an op, passed by value to each op's `build`: the default is no platform
/// (the op's output does not depend on one: local sources, file ops), cache allowed, no
/// location.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraints {
    pub(crate) platform: Option<pb::Platform>,
    pub(crate) ignore_cache: bool,
    pub(crate) location: Option<SourceRange>,
}

impl Constraints {
    /// The op runs on, or is resolved for, `platform` (`Op.platform`).
    pub fn platform(mut self, platform: &Platform) -> Self {
        self.platform = Some(wire_platform(platform));
        self
    }

    /// Run the op even if a cached result exists (`OpMetadata.ignore_cache`, `--no-cache`).
    pub fn ignore_cache(mut self, ignore: bool) -> Self {
        self.ignore_cache = ignore;
        self
    }

    /// The spec lines the op comes from; `line == 0` means none.
    pub fn line(mut self, line: u32) -> Self {
        self.location = (line > 0).then_some(SourceRange {
            start_line: line,
            end_line: line,
        });
        self
    }
}
