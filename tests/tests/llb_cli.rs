//! `gostage llb` prints what the frontend solves. A build through the debug frontend image
//! (`myorg/gostage:debug`, which writes its rendered plan to buildkitd's log) is compared with
//! the CLI's JSON for the same spec, platform and build-args: equal once what only a daemon
//! knows is taken out (digest pins, the session, the builder image's Env, and op digests,
//! which all of these change).

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};

use anyhow::{bail, Context, Result};
use gostage::cli::llb::{llb_json, LlbArguments};
use gostage::gateway::RENDERED_LOG_MARKER;
use gostage_e2e::enabled;
use gostage_support::build_command::buildctl;
use gostage_support::config::{buildkitd_log, example, FRONTEND_DEBUG_TAG, FRONTEND_IMAGE};
use gostage_support::{cmd, go, registry};
use serde_json::Value;

/// Bytes of buildkitd's log written since `offset`.
fn log_since(offset: u64) -> Result<String> {
    let mut file = std::fs::File::open(buildkitd_log())?;
    file.seek(SeekFrom::Start(offset))?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

/// The rendered plan the frontend logged for the build whose VERSION is `version`.
fn logged_plan(log: &str, version: &str) -> Result<Value> {
    let Some(line) = log
        .lines()
        .filter(|line| line.contains(version))
        .find_map(|line| line.split_once(RENDERED_LOG_MARKER))
    else {
        bail!("buildkitd's log has no rendered plan for VERSION={version}");
    };
    serde_json::from_str(line.1).context("the logged plan is not JSON")
}

/// The Env of the builder image the frontend resolved (from its pinned identifier).
fn builder_env(frontend: &Value) -> Result<BTreeSet<String>> {
    let identifier = frontend["platforms"][0]["filesystem"]["ops"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|op| op["source"]["identifier"].as_str())
        .find(|identifier| identifier.contains("/golang:"))
        .context("the plan has no builder image source")?;
    let pinned = identifier.trim_start_matches("docker-image://docker.io/");
    let (repository, digest) = pinned
        .split_once(":")
        .and_then(|(repository, rest)| Some((repository, rest.split_once('@')?.1)))
        .with_context(|| format!("the builder {identifier} is not pinned to a digest"))?;
    let config = registry::config(&registry::image(repository, digest))?
        .with_context(|| format!("{identifier} is not in the registry"))?;
    Ok(config
        .config()
        .iter()
        .flat_map(|runtime| runtime.env().iter().flatten().cloned())
        .collect())
}

/// `value` without what only a daemon knows; exec environments become sorted sets.
fn normalized(value: &Value, builder_env: &BTreeSet<String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !matches!(key.as_str(), "digest" | "local.session"))
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("env", Value::Array(entries)) => {
                            let set: BTreeSet<&str> = entries
                                .iter()
                                .filter_map(Value::as_str)
                                .filter(|entry| !builder_env.contains(*entry))
                                .collect();
                            serde_json::json!(set)
                        }
                        _ => normalized(value, builder_env),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| normalized(item, builder_env))
                .collect(),
        ),
        Value::String(text) => Value::String(without_pins(text)),
        other => other.clone(),
    }
}

/// `text` without `@sha256:<hex>` digest pins.
fn without_pins(text: &str) -> String {
    let mut rest = text;
    let mut kept = String::new();
    while let Some(start) = rest.find("@sha256:") {
        kept.push_str(&rest[..start]);
        let after = &rest[start + "@sha256:".len()..];
        let end = after
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    kept.push_str(rest);
    kept
}

#[test]
fn cli_prints_what_the_frontend_solved() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let context = example("hello");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let version = format!("llb-check-{nanos}");
    let build_args = vec![
        format!("VERSION={version}"),
        format!("GOPROXY={}", go::goproxy()?),
    ];
    let offset = std::fs::metadata(buildkitd_log())?.len();
    let mut build = buildctl();
    build
        .args(["build", "--progress=plain", "--frontend", "gateway.v0"])
        .args([
            "--opt",
            &format!("source={FRONTEND_IMAGE}:{FRONTEND_DEBUG_TAG}"),
        ])
        .args(["--local", &format!("context={}", context.display())])
        .args(["--local", &format!("dockerfile={}", context.display())])
        .args([
            "--opt",
            "filename=gostage.yaml",
            "--opt",
            "platform=linux/amd64",
        ]);
    for build_arg in &build_args {
        build.args(["--opt", &format!("build-arg:{build_arg}")]);
    }
    cmd::run(&mut build)?;
    let frontend = logged_plan(&log_since(offset)?, &version)?;
    let cli = llb_json(&LlbArguments {
        file: context.join("gostage.yaml"),
        context: None,
        platforms: vec!["linux/amd64".to_string()],
        target: None,
        build_args,
        frontend_image: format!("{FRONTEND_IMAGE}:{FRONTEND_DEBUG_TAG}"),
    })?;
    // What normalisation takes out is really there: the frontend pinned the builder and
    // named the session; the CLI did neither.
    let (frontend_text, cli_text) = (frontend.to_string(), cli.to_string());
    assert!(frontend_text.contains("golang:1.") && frontend_text.contains("@sha256:"));
    assert!(frontend_text.contains("\"local.session\""));
    assert!(!cli_text.contains("@sha256:") && !cli_text.contains("\"local.session\""));
    let builder_env = builder_env(&frontend)?;
    assert!(!builder_env.is_empty(), "the builder image has an Env");
    let (frontend, cli) = (
        normalized(&frontend["platforms"], &builder_env),
        normalized(&cli["platforms"], &builder_env),
    );
    if frontend != cli {
        bail!(
            "gostage llb differs from what the frontend solved\nfrontend: {}\ncli:      {}",
            serde_json::to_string_pretty(&frontend)?,
            serde_json::to_string_pretty(&cli)?
        );
    }
    Ok(())
}

#[test]
fn pins_are_removed_and_the_rest_kept() {
    let pin = format!("@sha256:{}", "ab".repeat(32));
    assert_eq!(
        without_pins(&format!(
            "builder image docker.io/library/golang:1.23{pin} (x)"
        )),
        "builder image docker.io/library/golang:1.23 (x)"
    );
}
