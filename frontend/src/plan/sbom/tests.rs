//! The SBOM stage: one `gostage sbom` step per platform, only when the client asks.

use super::super::test_support::*;
use super::super::*;

#[test]
fn sbom_is_planned_per_platform_only_when_asked() {
    let without = planned(&spec(&["linux/amd64", "linux/arm64"]), &syntax_request());
    assert!(without
        .platforms
        .iter()
        .all(|platform| platform.sbom.is_none()));
    let request = BuildRequest {
        sbom: true,
        ..syntax_request()
    };
    let with = planned(&spec(&["linux/amd64", "linux/arm64"]), &request);
    let names: Vec<String> = with
        .platforms
        .iter()
        .filter_map(|platform| {
            let sbom = platform.sbom.as_ref()?;
            execs(sbom)
                .into_iter()
                .map(|(name, _, _)| name)
                .find(|name| name.starts_with("SBOM"))
        })
        .collect();
    assert_eq!(
        names,
        [
            "SBOM of server (linux/amd64)",
            "SBOM of server (linux/arm64)"
        ]
    );
}
