//! The SBOM of real Go binaries: built here with the host's `go` from a module whose
//! dependencies sit in a module cache made by the test (no network), one of them replaced.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::build_info::{self, BuildInfoError, Module};
use super::*;

const GREETING_SUM: &str = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const FORK_SUM: &str = "h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";

/// A directory of its own under the system's temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("gostage-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, contents: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

/// Puts module `path@version` (declaring itself `declared`, with package `name`) into the
/// module cache `cache` as `go mod download` leaves it: the extracted tree, the `.mod` file
/// and the `.ziphash` that go.sum records.
fn cached_module(cache: &Path, path: &str, version: &str, declared: &str, sum: &str) {
    let name = path.rsplit('/').next().unwrap();
    let go_mod = format!("module {declared}\n\ngo 1.21\n");
    let download = cache.join("cache/download").join(path).join("@v");
    write(&download.join(format!("{version}.mod")), &go_mod);
    write(&download.join(format!("{version}.ziphash")), sum);
    let tree = cache.join(format!("{path}@{version}"));
    write(&tree.join("go.mod"), &go_mod);
    write(
        &tree.join(format!("{name}.go")),
        &format!("package {name}\n\nfunc Hello() string {{ return \"{path}\" }}\n"),
    );
}

/// Builds `example.com/hello` (needing example.com/greeting v1.0.0, and example.com/words
/// replaced by example.com/fork/words v1.2.0) with the host's `go`, as `name`, into
/// `directory`; returns the binary's path.
fn built_program(directory: &Path, name: &str) -> PathBuf {
    let cache = directory.join("modcache");
    cached_module(
        &cache,
        "example.com/greeting",
        "v1.0.0",
        "example.com/greeting",
        GREETING_SUM,
    );
    cached_module(
        &cache,
        "example.com/fork/words",
        "v1.2.0",
        "example.com/words",
        FORK_SUM,
    );
    let source = directory.join("hello");
    write(
        &source.join("go.mod"),
        "module example.com/hello\n\ngo 1.21\n\nrequire (\n\texample.com/greeting v1.0.0\n\texample.com/words v1.0.0\n)\n\nreplace example.com/words => example.com/fork/words v1.2.0\n",
    );
    write(
        &source.join("main.go"),
        "package main\n\nimport (\n\t\"example.com/greeting\"\n\t\"example.com/words\"\n)\n\nfunc main() { println(greeting.Hello(), words.Hello()) }\n",
    );
    let binary = directory.join("bin").join(name);
    let output = Command::new("go")
        .args([
            "build",
            "-trimpath",
            "-buildvcs=false",
            "-ldflags=-s -w -buildid=",
            "-o",
        ])
        .arg(&binary)
        .arg(".")
        .current_dir(&source)
        .env("GOMODCACHE", &cache)
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap_or_else(|error| {
            panic!("this test builds a Go program and needs `go` on PATH: {error}")
        });
    assert!(
        output.status.success(),
        "go build failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    binary
}

fn host_go_version() -> String {
    let output = Command::new("go")
        .args(["env", "GOVERSION"])
        .output()
        .unwrap_or_else(|error| panic!("this test needs `go` on PATH: {error}"));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn reads_the_build_information_go_embeds() {
    let scratch = Scratch::new("buildinfo");
    let binary = built_program(&scratch.0, "hello");
    let info = build_info::read(&fs::read(binary).unwrap()).unwrap();
    assert_eq!(info.go_version, host_go_version());
    assert_eq!(info.path, "example.com/hello");
    assert_eq!(
        (
            info.main.path.as_str(),
            info.main.version.as_str(),
            info.main.sum.as_str()
        ),
        ("example.com/hello", "(devel)", "")
    );
    assert_eq!(
        info.deps,
        [
            Module {
                path: "example.com/greeting".into(),
                version: "v1.0.0".into(),
                sum: GREETING_SUM.into(),
                replace: None,
            },
            Module {
                path: "example.com/words".into(),
                version: "v1.0.0".into(),
                sum: String::new(),
                replace: Some(Box::new(Module {
                    path: "example.com/fork/words".into(),
                    version: "v1.2.0".into(),
                    sum: FORK_SUM.into(),
                    replace: None,
                })),
            },
        ]
    );
}

#[test]
fn the_document_lists_each_module_with_version_hash_and_package_url() {
    let scratch = Scratch::new("sbom");
    let first = built_program(&scratch.0, "server");
    let second = scratch.0.join("bin/worker");
    fs::copy(&first, &second).unwrap();
    let output = scratch.0.join("out/sbom.spdx.json");
    super::write(&output, "2023-11-14T22:13:20Z", &[first, second]).unwrap();
    let text = fs::read_to_string(&output).unwrap();
    assert!(text.ends_with("}\n"), "{text}");
    let document: Value = serde_json::from_str(&text).unwrap();
    let go = host_go_version();

    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["name"], "server,worker");
    assert_eq!(document["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    assert_eq!(document["creationInfo"]["creators"][0], "Tool: gostage");
    let packages = document["packages"].as_array().unwrap();
    let summary: Vec<(String, String, String, String)> = packages
        .iter()
        .map(|package| {
            let field = |name: &str| package[name].as_str().unwrap_or("").to_string();
            let purl = package["externalRefs"][0]["referenceLocator"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (
                field("SPDXID"),
                field("versionInfo"),
                field("comment"),
                purl,
            )
        })
        .collect();
    let stdlib_id = spdx_id("module", &format!("stdlib@{go}"));
    assert_eq!(
        summary,
        [
            (
                "SPDXRef-binary-server".to_string(),
                "(devel)".to_string(),
                format!("Go binary of module example.com/hello, built with {go}"),
                String::new()
            ),
            (
                "SPDXRef-module-example.com-hello--devel-".into(),
                "(devel)".into(),
                String::new(),
                String::new()
            ),
            (
                "SPDXRef-module-example.com-greeting-v1.0.0".into(),
                "v1.0.0".into(),
                format!("go.sum hash {GREETING_SUM}"),
                "pkg:golang/example.com/greeting@v1.0.0".into()
            ),
            (
                "SPDXRef-module-example.com-fork-words-v1.2.0".into(),
                "v1.2.0".into(),
                format!("go.sum hash {FORK_SUM}"),
                "pkg:golang/example.com/fork/words@v1.2.0".into()
            ),
            (
                stdlib_id.clone(),
                go.clone(),
                String::new(),
                format!("pkg:golang/stdlib@{go}")
            ),
            (
                "SPDXRef-binary-worker".into(),
                "(devel)".into(),
                format!("Go binary of module example.com/hello, built with {go}"),
                String::new()
            ),
        ]
    );
    let relationships: Vec<String> = document["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|relationship| {
            format!(
                "{} {} {}",
                relationship["spdxElementId"].as_str().unwrap(),
                relationship["relationshipType"].as_str().unwrap(),
                relationship["relatedSpdxElement"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(relationships.len(), 2 + 2 * 4);
    // Sorted by the fields joined, as the Go program sorted them.
    assert_eq!(
        relationships[..6],
        [
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-binary-server".to_string(),
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-binary-worker".into(),
            "SPDXRef-binary-server CONTAINS SPDXRef-module-example.com-fork-words-v1.2.0".into(),
            "SPDXRef-binary-server CONTAINS SPDXRef-module-example.com-greeting-v1.0.0".into(),
            "SPDXRef-binary-server CONTAINS SPDXRef-module-example.com-hello--devel-".into(),
            format!("SPDXRef-binary-server CONTAINS {stdlib_id}"),
        ]
    );
    let namespace = document["documentNamespace"].as_str().unwrap();
    let digest = namespace.strip_prefix(NAMESPACE_PREFIX).unwrap();
    assert!(
        digest.len() == 64 && digest.bytes().all(|byte| byte.is_ascii_hexdigit()),
        "{namespace}"
    );
    // Written again from the same binaries: the same bytes.
    let again = scratch.0.join("again.json");
    let binaries = [scratch.0.join("bin/server"), scratch.0.join("bin/worker")];
    super::write(&again, "2023-11-14T22:13:20Z", &binaries).unwrap();
    assert_eq!(fs::read_to_string(again).unwrap(), text);
}

#[test]
fn json_is_escaped_and_indented_as_go_writes_it() {
    let info = BuildInfo {
        go_version: "go1.23.4".into(),
        path: "example.com/a".into(),
        main: Module {
            path: "example.com/a<b>&c".into(),
            version: "v1.0.0".into(),
            ..Module::default()
        },
        deps: Vec::new(),
    };
    let text = document("1970-01-01T00:00:00Z", &[("a".into(), info)])
        .unwrap()
        .to_json()
        .unwrap();
    assert!(
        text.contains(r#""name": "example.com/a\u003cb\u003e\u0026c","#),
        "{text}"
    );
    assert!(text.starts_with("{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"dataLicense\": \"CC0-1.0\",\n  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n  \"name\": \"a\",\n  \"documentNamespace\": \"https://gostage.invalid/spdx/"), "{text}");
    assert!(
        text.contains("\"filesAnalyzed\": false,\n      \"primaryPackagePurpose\": \"LIBRARY\""),
        "{text}"
    );
}

#[test]
fn a_file_without_build_information_is_an_error_naming_it() {
    let not_elf = build_info::read(b"#!/bin/sh\n").unwrap_err();
    assert!(matches!(not_elf, BuildInfoError::Elf(_)), "{not_elf:?}");
    assert_eq!(not_elf.to_string(), "it is not an ELF executable");
    // This test executable is ELF, built by rustc: no .go.buildinfo.
    let own = fs::read(std::env::current_exe().unwrap()).unwrap();
    assert!(matches!(
        build_info::read(&own),
        Err(BuildInfoError::NoSection)
    ));
    let scratch = Scratch::new("sbom-error");
    let script = scratch.0.join("script");
    write(&script, "#!/bin/sh\n");
    let error = super::write(
        &scratch.0.join("out.json"),
        "x",
        std::slice::from_ref(&script),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{} has no Go build information: it is not an ELF executable",
            script.display()
        )
    );
}
