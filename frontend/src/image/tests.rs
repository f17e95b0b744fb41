//! Unit tests of the image config: our settings over a base image's config.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::vocabulary::{Healthcheck, Platform};

fn settings(base: Option<Value>) -> ImageSettings {
    ImageSettings {
        platform: Platform::parse("linux/arm/v7").unwrap_or_else(|problem| panic!("{problem}")),
        user: "65532:65532".into(),
        entrypoint: vec!["/usr/local/bin/server".into()],
        cmd: None,
        working_dir: None,
        env: vec![
            ("PATH".into(), "/usr/local/bin".into()),
            ("MODE".into(), "prod".into()),
        ],
        exposed_ports: vec!["8080/tcp".into()],
        labels: BTreeMap::from([("team".to_string(), "payments".to_string())]),
        created: Some("2023-11-14T22:13:20Z".into()),
        layers: vec!["first".into(), "second".into()],
        base: base.map(|value| {
            serde_json::from_value(value).unwrap_or_else(|error| panic!("base config: {error}"))
        }),
        healthcheck: None,
    }
}

fn json_of(settings: &ImageSettings) -> Value {
    let configuration = config(settings).unwrap_or_else(|error| panic!("{error}"));
    let bytes = to_json(&configuration, settings.healthcheck.as_ref())
        .unwrap_or_else(|error| panic!("{error}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn scratch_image_config_has_our_values_only() {
    let value = json_of(&settings(None));
    assert_eq!(value["architecture"], "arm");
    assert_eq!(value["variant"], "v7");
    assert_eq!(value["created"], "2023-11-14T22:13:20Z");
    assert_eq!(value["config"]["User"], "65532:65532");
    assert_eq!(
        value["config"]["Entrypoint"],
        json!(["/usr/local/bin/server"])
    );
    assert_eq!(
        value["config"]["Env"],
        json!(["PATH=/usr/local/bin", "MODE=prod"])
    );
    assert_eq!(value["config"]["ExposedPorts"], json!({"8080/tcp": {}}));
    assert_eq!(value["config"]["Labels"], json!({"team": "payments"}));
    let history: Vec<&str> = value["history"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| entry["created_by"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(history, ["first", "second"]);
    assert_eq!(value["rootfs"], json!({"type": "layers", "diff_ids": []}));
}

#[test]
fn base_config_is_kept_under_ours() {
    let base = json!({
        "architecture": "arm", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": ["sha256:1"]},
        "config": {
            "Env": ["PATH=/usr/bin", "SSL_CERT_FILE=/etc/ssl/cert.pem"],
            "Labels": {"team": "base", "vendor": "distroless"},
            "Cmd": ["--help"],
            "WorkingDir": "/home/nonroot"
        },
        "history": [{"created_by": "base layer"}]
    });
    let value = json_of(&settings(Some(base)));
    assert_eq!(
        value["config"]["Env"],
        json!([
            "SSL_CERT_FILE=/etc/ssl/cert.pem",
            "PATH=/usr/local/bin",
            "MODE=prod"
        ])
    );
    assert_eq!(
        value["config"]["Labels"],
        json!({"team": "payments", "vendor": "distroless"})
    );
    assert_eq!(value["config"]["Cmd"], json!(["--help"]));
    assert_eq!(value["config"]["WorkingDir"], "/home/nonroot");
    assert_eq!(value["history"][0]["created_by"], "base layer");
    assert_eq!(value["history"].as_array().map(Vec::len), Some(3));
}

#[test]
fn healthcheck_is_written_with_go_field_names_and_nanoseconds() {
    let mut with_healthcheck = settings(None);
    with_healthcheck.healthcheck = Some(Healthcheck {
        test: vec![
            "CMD".into(),
            "/probe".into(),
            "http://localhost:8080/".into(),
        ],
        interval: 1_000_000_000,
        timeout: 500_000_000,
        start_period: 90_000_000_000,
        retries: 0,
    });
    let value = json_of(&with_healthcheck);
    assert_eq!(
        value["config"]["Healthcheck"],
        json!({
            "Test": ["CMD", "/probe", "http://localhost:8080/"],
            "Interval": 1_000_000_000_i64,
            "Timeout": 500_000_000,
            "StartPeriod": 90_000_000_000_i64
        }),
        "zero values (Docker's defaults) are left out"
    );
    assert_eq!(value["config"]["User"], "65532:65532");
    assert!(json_of(&settings(None))["config"]
        .get("Healthcheck")
        .is_none());
}

#[test]
fn a_base_image_healthcheck_is_read_from_its_config_json() {
    let base = br#"{"architecture":"amd64","os":"linux","config":{"User":"1",
        "Healthcheck":{"Test":["CMD-SHELL","curl -f localhost"],"Interval":5000000000,"Retries":2}}}"#;
    assert_eq!(
        Healthcheck::of_config(base),
        Some(Healthcheck {
            test: vec!["CMD-SHELL".into(), "curl -f localhost".into()],
            interval: 5_000_000_000,
            retries: 2,
            ..Default::default()
        })
    );
    assert_eq!(Healthcheck::of_config(br#"{"config":{"User":"1"}}"#), None);
    assert_eq!(
        Healthcheck::of_config(br#"{"config":{"Healthcheck":{"Test":[]}}}"#),
        None
    );
    assert_eq!(Healthcheck::of_config(b"not json"), None);
}

#[test]
fn equal_settings_give_equal_bytes() {
    let mut many = settings(None);
    for index in 0..50 {
        many.labels
            .insert(format!("label-{index}"), index.to_string());
    }
    let first = config(&many).and_then(|value| to_json(&value, None));
    let second = config(&many).and_then(|value| to_json(&value, None));
    let (Ok(first), Ok(second)) = (first, second) else {
        panic!("config failed")
    };
    assert_eq!(first, second);
    let text = String::from_utf8_lossy(&first);
    let positions: Vec<usize> = (0..50)
        .map(|index| text.find(&format!("\"label-{index}\"")).unwrap_or(0))
        .collect();
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    // label-0, label-1, label-10, … in byte order of the keys.
    let mut keys: Vec<String> = (0..50).map(|index| format!("label-{index}")).collect();
    keys.sort();
    let by_position: Vec<usize> = keys
        .iter()
        .map(|key| text.find(&format!("\"{key}\"")).unwrap_or(0))
        .collect();
    assert_eq!(by_position, sorted, "labels are written in key order");
}
