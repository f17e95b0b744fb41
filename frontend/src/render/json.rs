//! A rendered plan as JSON for people (`gostage llb`): every op decoded, with its digest,
//! progress name and inputs, in the order of the definition (inputs before the ops that use
//! them).

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message;
use serde_json::{json, Map, Value};

use super::RenderedPlatform;
use crate::llb::op_digest;

/// A definition or config that cannot be shown (neither happens for what gostage made).
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// An op's bytes do not decode as `pb.Op`.
    #[error("op {digest} does not decode: {source}")]
    Decode {
        /// The op's digest.
        digest: String,
        /// prost's error.
        source: prost::DecodeError,
    },
    /// An image config is not JSON.
    #[error("the image config of {platform} is not JSON: {source}")]
    Config {
        /// The platform of the config.
        platform: String,
        /// serde's error.
        source: serde_json::Error,
    },
}

/// The JSON of `platforms`, with `note` (what the rendering could not know) first.
///
/// Errors: [`JsonError`].
pub fn platforms_json(platforms: &[RenderedPlatform], note: &str) -> Result<Value, JsonError> {
    let rendered = platforms
        .iter()
        .map(|platform| {
            let image_config = match &platform.image_config {
                Some(bytes) => {
                    serde_json::from_slice(bytes).map_err(|source| JsonError::Config {
                        platform: platform.platform.to_string(),
                        source,
                    })?
                }
                None => Value::Null,
            };
            Ok(json!({
                "platform": platform.platform.to_string(),
                "filesystem": definition_json(&platform.definition)?,
                "sbom": platform.sbom.as_ref().map(definition_json).transpose()?,
                "image_config": image_config,
            }))
        })
        .collect::<Result<Vec<Value>, JsonError>>()?;
    Ok(json!({ "note": note, "platforms": rendered }))
}

/// One definition: its ops (the terminal op, which only names the result, becomes `result`)
/// and the source map's file name.
///
/// Errors: [`JsonError::Decode`].
fn definition_json(definition: &pb::Definition) -> Result<Value, JsonError> {
    let digests: Vec<String> = definition
        .def
        .iter()
        .map(|bytes| op_digest(bytes))
        .collect();
    let position = |digest: &str| digests.iter().position(|known| known == digest);
    let mut ops = Vec::new();
    let mut result = Value::Null;
    for (bytes, digest) in definition.def.iter().zip(&digests) {
        let op = pb::Op::decode(bytes.as_slice()).map_err(|source| JsonError::Decode {
            digest: digest.clone(),
            source,
        })?;
        let inputs: Vec<Value> = op
            .inputs
            .iter()
            .map(|input| {
                json!({"op": position(&input.digest), "output": input.index, "digest": input.digest})
            })
            .collect();
        let Some(body) = &op.op else {
            result = inputs.into_iter().next().unwrap_or(Value::Null);
            continue;
        };
        let metadata = definition.metadata.get(digest);
        let mut rendered = Map::new();
        rendered.insert("digest".into(), json!(digest));
        rendered.insert(
            "name".into(),
            json!(metadata.and_then(|metadata| metadata.description.get("llb.customname"))),
        );
        if metadata.is_some_and(|metadata| metadata.ignore_cache) {
            rendered.insert("ignore_cache".into(), json!(true));
        }
        if let Some(platform) = &op.platform {
            rendered.insert("platform".into(), platform_json(platform));
        }
        rendered.insert("inputs".into(), Value::Array(inputs));
        let (kind, value) = body_json(body);
        rendered.insert(kind.into(), value);
        if let Some(locations) = definition
            .source
            .as_ref()
            .and_then(|source| source.locations.get(digest))
        {
            let lines: Vec<Value> = locations
                .locations
                .iter()
                .flat_map(|location| &location.ranges)
                .map(|range| json!([range.start.map(|p| p.line), range.end.map(|p| p.line)]))
                .collect();
            rendered.insert("spec_lines".into(), Value::Array(lines));
        }
        ops.push(Value::Object(rendered));
    }
    Ok(json!({"ops": ops, "result": result}))
}

fn platform_json(platform: &pb::Platform) -> Value {
    let mut text = format!("{}/{}", platform.os, platform.architecture);
    if !platform.variant.is_empty() {
        text.push('/');
        text.push_str(&platform.variant);
    }
    json!(text)
}

