//! `--target test` and `--target debug` on real daemons: the test report exported with
//! `--output type=local` names the tests that ran; a failing test fails the build with its
//! name in the lines BuildKit prints for the failed step; the debug image runs a busybox
//! shell as the image's non-root user, next to the binary.

use anyhow::{ensure, Result};
use gostage_e2e::build::{build_local, build_opts, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_support::cmd;

/// examples/hello with two test packages: `internal/good` passes, `internal/bad` fails.
fn module_with_tests(packages: &str) -> Result<TempCopy> {
    let copy = TempCopy::of_example("hello")?;
    for package in ["internal/good", "internal/bad"] {
        std::fs::create_dir_all(copy.path.join(package))?;
    }
    copy.write(
        "internal/good/good_test.go",
        "package good\n\nimport \"testing\"\n\nfunc TestGoodAddition(t *testing.T) {\n\tif 2+2 != 4 {\n\t\tt.Fatal(\"arithmetic\")\n\t}\n}\n",
    )?;
    copy.write(
        "internal/bad/bad_test.go",
        "package bad\n\nimport \"testing\"\n\nfunc TestBadSubtraction(t *testing.T) {\n\tt.Errorf(\"3-1 = %d, want 1\", 3-1)\n}\n",
    )?;
    copy.append(
        SPEC,
        &format!("test:\n  packages: [{packages}]\n  flags: [-count=1]\n"),
    )?;
    Ok(copy)
}

#[test]
fn target_test_exports_a_report_naming_the_passing_test() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = module_with_tests("./internal/good")?;
    let dest = copy.path.join("test-out");
    let out = build_local(&copy.path, "test", &dest)?;
    ensure!(out.success(), "the test target failed\n{}", out.describe());
    let text = std::fs::read_to_string(dest.join("test-report.txt"))?;
    ensure!(
        text.contains("--- PASS: TestGoodAddition")
            && text.contains("ok  \texample.com/hello/internal/good"),
        "test-report.txt does not show TestGoodAddition passing:\n{text}"
    );
    ensure!(
        !text.contains("TestBadSubtraction"),
        "test.packages selected ./internal/good only, yet the report has the bad package:\n{text}"
    );
    let json = std::fs::read_to_string(dest.join("test-report.json"))?;
    let passed = json.lines().any(|line| {
        serde_json::from_str::<serde_json::Value>(line)
            .is_ok_and(|event| event["Action"] == "pass" && event["Test"] == "TestGoodAddition")
    });
    ensure!(
        passed,
        "test-report.json has no pass event of TestGoodAddition:\n{json}"
    );
    Ok(())
}

#[test]
fn target_test_fails_the_build_with_the_failing_test_name() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = module_with_tests("./internal/...")?;
    let dest = copy.path.join("test-out");
    let out = build_local(&copy.path, "test", &dest)?;
    ensure!(
        !out.success(),
        "a failing test did not fail the build\n{}",
        out.describe()
    );
    let log = out.combined();
    // BuildKit prints the failed step's last log lines between `------` lines at the end.
    let error_block: Vec<&str> = log
        .lines()
        .skip_while(|line| line.trim() != "------")
        .collect();
    println!(
        "the failed step as BuildKit printed it:\n{}",
        error_block.join("\n")
    );
    let named = error_block
        .iter()
        .any(|line| line.contains("--- FAIL: TestBadSubtraction"));
    ensure!(
        named,
        "the failed step's lines BuildKit prints do not name TestBadSubtraction\n{}",
        out.describe()
    );
    ensure!(
        !dest.join("test-report.txt").exists(),
        "a failed test run exported a report"
    );
    Ok(())
}

#[test]
fn target_debug_runs_a_shell_as_the_image_user_on_docker_20_10() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("hello")?;
    let built = build_opts(
        Daemon::Engine,
        &copy.path,
        SPEC,
        "hello-debug",
        &Options::target("debug"),
    )?;
    let shell = |script: &str| {
        cmd::docker(&[
            "run",
            "--rm",
            "--entrypoint",
            "sh",
            &built.image,
            "-c",
            script,
        ])
    };
    let output = shell("id -u; ls /usr/local/bin")?;
    let size = cmd::docker(&["image", "inspect", "-f", "{{.Size}}", &built.image])?;
    println!("debug image: {size} bytes; `id -u; ls /usr/local/bin` printed:\n{output}");
    ensure!(
        output.lines().collect::<Vec<_>>() == ["65532", "hello"],
        "expected uid 65532 and the binary hello, got:\n{output}"
    );
    // The applets are links to one busybox binary, not a copy each.
    let inodes = shell("stat -c %i /busybox/busybox /busybox/sh /busybox/ls")?;
    let distinct: std::collections::BTreeSet<&str> = inodes.lines().collect();
    ensure!(
        distinct.len() == 1,
        "/busybox applets are not links to one binary: inodes\n{inodes}"
    );
    let config = cmd::docker(&["image", "inspect", "-f", "{{json .Config}}", &built.image])?;
    let config: serde_json::Value = serde_json::from_str(&config)?;
    ensure!(
        config["Env"] == serde_json::json!(["PATH=/usr/local/bin:/busybox"])
            && config["Entrypoint"] == serde_json::json!(["/usr/local/bin/hello"])
            && config["User"] == "65532:65532",
        "unexpected debug image config {config}"
    );
    Ok(())
}
