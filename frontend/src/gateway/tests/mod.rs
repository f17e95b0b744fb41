//! The gateway's orchestration against the in-memory daemon ([`super::fake`]): what is
//! solved, resolved, warned and returned, and how each failed call reaches the user.

use std::collections::BTreeMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::{result, Result as BuildResult};
use goblin::elf::header::{EM_AARCH64, EM_X86_64};
use serde_json::{json, Value};

use super::daemon::ByteRange;
use super::fake::{Call, FakeDaemon, Filesystem, Method};
use super::*;
use crate::llb::pb;
use crate::verify::fixtures::synthetic_elf;

/// Two platforms, one binary from `./cmd/server` (line 3).
const SPEC: &str = "# syntax=myorg/gostage
version: 1
main: ./cmd/server
platforms: [linux/amd64, linux/arm64]
";

const GOLANG: &str = "docker.io/library/golang:1.23";
const GOLANG_DIGEST: &str =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const GOSTAGE: &str = "docker.io/myorg/gostage:latest";
const GOSTAGE_DIGEST: &str =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn image_config(architecture: &str) -> Value {
    json!({
        "architecture": architecture, "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Env": ["PATH=/usr/local/go/bin:/usr/bin:/bin", "GOPATH=/go"]}
    })
}

fn context_files() -> Filesystem {
    Filesystem::default()
        .file("go.mod", "module example.com/shop\n\ngo 1.23\n")
        .file("go.sum", "")
        .file("cmd/server/main.go", "package main\n\nfunc main() {}\n")
}

/// A build result holding one binary, `elf`, where the image keeps it.
fn result_with(elf: Vec<u8>) -> Filesystem {
    Filesystem::default().file("/usr/local/bin/server", elf)
}

/// A current daemon with `spec` as gostage.yaml, the module above, both images, and a
/// static binary for each platform in the build results.
fn daemon_with(spec: &str) -> FakeDaemon {
    FakeDaemon::current()
        .with_local(
            "dockerfile",
            Filesystem::default().file("gostage.yaml", spec),
        )
        .with_local("context", context_files())
        .with_image(GOLANG, GOLANG_DIGEST, image_config("amd64"))
        .with_image(GOSTAGE, GOSTAGE_DIGEST, image_config("amd64"))
        .with_result("amd64", result_with(synthetic_elf(EM_X86_64, None)))
        .with_result("arm64", result_with(synthetic_elf(EM_AARCH64, None)))
}

/// The options of `docker buildx build` through `# syntax=myorg/gostage`, plus `extra`.
fn environment(extra: &[(&str, &str)]) -> Environment {
    let mut options = BTreeMap::from([("source".to_string(), "myorg/gostage".to_string())]);
    for (key, value) in extra {
        options.insert(key.to_string(), value.to_string());
    }
    Environment {
        options,
        session_id: "session-1".into(),
        worker_platforms: Vec::new(),
    }
}

async fn build_with(daemon: &FakeDaemon, extra: &[(&str, &str)]) -> BuildResult {
    serve(daemon, &environment(extra))
        .await
        .unwrap_or_else(|error| panic!("{error}"))
}

async fn error_of(daemon: &FakeDaemon, extra: &[(&str, &str)]) -> FrontendError {
    match serve(daemon, &environment(extra)).await {
        Ok(result) => panic!("expected an error, got {result:?}"),
        Err(error) => error,
    }
}

/// The `llb.customname` of every op of `definition`.
fn step_names(definition: &pb::Definition) -> Vec<String> {
    definition
        .metadata
        .values()
        .filter_map(|metadata| metadata.description.get("llb.customname").cloned())
        .collect()
}

fn metadata_json(result: &BuildResult, key: &str) -> Value {
    let bytes = result
        .metadata
        .get(key)
        .unwrap_or_else(|| panic!("no {key} in {:?}", result.metadata.keys()));
    serde_json::from_slice(bytes).unwrap_or_else(|error| panic!("{key}: {error}"))
}

