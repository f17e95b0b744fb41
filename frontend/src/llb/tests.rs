//! Unit tests of the LLB encoding: digests, determinism, indexes, and golden vectors from
//! BuildKit v0.32.2's Go marshaller.

use bollard_buildkit_proto::pb;
use prost::Message;

use super::*;
use crate::vocabulary::{Platform, ResolveMode};

fn amd64() -> Constraints {
    Constraints::default().platform(&Platform::linux_amd64())
}

fn builder_image() -> Output {
    Image::new("docker.io/library/golang:1.23")
        .resolve_mode(ResolveMode::Pull)
        .build(&amd64(), "builder")
}

fn context() -> Output {
    Local::new("context")
        .session("s1")
        .include(vec!["go.mod".into(), "go.sum".into()])
        .exclude(vec![".git".into(), "**/node_modules".into()])
        .shared_key_hint("context")
        .build(&Constraints::default(), "context")
}

/// The exec of the golden vector `exec_with_mounts`, on `constraints`; mounts are added out
/// of order on purpose.
fn compile(constraints: &Constraints) -> (Executed, WritableMount, WritableMount) {
    let args = ["go", "build", "-o", "/out/app", "."]
        .map(String::from)
        .to_vec();
    let env = ["CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"]
        .map(String::from)
        .to_vec();
    let mut exec = Exec::new(args).env(env).cwd("/src");
    exec.readonly("/src", &context());
    let out = exec.writable("/out", None);
    exec.tmpfs("/tmp");
    exec.cache("/go/pkg/mod", "gostage/go-mod", CacheSharing::Shared);
    let root = exec.writable("/", Some(&builder_image()));
    (exec.build(constraints, "go build"), root, out)
}

fn graph() -> Output {
    let (executed, _, out) = compile(&amd64().line(3));
    let stamped = CopyOptions {
        timestamp: Some(1_700_000_000_000_000_000),
        ..Default::default()
    };
    FileOp::on(None)
        .mkdir("/etc", 0o755, 0)
        .copy(
            Some(&executed.output(out)),
            "/app",
            "/usr/local/bin/app",
            &stamped,
        )
        .build(&Constraints::default(), "final")
}

fn decode(bytes: &[u8]) -> pb::Op {
    pb::Op::decode(bytes).unwrap_or_else(|error| panic!("the encoder wrote this op: {error}"))
}

/// Golden vectors: `pb.Op.Marshal()` of BuildKit v0.32.2 (`solver/pb/ops.go`,
/// `proto.MarshalOptions{Deterministic: true}`) for the same messages, with their digests.
/// `image_source`: golang:1.23 for linux/amd64 with `image.resolvemode=pull`.
const GO_IMAGE_SOURCE: &str = "520e0a05616d64363412056c696e75781a490a2c646f636b65722d696d6167653a2f2f646f636b65722e696f2f6c6962726172792f676f6c616e673a312e323312190a11696d6167652e7265736f6c76656d6f6465120470756c6c";
/// `local_source`: `local://context` with session, include and exclude patterns and a
/// shared key hint.
const GO_LOCAL_SOURCE: &str = "1aa8010a0f6c6f63616c3a2f2f636f6e7465787412330a156c6f63616c2e6578636c7564657061747465726e73121a5b222e676974222c222a2a2f6e6f64655f6d6f64756c6573225d122b0a146c6f63616c2e696e636c7564657061747465726e12135b22676f2e6d6f64222c22676f2e73756d225d12130a0d6c6f63616c2e73657373696f6e12027331121e0a136c6f63616c2e7368617265646b657968696e741207636f6e74657874";
/// `exec_with_mounts`: the two sources as inputs; mounts `/` (writable, output 0), a shared
/// cache, `/out` (scratch, output 1), `/src` (read-only) and a tmpfs; linux/amd64.
const GO_EXEC_WITH_MOUNTS: &str = "0a490a477368613235363a626562373435326364353534396232386463356664663134383935316537333862313534656334373937396266313838633964663832643363333063353432320a490a477368613235363a63326533303932643663393939663934373661373833666363363330633037626131386666623034323733343664303137643732633036663432623764666134520e0a05616d64363412056c696e757812d8010a4b0a02676f0a056275696c640a022d6f0a082f6f75742f6170700a012e120d43474f5f454e41424c45443d30120a474f4f533d6c696e7578120c474f415243483d61726d36341a042f73726312031a012f123808ffffffffffffffffff011a0b2f676f2f706b672f6d6f6420ffffffffffffffffff013003a201100a0e676f73746167652f676f2d6d6f64121308ffffffffffffffffff011a042f6f75742001121508011a042f73726320ffffffffffffffffff012801121e08ffffffffffffffffff011a042f746d7020ffffffffffffffffff013004";
/// The same exec on linux/arm/v7 (a platform with a variant).
const GO_EXEC_ON_ARM_V7: &str = "0a490a477368613235363a626562373435326364353534396232386463356664663134383935316537333862313534656334373937396266313838633964663832643363333063353432320a490a477368613235363a6332653330393264366339393966393437366137383366636336333063303762613138666662303432373334366430313764373263303666343262376466613452100a0361726d12056c696e75781a02763712d8010a4b0a02676f0a056275696c640a022d6f0a082f6f75742f6170700a012e120d43474f5f454e41424c45443d30120a474f4f533d6c696e7578120c474f415243483d61726d36341a042f73726312031a012f123808ffffffffffffffffff011a0b2f676f2f706b672f6d6f6420ffffffffffffffffff013003a201100a0e676f73746167652f676f2d6d6f64121308ffffffffffffffffff011a042f6f75742001121508011a042f73726320ffffffffffffffffff012801121e08ffffffffffffffffff011a042f746d7020ffffffffffffffffff013004";
/// `file_copy`: mkdir /etc on scratch, then copy `/app` of the exec's output 1 with a fixed
/// mtime.
const GO_FILE_COPY: &str = "0a4b0a477368613235363a3564623533343236336363663665383137633362306435613064323734356662323461626263373337663632616166653238323939333237336132396334363810012269122e08ffffffffffffffffff0110ffffffffffffffffff0118ffffffffffffffffff01320b0a042f65746310ed0318011237080122330a042f61707012122f7573722f6c6f63616c2f62696e2f61707020ffffffffffffffffff0128014001588080a8b1e39fe7cb17";

