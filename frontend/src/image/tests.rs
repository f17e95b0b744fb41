//! Unit tests of the image config: our settings over a base image's config.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::vocabulary::Platform;

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
    }
}

fn json_of(settings: &ImageSettings) -> Value {
    let configuration = config(settings).unwrap_or_else(|error| panic!("{error}"));
    let bytes = to_json(&configuration).unwrap_or_else(|error| panic!("{error}"));
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
fn equal_settings_give_equal_bytes() {
    let mut many = settings(None);
    for index in 0..50 {
        many.labels
            .insert(format!("label-{index}"), index.to_string());
    }
    let first = config(&many).and_then(|value| to_json(&value));
    let second = config(&many).and_then(|value| to_json(&value));
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
