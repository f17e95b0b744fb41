//! The event stream of a real `go test -json ./...` run (Go 1.26: a package that does not
//! build, and one with passing, failing, skipped tests and subtests) routed to the reports
//! and the log, and the step's exit status.

use super::*;

/// Recorded from `go test -json ./...` in a module with `broken/` (a compile error) and
/// `cart/` (TestTotal passes, TestDiscount fails, TestTax/eu fails and so TestTax,
/// TestSkipped skips).
const STREAM: &str = r##"{"ImportPath":"example.com/shop/broken [example.com/shop/broken.test]","Action":"build-output","Output":"# example.com/shop/broken [example.com/shop/broken.test]\n"}
{"ImportPath":"example.com/shop/broken [example.com/shop/broken.test]","Action":"build-output","Output":"broken/broken.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement\n"}
{"ImportPath":"example.com/shop/broken [example.com/shop/broken.test]","Action":"build-fail"}
{"Time":"2026-12-06T02:33:35.943197094Z","Action":"start","Package":"example.com/shop/broken"}
{"Time":"2026-12-06T02:33:35.944290009Z","Action":"output","Package":"example.com/shop/broken","Output":"FAIL\texample.com/shop/broken [build failed]\n"}
{"Time":"2026-12-06T02:33:35.944297536Z","Action":"fail","Package":"example.com/shop/broken","Elapsed":0.001,"FailedBuild":"example.com/shop/broken [example.com/shop/broken.test]"}
{"Time":"2026-12-06T02:33:35.951402542Z","Action":"start","Package":"example.com/shop/cart"}
{"Time":"2026-12-06T02:33:35.952743966Z","Action":"run","Package":"example.com/shop/cart","Test":"TestTotal"}
{"Time":"2026-12-06T02:33:35.952754802Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTotal","Output":"=== RUN   TestTotal\n"}
{"Time":"2026-12-06T02:33:35.95282276Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTotal","Output":"    cart_test.go:5: adding 2 items\n"}
{"Time":"2026-12-06T02:33:35.952849189Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTotal","Output":"--- PASS: TestTotal (0.00s)\n"}
{"Time":"2026-12-06T02:33:35.952852602Z","Action":"pass","Package":"example.com/shop/cart","Test":"TestTotal","Elapsed":0}
{"Time":"2026-12-06T02:33:35.952855917Z","Action":"run","Package":"example.com/shop/cart","Test":"TestDiscount"}
{"Time":"2026-12-06T02:33:35.952859602Z","Action":"output","Package":"example.com/shop/cart","Test":"TestDiscount","Output":"=== RUN   TestDiscount\n"}
{"Time":"2026-12-06T02:33:35.952861897Z","Action":"output","Package":"example.com/shop/cart","Test":"TestDiscount","Output":"    cart_test.go:8: applying 10%\n"}
{"Time":"2026-12-06T02:33:35.952864237Z","Action":"output","Package":"example.com/shop/cart","Test":"TestDiscount","Output":"    cart_test.go:9: total = 90, want 81\n"}
{"Time":"2026-12-06T02:33:35.952867244Z","Action":"output","Package":"example.com/shop/cart","Test":"TestDiscount","Output":"--- FAIL: TestDiscount (0.00s)\n"}
{"Time":"2026-12-06T02:33:35.952869387Z","Action":"fail","Package":"example.com/shop/cart","Test":"TestDiscount","Elapsed":0}
{"Time":"2026-12-06T02:33:35.952872529Z","Action":"run","Package":"example.com/shop/cart","Test":"TestTax"}
{"Time":"2026-12-06T02:33:35.952874387Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTax","Output":"=== RUN   TestTax\n"}
{"Time":"2026-12-06T02:33:35.952876678Z","Action":"run","Package":"example.com/shop/cart","Test":"TestTax/zero"}
{"Time":"2026-12-06T02:33:35.95287866Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTax/zero","Output":"=== RUN   TestTax/zero\n"}
{"Time":"2026-12-06T02:33:35.952882954Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTax/zero","Output":"--- PASS: TestTax/zero (0.00s)\n"}
{"Time":"2026-12-06T02:33:35.952885122Z","Action":"pass","Package":"example.com/shop/cart","Test":"TestTax/zero","Elapsed":0}
{"Time":"2026-12-06T02:33:35.952887643Z","Action":"run","Package":"example.com/shop/cart","Test":"TestTax/eu"}
{"Time":"2026-12-06T02:33:35.952889466Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTax/eu","Output":"=== RUN   TestTax/eu\n"}
{"Time":"2026-12-06T02:33:35.952891837Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTax/eu","Output":"    cart_test.go:14: rate 0.2, want 0.21\n"}
{"Time":"2026-12-06T02:33:35.952894863Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTax/eu","Output":"--- FAIL: TestTax/eu (0.00s)\n"}
{"Time":"2026-12-06T02:33:35.952897646Z","Action":"fail","Package":"example.com/shop/cart","Test":"TestTax/eu","Elapsed":0}
{"Time":"2026-12-06T02:33:35.952899985Z","Action":"output","Package":"example.com/shop/cart","Test":"TestTax","Output":"--- FAIL: TestTax (0.00s)\n"}
{"Time":"2026-12-06T02:33:35.952912417Z","Action":"fail","Package":"example.com/shop/cart","Test":"TestTax","Elapsed":0}
{"Time":"2026-12-06T02:33:35.952914569Z","Action":"run","Package":"example.com/shop/cart","Test":"TestSkipped"}
{"Time":"2026-12-06T02:33:35.952916573Z","Action":"output","Package":"example.com/shop/cart","Test":"TestSkipped","Output":"=== RUN   TestSkipped\n"}
{"Time":"2026-12-06T02:33:35.952918968Z","Action":"output","Package":"example.com/shop/cart","Test":"TestSkipped","Output":"    cart_test.go:17: needs a database\n"}
{"Time":"2026-12-06T02:33:35.952921618Z","Action":"output","Package":"example.com/shop/cart","Test":"TestSkipped","Output":"--- SKIP: TestSkipped (0.00s)\n"}
{"Time":"2026-12-06T02:33:35.952923801Z","Action":"skip","Package":"example.com/shop/cart","Test":"TestSkipped","Elapsed":0}
{"Time":"2026-12-06T02:33:35.952935951Z","Action":"output","Package":"example.com/shop/cart","Output":"FAIL\n"}
{"Time":"2026-12-06T02:33:35.956333798Z","Action":"output","Package":"example.com/shop/cart","Output":"FAIL\texample.com/shop/cart\t0.005s\n"}
{"Time":"2026-12-06T02:33:35.956383337Z","Action":"fail","Package":"example.com/shop/cart","Elapsed":0.005}
"##;

