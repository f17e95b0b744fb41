//! The layers of `cache.export`: the standard library, the dependency list and the dependency
//! compile, how they chain, and what the program's compile and the test run start from.

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;
use super::{DEPENDENCY_CACHE_DIR, DEPENDENCY_LIST_DIR, DEPENDENCY_TEMPLATE};
use crate::llb;
use crate::spec::Test;
use crate::vocabulary::{Span, Target};

/// The exec op of `output`'s graph named `name`, with its op.
fn step(output: &Output, name: &str) -> (pb::Op, pb::ExecOp) {
    execs(output)
        .into_iter()
        .find(|(found, _, _)| found == name)
        .map(|(_, op, exec)| (op, exec))
        .unwrap_or_else(|| panic!("no step {name}"))
}

/// The op that `exec`'s mount at `dest` reads from: (digest, output index).
fn input_of(op: &pb::Op, exec: &pb::ExecOp, dest: &str) -> (String, i64) {
    let mount = mount_at(exec, dest);
    let input = usize::try_from(mount.input)
        .ok()
        .and_then(|index| op.inputs.get(index))
        .unwrap_or_else(|| panic!("the mount at {dest} has no input"));
    (input.digest.clone(), input.index)
}

fn digest(op: &pb::Op) -> String {
    llb::op_digest(&llb::encode_op(op))
}

fn exported(platforms: &[&str]) -> Spec {
    let mut spec = spec(platforms);
    spec.cache.export = true;
    spec
}

#[test]
fn the_compile_starts_from_the_dependency_packages_compiled_on_the_standard_library() {
    let plan = planned(
        &exported(&["linux/amd64", "linux/arm64"]),
        &syntax_request(),
    );
    for platform in &plan.platforms {
        let filesystem = &platform.filesystem;
        let at = |name: &str| step(filesystem, &format!("{name} ({})", platform.platform));
        let (std_op, std_exec) = at("go build std");
        let (list_op, list_exec) = at("list dependency packages");
        let (packages_op, packages_exec) = at("go build dependencies");
        let (compile_op, compile) = compile_step(filesystem);

        // The standard library with the compile's package flags, into a layer.
        assert_eq!(
            meta(&std_exec).args,
            [
                "go",
                "build",
                "-trimpath",
                "-gcflags=all=-dwarf=false",
                "std"
            ]
        );
        // The list: go list of the binaries' packages for the platform, written to /out.
        let list_args = meta(&list_exec).args;
        assert_eq!(list_args[..2], ["sh", "-c"]);
        assert_eq!(
            list_args[3..],
            [
                "sh",
                "-e",
                "-deps",
                "-f",
                DEPENDENCY_TEMPLATE,
                "./cmd/server"
            ]
        );
        assert!(
            list_args[2].contains("> /out/packages.txt"),
            "{}",
            list_args[2]
        );
        assert_eq!(mount_at(&list_exec, "/out").output, 0);
        assert!(mount_at(&list_exec, "/src").readonly);
        // The dependency compile reads the list read-only (so BuildKit keys it by the
        // list's content), gets no sources, and writes on top of the std layer.
        assert_eq!(
            input_of(&packages_op, &packages_exec, DEPENDENCY_LIST_DIR),
            (digest(&list_op), 0)
        );
        assert!(mount_at(&packages_exec, DEPENDENCY_LIST_DIR).readonly);
        assert!(packages_exec
            .mounts
            .iter()
            .all(|mount| mount.dest != "/src"));
        assert_eq!(
            input_of(&packages_op, &packages_exec, DEPENDENCY_CACHE_DIR),
            (digest(&std_op), 0)
        );
        assert_eq!(mount_at(&packages_exec, DEPENDENCY_CACHE_DIR).output, 0);
        assert_eq!(
            meta(&packages_exec).args[3..],
            [
                "sh",
                "go",
                "build",
                "-v",
                "-trimpath",
                "-gcflags=all=-dwarf=false"
            ]
        );
        // It compiles in the daemon's build cache mount of the platform, unseeded: the one
        // a changed dependency set finds its unchanged packages in.
        let local_cache = mount_at(&packages_exec, "/root/.cache/go-build");
        assert_eq!(local_cache.mount_type, pb::MountType::Cache as i32);
        assert_eq!(local_cache.input, -1);
        assert_eq!(
            local_cache.cache_opt.as_ref().map(|cache| cache.id.clone()),
            Some(format!("gostage/go-build/{}", platform.platform))
        );
        // The compile's build cache mount starts from that layer, and -v names what it
        // compiles.
        let build_cache = mount_at(&compile, "/root/.cache/go-build");
        assert_eq!(build_cache.mount_type, pb::MountType::Cache as i32);
        assert_eq!(
            input_of(&compile_op, &compile, "/root/.cache/go-build"),
            (digest(&packages_op), 0)
        );
        assert!(meta(&compile).args.contains(&"-v".to_string()));
        // Every step compiles for the platform.
        let goarch = format!("GOARCH={}", platform.platform.architecture);
        for exec in [&std_exec, &list_exec, &packages_exec, &compile] {
            for expected in [
                "CGO_ENABLED=0",
                "GOOS=linux",
                goarch.as_str(),
                "GOPROXY=off",
            ] {
                assert!(meta(exec).env.contains(&expected.to_string()));
            }
            assert_eq!(exec.network, pb::NetMode::None as i32);
        }
    }
}

