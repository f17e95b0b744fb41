//! The final stage: `/etc/passwd` on scratch and the binaries' layer.

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;
use crate::llb;
use crate::spec::Binary;
use crate::vocabulary::Span;

#[test]
fn scratch_writes_passwd_for_the_default_user() {
    let plan = planned(&spec(&[]), &syntax_request());
    let users = op_named(
        &plan.platforms[0].filesystem,
        "write /etc/passwd and /etc/group",
    );
    let Some(pb::op::Op::File(file)) = users.op else {
        panic!("not a file op");
    };
    let passwd = file.actions.iter().find_map(|action| match &action.action {
        Some(pb::file_action::Action::Mkfile(mkfile)) if mkfile.path == "/etc/passwd" => {
            Some(String::from_utf8_lossy(&mkfile.data).into_owned())
        }
        _ => None,
    });
    assert_eq!(
        passwd.as_deref(),
        Some(
            "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n"
        )
    );
}

#[test]
fn the_binaries_layer_copies_each_compile_output_once() {
    let mut spec = spec(&["linux/arm64"]);
    spec.binaries.push(Binary {
        main: Located::new("./cmd/worker".into(), Span { line: 4, column: 7 }),
        name: None,
    });
    let request = BuildRequest {
        source_date_epoch: Some(1_700_000_000),
        ..syntax_request()
    };
    let plan = planned(&spec, &request);
    let filesystem = &plan.platforms[0].filesystem;
    let layer = op_named(filesystem, "add server, worker (linux/arm64)");
    let copied: Vec<(String, String, bool, i64)> = copies(&layer)
        .into_iter()
        .map(|copy| (copy.src, copy.dest, copy.dir_copy_contents, copy.timestamp))
        .collect();
    let stamped = (
        "/".to_string(),
        "/".to_string(),
        true,
        1_700_000_000_000_000_000,
    );
    assert_eq!(copied, [stamped.clone(), stamped]);
    // The copies read the compile steps themselves: no tree in between.
    let digest = |op: &pb::Op| llb::op_digest(&llb::encode_op(op));
    let inputs: Vec<String> = layer
        .inputs
        .iter()
        .map(|input| input.digest.clone())
        .collect();
    assert_eq!(
        inputs[1..],
        [
            digest(&op_named(filesystem, "go build ./cmd/server (linux/arm64)")),
            digest(&op_named(filesystem, "go build ./cmd/worker (linux/arm64)")),
        ]
    );
    assert!(!ops(filesystem)
        .iter()
        .any(|(name, _)| name.starts_with("collect")));
    let compiled: Vec<String> = execs(filesystem)
        .into_iter()
        .filter(|(name, _, _)| name.starts_with("go build"))
        .map(|(_, _, exec)| {
            meta(&exec)
                .args
                .iter()
                .rev()
                .nth(1)
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        compiled,
        ["/out/usr/local/bin/server", "/out/usr/local/bin/worker"]
    );
}
