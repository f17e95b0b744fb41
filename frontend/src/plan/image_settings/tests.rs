//! The image settings: user, working directory, environment and entrypoint, with and
//! without a base image.

use std::collections::BTreeMap;

use super::super::test_support::*;
use super::super::*;
use super::*;
use crate::vocabulary::Span;

#[test]
fn image_settings_run_the_binary_as_non_root() {
    let mut request = syntax_request();
    request.build_args.insert("VERSION".into(), "1.2.3".into());
    request.source_date_epoch = Some(1_700_000_000);
    request.labels.insert("team".into(), "payments".into());
    let plan = planned(&spec(&[]), &request);
    let settings = plan.platforms[0]
        .image
        .clone()
        .unwrap_or_else(|| panic!("an image target has image settings"));
    assert_eq!(settings.user, "65532:65532");
    assert_eq!(settings.entrypoint, ["/usr/local/bin/server"]);
    assert_eq!(
        settings.env,
        [("PATH".to_string(), "/usr/local/bin".to_string())]
    );
    assert_eq!(
        settings.labels,
        BTreeMap::from([
            (
                "org.opencontainers.image.created".to_string(),
                "2023-11-14T22:13:20Z".to_string()
            ),
            (
                "org.opencontainers.image.version".to_string(),
                "1.2.3".to_string()
            ),
            ("team".to_string(), "payments".to_string()),
        ])
    );
    assert_eq!(settings.created.as_deref(), Some("2023-11-14T22:13:20Z"));
    assert_eq!(settings.platform, Platform::linux_amd64());
    assert_eq!(settings.layers.len(), 2);
    assert_eq!(settings.base, None);
}

#[test]
fn a_base_image_keeps_its_user_workdir_env_and_passwd() {
    let spec = with_base(spec(&[]), "gcr.io/distroless/static-debian12:nonroot");
    let plan = planned_on(&spec, &context(false), distroless_base(Some("65532")));
    let names: Vec<String> = ops(&plan.platforms[0].filesystem)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        names.iter().all(|name| !name.contains("passwd")),
        "a base keeps its passwd and group: {names:?}"
    );
    assert!(names.contains(&"add CA bundle, zoneinfo, /tmp".to_string()));
    let settings = settings_of(&plan);
    assert_eq!(settings.user, "65532");
    assert_eq!(
        settings.env,
        [(
            "PATH".to_string(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()
        )]
    );
    assert_eq!(
        settings.layers,
        ["gostage: CA bundle, zoneinfo, /tmp", "gostage: binaries"]
    );
    let config = crate::image::config(&settings).unwrap_or_else(|error| panic!("{error}"));
    let runtime = config.config().clone().unwrap_or_default();
    assert_eq!(runtime.user().as_deref(), Some("65532"));
    assert_eq!(runtime.working_dir().as_deref(), Some("/home/nonroot"));
    let env = runtime.env().clone().unwrap_or_default();
    assert!(
        env.contains(&"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt".to_string()),
        "{env:?}"
    );
    assert_eq!(env.iter().filter(|e| e.starts_with("PATH=")).count(), 1);
}

#[test]
fn the_spec_overrides_the_base_and_a_root_base_gets_the_non_root_default() {
    let root_base = planned_on(
        &with_base(spec(&[]), "debian:12"),
        &context(false),
        distroless_base(None),
    );
    assert_eq!(settings_of(&root_base).user, "65532:65532");
    let mut overridden = with_base(spec(&[]), "debian:12");
    overridden.image.user = Some(crate::spec::User {
        written: Located::new("1000:1000".into(), Span { line: 9, column: 9 }),
        uid: 1000,
        gid: 1000,
    });
    overridden.image.workdir = Some("/srv".into());
    overridden.image.env.insert("PATH".into(), "/app".into());
    let settings = settings_of(&planned_on(
        &overridden,
        &context(false),
        distroless_base(Some("65532")),
    ));
    assert_eq!(settings.user, "1000:1000");
    let config = crate::image::config(&settings).unwrap_or_else(|error| panic!("{error}"));
    let runtime = config.config().clone().unwrap_or_default();
    assert_eq!(runtime.working_dir().as_deref(), Some("/srv"));
    let paths: Vec<String> = runtime
        .env()
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|entry| entry.starts_with("PATH="))
        .collect();
    assert_eq!(paths, ["PATH=/app"]);
    // A base whose PATH lacks /usr/local/bin gets it in front.
    let mut bare = distroless_base(Some("65532"));
    if let Some(mut runtime) = bare.config.config().clone() {
        runtime.set_env(Some(vec!["PATH=/bin".into()]));
        bare.config.set_config(Some(runtime));
    }
    let settings = settings_of(&planned_on(
        &with_base(spec(&[]), "debian:12"),
        &context(false),
        bare,
    ));
    assert_eq!(settings.env[0].1, "/usr/local/bin:/bin");
}
