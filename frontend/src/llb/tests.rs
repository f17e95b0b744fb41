//! Unit tests of the LLB encoding: digests, determinism, indexes.

use bollard_buildkit_proto::pb;
use prost::Message;

use super::*;
use crate::vocabulary::ResolveMode;

fn amd64() -> pb::Platform {
    pb::Platform {
        os: "linux".into(),
        architecture: "amd64".into(),
        ..Default::default()
    }
}

fn graph() -> Output {
    let builder = image(
        "docker.io/library/golang:1.23",
        &amd64(),
        ResolveMode::Default,
        "builder",
    );
    let context = local(
        "context",
        &LocalOptions {
            session_id: "s".into(),
            ..Default::default()
        },
        "ctx",
    );
    let outputs = Exec {
        args: vec!["go".into(), "build".into()],
        env: vec!["CGO_ENABLED=0".into()],
        cwd: "/src".into(),
        user: String::new(),
        mounts: vec![
            Mount::bind("/src", Some(&context), true),
            Mount::bind("/out", None, false),
            Mount::cache("/go/pkg/mod", "gomod", CacheSharing::Shared),
            Mount::bind("/", Some(&builder), false),
        ],
        platform: amd64(),
        location: Some(SourceRange {
            start_line: 3,
            end_line: 3,
        }),
        ignore_cache: false,
    }
    .run("go build");
    let binary = outputs.get("/out").cloned();
    FileOp::on(None)
        .mkdir("/etc", 0o755, 0)
        .copy(
            binary.as_ref(),
            "/app",
            "/usr/local/bin/app",
            &CopyOptions::default(),
        )
        .build("final")
}

fn decode(bytes: &[u8]) -> pb::Op {
    pb::Op::decode(bytes).expect("the encoder wrote this op")
}

#[test]
fn same_graph_gives_identical_bytes() {
    let first = marshal(&graph(), Some(("gostage.yaml", b"version: 1\n")));
    let second = marshal(&graph(), Some(("gostage.yaml", b"version: 1\n")));
    assert_eq!(
        first.definition.encode_to_vec(),
        second.definition.encode_to_vec()
    );
    assert_eq!(first.head, second.head);
}

#[test]
fn digests_are_sha256_of_the_op_bytes_and_inputs_point_at_stored_ops() {
    let marshalled = marshal(&graph(), None);
    let definition = &marshalled.definition;
    let digests: Vec<String> = definition
        .def
        .iter()
        .map(|bytes| op_digest(bytes))
        .collect();
    // Every op but the terminal one has metadata under its own digest.
    for digest in &digests[..digests.len() - 1] {
        assert!(
            definition.metadata.contains_key(digest),
            "no metadata for {digest}"
        );
    }
    for bytes in &definition.def {
        for input in decode(bytes).inputs {
            assert!(
                digests.contains(&input.digest),
                "input {} is not in def",
                input.digest
            );
        }
    }
    let terminal = decode(definition.def.last().expect("terminal op"));
    assert!(terminal.op.is_none());
    assert_eq!(terminal.inputs.len(), 1);
    assert_eq!(terminal.inputs[0].digest, marshalled.head);
    // 4 ops (image, local, exec, file) + terminal.
    assert_eq!(definition.def.len(), 5);
}

#[test]
fn exec_mounts_are_sorted_and_writable_binds_numbered_in_order() {
    let marshalled = marshal(&graph(), Some(("gostage.yaml", b"version: 1\n")));
    let exec_bytes = marshalled
        .definition
        .def
        .iter()
        .find(|bytes| matches!(decode(bytes).op, Some(pb::op::Op::Exec(_))))
        .expect("an exec op");
    let op = decode(exec_bytes);
    let Some(pb::op::Op::Exec(exec)) = op.op else {
        unreachable!()
    };
    let dests: Vec<&str> = exec
        .mounts
        .iter()
        .map(|mount| mount.dest.as_str())
        .collect();
    assert_eq!(dests, ["/", "/go/pkg/mod", "/out", "/src"]);
    let outputs: Vec<i64> = exec.mounts.iter().map(|mount| mount.output).collect();
    assert_eq!(outputs, [0, -1, 1, -1]);
    assert_eq!(exec.mounts[2].input, -1, "/out is scratch");
    assert_eq!(exec.mounts[1].mount_type, pb::MountType::Cache as i32);
    // The exec is mapped to line 3 of the spec.
    let digest = op_digest(exec_bytes);
    let source = marshalled.definition.source.expect("a source map");
    let range = source.locations[&digest].locations[0].ranges[0];
    assert_eq!(range.start.map(|position| position.line), Some(3));
    assert_eq!(source.infos[0].filename, "gostage.yaml");
}

#[test]
fn file_actions_chain_on_the_previous_result_and_only_the_last_has_an_output() {
    let marshalled = marshal(&graph(), None);
    let file_bytes = marshalled
        .definition
        .def
        .iter()
        .find(|bytes| matches!(decode(bytes).op, Some(pb::op::Op::File(_))))
        .expect("a file op");
    let op = decode(file_bytes);
    assert_eq!(op.inputs.len(), 1, "only the exec output is an input");
    let Some(pb::op::Op::File(file)) = op.op else {
        unreachable!()
    };
    let summary: Vec<(i64, i64, i64)> = file
        .actions
        .iter()
        .map(|action| (action.input, action.secondary_input, action.output))
        .collect();
    // mkdir on scratch; copy onto action 0's result (index len(inputs)+0 = 1) from input 0.
    assert_eq!(summary, [(-1, -1, -1), (1, 0, 0)]);
}

/// `docker-image://docker.io/library/golang:1.23` on linux/amd64 as BuildKit v0.32.2's Go
/// code marshals it (`pb.Op.Marshal`): platform (field 10) first, then the source (field 3).
const GO_MARSHALLED_IMAGE_SOURCE: &str = "520e0a05616d64363412056c696e75781a2e0a2c646f636b65722d696d6167653a2f2f646f636b65722e696f2f6c6962726172792f676f6c616e673a312e3233";

#[test]
fn ops_are_encoded_as_buildkit_marshals_them() {
    let source = image(
        "docker.io/library/golang:1.23",
        &amd64(),
        ResolveMode::Default,
        "builder",
    );
    let marshalled = marshal(&source, None);
    assert_eq!(
        hex::encode(&marshalled.definition.def[0]),
        GO_MARSHALLED_IMAGE_SOURCE
    );
    // Re-encoding what we wrote gives the same bytes (the daemon's recompute is stable).
    let decoded = decode(&marshalled.definition.def[0]);
    assert_eq!(encode_op(&decoded), marshalled.definition.def[0]);
}