/// The spec error's rendered message and its line, or a panic for any other error.
fn spec_error(error: &FrontendError) -> (String, u32) {
    match error {
        FrontendError::Spec { diagnostic, .. } => (error.to_string(), diagnostic.span.line),
        other => panic!("expected a spec error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_build_solves_every_platform_at_once_and_returns_each_with_its_image_config() {
    let daemon = daemon_with(SPEC);
    let result = build_with(&daemon, &[]).await;

    // The spec load, the module load, then one build per platform.
    let solved = daemon.solved();
    assert_eq!(solved.len(), 4, "{solved:?}");
    let builds: Vec<Vec<String>> = solved[2..].iter().map(step_names).collect();
    for platform in ["linux/amd64", "linux/arm64"] {
        let compile = format!("go build ./cmd/server ({platform})");
        assert_eq!(
            builds
                .iter()
                .filter(|names| names.contains(&compile))
                .count(),
            1,
            "{builds:?}"
        );
    }
    assert!(
        daemon.most_solves_in_flight() >= 2,
        "the platforms were solved one after the other"
    );

    let Some(result::Result::Refs(map)) = &result.result else {
        panic!("expected a ref per platform, got {:?}", result.result)
    };
    let mut platforms: Vec<&String> = map.refs.keys().collect();
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);
    assert_ne!(map.refs["linux/amd64"].id, map.refs["linux/arm64"].id);
    for (platform, architecture) in [("linux/amd64", "amd64"), ("linux/arm64", "arm64")] {
        let config = metadata_json(&result, &format!("containerimage.config/{platform}"));
        assert_eq!(config["architecture"], architecture);
        assert_eq!(config["os"], "linux");
        assert_eq!(
            config["config"]["Entrypoint"],
            json!(["/usr/local/bin/server"])
        );
    }
    let described = metadata_json(&result, "refs.platforms");
    assert_eq!(described["Platforms"][1]["ID"], "linux/arm64");

    // The builder for the build platform, gostage's image for its own, by digest in the LLB.
    let resolved: Vec<(String, String)> = daemon
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            Call::ResolveImageConfig {
                reference,
                platform,
                ..
            } => Some((reference, platform.to_string())),
            _ => None,
        })
        .collect();
    assert!(resolved.contains(&(GOLANG.to_string(), "linux/amd64".to_string())));
    assert!(resolved.iter().any(|(reference, _)| reference == GOSTAGE));
    let pinned = format!("{GOLANG}@{GOLANG_DIGEST}");
    assert!(step_names(&solved[2])
        .iter()
        .any(|name| name.contains(&pinned)));

    // The module's files were read from the module load's ref: go.mod whole, go.sum
    // looked up, the main package listed.
    let calls = daemon.calls();
    let module_ref = calls.iter().find_map(|call| match call {
        Call::ReadFile {
            reference,
            path,
            range: None,
        } if path == "go.mod" => Some(reference.clone()),
        _ => None,
    });
    assert!(calls.iter().any(|call| matches!(
        call,
        Call::ReadDir { reference, path } if Some(reference) == module_ref.as_ref() && path == "cmd/server"
    )));
    assert!(calls.iter().any(|call| matches!(
        call,
        Call::StatFile { reference, path } if Some(reference) == module_ref.as_ref() && path == "go.sum"
    )));

    // Each binary was read from its own platform's ref, in one read of its first bytes.
    let binary_reads: Vec<String> = calls
        .into_iter()
        .filter_map(|call| match call {
            Call::ReadFile {
                reference,
                path,
                range,
            } if path == "/usr/local/bin/server" => {
                assert_eq!(
                    range,
                    Some(ByteRange {
                        offset: 0,
                        length: 4096
                    })
                );
                Some(reference)
            }
            _ => None,
        })
        .collect();
    let mut expected: Vec<String> = map.refs.values().map(|r| r.id.clone()).collect();
    expected.sort();
    let mut read = binary_reads.clone();
    read.sort();
    assert_eq!(read, expected);
}

