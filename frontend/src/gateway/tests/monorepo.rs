//! Monorepos through the in-memory daemon: what each round of context reads transfers, the
//! layout a build gets, and where a go.mod problem reaches the user.

use base64::Engine;
use prost::Message;

use super::*;

/// The service's spec at the repository's root: `module: svc-a`, its main package at the
/// module's root.
const SVC_A_SPEC: &str = "# syntax=myorg/gostage
version: 1
module: svc-a
main: .
";

const GO_WORK: &str = "go 1.23\n\nuse (\n\t./lib\n\t./svc-a\n\t./svc-b\n)\n";

const SVC_A_GO_MOD: &str = "module example.com/monorepo/svc-a

go 1.23

require example.com/monorepo/lib v0.0.0

replace example.com/monorepo/lib => ../lib
";

/// A repository with go.work, a library and two services that replace it.
fn monorepo() -> Filesystem {
    Filesystem::default()
        .file("go.work", GO_WORK)
        .file("lib/go.mod", "module example.com/monorepo/lib\n\ngo 1.23\n")
        .file("lib/lib.go", "package lib\n")
        .file("svc-a/go.mod", SVC_A_GO_MOD)
        .file("svc-a/main.go", "package main\n")
        .file(
            "svc-b/go.mod",
            SVC_A_GO_MOD.replace("svc-a", "svc-b").as_str(),
        )
        .file("svc-b/go.sum", "")
        .file("svc-b/main.go", "package main\n")
}

fn daemon(spec: &str, context: Filesystem) -> FakeDaemon {
    daemon_with(spec).with_local("context", context)
}

async fn inputs_of(daemon: &FakeDaemon) -> Inputs {
    let request = environment(&[])
        .request(daemon.worker_platforms())
        .unwrap_or_else(|error| panic!("{error}"));
    match read_inputs(daemon, &request).await {
        Ok(inputs) => inputs,
        Err(error) => panic!("{error}"),
    }
}

/// The include patterns of each transfer of the `context` local, in order.
fn context_transfers(daemon: &FakeDaemon) -> Vec<Vec<String>> {
    daemon
        .solved()
        .iter()
        .flat_map(|definition| &definition.def)
        .filter_map(|bytes| match pb::Op::decode(bytes.as_slice()).ok()?.op? {
            pb::op::Op::Source(source) if source.identifier == "local://context" => {
                let patterns = source.attrs.get("local.includepattern")?;
                Some(serde_json::from_str(patterns).unwrap_or_else(|error| panic!("{error}")))
            }
            _ => None,
        })
        .collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| value.to_string()).collect()
}

