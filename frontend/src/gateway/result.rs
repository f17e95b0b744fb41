//! The `Return` result: one ref and `containerimage.config`, or a ref per platform with
//! `containerimage.config/<platform>` and `refs.platforms` (exporter rules:
//! `exporter/containerimage/exptypes/types.go`, `frontend/dockerui/build.go`).

use std::collections::HashMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    result, Attestation, AttestationKind, Attestations, Ref, RefMap, Result as BuildResult,
};
use serde_json::json;

use crate::plan::{SBOM_PATH, SPDX_PREDICATE_TYPE};
use crate::vocabulary::Platform;

/// What was solved for one target platform.
pub struct Solved {
    /// The target platform.
    pub platform: Platform,
    /// Ref id of the image (or binaries) filesystem.
    pub id: String,
    /// Its image config JSON, for image targets.
    pub image_config: Option<Vec<u8>>,
    /// Ref id of the SBOM filesystem, when one was asked for.
    pub sbom: Option<String>,
}

/// Builds the result from what was solved per platform, in order.
///
/// One platform gives a single ref (what Docker 20.10's image-store exporter accepts) unless
/// `multi_platform` is set; `refs.platforms` is added in both cases. SBOMs become in-toto
/// attestations keyed by platform id, as the exporters look them up.
pub fn assemble(solved: Vec<Solved>, multi_platform: bool) -> BuildResult {
    let mut metadata = HashMap::new();
    let platforms: Vec<serde_json::Value> = solved
        .iter()
        .map(|Solved { platform, .. }| {
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
    let mut attestations = HashMap::new();
    for Solved {
        platform,
        id,
        image_config: config,
        sbom,
    } in solved
    {
        if let Some(sbom) = sbom {
            let attestation = Attestation {
                kind: AttestationKind::InToto as i32,
                r#ref: Some(Ref {
                    id: sbom,
                    def: None,
                }),
                path: SBOM_PATH.to_string(),
                in_toto_predicate_type: SPDX_PREDICATE_TYPE.to_string(),
                ..Default::default()
            };
            attestations.insert(
                platform.to_string(),
                Attestations {
                    attestation: vec![attestation],
                },
            );
        }
        let key = if single {
            "containerimage.config".to_string()
        } else {
            format!("containerimage.config/{platform}")
        };
        if let Some(config) = config {
            metadata.insert(key, config);
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
    BuildResult {
        result: Some(result),
        metadata,
        attestations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solved(platform: &str, sbom: bool) -> Solved {
        Solved {
            platform: Platform::parse(platform).unwrap_or_else(|error| panic!("{error}")),
            id: format!("ref-{platform}"),
            image_config: Some(br#"{"os":"linux"}"#.to_vec()),
            sbom: sbom.then(|| format!("sbom-{platform}")),
        }
    }

    fn platforms_of(result: &BuildResult) -> serde_json::Value {
        serde_json::from_slice(&result.metadata["refs.platforms"]).unwrap_or_default()
    }

    #[test]
    fn one_platform_gives_a_single_ref() {
        let result = assemble(vec![solved("linux/amd64", false)], false);
        assert!(
            matches!(&result.result, Some(result::Result::Ref(reference)) if reference.id == "ref-linux/amd64")
        );
        assert!(result.metadata.contains_key("containerimage.config"));
        assert_eq!(platforms_of(&result)["Platforms"][0]["ID"], "linux/amd64");
        assert!(result.attestations.is_empty());
    }

    #[test]
    fn several_platforms_give_a_map_with_configs_platforms_and_sboms() {
        let result = assemble(
            vec![solved("linux/amd64", true), solved("linux/arm/v7", true)],
            false,
        );
        let Some(result::Result::Refs(map)) = &result.result else {
            panic!("expected a refs map")
        };
        assert_eq!(map.refs["linux/arm/v7"].id, "ref-linux/arm/v7");
        assert!(result
            .metadata
            .contains_key("containerimage.config/linux/amd64"));
        assert!(result
            .metadata
            .contains_key("containerimage.config/linux/arm/v7"));
        let platforms = platforms_of(&result);
        assert_eq!(platforms["Platforms"][1]["Platform"]["variant"], "v7");
        let attestation = &result.attestations["linux/arm/v7"].attestation[0];
        assert_eq!(attestation.in_toto_predicate_type, SPDX_PREDICATE_TYPE);
        assert_eq!(
            attestation
                .r#ref
                .as_ref()
                .map(|reference| reference.id.as_str()),
            Some("sbom-linux/arm/v7")
        );
        assert_eq!(attestation.path, SBOM_PATH);
    }

    #[test]
    fn multi_platform_option_forces_a_map_for_one_platform() {
        let result = assemble(vec![solved("linux/arm64", false)], true);
        assert!(matches!(result.result, Some(result::Result::Refs(_))));
        assert!(result
            .metadata
            .contains_key("containerimage.config/linux/arm64"));
    }
}