#[tokio::test]
async fn cache_imports_reach_the_build_solves_and_not_the_local_loads() {
    let daemon = daemon_with(SPEC);
    let imports = r#"[{"Type":"registry","Attrs":{"ref":"r.example/cache:ci"}}]"#;
    build_with(&daemon, &[("cache-imports", imports)]).await;
    let imported: Vec<usize> = daemon
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            Call::Solve { cache_imports, .. } => Some(cache_imports),
            _ => None,
        })
        .map(|imports| {
            assert!(imports.iter().all(|import| import.cache_type == "registry"
                && import.attributes["ref"] == "r.example/cache:ci"));
            imports.len()
        })
        .collect();
    assert_eq!(imported, [0, 0, 1, 1]);
}

#[tokio::test]
async fn respond_returns_the_result_and_exits_zero() {
    let daemon = daemon_with(SPEC);
    let outcome = serve(&daemon, &environment(&[])).await;
    assert_eq!(respond(&daemon, outcome).await, 0);
    let returned = daemon.calls().into_iter().find_map(|call| match call {
        Call::ReturnResult(result) => Some(result),
        _ => None,
    });
    assert!(returned.is_some_and(|result| result
        .metadata
        .contains_key("containerimage.config/linux/arm64")));
}

#[tokio::test]
async fn respond_returns_a_spec_error_with_its_source_and_exits_one() {
    let daemon = daemon_with("# syntax=myorg/gostage\nversion: 1\nmian: .\n");
    let outcome = serve(&daemon, &environment(&[])).await;
    assert_eq!(respond(&daemon, outcome).await, 1);
    let Some(status) = daemon.calls().into_iter().find_map(|call| match call {
        Call::ReturnError(status) => Some(status),
        _ => None,
    }) else {
        panic!("no error returned")
    };
    assert_eq!(status.code, 2);
    assert!(
        status.message.starts_with("gostage.yaml:3:1: "),
        "{}",
        status.message
    );
    assert_eq!(status.details[0].type_url, SOURCE_DETAIL_TYPE);
    let detail: Value =
        serde_json::from_slice(&status.details[0].value).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(detail["ranges"][0]["start"]["line"], 3);
}

#[tokio::test]
async fn outline_reads_only_the_spec_and_returns_metadata_without_a_ref() {
    let daemon = daemon_with(SPEC);
    let result = build_with(&daemon, &[("requestid", "frontend.outline")]).await;
    assert!(result.result.is_none());
    assert_eq!(result.metadata["version"], b"1.0.0");
    let outline = metadata_json(&result, "result.json");
    assert_eq!(outline["name"], "image");
    let args = outline["args"]
        .as_array()
        .unwrap_or_else(|| panic!("{outline}"));
    assert!(
        args.iter().any(|arg| arg["name"] == "SOURCE_DATE_EPOCH"),
        "{outline}"
    );
    let solved = daemon.solved();
    assert_eq!(solved.len(), 1);
    assert!(step_names(&solved[0])
        .iter()
        .any(|name| name == "[internal] load build definition from gostage.yaml"));
}

