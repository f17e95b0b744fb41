use base64::Engine;
use serde_json::Value;

use super::*;
use crate::context::ModuleContext;
use crate::lint::{self, LintInput, Scope};
use crate::vocabulary::{BuildRequest, Target};

const SPEC: &str = "# syntax=myorg/gostage\nversion: 1\nbuild:\n  ldflags: [\"-X main.version={{ .Version }}\"]\nimage:\n  user: 0\n";

fn source(text: &str) -> SpecSource<'_> {
    SpecSource {
        filename: "gostage.yaml",
        data: text.as_bytes(),
    }
}

fn spec(text: &str) -> crate::spec::Spec {
    crate::spec::parse(text.as_bytes()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn targets_lists_every_target_with_image_the_default() {
    let answer = targets(source(SPEC), &spec(SPEC));
    let names: Vec<&str> = answer.json["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, Target::NAMES);
    assert_eq!(answer.json["targets"][0]["default"], true);
    assert!(answer.json["targets"][1].get("default").is_none());
    let sources = answer.json["sources"][0].as_str().unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(sources)
        .unwrap_or_default();
    assert_eq!(decoded, SPEC.as_bytes());
    assert!(answer.text.contains("image (default)"), "{}", answer.text);
}

#[test]
fn outline_lists_build_args_with_values_and_the_netrc_secret() {
    let request = BuildRequest {
        build_args: [("GOPROXY".to_string(), "https://proxy.test".to_string())].into(),
        ..BuildRequest::default()
    };
    let answer = outline(source(SPEC), &spec(SPEC), &request);
    let args = answer.json["args"].as_array().cloned().unwrap_or_default();
    let arg = |name: &str| args.iter().find(|a| a["name"] == name).cloned();
    assert_eq!(
        arg("GOPROXY").map(|a| a["value"].clone()),
        Some(Value::from("https://proxy.test"))
    );
    // VERSION matters at the ldflags line that uses it.
    assert_eq!(
        arg("VERSION").map(|a| a["location"]["ranges"][0]["start"]["line"].clone()),
        Some(Value::from(4))
    );
    assert!(arg("SOURCE_DATE_EPOCH").is_some());
    assert_eq!(answer.json["secrets"][0]["name"], "netrc");
    assert!(answer.json.get("ssh").is_none());
}

#[test]
fn outline_names_the_module_directory_when_it_is_not_the_root() {
    let text = "# syntax=myorg/gostage\nversion: 1\nmodule: ./svc-a/\n";
    let answer = outline(source(text), &spec(text), &BuildRequest::default());
    let description = answer.json["description"].as_str().unwrap_or_default();
    assert!(
        description.ends_with("; the Go module in svc-a/ of the build context (`module:`, line 3)"),
        "{description}"
    );
    assert!(answer.text.contains(description), "{}", answer.text);
    // At the root, the description is the target's alone.
    let answer = outline(source(SPEC), &spec(SPEC), &BuildRequest::default());
    assert!(
        !answer.json["description"]
            .as_str()
            .unwrap_or_default()
            .contains("module"),
        "{}",
        answer.json
    );
}

#[test]
fn outline_names_every_build_arg_the_frontend_reads() {
    // Drift guard: a build-arg read anywhere in the sources must be in the outline.
    let sources = [
        include_str!("../vocabulary/request.rs"),
        include_str!("../gateway/options.rs"),
        include_str!("../plan/image_settings.rs"),
    ];
    let listed = build_args_names();
    for text in sources {
        for pattern in ["build_arg(\"", "build-arg:"] {
            for (index, _) in text.match_indices(pattern) {
                let rest = &text[index + pattern.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    assert!(listed.contains(&name), "{name} is read but not outlined");
                }
            }
        }
    }
}

fn build_args_names() -> Vec<String> {
    let request = BuildRequest::default();
    let answer = outline(source(SPEC), &spec(SPEC), &request);
    answer.json["args"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["name"].as_str())
        .map(String::from)
        .collect()
}

#[test]
fn lint_reports_findings_at_their_lines_and_fails_the_check() {
    let parsed = spec(SPEC);
    let layout = crate::context::layout::testing::layout(
        "version: 1\n",
        &[("go.mod", "module example.com/m\ngo 1.23\n")],
    );
    let context = ModuleContext::from_layout(&layout);
    let findings = lint::check(LintInput {
        spec_file: SPEC.as_bytes(),
        spec: &parsed,
        context: &context,
        layout: Some(&layout),
        scope: Scope::Build,
    });
    let answer = lint(source(SPEC), LintOutcome::Findings(&findings));
    assert_eq!(answer.status, Some(1));
    let warning = &answer.json["warnings"][0];
    assert_eq!(warning["ruleName"], "RunsAsRoot");
    assert_eq!(warning["location"]["ranges"][0]["start"]["line"], 6);
    assert_eq!(answer.json["sources"][0]["filename"], "gostage.yaml");
    let metadata = answer.metadata().unwrap_or_default();
    assert!(metadata.contains(&("result.statuscode".to_string(), b"1".to_vec())));

    let clean = lint(source(SPEC), LintOutcome::Findings(&[]));
    assert_eq!(clean.status, Some(0));
    assert!(clean.text.contains("no warnings"));
}

#[test]
fn lint_turns_an_invalid_spec_into_a_build_error() {
    let text = "version: 1\nmian: .\n";
    let diagnostic = crate::spec::parse(text.as_bytes()).expect_err("invalid");
    let answer = lint(source(text), LintOutcome::Invalid(&diagnostic));
    assert_eq!(answer.status, Some(1));
    assert_eq!(
        answer.json["buildError"]["location"]["ranges"][0]["start"]["line"],
        2
    );
    assert!(answer.json["buildError"]["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("gostage.yaml:2:"));
}

#[test]
fn caps_and_requests_are_checked() {
    assert_eq!(
        check_caps("moby.buildkit.frontend.subrequests+forward"),
        Ok(())
    );
    assert_eq!(check_caps("moby.buildkit.frontend.subrequests"), Ok(()));
    assert_eq!(check_caps("moby.buildkit.frontend.other+forward"), Ok(()));
    assert_eq!(
        check_caps("moby.buildkit.frontend.other"),
        Err(RequestError::UnsupportedCapability(
            "moby.buildkit.frontend.other".into()
        ))
    );
    assert_eq!(check_request(LINT), Ok(()));
    assert_eq!(
        check_request("frontend.convertllb"),
        Err(RequestError::UnsupportedRequest(
            "frontend.convertllb".into()
        ))
    );
    assert_eq!(describe().json.as_array().map(Vec::len), Some(4));
}

#[test]
fn the_release_image_label_lists_exactly_the_implemented_caps() {
    let dockerfile = include_str!("../../../Dockerfile.frontend");
    let label = dockerfile
        .split("moby.buildkit.frontend.caps=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default();
    assert_eq!(label.split(',').collect::<Vec<_>>(), FRONTEND_CAPS);
}
