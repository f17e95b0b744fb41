//! A small typed builder for BuildKit LLB over `bollard-buildkit-proto`'s `pb` types, in the
//! spirit of BuildKit's `client/llb`.
//!
//! Every op is made the same way: a builder value (`Image::new`, `Local::new`, `Exec::new`,
//! `FileOp::on`), then `build(&constraints, progress_name)`. [`Constraints`] (platform,
//! no-cache, source location) are passed by value, so one value serves many ops. `build`
//! returns an [`Output`] (an exec returns [`Executed`], whose writable mounts are named by
//! the [`WritableMount`] handles `Exec::writable` returned). Ops form an immutable graph whose
//! inputs are shared by reference counting; nothing is encoded until [`marshal`] walks the
//! graph from the result, as `client/llb/state.go` and `client/llb/marshal.go` do.
//!
//! # Encoding: where Go and prost differ
//! The daemon decodes every op and marshals it again to recompute its digest
//! (`recomputeDigests`, `solver/llbsolver/vertex.go`, with `pb.Op.Marshal` =
//! `proto.MarshalOptions{Deterministic: true}`, `solver/pb/ops.go`); source-map and metadata
//! lookups use the recomputed digest, so our bytes must equal Go's. Checked against BuildKit
//! v0.32.2 field by field (golden vectors in `tests.rs`):
//! 1. **`Op` field order.** Go writes the `op` oneof (tags 2–8) after `platform` (10) and
//!    `constraints` (11); prost writes tags in order. [`encode_op`] writes the op without
//!    the oneof, then appends the oneof body. No other message of ops.proto has a field
//!    with a higher tag than its oneof (`FileAction.action`, `UserOpt.user`).
//! 2. **Empty map values.** Go writes an empty string value in `SourceOp.attrs` (`12 00`);
//!    prost leaves it out. Builders never put an empty value in an attrs map.
//! 3. **Map order.** Go sorts map keys bytewise (deterministic mode); `pb` maps are
//!    `BTreeMap`s, which prost writes in the same order.
//!
//! The same as Go (no rule needed): zero values and empty lists are omitted, `false` is
//! omitted, negative `int64` (`-1` for scratch and "no output") is a 10-byte varint.

mod constraints;
mod exec;
mod file;
mod graph;
mod marshal;
mod source;

pub use constraints::Constraints;
pub use exec::{CacheSharing, Exec, Executed, Network, WritableMount};
pub use file::{CopyOptions, FileOp};
pub use graph::Output;
pub use marshal::{encode_op, marshal, op_digest, Marshalled};
pub use source::{platform, Image, Local};

pub use bollard_buildkit_proto::pb;

#[cfg(test)]
mod tests;