#[tokio::test]
async fn targets_lists_every_target_with_image_the_default() {
    let daemon = daemon_with(SPEC);
    let result = build_with(&daemon, &[("requestid", "frontend.targets")]).await;
    let targets = metadata_json(&result, "result.json");
    let names: Vec<&str> = targets["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("{targets}"))
        .iter()
        .filter_map(|target| target["name"].as_str())
        .collect();
    assert!(names.starts_with(&["image"]), "{names:?}");
    assert!(
        names.contains(&"binary") && names.contains(&"test"),
        "{names:?}"
    );
    assert_eq!(targets["targets"][0]["default"], true);
    let text = String::from_utf8_lossy(&result.metadata["result.txt"]).to_string();
    assert!(text.contains("image (default)"), "{text}");
}

#[tokio::test]
async fn lint_reports_the_findings_and_fails_the_check_on_a_warning() {
    let spec = format!("{SPEC}image:\n  ports: [80]\n");
    let daemon = daemon_with(&spec);
    let result = build_with(&daemon, &[("requestid", "frontend.lint")]).await;
    let lint = metadata_json(&result, "result.json");
    let warnings = lint["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("{lint}"));
    assert_eq!(warnings.len(), 1, "{lint}");
    assert_eq!(warnings[0]["ruleName"], "PrivilegedPort");
    assert_eq!(warnings[0]["location"]["ranges"][0]["start"]["line"], 6);
    assert_eq!(lint["sources"][0]["filename"], "gostage.yaml");
    assert_eq!(result.metadata["result.statuscode"], b"1");
    // The check reads the context as a build does, and builds nothing.
    assert_eq!(daemon.solved().len(), 2);
    assert!(daemon.warnings().is_empty());
}

#[tokio::test]
async fn lint_puts_a_context_error_in_its_document_at_the_main_line() {
    let daemon = daemon_with(&SPEC.replace("./cmd/server", "./cmd/missing"));
    let result = build_with(&daemon, &[("requestid", "frontend.lint")]).await;
    let lint = metadata_json(&result, "result.json");
    let message = lint["buildError"]["message"].as_str().unwrap_or_default();
    assert!(
        message
            .starts_with("gostage.yaml:3:7: `./cmd/missing` has no .go files in the build context"),
        "{lint}"
    );
    assert_eq!(
        lint["buildError"]["location"]["ranges"][0]["start"]["line"],
        3
    );
    assert_eq!(result.metadata["result.statuscode"], b"1");
}

#[tokio::test]
async fn describe_answers_without_asking_the_daemon_anything() {
    let daemon = daemon_with(SPEC);
    let result = build_with(&daemon, &[("requestid", "frontend.subrequests.describe")]).await;
    let described = metadata_json(&result, "result.json");
    let names: Vec<&str> = described
        .as_array()
        .unwrap_or_else(|| panic!("{described}"))
        .iter()
        .filter_map(|request| request["name"].as_str())
        .collect();
    for name in [
        "frontend.outline",
        "frontend.targets",
        "frontend.lint",
        "frontend.subrequests.describe",
    ] {
        assert!(names.contains(&name), "{names:?}");
    }
    assert!(daemon.calls().is_empty(), "{:?}", daemon.calls());
}

#[tokio::test]
async fn an_unknown_request_is_refused_as_unimplemented_with_its_name() {
    let daemon = daemon_with(SPEC);
    let error = error_of(&daemon, &[("requestid", "frontend.convertllb")]).await;
    let status = error.to_status();
    assert_eq!(status.code, 12);
    assert_eq!(status.message, "unsupported request frontend.convertllb");
    assert_eq!(
        status.details[0].type_url,
        "github.com/moby/buildkit/errdefs.Subrequest+json"
    );
    assert!(daemon.calls().is_empty());
}

#[tokio::test]
async fn lint_findings_of_a_build_are_sent_as_warnings_at_their_spec_line() {
    let spec = format!("{SPEC}image:\n  ports: [80]\n");
    let daemon = daemon_with(&spec);
    build_with(&daemon, &[]).await;
    let warnings = daemon.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    let short = String::from_utf8_lossy(&warning.short).to_string();
    assert!(
        short.starts_with("PrivilegedPort: port 80 is below 1024") && short.ends_with("(line 6)"),
        "{short}"
    );
    assert_eq!(warning.level, 1);
    assert_eq!(
        warning.ranges[0].start.as_ref().map(|start| start.line),
        Some(6)
    );
    let info = warning.info.as_ref().unwrap_or_else(|| panic!("no source"));
    assert_eq!(info.filename, "gostage.yaml");
    assert_eq!(info.data, spec.as_bytes());
    // On the vertex that loaded the spec, which the client has seen.
    let spec_load = &daemon.solved()[0];
    assert!(
        spec_load.metadata.contains_key(&warning.digest),
        "{}",
        warning.digest
    );
}

#[tokio::test]
async fn a_daemon_without_the_warnings_cap_gets_no_warnings_and_the_build_goes_on() {
    let spec = format!("{SPEC}image:\n  ports: [80]\n");
    let daemon = daemon_with(&spec).without_cap("gateway.warnings");
    let result = build_with(&daemon, &[]).await;
    assert!(daemon.warnings().is_empty());
    assert!(matches!(result.result, Some(result::Result::Refs(_))));
}

#[tokio::test]
async fn a_refused_warning_does_not_fail_the_build() {
    let spec = format!("{SPEC}image:\n  ports: [80]\n");
    let daemon = daemon_with(&spec).failing(
        Method::Warn,
        "PrivilegedPort",
        tonic::Status::invalid_argument("invalid source ranges"),
    );
    let result = build_with(&daemon, &[]).await;
    assert_eq!(daemon.warnings().len(), 1);
    assert!(matches!(result.result, Some(result::Result::Refs(_))));
}

#[tokio::test]
async fn docker_20_10_builds_one_platform_as_a_single_ref_without_warnings() {
    let spec = format!("{SPEC}image:\n  ports: [80]\n");
    let daemon = FakeDaemon::docker_20_10()
        .with_local(
            "dockerfile",
            Filesystem::default().file("gostage.yaml", spec),
        )
        .with_local("context", context_files())
        .with_image(GOLANG, "", image_config("amd64"))
        .with_image(GOSTAGE, "", image_config("amd64"))
        .with_result("amd64", result_with(synthetic_elf(EM_X86_64, None)));
    // Docker 20.10 passes at most one platform and always a resolve mode, and resolves
    // local images without a digest.
    let result = build_with(
        &daemon,
        &[("platform", "linux/amd64"), ("image-resolve-mode", "pull")],
    )
    .await;
    assert!(daemon.warnings().is_empty());
    let modes: Vec<ResolveMode> = daemon
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            Call::ResolveImageConfig { resolve_mode, .. } => Some(resolve_mode),
            _ => None,
        })
        .collect();
    assert_eq!(modes, [ResolveMode::Pull, ResolveMode::Pull]);
    let Some(result::Result::Ref(reference)) = &result.result else {
        panic!("expected a single ref, got {:?}", result.result)
    };
    assert!(!reference.id.is_empty());
    assert_eq!(
        metadata_json(&result, "containerimage.config")["architecture"],
        "amd64"
    );
    let build = &daemon.solved()[2];
    assert!(step_names(build)
        .iter()
        .any(|name| name == &format!("builder image {GOLANG}")));
}

