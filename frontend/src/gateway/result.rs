//! The `Return` result: one ref and `containerimage.config`, or a ref per platform with
//! `containerimage.config/<platform>` and `refs.platforms` (exporter rules:
//! `exporter/containerimage/exptypes/types.go`, `frontend/dockerui/build.go`).

use std::collections::HashMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    result, Ref, RefMap, Result as BuildResult,
};
use serde_json::json;

use super::errors::FrontendError;
use crate::plan::Platform;

/// Builds the result from `(platform, ref id, image config)` per platform, in order.
///
/// One platform gives a single ref (what Docker 20.10's image-store exporter accepts) unless
/// `multi_platform` is set; `refs.platforms` is added in both cases.
pub fn assemble(
    solved: Vec<(Platform, String, Option<serde_json::Value>)>,
    multi_platform: bool,
) -> Result<BuildResult, FrontendError> {
    let mut metadata = HashMap::new();
    let platforms: Vec<serde_json::Value> = solved
        .iter()
        .map(|(platform, _, _)| {
            let mut described = json!({"os": platform.os, "architecture": platform.architecture});
            if !platform.variant.is_empty() {
                described["variant"] = json!(platform.variant);
            }
            json!({"ID": platform.to_string(), "Platform": described})
        })
        .collect();
    metadata.insert(
        "refs.platforms".to_string(),
        json!({ "Platforms": platforms }).to_string().into_bytes(),
    );
    let as_map = multi_platform || solved.len() > 1;
    let single = solved.len() == 1 && !as_map;
    let mut refs = HashMap::new();
    let mut only = None;
    for (platform, id, config) in solved {
        let key = if single {
            "containerimage.config".to_string()
        } else {
            format!("containerimage.config/{platform}")
        };
        if let Some(config) = config {
            let bytes = serde_json::to_vec(&config)
                .map_err(|error| FrontendError::Other(format!("image config: {error}")))?;
            metadata.insert(key, bytes);
        }
        let reference = Ref { id, def: None };
        if single {
            only = Some(reference);
        } else {
            refs.insert(platform.to_string(), reference);
        }
    }
    let result = match only {
        Some(reference) => result::Result::Ref(reference),
        None => result::Result::Refs(RefMap { refs }),
    };
    Ok(BuildResult {
        result: Some(result),
        metadata,
        attestations: HashMap::new(),
    })
}
