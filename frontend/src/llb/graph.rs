//! The op graph: nodes (an op without its input digests) and outputs that point at them.

use std::rc::Rc;

use bollard_buildkit_proto::pb;

use super::constraints::{Constraints, SourceRange};

/// One op of the graph. `op.inputs` is left empty: marshalling fills it from `inputs`, which
/// needs the digests of the already-marshalled input ops.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// The op body (exec, source or file) plus platform; `inputs` is filled when marshalling.
    pub op: pb::Op,
    /// Inputs referenced by the op body's input indexes, in order.
    pub inputs: Vec<Output>,
    /// `llb.customname`: the progress vertex name.
    pub name: String,
    /// LLB capabilities this op needs (`solver/pb/caps.go`); the daemon validates them.
    pub caps: Vec<&'static str>,
    /// Where in the spec this op comes from, if anywhere.
    pub location: Option<SourceRange>,
    /// `OpMetadata.ignore_cache` (the `no-cache` option).
    pub ignore_cache: bool,
}

impl Node {
    /// A node for `body` with `constraints`, named `name`.
    pub fn new(
        body: pb::op::Op,
        inputs: Vec<Output>,
        constraints: &Constraints,
        name: &str,
        caps: Vec<&'static str>,
    ) -> Self {
        Self {
            op: pb::Op {
                op: Some(body),
                platform: constraints.platform.clone(),
                ..Default::default()
            },
            inputs,
            name: name.to_string(),
            caps,
            location: constraints.location,
            ignore_cache: constraints.ignore_cache,
        }
    }
}

/// One output of an op: what a later op mounts, copies from, or what a build returns.
///
/// `None` where an `Option<&Output>` is taken means scratch (an empty filesystem), which LLB
/// encodes as input index `-1`.
#[derive(Clone, Debug)]
pub struct Output {
    pub(crate) node: Rc<Node>,
    pub(crate) index: i64,
}

impl Output {
    pub(crate) fn new(node: Node, index: i64) -> Self {
        Self {
            node: Rc::new(node),
            index,
        }
    }

    pub(crate) fn same_as(&self, other: &Output) -> bool {
        Rc::ptr_eq(&self.node, &other.node) && self.index == other.index
    }
}

/// Collects the distinct inputs of one op and hands out their indexes (`Op.inputs` position),
/// deduplicating identical outputs as the Go client does.
#[derive(Default)]
pub(crate) struct InputList {
    pub inputs: Vec<Output>,
}

impl InputList {
    /// The input index for `output`, or `-1` for scratch (`pb.Empty`).
    pub fn index_of(&mut self, output: Option<&Output>) -> i64 {
        let Some(output) = output else { return -1 };
        if let Some(position) = self.inputs.iter().position(|known| known.same_as(output)) {
            return position as i64;
        }
        self.inputs.push(output.clone());
        (self.inputs.len() - 1) as i64
    }
}