#[tokio::test]
async fn an_sbom_on_docker_20_10_fails_before_anything_is_read() {
    let daemon = FakeDaemon::docker_20_10();
    let error = error_of(&daemon, &[("attest:sbom", "")]).await;
    assert!(matches!(error, FrontendError::SbomUnsupported));
    assert_eq!(
        error.to_string(),
        "this BuildKit cannot attach an SBOM to a result (it lacks the reference.attestations capability); use BuildKit v0.11 or newer, or build without --sbom"
    );
    assert!(daemon.calls().is_empty());
}

#[tokio::test]
async fn a_daemon_missing_required_caps_is_refused_naming_them() {
    let daemon = daemon_with(SPEC)
        .without_cap("statfile")
        .without_cap("proto.refarray");
    let error = error_of(&daemon, &[]).await;
    assert_eq!(
        error.to_string(),
        "this BuildKit lacks gateway capabilities statfile, proto.refarray that gostage needs; use Docker 20.10 or newer, or BuildKit v0.8 or newer"
    );
    assert!(daemon.calls().is_empty());
}

#[tokio::test]
async fn a_failed_spec_load_says_what_was_loading() {
    let daemon = daemon_with(SPEC).failing(
        Method::Solve,
        "local://dockerfile",
        tonic::Status::unavailable("no active session for session-1"),
    );
    let error = error_of(&daemon, &[]).await;
    assert_eq!(
        error.to_string(),
        "load the spec: no active session for session-1"
    );
    assert_eq!(daemon.solved().len(), 1);
}