#[test]
fn tags_reach_the_list_and_every_compile_of_the_chain() {
    let mut spec = exported(&[]);
    spec.build.tags = vec!["netgo".into(), "osusergo".into()];
    let plan = planned(&spec, &syntax_request());
    let filesystem = &plan.platforms[0].filesystem;
    let platform = &plan.platforms[0].platform;
    let tags = ["-tags".to_string(), "netgo,osusergo".to_string()];
    for name in [
        "go build std",
        "list dependency packages",
        "go build dependencies",
    ] {
        let args = meta(&step(filesystem, &format!("{name} ({platform})")).1).args;
        assert!(args.windows(2).any(|pair| pair == tags), "{name}: {args:?}");
    }
}

#[test]
fn a_vendored_module_starts_from_the_standard_library_alone() {
    let plan = planned_with(&exported(&[]), &syntax_request(), true);
    let filesystem = &plan.platforms[0].filesystem;
    let names: Vec<String> = execs(filesystem)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    assert!(names
        .iter()
        .all(|name| !name.starts_with("list dependency")));
    let (std_op, _) = step(
        filesystem,
        &format!("go build std ({})", plan.platforms[0].platform),
    );
    let (compile_op, compile) = compile_step(filesystem);
    assert_eq!(
        input_of(&compile_op, &compile, "/root/.cache/go-build"),
        (digest(&std_op), 0)
    );
}

#[test]
fn the_test_target_lists_test_imports_and_compiles_them_as_go_test_does() {
    let mut spec = exported(&[]);
    spec.build.tags = vec!["integration".into()];
    let written = |value: &str| Located::new(value.to_string(), Span { line: 9, column: 5 });
    spec.test = Test {
        packages: vec![written("./...")],
        flags: [
            "-count=1",
            "-gcflags",
            "all=-N",
            "-trimpath",
            "-run",
            "TestX",
        ]
        .map(written)
        .to_vec(),
    };
    let mut request = syntax_request();
    request.target = Target::Test;
    let plan = planned(&spec, &request);
    let filesystem = &plan.platforms[0].filesystem;
    let platform = &request.build_platform;
    let (list_op, list_exec) = step(
        filesystem,
        &format!("list dependency packages ({platform})"),
    );
    let (packages_op, packages_exec) =
        step(filesystem, &format!("go build dependencies ({platform})"));
    let (std_op, std_exec) = step(filesystem, &format!("go build std ({platform})"));
    assert_eq!(
        meta(&list_exec).args[3..],
        [
            "sh",
            "-e",
            "-deps",
            "-test",
            "-tags",
            "integration",
            "-f",
            DEPENDENCY_TEMPLATE,
            "./..."
        ]
    );
    // go test's package flags: the tags, then the test flags that change a compile.
    let flags = ["-tags", "integration", "-gcflags", "all=-N", "-trimpath"];
    assert_eq!(meta(&std_exec).args[2..7], flags);
    assert_eq!(meta(&packages_exec).args[7..], flags);
    assert_eq!(
        input_of(&packages_op, &packages_exec, DEPENDENCY_LIST_DIR),
        (digest(&list_op), 0)
    );
    assert_eq!(
        input_of(&packages_op, &packages_exec, DEPENDENCY_CACHE_DIR),
        (digest(&std_op), 0)
    );
    let (test_op, test_exec) = execs(filesystem)
        .into_iter()
        .find(|(name, _, _)| name.starts_with("go test"))
        .map(|(_, op, exec)| (op, exec))
        .unwrap_or_else(|| panic!("no go test step"));
    assert_eq!(
        input_of(&test_op, &test_exec, "/root/.cache/go-build"),
        (digest(&packages_op), 0)
    );
}
