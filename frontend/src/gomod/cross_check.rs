//! The parsers against the go command: `go mod edit -json` prints what Go reads from a
//! go.mod (module, go, toolchain, replace) and `go work edit -json` what it reads from a
//! go.work (go, use, replace). Each case is written to a temporary file and read by both.
//!
//! These tests need `go` on the PATH and fail, naming it, when it is missing. They never
//! use the network: `GOTOOLCHAIN=local` keeps a newer `go` line from fetching a toolchain
//! and `GOPROXY=off` forbids downloads.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{parse, parse_work, Replace, ReplaceTarget};

/// The go command refused a file; its error output.
#[derive(Debug)]
struct GoRefused(String);

impl std::fmt::Display for GoRefused {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// `go <arguments>` on `file_name` holding `text`, in a fresh directory: its JSON output,
/// or its error text when Go refuses the file.
fn go_reads(file_name: &str, text: &str, arguments: &[&str]) -> Result<Value, GoRefused> {
    let directory =
        tempfile::tempdir().unwrap_or_else(|error| panic!("temporary directory: {error}"));
    let file = directory.path().join(file_name);
    std::fs::write(&file, text).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
    let output = go_command(directory.path())
        .args(arguments)
        .arg(&file)
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "these tests compare with the Go toolchain, and running `go` failed ({error}); \
                 install Go and put `go` on the PATH"
            )
        });
    if !output.status.success() {
        return Err(GoRefused(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    let json = serde_json::from_slice::<Value>(&output.stdout)
        .unwrap_or_else(|error| panic!("`go {arguments:?}` printed no JSON: {error}"));
    Ok(json)
}

/// `go` in `directory`, isolated from the user's settings and the network.
fn go_command(directory: &Path) -> Command {
    let mut command = Command::new("go");
    command
        .current_dir(directory)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env("GOWORK", "off")
        .env("GOENV", "off");
    command
}

/// A string field of a JSON object, `""` when absent (Go omits empty fields).
fn field<'a>(value: &'a Value, name: &str) -> &'a str {
    value.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// Go's `Replace` list as `(old path, old version, new path, new version)`, `""` for none.
fn go_replaces(json: &Value) -> Vec<[String; 4]> {
    let Some(replaces) = json.get("Replace").and_then(Value::as_array) else {
        return Vec::new();
    };
    replaces
        .iter()
        .map(|replace| {
            let old = &replace["Old"];
            let new = &replace["New"];
            [
                field(old, "Path").to_string(),
                field(old, "Version").to_string(),
                field(new, "Path").to_string(),
                field(new, "Version").to_string(),
            ]
        })
        .collect()
}

/// Our replacements in the shape of [`go_replaces`].
fn our_replaces(replaces: &[Replace]) -> Vec<[String; 4]> {
    replaces
        .iter()
        .map(|replace| {
            let (path, version) = match &replace.target {
                ReplaceTarget::Module { path, version } => (path.clone(), version.clone()),
                ReplaceTarget::Directory(path) => (path.clone(), String::new()),
            };
            [
                replace.old_path.clone(),
                replace.old_version.clone().unwrap_or_default(),
                path,
                version,
            ]
        })
        .collect()
}

/// A go.mod as real projects write it: a module in a subdirectory of a repository, with
/// requirements, single and block replacements, comments and quoted paths.
const MONOREPO_SERVICE: &str = r#"// The API service of the monorepo.
module example.com/monorepo/services/api

go 1.22.0

toolchain go1.23.4

require (
	example.com/monorepo/libs/shared v0.0.0-00010101000000-000000000000
	github.com/google/uuid v1.6.0
	golang.org/x/net v0.25.0 // indirect
)

replace example.com/monorepo/libs/shared => ../../libs/shared

replace (
	// Our fork, until the fix is released.
	github.com/google/uuid v1.6.0 => github.com/myorg/uuid v1.6.1
	golang.org/x/net => golang.org/x/net v0.24.0

	"example.com/monorepo/libs/quoted" => "../../libs/with space"
	example.com/monorepo/tools v1.0.0 => ./tools // vendored copy
	example.com/up => ..
	example.com/here => .
	example.com/abs => /srv/modules/abs
	example.com/escaped => "./a\x41\u00e9"
)

replace ( )

exclude golang.org/x/net v0.23.0

retract [v1.0.0, v1.0.5] // broken builds
"#;

#[test]
fn go_mod_replacements_match_go_mod_edit() {
    let cases = [
        MONOREPO_SERVICE,
        "module m\nreplace a => ../b\n",
        "module m\nreplace \"=>\" => ../b\n",
        "module m\nreplace (\n)\ngo 1.21\n",
        "module m\nreplace a v1.2.3 => C:/modules/a\n",
    ];
    for text in cases {
        let go = go_reads("go.mod", text, &["mod", "edit", "-json"])
            .unwrap_or_else(|error| panic!("Go refuses {text:?}: {error}"));
        let ours = parse(text.as_bytes()).unwrap_or_else(|error| panic!("{text:?}: {error}"));
        assert_eq!(
            our_replaces(&ours.replaces),
            go_replaces(&go),
            "for {text:?}"
        );
        assert_eq!(ours.path, field(&go["Module"], "Path"), "for {text:?}");
        assert_eq!(ours.go.as_deref().unwrap_or_default(), field(&go, "Go"));
        let toolchain = ours.toolchain.map(|version| format!("go{version}"));
        assert_eq!(toolchain.unwrap_or_default(), field(&go, "Toolchain"));
    }
    // The realistic file really exercises every shape.
    let parsed = parse(MONOREPO_SERVICE.as_bytes()).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(parsed.replaces.len(), 9);
}

#[test]
fn go_mod_replacements_go_refuses_are_refused() {
    let cases = [
        "replace a => example.com/b",
        "replace a=>../b",
        "replace a =>../b",
        "replace a => ./x v1.0.0",
        "replace a => example.com/b@v1.0.0",
        "replace a => ..\\b",
        "replace a v1.0.0 v1.0.1 => ../b",
        "replace a => \"./\\q\"",
        "replace ( a => ../a )",
        "replace (\n\ta\n)",
    ];
    for directive in cases {
        let text = format!("module m\n{directive}\n");
        assert!(
            go_reads("go.mod", &text, &["mod", "edit", "-json"]).is_err(),
            "Go accepts {text:?}"
        );
        assert!(parse(text.as_bytes()).is_err(), "gostage accepts {text:?}");
    }
}

/// A go.work as `go work init` and `go work use` write it, edited by hand.
const WORKSPACE: &str = r#"go 1.23.4

toolchain go1.24.1

// Services and the libraries they share.
use (
	./services/api
	./services/worker // batch jobs
	"./libs/with space"

	./libs/shared
)

use .

godebug (
	default=go1.21
)

replace example.com/monorepo/libs/shared v1.2.0 => ./libs/shared
replace golang.org/x/net => golang.org/x/net v0.24.0
"#;

#[test]
fn go_work_uses_and_replacements_match_go_work_edit() {
    let cases = [
        WORKSPACE,
        "go 1.22\nuse ./a\n",
        "use (\n)\n",
        "go 1.23\nuse \"./a\\x41\"\n",
    ];
    for text in cases {
        let go = go_reads("go.work", text, &["work", "edit", "-json"])
            .unwrap_or_else(|error| panic!("Go refuses {text:?}: {error}"));
        let ours = parse_work(text.as_bytes()).unwrap_or_else(|error| panic!("{text:?}: {error}"));
        let go_uses: Vec<&str> = go
            .get("Use")
            .and_then(Value::as_array)
            .map(|uses| uses.iter().map(|used| field(used, "DiskPath")).collect())
            .unwrap_or_default();
        let our_uses: Vec<&str> = ours.uses.iter().map(|used| used.path.as_str()).collect();
        assert_eq!(our_uses, go_uses, "for {text:?}");
        assert_eq!(
            our_replaces(&ours.replaces),
            go_replaces(&go),
            "for {text:?}"
        );
        assert_eq!(ours.go.as_deref().unwrap_or_default(), field(&go, "Go"));
    }
    let parsed = parse_work(WORKSPACE.as_bytes()).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(parsed.uses.len(), 5);
}

#[test]
fn go_work_files_go_refuses_are_refused() {
    let cases = [
        "use ./a ./b\n",
        "use\n",
        "go 1.23\ngo 1.24\n",
        "go (\n)\n",
        "use (\n\t./a\n",
        "replace a => b\n",
        "go x\n",
    ];
    for text in cases {
        assert!(
            go_reads("go.work", text, &["work", "edit", "-json"]).is_err(),
            "Go accepts {text:?}"
        );
        assert!(
            parse_work(text.as_bytes()).is_err(),
            "gostage accepts {text:?}"
        );
    }
}