fn body_json(body: &pb::op::Op) -> (&'static str, Value) {
    match body {
        pb::op::Op::Source(source) => (
            "source",
            json!({"identifier": source.identifier, "attrs": source.attrs}),
        ),
        pb::op::Op::Exec(exec) => ("exec", exec_json(exec)),
        pb::op::Op::File(file) => (
            "file",
            Value::Array(file.actions.iter().map(action_json).collect()),
        ),
        pb::op::Op::Build(_) => ("build", json!("(not used by gostage)")),
        pb::op::Op::Merge(_) => ("merge", json!("(not used by gostage)")),
        pb::op::Op::Diff(_) => ("diff", json!("(not used by gostage)")),
    }
}

fn exec_json(exec: &pb::ExecOp) -> Value {
    let meta = exec.meta.clone().unwrap_or_default();
    let mounts: Vec<Value> = exec
        .mounts
        .iter()
        .map(|mount| {
            let kind = match pb::MountType::try_from(mount.mount_type) {
                Ok(pb::MountType::Bind) => "bind",
                Ok(pb::MountType::Cache) => "cache",
                Ok(pb::MountType::Tmpfs) => "tmpfs",
                Ok(pb::MountType::Secret) => "secret",
                Ok(pb::MountType::Ssh) => "ssh",
                Err(_) => "unknown",
            };
            let mut rendered = json!({
                "dest": mount.dest, "type": kind, "input": mount.input, "output": mount.output,
            });
            if mount.readonly {
                rendered["readonly"] = json!(true);
            }
            if let Some(cache) = &mount.cache_opt {
                let sharing = match pb::CacheSharingOpt::try_from(cache.sharing) {
                    Ok(pb::CacheSharingOpt::Shared) => "shared",
                    Ok(pb::CacheSharingOpt::Private) => "private",
                    Ok(pb::CacheSharingOpt::Locked) => "locked",
                    Err(_) => "unknown",
                };
                rendered["cache"] = json!({"id": cache.id, "sharing": sharing});
            }
            if let Some(secret) = &mount.secret_opt {
                rendered["secret"] =
                    json!({"id": secret.id, "optional": secret.optional, "mode": format!("{:04o}", secret.mode)});
            }
            if let Some(ssh) = &mount.ssh_opt {
                rendered["ssh"] = json!({"id": ssh.id, "optional": ssh.optional, "mode": format!("{:04o}", ssh.mode)});
            }
            rendered
        })
        .collect();
    let network = match pb::NetMode::try_from(exec.network) {
        Ok(pb::NetMode::Unset) => "default",
        Ok(pb::NetMode::Host) => "host",
        Ok(pb::NetMode::None) => "none",
        Err(_) => "unknown",
    };
    json!({
        "args": meta.args, "env": meta.env, "cwd": meta.cwd, "user": meta.user,
        "network": network, "mounts": mounts,
    })
}

fn action_json(action: &pb::FileAction) -> Value {
    let mut rendered: BTreeMap<&str, Value> = BTreeMap::from([
        ("input", json!(action.input)),
        ("secondary_input", json!(action.secondary_input)),
        ("output", json!(action.output)),
    ]);
    match &action.action {
        Some(pb::file_action::Action::Copy(copy)) => {
            rendered.insert(
                "copy",
                json!({
                    "src": copy.src, "dest": copy.dest, "mode": copy.mode,
                    "timestamp": copy.timestamp, "follow_symlink": copy.follow_symlink,
                    "contents_only": copy.dir_copy_contents,
                    "create_dest_path": copy.create_dest_path,
                }),
            );
        }
        Some(pb::file_action::Action::Mkfile(file)) => {
            rendered.insert(
                "mkfile",
                json!({
                    "path": file.path, "mode": format!("{:o}", file.mode),
                    "timestamp": file.timestamp, "bytes": file.data.len(),
                    "sha256": op_digest(&file.data),
                }),
            );
        }
        Some(pb::file_action::Action::Mkdir(directory)) => {
            rendered.insert(
                "mkdir",
                json!({
                    "path": directory.path, "mode": format!("{:o}", directory.mode),
                    "make_parents": directory.make_parents, "timestamp": directory.timestamp,
                }),
            );
        }
        Some(other) => {
            rendered.insert("other", json!(format!("{other:?}")));
        }
        None => {}
    }
    json!(rendered)
}
