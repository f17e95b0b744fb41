//! The `files:` layer: one root-owned, stamped layer below the binaries, and sources the
//! context lacks.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;
use super::*;
use crate::llb;
use crate::vocabulary::Span;

fn spec_with_files() -> Spec {
    let mut spec = spec(&["linux/amd64", "linux/arm64"]);
    spec.files = vec![
        crate::spec::CopiedFile {
            src: Located::new(
                "config/app.json".into(),
                Span {
                    line: 7,
                    column: 10,
                },
            ),
            dst: "/etc/app/app.json".into(),
            mode: None,
        },
        crate::spec::CopiedFile {
            src: Located::new(
                "static".into(),
                Span {
                    line: 9,
                    column: 10,
                },
            ),
            dst: "/srv/static".into(),
            mode: None,
        },
        crate::spec::CopiedFile {
            src: Located::new(
                "run.sh".into(),
                Span {
                    line: 11,
                    column: 10,
                },
            ),
            dst: "/usr/local/bin/run.sh".into(),
            mode: Some(0o750),
        },
    ];
    spec
}

fn context_with_files() -> ModuleContext {
    use crate::context::PathKind;
    let mut context = context(false);
    context.file_sources = BTreeMap::from([
        ("config/app.json".to_string(), PathKind::File),
        ("static".to_string(), PathKind::Directory),
        ("run.sh".to_string(), PathKind::File),
    ]);
    context
}

#[test]
fn files_are_one_root_owned_stamped_layer_before_the_binaries() {
    let request = BuildRequest {
        source_date_epoch: Some(1_700_000_000),
        ..syntax_request()
    };
    let spec = spec_with_files();
    let context = context_with_files();
    let input = PlanInput {
        spec: &spec,
        context: &context,
        request: &request,
    };
    let needs = needs(input).unwrap_or_else(|error| panic!("{error}"));
    let resolved = Resolved {
        builder: builder(),
        frontend: frontend(),
        bases: BTreeMap::new(),
        busyboxes: BTreeMap::new(),
    };
    let plan = plan(input, &needs, &resolved).unwrap_or_else(|error| panic!("{error}"));
    let epoch = 1_700_000_000_000_000_000;
    let filesystem = &plan.platforms[1].filesystem;
    let tree = op_named(filesystem, "collect files: config/app.json, static, run.sh");
    let actual: Vec<(String, String, i32, i64, bool)> = copies(&tree)
        .into_iter()
        .map(|copy| {
            let owner = copy.owner.clone().unwrap_or_default();
            let root = pb::UserOpt {
                user: Some(pb::user_opt::User::ById(0)),
            };
            let owned_by_root = owner.user == Some(root.clone()) && owner.group == Some(root);
            (
                copy.src,
                copy.dest,
                copy.mode,
                copy.timestamp,
                owned_by_root,
            )
        })
        .collect();
    assert_eq!(
        actual,
        [
            (
                "/config/app.json".to_string(),
                "/etc/app/app.json".to_string(),
                0o644,
                epoch,
                true
            ),
            (
                "/static".to_string(),
                "/srv/static".to_string(),
                0o755,
                epoch,
                true
            ),
            (
                "/run.sh".to_string(),
                "/usr/local/bin/run.sh".to_string(),
                0o750,
                epoch,
                true
            ),
        ]
    );
    // Parents are made 0755 before each copy, not left to the copy (which would give them
    // the copy's mode on current BuildKit).
    let Some(pb::op::Op::File(tree_actions)) = &tree.op else {
        panic!("not a file op");
    };
    let directories: Vec<(String, i32, bool)> = tree_actions
        .actions
        .iter()
        .filter_map(|action| match &action.action {
            Some(pb::file_action::Action::Mkdir(mkdir)) => {
                Some((mkdir.path.clone(), mkdir.mode, mkdir.make_parents))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        directories,
        [
            ("/etc/app".to_string(), 0o755, true),
            ("/srv".to_string(), 0o755, true),
            ("/usr/local/bin".to_string(), 0o755, true),
        ]
    );
    // The copies read the same context source as the compile: one transfer.
    let context_sources = ops(filesystem)
        .into_iter()
        .filter(|(name, _)| name == "load build context")
        .count();
    assert_eq!(context_sources, 1);
    // Layer order: runtime, files, binaries; history says the same.
    let files_layer = op_named(filesystem, "add files: config/app.json, static, run.sh");
    let runtime_layer = op_named(
        filesystem,
        "add CA bundle, zoneinfo, /tmp, passwd and group",
    );
    let binaries_layer = op_named(filesystem, "add server (linux/arm64)");
    let digest = |op: &pb::Op| llb::op_digest(&llb::encode_op(op));
    assert_eq!(files_layer.inputs[0].digest, digest(&runtime_layer));
    assert_eq!(binaries_layer.inputs[0].digest, digest(&files_layer));
    assert_eq!(copies(&files_layer)[0].timestamp, epoch);
    assert_eq!(
        settings_of(&plan).layers,
        [
            "gostage: CA bundle, zoneinfo, /tmp, passwd and group",
            "gostage: files",
            "gostage: binaries"
        ]
    );
}

#[test]
fn a_missing_file_source_is_an_error_at_its_src() {
    let spec = spec_with_files();
    let mut context = context_with_files();
    context.file_sources.remove("static");
    let error = needs(PlanInput {
        spec: &spec,
        context: &context,
        request: &syntax_request(),
    })
    .expect_err("static is missing");
    let PlanError::Spec(diagnostic) = error else {
        panic!("not placed in the spec: {error:?}");
    };
    assert_eq!(
        diagnostic.span,
        Span {
            line: 9,
            column: 10
        }
    );
    assert_eq!(
        diagnostic.message,
        "`files[1].src` is `static`, which is not in the build context"
    );
    // The binary target copies no files, so it needs none.
    let binary = BuildRequest {
        target: Target::Binary,
        ..syntax_request()
    };
    assert!(needs(PlanInput {
        spec: &spec,
        context: &context,
        request: &binary,
    })
    .is_ok());
}