/// The marshalled op whose body matches `is`.
fn op_bytes(definition: &pb::Definition, is: impl Fn(&pb::op::Op) -> bool) -> Vec<u8> {
    definition
        .def
        .iter()
        .find(|bytes| decode(bytes).op.as_ref().is_some_and(&is))
        .cloned()
        .unwrap_or_else(|| panic!("no such op"))
}

#[test]
fn ops_are_encoded_as_buildkit_marshals_them() {
    let definition = marshal(&graph(), None).definition;
    let image = op_bytes(
        &definition,
        |op| matches!(op, pb::op::Op::Source(source) if source.identifier.starts_with("docker-image")),
    );
    let local = op_bytes(
        &definition,
        |op| matches!(op, pb::op::Op::Source(source) if source.identifier.starts_with("local")),
    );
    let exec = op_bytes(&definition, |op| matches!(op, pb::op::Op::Exec(_)));
    let file = op_bytes(&definition, |op| matches!(op, pb::op::Op::File(_)));
    assert_eq!(hex::encode(&image), GO_IMAGE_SOURCE);
    assert_eq!(
        op_digest(&image),
        "sha256:beb7452cd5549b28dc5fdf148951e738b154ec47979bf188c9df82d3c30c5422"
    );
    assert_eq!(hex::encode(&local), GO_LOCAL_SOURCE);
    assert_eq!(hex::encode(&exec), GO_EXEC_WITH_MOUNTS);
    assert_eq!(
        op_digest(&exec),
        "sha256:5db534263ccf6e817c3b0d5a0d2745fb24abbc737f62aafe282993273a29c468"
    );
    assert_eq!(hex::encode(&file), GO_FILE_COPY);
    // Re-encoding what we wrote gives the same bytes (the daemon's recompute is stable).
    for bytes in [&image, &local, &exec, &file] {
        assert_eq!(&encode_op(&decode(bytes)), bytes);
    }
}

#[test]
fn a_platform_variant_is_encoded_as_buildkit_does() {
    let arm = Constraints::default()
        .platform(&Platform::parse("linux/arm/v7").unwrap_or_else(|problem| panic!("{problem}")));
    let (executed, root, _) = compile(&arm);
    let definition = marshal(&executed.output(root), None).definition;
    let exec = op_bytes(&definition, |op| matches!(op, pb::op::Op::Exec(_)));
    assert_eq!(hex::encode(exec), GO_EXEC_ON_ARM_V7);
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
    let terminal = decode(definition.def.last().unwrap_or_else(|| panic!("no ops")));
    assert!(terminal.op.is_none());
    assert_eq!(terminal.inputs.len(), 1);
    assert_eq!(terminal.inputs[0].digest, marshalled.head);
    // 4 ops (image, local, exec, file) + terminal.
    assert_eq!(definition.def.len(), 5);
}