/// The paths the daemon was asked to read.
fn read_paths(daemon: &FakeDaemon) -> Vec<String> {
    daemon
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            Call::ReadFile { path, .. } => Some(path),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_workspace_service_is_read_in_two_transfers_of_exactly_its_files() {
    let daemon = daemon(SVC_A_SPEC, monorepo());
    let inputs = inputs_of(&daemon).await;
    assert_eq!(
        context_transfers(&daemon),
        [
            strings(&[
                ".dockerignore",
                "svc-a/go.mod",
                "svc-a/go.work",
                "go.work",
                "svc-a/go.sum",
                "svc-a/vendor/modules.txt",
                "svc-a/go.work.sum",
                "go.work.sum",
                "vendor/modules.txt",
                "svc-a/*.go",
            ]),
            strings(&["lib/go.mod", "svc-b/go.mod", "lib/go.sum", "svc-b/go.sum"]),
        ]
    );
    let layout = &inputs.layout;
    assert_eq!(layout.module_dir, "svc-a");
    assert_eq!(
        layout
            .workspace
            .as_ref()
            .map(|workspace| workspace.uses.clone()),
        Some(strings(&["lib", "svc-a", "svc-b"]))
    );
    assert_eq!(
        layout.download_files(),
        [
            "go.work",
            "lib/go.mod",
            "svc-a/go.mod",
            "svc-b/go.mod",
            "svc-b/go.sum"
        ]
    );
    assert_eq!(
        layout.compile_paths(),
        ["go.work", "lib", "svc-a", "svc-b/go.mod", "svc-b/go.sum"]
    );
    // The plan's view is the main module's.
    assert_eq!(inputs.context.module.path, "example.com/monorepo/svc-a");
    assert!(!inputs.context.go_sum);
}

#[tokio::test]
async fn a_replacement_without_a_workspace_is_read_in_a_second_transfer() {
    let context = Filesystem::default()
        .file("svc/go.mod", SVC_A_GO_MOD)
        .file("svc/go.sum", "")
        .file("svc/main.go", "package main\n")
        .file("lib/go.mod", "module example.com/monorepo/lib\n");
    let daemon = daemon(
        "# syntax=myorg/gostage\nversion: 1\nmodule: ./svc/\nmain: .\n",
        context,
    );
    let inputs = inputs_of(&daemon).await;
    let transfers = context_transfers(&daemon);
    assert_eq!(transfers.len(), 2, "{transfers:?}");
    assert_eq!(transfers[1], ["lib/go.mod", "lib/go.sum"]);
    assert_eq!(inputs.layout.workspace, None);
    assert_eq!(
        inputs.layout.download_files(),
        ["lib/go.mod", "svc/go.mod", "svc/go.sum"]
    );
    assert_eq!(inputs.layout.compile_paths(), ["lib", "svc"]);
    assert!(inputs.context.go_sum);
}

#[tokio::test]
async fn gowork_off_reads_no_go_work_and_builds_with_the_replacement() {
    let spec = format!("{SVC_A_SPEC}build:\n  env:\n    GOWORK: \"off\"\n");
    let daemon = daemon(&spec, monorepo());
    let inputs = inputs_of(&daemon).await;
    assert!(
        read_paths(&daemon)
            .iter()
            .all(|path| !path.contains("go.work")),
        "{:?}",
        read_paths(&daemon)
    );
    assert_eq!(inputs.layout.workspace, None);
    assert_eq!(inputs.layout.compile_paths(), ["lib", "svc-a"]);
}

#[tokio::test]
async fn a_service_alone_as_the_context_fails_at_its_replace_with_the_go_mod_line() {
    // `svc-a/` passed as the context: its replacement climbs out of it.
    let context = Filesystem::default()
        .file("go.mod", SVC_A_GO_MOD)
        .file("main.go", "package main\n");
    let daemon = daemon("# syntax=myorg/gostage\nversion: 1\nmain: .\n", context);
    let error = error_of(&daemon, &[]).await;
    assert_eq!(
        error.to_string(),
        "go.mod:7:37: the replacement directory `../lib` is outside the build context; pass \
         the repository's root (a directory that holds this module and `../lib`) as the build \
         context and set `module:` in the spec to this module's directory inside it (e.g. \
         `module: svc` for `svc/go.mod`)"
    );
    // buildx and buildctl print go.mod's line 7 from the source detail.
    let status = error.to_status();
    assert_eq!(status.details.len(), 1);
    assert_eq!(status.details[0].type_url, SOURCE_DETAIL_TYPE);
    let detail: Value =
        serde_json::from_slice(&status.details[0].value).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(detail["info"]["filename"], "go.mod");
    assert_eq!(detail["info"]["language"], "go.mod");
    assert_eq!(detail["ranges"][0]["start"]["line"], 7);
    assert_eq!(detail["ranges"][0]["start"]["character"], 37);
    let data = detail["info"]["data"].as_str().unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap_or_default();
    assert_eq!(decoded, SVC_A_GO_MOD.as_bytes());
    // And nothing is built.
    assert_eq!(
        daemon.solved().len(),
        2,
        "the spec, then one round of context reads"
    );
}

#[tokio::test]
async fn a_use_without_go_mod_fails_in_go_work() {
    let daemon = daemon(
        SVC_A_SPEC,
        monorepo().file("go.work", "go 1.23\nuse ./svc-a\nuse ./tools\n"),
    );
    let error = error_of(&daemon, &[]).await;
    assert!(
        error.to_string().starts_with(
            "go.work:3:5: the `use` directory `tools` of the build context has no go.mod"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_root_without_go_mod_names_the_modules_below_it() {
    let context = Filesystem::default()
        .file("svc-a/go.mod", "module a\n")
        .file("svc-b/go.mod", "module b\n");
    let daemon = daemon("# syntax=myorg/gostage\nversion: 1\n", context);
    let (message, line) = spec_error(&error_of(&daemon, &[]).await);
    assert_eq!(line, 2);
    assert!(
        message.starts_with("gostage.yaml:2:1: the build context has no go.mod; "),
        "{message}"
    );
    assert!(
        message.ends_with("`svc-a`, `svc-b` have a go.mod: set `module:` to the one to build"),
        "{message}"
    );
    assert_eq!(
        context_transfers(&daemon).last(),
        Some(&strings(&["*/go.mod"]))
    );
}

#[tokio::test]
async fn a_hidden_replacement_is_an_error_warning_of_the_build() {
    // The binary is named after the module path's last element.
    let binary = Filesystem::default().file("/usr/local/bin/svc-a", synthetic_elf(EM_X86_64, None));
    let daemon =
        daemon(SVC_A_SPEC, monorepo().file(".dockerignore", "lib\n")).with_result("amd64", binary);
    build_with(&daemon, &[]).await;
    let warnings: Vec<String> = daemon
        .warnings()
        .iter()
        .map(|warning| String::from_utf8_lossy(&warning.short).to_string())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|warning| warning.starts_with("LocalModuleIgnored: `lib` ")),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn check_places_a_go_mod_problem_in_go_mod_as_a_second_source() {
    let context = Filesystem::default()
        .file("go.mod", SVC_A_GO_MOD)
        .file("main.go", "package main\n");
    let daemon = daemon("# syntax=myorg/gostage\nversion: 1\nmain: .\n", context);
    let result = build_with(&daemon, &[("requestid", "frontend.lint")]).await;
    assert_eq!(result.metadata["result.statuscode"], b"1");
    let document = metadata_json(&result, "result.json");
    let error = &document["buildError"];
    assert!(
        error["message"].as_str().is_some_and(
            |message| message.starts_with("go.mod:7:37: the replacement directory `../lib`")
        ),
        "{document}"
    );
    assert_eq!(error["location"]["sourceIndex"], 1);
    assert_eq!(error["location"]["ranges"][0]["start"]["line"], 7);
    assert_eq!(document["sources"][1]["filename"], "go.mod");
    assert_eq!(document["sources"][0]["filename"], "gostage.yaml");
}