fn routed(stream: &str) -> (EventStream, String, String) {
    let mut events = EventStream::default();
    let (mut text, mut log) = (Vec::new(), Vec::new());
    for line in stream.lines() {
        let routed = events.route(line.as_bytes());
        text.extend(routed.text);
        log.extend(routed.log);
    }
    let text = String::from_utf8(text).unwrap();
    (events, text, String::from_utf8(log).unwrap())
}

#[test]
fn the_text_report_is_the_run_as_go_test_v_prints_it() {
    let (_, text, _) = routed(STREAM);
    assert_eq!(
        text,
        "# example.com/shop/broken [example.com/shop/broken.test]\n\
         broken/broken.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement\n\
         FAIL\texample.com/shop/broken [build failed]\n\
         === RUN   TestTotal\n    cart_test.go:5: adding 2 items\n--- PASS: TestTotal (0.00s)\n\
         === RUN   TestDiscount\n    cart_test.go:8: applying 10%\n    cart_test.go:9: total = 90, want 81\n--- FAIL: TestDiscount (0.00s)\n\
         === RUN   TestTax\n=== RUN   TestTax/zero\n--- PASS: TestTax/zero (0.00s)\n\
         === RUN   TestTax/eu\n    cart_test.go:14: rate 0.2, want 0.21\n--- FAIL: TestTax/eu (0.00s)\n--- FAIL: TestTax (0.00s)\n\
         === RUN   TestSkipped\n    cart_test.go:17: needs a database\n--- SKIP: TestSkipped (0.00s)\n\
         FAIL\nFAIL\texample.com/shop/cart\t0.005s\n"
    );
}

#[test]
fn the_log_holds_package_results_and_only_failing_tests_output() {
    let (events, _, log) = routed(STREAM);
    assert_eq!(
        log,
        "# example.com/shop/broken [example.com/shop/broken.test]\n\
         broken/broken.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement\n\
         FAIL\texample.com/shop/broken [build failed]\n\
         === RUN   TestDiscount\n    cart_test.go:8: applying 10%\n    cart_test.go:9: total = 90, want 81\n--- FAIL: TestDiscount (0.00s)\n\
         === RUN   TestTax/eu\n    cart_test.go:14: rate 0.2, want 0.21\n--- FAIL: TestTax/eu (0.00s)\n\
         === RUN   TestTax\n--- FAIL: TestTax (0.00s)\n\
         FAIL\nFAIL\texample.com/shop/cart\t0.005s\n"
    );
    assert_eq!(
        events.failed(),
        [
            "--- FAIL: TestDiscount (example.com/shop/cart)",
            "--- FAIL: TestTax/eu (example.com/shop/cart)",
            "--- FAIL: TestTax (example.com/shop/cart)",
        ]
    );
}