#[test]
fn writable_mount_handles_name_outputs_in_mount_order() {
    let (executed, root, out) = compile(&amd64());
    // Mounts sort as /, /go/pkg/mod, /out, /src, /tmp: writable / is output 0, /out 1.
    assert_eq!(executed.output(root).index, 0);
    assert_eq!(executed.output(out).index, 1);
    let definition = marshal(&executed.output(out), None).definition;
    let terminal = decode(definition.def.last().unwrap_or_else(|| panic!("no ops")));
    assert_eq!(terminal.inputs[0].index, 1);
}

#[test]
fn constraints_give_location_and_no_cache() {
    let (executed, root, _) = compile(&amd64().line(3).ignore_cache(true));
    let marshalled = marshal(
        &executed.output(root),
        Some(("gostage.yaml", b"version: 1\n")),
    );
    let exec = op_bytes(&marshalled.definition, |op| {
        matches!(op, pb::op::Op::Exec(_))
    });
    let digest = op_digest(&exec);
    let metadata = &marshalled.definition.metadata[&digest];
    assert!(metadata.ignore_cache);
    assert_eq!(metadata.description["llb.customname"], "go build");
    let source = marshalled
        .definition
        .source
        .unwrap_or_else(|| panic!("no source map"));
    let range = source.locations[&digest].locations[0].ranges[0];
    assert_eq!(range.start.map(|position| position.line), Some(3));
    assert_eq!(source.infos[0].filename, "gostage.yaml");
}

#[test]
fn file_actions_chain_on_the_previous_result_and_only_the_last_has_an_output() {
    let definition = marshal(&graph(), None).definition;
    let op = decode(&op_bytes(&definition, |op| {
        matches!(op, pb::op::Op::File(_))
    }));
    assert_eq!(op.inputs.len(), 1, "only the exec output is an input");
    let Some(pb::op::Op::File(file)) = op.op else {
        panic!("not a file op")
    };
    let summary: Vec<(i64, i64, i64)> = file
        .actions
        .iter()
        .map(|action| (action.input, action.secondary_input, action.output))
        .collect();
    // mkdir on scratch; copy onto action 0's result (index len(inputs)+0 = 1) from input 0.
    assert_eq!(summary, [(-1, -1, -1), (1, 0, 0)]);
}

/// `exec_with_secret_and_ssh`: `go mod download` on the golang image with an optional secret
/// `known_hosts` (0400) at `/run/secrets/known_hosts` and the optional SSH agent `default`
/// (0600) at `/run/buildkit/ssh_agent.0`; linux/amd64. Golden from BuildKit v0.32.2's
/// `pb.Op.Marshal`, with the mounts in the order `client/llb/exec.go` writes them.
const GO_EXEC_WITH_SECRET_AND_SSH: &str = "0a490a477368613235363a62656237343532636435353439623238646335666466313438393531653733386231353465633437393739626631383863396466383264336333306335343232520e0a05616d64363412056c696e757812c2010a420a02676f0a036d6f640a08646f776e6c6f616412275353485f415554485f534f434b3d2f72756e2f6275696c646b69742f7373685f6167656e742e301a042f73726312031a012f123c08ffffffffffffffffff011a182f72756e2f736563726574732f6b6e6f776e5f686f7374733001aa01120a0b6b6e6f776e5f686f7374732080022801123908ffffffffffffffffff011a192f72756e2f6275696c646b69742f7373685f6167656e742e303002b2010e0a0764656661756c742080032801";

#[test]
fn secret_and_ssh_mounts_are_encoded_as_buildkit_marshals_them() {
    let args = ["go", "mod", "download"].map(String::from).to_vec();
    let env = vec!["SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0".to_string()];
    let mut exec = Exec::new(args).env(env).cwd("/src");
    // Added before the root mount on purpose: they still come after it.
    exec.ssh("/run/buildkit/ssh_agent.0", "default", true);
    exec.secret("/run/secrets/known_hosts", "known_hosts", true);
    let root = exec.writable("/", Some(&builder_image()));
    let executed = exec.build(&amd64(), "go mod download");
    assert_eq!(executed.output(root).index, 0);
    let marshalled = marshal(&executed.output(root), None);
    let bytes = op_bytes(&marshalled.definition, |op| {
        matches!(op, pb::op::Op::Exec(_))
    });
    assert_eq!(hex::encode(&bytes), GO_EXEC_WITH_SECRET_AND_SSH);
    assert_eq!(
        op_digest(&bytes),
        "sha256:41c465181a7fc9ab6429ff05c6fd21d78e06722de97d6f6edd5c7ee48f9bc7e6"
    );
    assert_eq!(&encode_op(&decode(&bytes)), &bytes);
    let caps = &marshalled.definition.metadata[&op_digest(&bytes)].caps;
    for cap in ["exec.mount.secret", "exec.mount.ssh"] {
        assert_eq!(caps.get(cap), Some(&true), "{cap} in {caps:?}");
    }
}

