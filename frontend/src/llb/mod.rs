//! A small typed builder for BuildKit LLB over `bollard-buildkit-proto`'s `pb` types.
//!
//! Ops form an immutable graph: each constructor returns an [`Output`] (an op plus the index
//! of one of its outputs), and inputs are shared by reference counting. Nothing is encoded
//! until [`marshal`] walks the graph from the result, as BuildKit's Go client does in
//! `client/llb/state.go` (lazy marshalling) and `client/llb/marshal.go` (the definition).

mod exec;
mod file;
mod graph;
mod marshal;
mod source;

pub use exec::{CacheSharing, Exec, ExecOutputs, Mount, MountKind};
pub use file::{CopyOptions, FileOp};
pub use graph::{Output, SourceRange};
pub use marshal::{encode_op, marshal, op_digest, Marshalled};
pub use source::{image, local, platform, LocalOptions};

pub use bollard_buildkit_proto::pb;

#[cfg(test)]
mod tests;
