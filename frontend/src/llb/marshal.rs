//! Encoding the graph as a `pb.Definition`.
//!
//! Rules (BuildKit `solver/llbsolver/vertex.go`, `client/llb/marshal.go`): each op is stored
//! as its exact protobuf bytes; its digest is `sha256:` + hex SHA-256 of those bytes; inputs,
//! metadata keys and source-map keys all use that digest; the last op is a terminal op with a
//! single input (the result) and no body. prost writes fields in tag order and `pb` maps are
//! `BTreeMap`s, so the same graph always gives the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use bollard_buildkit_proto::pb;
use prost::Message;
use sha2::{Digest, Sha256};

use super::graph::{Node, Output};

/// A marshalled definition and the digest of the op that produces the result.
#[derive(Clone, Debug)]
pub struct Marshalled {
    /// What `Solve` takes.
    pub definition: pb::Definition,
    /// Digest (`sha256:<hex>`) of the result op (not of the terminal op).
    pub head: String,
}

/// `sha256:<hex>` of `bytes`: the digest BuildKit gives an op whose encoding is `bytes`.
pub fn op_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The bytes of `op` as BuildKit's Go code writes them: the `op` oneof after `platform`
/// and `constraints` (rule 1 of "Encoding" in the module docs).
pub fn encode_op(op: &pb::Op) -> Vec<u8> {
    let mut bytes = pb::Op {
        op: None,
        ..op.clone()
    }
    .encode_to_vec();
    if let Some(body) = &op.op {
        body.encode(&mut bytes);
    }
    bytes
}

/// Encodes every op reachable from `result`, inputs first, then the terminal op.
///
/// `spec_file` (`(file name, full contents)`) becomes `Source.infos[0]`; ops with a location
/// are mapped to line ranges of it, so the daemon reports failures of those ops at those lines.
pub fn marshal(result: &Output, spec_file: Option<(&str, &[u8])>) -> Marshalled {
    let mut encoder = Encoder::default();
    let head = encoder.encode(&result.node);
    let terminal = pb::Op {
        inputs: vec![pb::Input {
            digest: head.clone(),
            index: result.index,
        }],
        ..Default::default()
    };
    encoder.definition.def.push(terminal.encode_to_vec());
    if let Some((filename, data)) = spec_file {
        if !encoder.locations.is_empty() {
            let info = pb::SourceInfo {
                filename: filename.to_string(),
                data: data.to_vec(),
                definition: None,
                language: "YAML".to_string(),
            };
            encoder.definition.source = Some(pb::Source {
                locations: encoder.locations,
                infos: vec![info],
            });
        }
    }
    Marshalled {
        definition: encoder.definition,
        head,
    }
}

#[derive(Default)]
struct Encoder {
    definition: pb::Definition,
    digests: HashMap<*const Node, String>,
    locations: BTreeMap<String, pb::Locations>,
}

impl Encoder {
    /// Encodes `node` (after its inputs) once, and returns its digest.
    fn encode(&mut self, node: &Rc<Node>) -> String {
        if let Some(digest) = self.digests.get(&Rc::as_ptr(node)) {
            return digest.clone();
        }
        let inputs = node
            .inputs
            .iter()
            .map(|input| pb::Input {
                digest: self.encode(&input.node),
                index: input.index,
            })
            .collect();
        let op = pb::Op {
            inputs,
            ..node.op.clone()
        };
        let bytes = encode_op(&op);
        let digest = op_digest(&bytes);
        self.digests.insert(Rc::as_ptr(node), digest.clone());
        // Two equal ops from different nodes have one digest; store them once.
        if self.definition.metadata.contains_key(&digest) {
            return digest;
        }
        self.definition.def.push(bytes);
        self.definition
            .metadata
            .insert(digest.clone(), metadata(node));
        if let Some(range) = node.location {
            let position = |line: u32| pb::Position {
                line: line as i32,
                character: 0,
            };
            let location = pb::Location {
                source_index: 0,
                ranges: vec![pb::Range {
                    start: Some(position(range.start_line)),
                    end: Some(position(range.end_line)),
                }],
            };
            self.locations.insert(
                digest.clone(),
                pb::Locations {
                    locations: vec![location],
                },
            );
        }
        digest
    }
}

fn metadata(node: &Node) -> pb::OpMetadata {
    let mut metadata = pb::OpMetadata {
        ignore_cache: node.ignore_cache,
        ..Default::default()
    };
    metadata
        .description
        .insert("llb.customname".into(), node.name.clone());
    for cap in &node.caps {
        metadata.caps.insert((*cap).to_string(), true);
    }
    if node.ignore_cache {
        metadata.caps.insert("meta.ignorecache".into(), true);
    }
    metadata.caps.insert("meta.description".into(), true);
    metadata
}