#[tokio::test]
async fn a_missing_spec_file_says_how_to_pass_it() {
    let daemon = daemon_with(SPEC).with_local("dockerfile", Filesystem::default());
    let error = error_of(&daemon, &[]).await;
    assert!(matches!(error, FrontendError::SpecFileMissing { .. }));
    assert_eq!(
        error.to_string(),
        "gostage.yaml not found; pass it with -f (docker build -f gostage.yaml .) or --opt filename=… (buildctl)"
    );
}

#[tokio::test]
async fn a_failed_build_solve_names_its_platform_and_keeps_the_daemon_details() {
    use prost::Message;
    // The daemon's vertex detail, as it sends it in `grpc-status-details-bin`.
    let vertex = bollard_buildkit_proto::google::protobuf::Any {
        type_url: "github.com/moby/buildkit/errdefs.Vertex+json".into(),
        value: br#"{"digest":"sha256:abc"}"#.to_vec(),
    };
    let details = bollard_buildkit_proto::google::rpc::Status {
        code: 2,
        message: "failed to compute cache key".into(),
        details: vec![vertex.clone()],
    };
    let daemon = daemon_with(SPEC).failing(
        Method::Solve,
        "go build ./cmd/server (linux/arm64)",
        tonic::Status::with_details(
            tonic::Code::Unknown,
            "failed to compute cache key",
            details.encode_to_vec().into(),
        ),
    );
    let error = error_of(&daemon, &[]).await;
    assert_eq!(
        error.to_string(),
        "build for linux/arm64: failed to compute cache key"
    );
    assert_eq!(error.to_status().details, [vertex]);
    // Both builds were sent; nothing was verified or returned.
    assert_eq!(daemon.solved().len(), 4);
    assert!(!daemon.calls().iter().any(|call| matches!(
        call,
        Call::ReadFile { path, .. } if path == "/usr/local/bin/server"
    )));
}

#[tokio::test]
async fn a_build_that_fails_when_read_names_its_platform() {
    // The daemon builds lazily: a failed compile surfaces at the gate's first read.
    let daemon = daemon_with(SPEC).failing(
        Method::ReadFile,
        "/usr/local/bin/server",
        tonic::Status::unknown("process \"go build\" did not complete successfully: exit code: 1"),
    );
    let error = error_of(&daemon, &[]).await;
    assert_eq!(
        error.to_string(),
        "build for linux/amd64: process \"go build\" did not complete successfully: exit code: 1"
    );
}

#[tokio::test]
async fn a_failed_read_of_go_mod_names_the_file() {
    let daemon = daemon_with(SPEC).failing(
        Method::ReadFile,
        "go.mod",
        tonic::Status::unknown("permission denied"),
    );
    let error = error_of(&daemon, &[]).await;
    assert_eq!(error.to_string(), "read go.mod: permission denied");
}

#[tokio::test]
async fn a_failed_listing_of_a_main_package_names_the_directory() {
    let daemon = daemon_with(SPEC).failing(
        Method::ReadDir,
        "cmd/server",
        tonic::Status::unknown("input/output error"),
    );
    let error = error_of(&daemon, &[]).await;
    assert_eq!(error.to_string(), "list cmd/server: input/output error");
}

#[tokio::test]
async fn a_failed_stat_names_the_path() {
    let daemon = daemon_with(SPEC).failing(
        Method::StatFile,
        "go.sum",
        tonic::Status::unknown("input/output error"),
    );
    let error = error_of(&daemon, &[]).await;
    assert_eq!(error.to_string(), "stat go.sum: input/output error");
}

