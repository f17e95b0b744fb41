//! The spec file as the client sent it.

/// The spec file's name and bytes: definitions carry it as their source map (`pb.Source`,
/// so BuildKit reports a failing step at its spec line) and the `--call` documents carry it
/// so buildx can print lines.
#[derive(Clone, Copy, Debug)]
pub struct SpecSource<'a> {
    /// The file name as the user passed it (`gostage.yaml`).
    pub filename: &'a str,
    /// The whole file.
    pub data: &'a [u8],
}