#[test]
fn a_line_that_is_no_event_goes_to_both_as_it_is() {
    let mut events = EventStream::default();
    for line in [
        &b"go: downloading example.com/x v1.0.0"[..],
        b"{\"Output\":\"no action\"}",
        b"\xff not utf-8",
    ] {
        let mut expected = line.to_vec();
        expected.push(b'\n');
        assert_eq!(
            events.route(line),
            Routed {
                text: expected.clone(),
                log: expected
            }
        );
    }
    assert!(events.failed().is_empty());
}

#[test]
fn lines_end_as_go_scans_them() {
    assert_eq!(without_line_end(b"{}\r\n"), b"{}");
    assert_eq!(without_line_end(b"{}\n"), b"{}");
    assert_eq!(without_line_end(b"{}"), b"{}");
}

#[test]
fn the_exit_status_is_0_on_success_and_1_with_the_failing_names_last() {
    assert_eq!(conclusion(true, &[]), (0, String::new()));
    let (events, _, _) = routed(STREAM);
    assert_eq!(
        conclusion(false, events.failed()),
        (
            1,
            "FAIL: 3 failing test(s):\n\
             --- FAIL: TestDiscount (example.com/shop/cart)\n\
             --- FAIL: TestTax/eu (example.com/shop/cart)\n\
             --- FAIL: TestTax (example.com/shop/cart)\n"
                .to_string()
        )
    );
    // A package that does not build fails the run without a failing test.
    assert_eq!(
        conclusion(false, &[]),
        (
            1,
            "FAIL: go test failed (see its output above)\n".to_string()
        )
    );
}

#[test]
fn many_failures_fit_in_the_last_lines_buildkit_shows() {
    let failed: Vec<String> = (1..=7).map(|n| format!("--- FAIL: Test{n} (p)")).collect();
    let (_, seven) = conclusion(false, &failed);
    assert_eq!(seven.lines().count(), MAX_SUMMARY_LINES);
    assert!(seven.ends_with("--- FAIL: Test7 (p)\n"), "{seven}");
    let failed: Vec<String> = (1..=20).map(|n| format!("--- FAIL: Test{n} (p)")).collect();
    let (code, twenty) = conclusion(false, &failed);
    assert_eq!(code, 1);
    assert_eq!(twenty.lines().count(), MAX_SUMMARY_LINES);
    assert!(
        twenty.starts_with("FAIL: 20 failing test(s):\n--- FAIL: Test1 (p)\n"),
        "{twenty}"
    );
    assert!(
        twenty.ends_with("--- FAIL: Test6 (p)\n... and 14 more (above)\n"),
        "{twenty}"
    );
}

/// A Go module under the temporary directory, removed when dropped.
struct Module(PathBuf);

impl Drop for Module {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_failing_run_writes_both_reports_and_exits_1() {
    let root = std::env::temp_dir().join(format!("gostage-test-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let module = Module(root.clone());
    let write = |path: &str, contents: &str| {
        let path = module.0.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    };
    write("src/go.mod", "module example.com/shop\n\ngo 1.21\n");
    write(
        "src/cart/cart_test.go",
        "package cart\n\nimport \"testing\"\n\nfunc TestTotal(t *testing.T) {}\n\nfunc TestDiscount(t *testing.T) { t.Error(\"want 81\") }\n",
    );
    std::fs::create_dir_all(root.join("out")).unwrap();
    if let Err(error) = Command::new("go").arg("version").output() {
        panic!("this test runs `go test` and needs `go` on PATH: {error}");
    }
    let code = report(
        &root.join("out"),
        &root.join("src"),
        &["-count=1".into(), "./...".into()],
    )
    .unwrap();
    assert_eq!(code, 1);
    let events = std::fs::read_to_string(root.join("out").join(TEST_REPORT_EVENTS)).unwrap();
    assert!(
        events
            .lines()
            .all(|line| serde_json::from_str::<serde_json::Value>(line).is_ok()),
        "{events}"
    );
    assert!(
        events
            .contains(r#""Action":"fail","Package":"example.com/shop/cart","Test":"TestDiscount""#),
        "{events}"
    );
    let text = std::fs::read_to_string(root.join("out").join(TEST_REPORT_TEXT)).unwrap();
    assert!(
        text.contains("--- PASS: TestTotal") && text.contains("--- FAIL: TestDiscount"),
        "{text}"
    );
    let code = report(
        &root.join("out"),
        &root.join("src"),
        &["-run=TestTotal".into(), "./...".into()],
    )
    .unwrap();
    assert_eq!(code, 0);
}