#[tokio::test]
async fn an_unusable_go_mod_is_named() {
    let daemon =
        daemon_with(SPEC).with_local("context", context_files().file("go.mod", "go 1.23\n"));
    let error = error_of(&daemon, &[]).await;
    assert!(matches!(error, FrontendError::Layout(_)), "{error:?}");
    assert_eq!(error.to_string(), "go.mod: no `module` directive");
}

#[tokio::test]
async fn a_spec_image_that_cannot_be_resolved_fails_at_its_line() {
    let spec = SPEC.replace("main:", "builder: golang:1.23-bookworm\nmain:");
    let daemon = daemon_with(&spec);
    let error = error_of(&daemon, &[]).await;
    let (message, line) = spec_error(&error);
    assert_eq!(line, 3);
    assert!(
        message.starts_with("gostage.yaml:3:10: cannot resolve image `golang:1.23-bookworm`: docker.io/library/golang:1.23-bookworm: not found"),
        "{message}"
    );
}

#[tokio::test]
async fn a_derived_image_that_cannot_be_resolved_says_what_it_is_for() {
    let daemon = daemon_with(SPEC).failing(
        Method::ResolveImageConfig,
        GOLANG,
        tonic::Status::unknown("failed to do request: dial tcp: i/o timeout"),
    );
    let error = error_of(&daemon, &[]).await;
    assert_eq!(
        error.to_string(),
        format!("resolve image {GOLANG} (the builder image, derived from go.mod; set `builder:` to choose another): failed to do request: dial tcp: i/o timeout")
    );
}

#[tokio::test]
async fn an_image_config_that_is_not_one_names_the_image() {
    let daemon = daemon_with(SPEC).with_image(GOSTAGE, GOSTAGE_DIGEST, json!(["not", "a config"]));
    let error = error_of(&daemon, &[]).await;
    assert!(
        matches!(error, FrontendError::ImageConfig { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with(&format!(
            "the config of image {GOSTAGE} is not an image config: "
        )),
        "{error}"
    );
}

#[tokio::test]
async fn a_dynamic_binary_on_scratch_fails_at_its_main_line() {
    let dynamic = synthetic_elf(EM_AARCH64, Some("/lib/ld-linux-aarch64.so.1"));
    let daemon = daemon_with(SPEC).with_result("arm64", result_with(dynamic));
    let error = error_of(&daemon, &[]).await;
    let (message, line) = spec_error(&error);
    assert_eq!(line, 3);
    assert!(
        message.starts_with("gostage.yaml:3:7: /usr/local/bin/server for linux/arm64 is dynamically linked (program interpreter /lib/ld-linux-aarch64.so.1), but the base image has no C library to run it"),
        "{message}"
    );
    assert!(error.to_status().details[0].type_url == SOURCE_DETAIL_TYPE);
}

#[tokio::test]
async fn a_binary_for_the_wrong_machine_or_missing_fails_at_its_main_line() {
    let daemon =
        daemon_with(SPEC).with_result("arm64", result_with(synthetic_elf(EM_X86_64, None)));
    let (message, line) = spec_error(&error_of(&daemon, &[]).await);
    assert_eq!(line, 3);
    assert!(
        message.starts_with("gostage.yaml:3:7: /usr/local/bin/server is a X86_64 64-bit little-endian executable, not one for linux/arm64 (AArch64); the builder's Go did not build for the target platform"),
        "{message}"
    );

    let daemon = daemon_with(SPEC).with_result("arm64", Filesystem::default());
    let (message, _) = spec_error(&error_of(&daemon, &[]).await);
    assert!(
        message.starts_with(
            "gostage.yaml:3:7: /usr/local/bin/server for linux/arm64 is missing from the result"
        ),
        "{message}"
    );

    let daemon = daemon_with(SPEC).with_result("arm64", result_with(b"#!/bin/sh\n".to_vec()));
    let (message, _) = spec_error(&error_of(&daemon, &[]).await);
    assert!(
        message.starts_with(
            "gostage.yaml:3:7: /usr/local/bin/server for linux/arm64 is not an ELF executable"
        ),
        "{message}"
    );
}

mod monorepo;