#[test]
fn a_seeded_cache_mount_takes_its_seed_as_an_input() {
    let seed = FileOp::on(None)
        .mkdir("/seeded", 0o755, 0)
        .build(&Constraints::default(), "seed");
    let mut exec = Exec::new(vec!["true".into()]);
    exec.readonly("/", &seed);
    exec.cache_from("/cache", "id", CacheSharing::Locked, &seed);
    let out = exec.writable("/out", None);
    let definition = marshal(
        &exec.build(&Constraints::default(), "run").output(out),
        None,
    )
    .definition;
    let op = decode(&op_bytes(&definition, |op| {
        matches!(op, pb::op::Op::Exec(_))
    }));
    let Some(pb::op::Op::Exec(exec)) = &op.op else {
        panic!("not an exec")
    };
    // One input, used by the root and as the cache's seed; the cache has no output.
    assert_eq!(op.inputs.len(), 1);
    let cache = &exec.mounts[1];
    assert_eq!(cache.dest, "/cache");
    assert_eq!(
        (cache.mount_type, cache.input, cache.output),
        (pb::MountType::Cache as i32, 0, -1)
    );
    assert_eq!(
        cache.cache_opt,
        Some(pb::CacheOpt {
            id: "id".into(),
            sharing: pb::CacheSharingOpt::Locked as i32,
        })
    );
}

/// `exec_without_network`: `go build` on the golang image (read-only root, scratch `/out`)
/// with network `NONE`, an optional secret `netrc` (0400) at `/run/secrets/netrc` and the
/// optional SSH agent `default` (0600); linux/amd64. Golden from BuildKit v0.32.2's
/// `pb.Op.Marshal` (`ExecOp.network` = 3, after the mounts).
const GO_EXEC_WITHOUT_NETWORK: &str = "0a490a477368613235363a62656237343532636435353439623238646335666466313438393531653733386231353465633437393739626631383863396466383264336333306335343232520e0a05616d64363412056c696e757812c5010a2f0a02676f0a056275696c640a022d6f0a082f6f75742f6170700a012e120b474f50524f58593d6f66661a042f73726312101a012f20ffffffffffffffffff012801121108ffffffffffffffffff011a042f6f7574123008ffffffffffffffffff011a122f72756e2f736563726574732f6e657472633001aa010c0a056e657472632080022801123908ffffffffffffffffff011a192f72756e2f6275696c646b69742f7373685f6167656e742e303002b2010e0a0764656661756c7420800328011802";

#[test]
fn network_none_is_encoded_as_buildkit_marshals_it() {
    let args = ["go", "build", "-o", "/out/app", "."]
        .map(String::from)
        .to_vec();
    let mut exec = Exec::new(args)
        .env(vec!["GOPROXY=off".to_string()])
        .cwd("/src")
        .network(Network::None);
    exec.secret("/run/secrets/netrc", "netrc", true);
    exec.ssh("/run/buildkit/ssh_agent.0", "default", true);
    exec.readonly("/", &builder_image());
    let out = exec.writable("/out", None);
    let executed = exec.build(&amd64(), "go build");
    assert_eq!(executed.output(out).index, 0);
    let marshalled = marshal(&executed.output(out), None);
    let bytes = op_bytes(&marshalled.definition, |op| {
        matches!(op, pb::op::Op::Exec(_))
    });
    assert_eq!(hex::encode(&bytes), GO_EXEC_WITHOUT_NETWORK);
    assert_eq!(
        op_digest(&bytes),
        "sha256:097a577bcafb78034c18b4bbe492838ae89d2c8101571f0e15336ea78281a84e"
    );
    assert_eq!(&encode_op(&decode(&bytes)), &bytes);
    let caps = &marshalled.definition.metadata[&op_digest(&bytes)].caps;
    assert_eq!(caps.get("exec.meta.network"), Some(&true), "{caps:?}");
}

#[test]
fn the_default_network_writes_no_network_field_and_no_cap() {
    let (executed, root, _) = compile(&amd64());
    let marshalled = marshal(&executed.output(root), None);
    let bytes = op_bytes(&marshalled.definition, |op| {
        matches!(op, pb::op::Op::Exec(_))
    });
    let Some(pb::op::Op::Exec(exec)) = decode(&bytes).op else {
        panic!("not an exec")
    };
    assert_eq!(exec.network, pb::NetMode::Unset as i32);
    let caps = &marshalled.definition.metadata[&op_digest(&bytes)].caps;
    assert!(!caps.contains_key("exec.meta.network"), "{caps:?}");
}
