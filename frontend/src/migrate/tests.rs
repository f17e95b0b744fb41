//! The converter on Dockerfiles written the way blog posts and official docs write them
//! (`testdata/`): the spec it writes passes `spec::parse`, with the values each Dockerfile
//! asks for, and the report says what became of each instruction.

use super::*;
use crate::spec::{self, Base, Probe, Spec};

const FRONTEND: &str = "myorg/gostage";

fn module(path: &str, go: &str) -> GoModule {
    GoModule {
        path: path.to_string(),
        go: Some(go.to_string()),
        ..GoModule::default()
    }
}

fn fixture(name: &str) -> &'static str {
    match name {
        "adduser-scratch" => include_str!("testdata/adduser-scratch.Dockerfile"),
        "air-dev" => include_str!("testdata/air-dev.Dockerfile"),
        "alpine-basic" => include_str!("testdata/alpine-basic.Dockerfile"),
        "cgo-sqlite" => include_str!("testdata/cgo-sqlite.Dockerfile"),
        "continuations" => include_str!("testdata/continuations.Dockerfile"),
        "distroless" => include_str!("testdata/distroless.Dockerfile"),
        "docker-init" => include_str!("testdata/docker-init.Dockerfile"),
        "files-and-env" => include_str!("testdata/files-and-env.Dockerfile"),
        "go-run" => include_str!("testdata/go-run.Dockerfile"),
        "healthcheck" => include_str!("testdata/healthcheck.Dockerfile"),
        "heredoc" => include_str!("testdata/heredoc.Dockerfile"),
        "multiarch" => include_str!("testdata/multiarch.Dockerfile"),
        "one-stage" => include_str!("testdata/one-stage.Dockerfile"),
        "pattern" => include_str!("testdata/pattern.Dockerfile"),
        "several-binaries" => include_str!("testdata/several-binaries.Dockerfile"),
        "version-stamping" => include_str!("testdata/version-stamping.Dockerfile"),
        other => panic!("no fixture {other}"),
    }
}

/// Converts fixture `name` and checks the spec with gostage's own validation.
fn converted(name: &str, go_module: Option<&GoModule>) -> (Conversion, Spec) {
    let conversion = convert(fixture(name), go_module, FRONTEND)
        .unwrap_or_else(|error| panic!("{name}: {}", error.render("Dockerfile")));
    let spec = spec::parse(conversion.spec_yaml.as_bytes()).unwrap_or_else(|diagnostic| {
        panic!(
            "{name}: {}\n{}",
            diagnostic.render("gostage.yaml"),
            conversion.spec_yaml
        )
    });
    assert!(conversion
        .spec_yaml
        .starts_with(&format!("# syntax={FRONTEND}\n")));
    (conversion, spec)
}

/// The outcomes reported for the instruction at `line`.
fn outcomes(conversion: &Conversion, line: u32) -> &[Outcome] {
    conversion
        .report
        .iter()
        .find(|report| report.line == line)
        .map(|report| report.outcomes.as_slice())
        .unwrap_or_else(|| panic!("no report line {line}:\n{}", conversion.report_text()))
}

fn mapped(key: &str, value: &str) -> Outcome {
    Outcome::mapped(key, value)
}

fn is_done(outcome: &Outcome, containing: &str) -> bool {
    matches!(outcome, Outcome::DoneByGostage { what } if what.contains(containing))
}

fn is_not_carried(outcome: &Outcome, containing: &str) -> bool {
    matches!(outcome, Outcome::NotCarried { why, .. } if why.contains(containing))
}

fn binaries(spec: &Spec) -> Vec<(String, Option<String>)> {
    spec.binaries
        .iter()
        .map(|binary| (binary.main.value.clone(), binary.name.clone()))
        .collect()
}

fn base(spec: &Spec) -> Option<String> {
    match &spec.image.base {
        Base::Scratch => None,
        Base::Image(reference) => Some(reference.value.written.clone()),
    }
}

#[test]
fn alpine_builder_and_alpine_image() {
    let shop = module("example.com/shop", "1.22");
    let (conversion, _) = converted("alpine-basic", Some(&shop));
    assert_eq!(
        conversion.spec_yaml,
        "# syntax=myorg/gostage\n\
         # Converted from a Dockerfile by `gostage init --from`; check it with `gostage check`.\n\
         version: 1\n\
         main: ./cmd/server\n\
         image:\n  base: alpine:3.19\n  workdir: /root\n  cmd: []\n  ports: [8080]\n"
    );
    assert_eq!(
        conversion.report_text(),
        " 2  FROM golang:1.22-alpine AS builder
      done by gostage: go.mod asks for Go 1.22: gostage builds in golang:1.22 (gostage builds in the Debian-based golang image, not the `-alpine` variant)
 4  WORKDIR /app
      done by gostage: gostage compiles in a source directory of its own
 7  COPY go.mod go.sum ./
      done by gostage: gostage downloads modules from go.mod and go.sum alone, in a layer of its own, before the sources
 8  RUN go mod download
      done by gostage: gostage downloads and verifies the modules from go.mod and go.sum in a step of its own, before the sources
10  COPY . .
      done by gostage: the compile sees the whole build context (less .dockerignore)
11  RUN CGO_ENABLED=0 GOOS=linux go build -o /app/server ./cmd/server
      → main: ./cmd/server
      done by gostage: gostage compiles with CGO_ENABLED=0 unless `build.cgo: true`: a static binary
      done by gostage: gostage sets GOOS, GOARCH and GOARM from each target platform
      done by gostage: gostage installs each program at /usr/local/bin/<name>
14  FROM alpine:3.19
      → image.base: alpine:3.19
      → image.cmd: [] (so the base image's CMD does not become the program's arguments)
15  RUN apk --no-cache add ca-certificates tzdata
      done by gostage: ca-certificates, tzdata: gostage puts the CA bundle and the time zone database into the image
16  WORKDIR /root/
      → image.workdir: /root
17  COPY --from=builder /app/server .
      done by gostage: gostage installs `server` at /usr/local/bin/server
18  EXPOSE 8080
      → image.ports: 8080
19  CMD [\"./server\"]
      done by gostage: gostage makes the program the entrypoint, so `docker run IMAGE ARGS` passes ARGS to it
"
    );
}

#[test]
fn go_is_written_only_when_go_mod_does_not_ask_for_that_version() {
    let go_line = |go_module: Option<&GoModule>| {
        let (conversion, spec) = converted("alpine-basic", go_module);
        (
            spec.go.map(|go| go.value),
            outcomes(&conversion, 2)[0].clone(),
        )
    };
    let (go, outcome) = go_line(Some(&module("example.com/shop", "1.22.5")));
    assert_eq!(go, None);
    assert!(is_done(&outcome, "go.mod asks for Go 1.22"), "{outcome}");
    let (go, outcome) = go_line(Some(&module("example.com/shop", "1.24")));
    assert_eq!(go, None);
    assert!(is_done(&outcome, "newer than golang:1.22"), "{outcome}");
    let older = module("example.com/shop", "1.21");
    assert_eq!(go_line(Some(&older)).0.as_deref(), Some("1.22"));
    let (go, outcome) = go_line(None);
    assert_eq!(go.as_deref(), Some("1.22"));
    assert_eq!(
        outcome,
        Outcome::mapped_with_note(
            "go",
            "1.22",
            "gostage builds in the Debian-based golang image, not the `-alpine` variant"
        )
    );
}

#[test]
fn docker_init_template_with_cache_and_bind_mounts() {
    let shop = module("example.com/shop", "1.22");
    let (conversion, spec) = converted("docker-init", Some(&shop));
    assert_eq!(binaries(&spec), [(".".into(), Some("server".into()))]);
    assert_eq!(base(&spec).as_deref(), Some("debian:bookworm-slim"));
    assert_eq!(spec.image.ports[0].number, 8000);
    assert_eq!(spec.image.cmd, Some(Vec::new()));
    assert_eq!(spec.image.user, None);
    assert!(is_done(
        &outcomes(&conversion, 1)[0],
        "`# syntax=myorg/gostage`"
    ));
    assert!(is_done(
        &outcomes(&conversion, 4)[0],
        "names a stage's image"
    ));
    let build_platform = outcomes(&conversion, 5);
    assert!(build_platform
        .iter()
        .any(|outcome| is_done(outcome, "cross-compiles")));
    let download = outcomes(&conversion, 9);
    assert!(is_done(&download[0], "cache mounts"));
    assert!(download
        .iter()
        .any(|outcome| is_done(outcome, "downloads and verifies")));
    let user = outcomes(&conversion, 41);
    assert!(is_done(&user[0], "uid 10001"), "{}", user[0]);
}

#[test]
fn multi_arch_build_platform_and_target_args() {
    let shop = module("example.com/shop", "1.22");
    let (conversion, spec) = converted("multiarch", Some(&shop));
    assert_eq!(spec.go.as_ref().map(|go| go.value.as_str()), Some("1.23"));
    assert_eq!(binaries(&spec), [(".".into(), Some("example".into()))]);
    assert_eq!(spec.platforms, []);
    assert!(outcomes(&conversion, 4)
        .iter()
        .all(|outcome| is_done(outcome, "gostage compiles on the build platform")));
    let build = outcomes(&conversion, 5);
    assert!(build.contains(&Outcome::mapped_with_note(
        "main",
        ".",
        "named `example` as in the Dockerfile's image; gostage installs it at /usr/local/bin/example"
    )));
    assert!(build
        .iter()
        .any(|outcome| is_done(outcome, "GOOS, GOARCH and GOARM")));
    assert!(build.iter().any(|outcome| is_done(outcome, "-trimpath")));
    assert!(is_done(
        &outcomes(&conversion, 12)[0],
        "first program the entrypoint"
    ));
}

#[test]
fn version_stamping_becomes_templates() {
    let (conversion, _) = converted(
        "version-stamping",
        Some(&module("example.com/shop", "1.23")),
    );
    assert_eq!(
        conversion.spec_yaml,
        "# syntax=myorg/gostage\n\
         # Converted from a Dockerfile by `gostage init --from`; check it with `gostage check`.\n\
         version: 1\n\
         main: ./cmd/shop\n\
         build:\n  ldflags: [\"-X main.version={{ .Version }}\", \"-X main.commit={{ .Commit }}\"]\n\
         image:\n  labels:\n    org.opencontainers.image.title: shop\n"
    );
    assert!(is_done(
        &outcomes(&conversion, 3)[0],
        "instead of `GIT_COMMIT`"
    ));
    let build = outcomes(&conversion, 9);
    assert!(build.contains(&mapped("build.ldflags", "-X main.version={{ .Version }}")));
    assert!(build
        .iter()
        .any(|outcome| is_not_carried(outcome, "-X main.date=${BUILD_DATE}")));
    assert!(build.iter().any(|outcome| is_done(outcome, "-s -w")));
    let labels = outcomes(&conversion, 15);
    assert!(is_done(&labels[1], "org.opencontainers.image.version"));
}

#[test]
fn several_binaries_on_distroless_with_a_test_stage() {
    let (conversion, _) = converted(
        "several-binaries",
        Some(&module("example.com/shop", "1.22")),
    );
    assert_eq!(
        conversion.spec_yaml,
        "# syntax=myorg/gostage\n\
         # Converted from a Dockerfile by `gostage init --from`; check it with `gostage check`.\n\
         version: 1\n\
         binaries:\n  - main: ./cmd/api\n  - main: ./cmd/worker\n  - main: ./tools/migrate\n    name: db-migrate\n\
         image:\n  base: distroless\n  ports: [8080, 9090]\n\
         test:\n  packages: [./internal/...]\n  flags: [\"-count=1\", \"-run=TestIntegration\"]\n"
    );
    assert!(is_done(&outcomes(&conversion, 17)[0], "65532:65532"));
    assert!(is_not_carried(
        &outcomes(&conversion, 10)[0],
        "stage `test`"
    ));
}

#[test]
fn distroless_example_with_vet_and_tests() {
    let (conversion, spec) = converted("distroless", Some(&module("example.com/app", "1.22")));
    assert_eq!(binaries(&spec), [(".".into(), None)]);
    assert_eq!(base(&spec).as_deref(), Some(spec::DISTROLESS));
    assert_eq!(spec.test.flags[0].value, "-v");
    assert!(is_not_carried(&outcomes(&conversion, 7)[0], "`go vet`"));
    assert_eq!(
        outcomes(&conversion, 12),
        [Outcome::mapped_with_note(
            "image.base",
            "distroless",
            "gostage's `distroless` is gcr.io/distroless/static-debian12:nonroot"
        )]
    );
}

#[test]
fn cgo_with_sqlite_on_alpine() {
    let (conversion, _) = converted("cgo-sqlite", Some(&module("example.com/notes", "1.22")));
    assert_eq!(
        conversion.spec_yaml,
        "# syntax=myorg/gostage\n\
         # Converted from a Dockerfile by `gostage init --from`; check it with `gostage check`.\n\
         version: 1\n\
         main: .\n\
         build:\n  tags: [sqlite_omit_load_extension]\n  cgo: true\n  packages: [libsqlite3-dev]\n\
         image:\n  env:\n    NOTES_DB: /data/notes.db\n  ports: [8080]\n"
    );
    assert_eq!(
        outcomes(&conversion, 2),
        [
            Outcome::done("`gcc`: the golang builder has gcc, libc6-dev, make and pkg-config"),
            Outcome::done("`musl-dev`: the golang builder has gcc, libc6-dev, make and pkg-config"),
            Outcome::mapped_with_note(
                "build.packages",
                "libsqlite3-dev",
                "Debian's name for Alpine's `sqlite-dev`"
            ),
            Outcome::done(
                "`sqlite-static`: Debian's -dev packages have the static libraries gostage links with"
            ),
        ]
    );
    assert_eq!(outcomes(&conversion, 7), [mapped("build.cgo", "true")]);
    assert!(is_not_carried(&outcomes(&conversion, 12)[0], "has musl"));
    assert!(is_not_carried(&outcomes(&conversion, 15)[0], "no volumes"));
}

#[test]
fn heredoc_run_and_heredoc_file() {
    let (conversion, spec) = converted("heredoc", Some(&module("example.com/app", "1.22")));
    assert_eq!(spec.go.as_ref().map(|go| go.value.as_str()), Some("1.24"));
    assert_eq!(binaries(&spec), [("./cmd/app".into(), None)]);
    assert_eq!(
        spec.image.entrypoint,
        Some(vec![
            "/usr/local/bin/app".to_string(),
            "-config".to_string(),
            "/etc/app/config.yaml".to_string()
        ])
    );
    assert!(outcomes(&conversion, 5).contains(&mapped("main", "./cmd/app")));
    assert!(is_not_carried(&outcomes(&conversion, 13)[0], "heredoc"));
}

#[test]
fn continued_lines_with_comments_and_a_fixed_architecture() {
    let (conversion, spec) = converted("continuations", Some(&module("example.com/api", "1.21")));
    assert_eq!(binaries(&spec), [(".".into(), Some("main".into()))]);
    assert_eq!(spec.build.tags, ["timetzdata"]);
    assert_eq!(spec.platforms[0].value.to_string(), "linux/amd64");
    assert_eq!(
        outcomes(&conversion, 2)[3],
        mapped("platforms", "linux/amd64")
    );
    // The comment line inside the continued RUN is not part of the command.
    assert!(outcomes(&conversion, 8)
        .iter()
        .any(|outcome| is_done(outcome, "-trimpath")));
}

#[test]
fn healthcheck_with_wget_becomes_gostages_probe() {
    let (conversion, spec) = converted("healthcheck", Some(&module("example.com/api", "1.22")));
    let healthcheck = spec
        .image
        .healthcheck
        .unwrap_or_else(|| panic!("no healthcheck"));
    let Probe::Http(url) = &healthcheck.value.probe else {
        panic!("{:?}", healthcheck.value.probe);
    };
    assert_eq!(url.value, "http://localhost:8080/healthz");
    assert_eq!(healthcheck.value.interval, 30_000_000_000);
    assert_eq!(healthcheck.value.timeout, 3_000_000_000);
    assert_eq!(healthcheck.value.start_period, 5_000_000_000);
    assert_eq!(healthcheck.value.retries, 3);
    assert_eq!(spec.image.env["PORT"], "8080");
    assert_eq!(spec.image.ports[0].number, 8080);
    assert!(is_done(
        &outcomes(&conversion, 7)[0],
        "probes the healthcheck"
    ));
}

#[test]
fn user_created_with_adduser_becomes_gostages_non_root_user() {
    let (conversion, spec) = converted(
        "adduser-scratch",
        Some(&module("example.com/hello", "1.22")),
    );
    assert_eq!(spec.image.user, None);
    assert_eq!(base(&spec), None);
    assert_eq!(binaries(&spec), [(".".into(), None)]);
    assert!(is_done(
        &outcomes(&conversion, 29)[0],
        "`appuser` was created"
    ));
    for line in [24, 25, 26, 27] {
        assert!(matches!(
            outcomes(&conversion, line)[0],
            Outcome::DoneByGostage { .. }
        ));
    }
}

#[test]
fn files_env_labels_and_a_numeric_user() {
    let (conversion, spec) =
        converted("files-and-env", Some(&module("example.com/server", "1.22")));
    assert_eq!(base(&spec).as_deref(), Some(spec::DISTROLESS_BASE));
    let files: Vec<(String, String, Option<u32>)> = spec
        .files
        .iter()
        .map(|file| (file.src.value.clone(), file.dst.clone(), file.mode))
        .collect();
    assert_eq!(
        files,
        [
            ("migrations".into(), "/srv/migrations".into(), None),
            (
                "config/app.yaml".into(),
                "/etc/server/app.yaml".into(),
                Some(0o444)
            ),
            ("static".into(), "/srv/static".into(), None),
        ]
    );
    assert_eq!(
        spec.image.user.map(|user| (user.uid, user.gid)),
        Some((1000, 1000))
    );
    assert_eq!(spec.image.workdir.as_deref(), Some("/srv"));
    assert_eq!(spec.image.entrypoint, None);
    assert_eq!(
        spec.image.cmd,
        Some(vec!["--listen".to_string(), ":8080".to_string()])
    );
    assert_eq!(spec.image.labels["maintainer"], "ops@acme.test");
    assert_eq!(spec.image.env["TZ"], "UTC");
    assert!(is_done(&outcomes(&conversion, 11)[1], "owned by root"));
}

#[test]
fn one_stage_build_keeps_only_the_program() {
    let (conversion, spec) = converted("one-stage", Some(&module("example.com/app", "1.22")));
    assert_eq!(base(&spec), None);
    // Named `app` by `-o`, as Go names `.` of example.com/app: no `name:` needed.
    assert_eq!(binaries(&spec), [(".".into(), None)]);
    assert!(outcomes(&conversion, 1).iter().any(|outcome| is_done(
        outcome,
        "the Go toolchain and the sources stay in the builder"
    )));
}

#[test]
fn package_pattern_names_its_program_by_the_entrypoint_and_root_is_reported() {
    let (conversion, spec) = converted("pattern", Some(&module("example.com/app", "1.22")));
    assert_eq!(binaries(&spec), [("./cmd/api".into(), None)]);
    assert_eq!(spec.image.user, None);
    assert!(is_not_carried(&outcomes(&conversion, 8)[0], "RunsAsRoot"));
}

#[test]
fn development_images_are_refused_with_one_line() {
    let air = convert(fixture("air-dev"), None, FRONTEND).err();
    let Some(error @ ConvertError::NoGoProgram { line: 7, .. }) = air else {
        panic!("{air:?}");
    };
    let rendered = error.render("Dockerfile");
    assert!(
        rendered.starts_with("Dockerfile:7:1: the image runs `air`"),
        "{rendered}"
    );
    assert!(!rendered.contains('\n'));
    let run = convert(fixture("go-run"), None, FRONTEND).err();
    let Some(error @ ConvertError::NoGoProgram { line: 5, .. }) = run else {
        panic!("{run:?}");
    };
    assert!(error.render("Dockerfile").contains("`go run`"));
}

#[test]
fn a_final_stage_without_a_go_program_is_refused() {
    let error = convert(
        "FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n",
        None,
        FRONTEND,
    )
    .err();
    assert!(
        matches!(&error, Some(ConvertError::NoGoProgram { line: 1, reason }) if reason.contains("holds no program built by `go build`")),
        "{error:?}"
    );
}

#[test]
fn syntax_errors_name_the_file_line_and_column() {
    let error = convert(
        "FROM golang:1.22\nRUN go build .\nFROM scratch\nBOGUS x\n",
        None,
        FRONTEND,
    )
    .err()
    .unwrap_or_else(|| panic!("converted"));
    assert_eq!(
        error.render("Dockerfile"),
        "Dockerfile:4:1: unknown instruction 'BOGUS'; fix the Dockerfile so that `docker build` reads it"
    );
}

/// Converts an inline Dockerfile (module `example.com/app`, Go 1.22).
fn inline(text: &str) -> (Conversion, Spec) {
    let app = module("example.com/app", "1.22");
    let conversion = convert(text, Some(&app), FRONTEND)
        .unwrap_or_else(|error| panic!("{}", error.render("Dockerfile")));
    let spec = spec::parse(conversion.spec_yaml.as_bytes())
        .unwrap_or_else(|diagnostic| panic!("{}", diagnostic.render("gostage.yaml")));
    (conversion, spec)
}

#[test]
fn computed_versions_become_templates_with_a_note() {
    let (conversion, spec) = inline(
        "FROM golang:1.22 AS build\nCOPY . /src\nWORKDIR /src\nRUN go build -ldflags \"-X main.Version=$(git describe --tags) -X main.env=prod\" -o /app .\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
    );
    let entries: Vec<&str> = spec
        .build
        .ldflags
        .iter()
        .map(|entry| entry.value.written.as_str())
        .collect();
    assert_eq!(
        entries,
        ["-X main.Version={{ .Version }}", "-X main.env=prod"]
    );
    assert!(outcomes(&conversion, 4).contains(&Outcome::mapped_with_note(
        "build.ldflags",
        "-X main.Version={{ .Version }}",
        "was `$(git describe --tags)`, computed while the Dockerfile builds; pass it as `--build-arg VERSION=…`"
    )));
}

#[test]
fn other_builders_flags_and_commands() {
    let (conversion, spec) = inline(
        "FROM cgr.dev/chainguard/go:latest AS build\nWORKDIR /work\nCOPY . .\nENV GOFLAGS=-mod=mod GOPRIVATE=git.acme.test\nRUN go build -gcflags=all=-l -o /bin/app ./cmd/app && go install ./cmd/tool\nFROM scratch\nCOPY --from=build /bin/app /app\nCOPY --from=build /root/go/bin/tool /tool\nENTRYPOINT /app --serve\nUSER nobody\n",
    );
    assert_eq!(
        spec.builder.map(|builder| builder.value.written).as_deref(),
        Some("cgr.dev/chainguard/go:latest")
    );
    assert_eq!(spec.build.env["GOFLAGS"], "-mod=mod -gcflags=all=-l");
    assert_eq!(
        spec.image.user.map(|user| user.written.value).as_deref(),
        Some("65534:65534")
    );
    assert_eq!(
        spec.image.entrypoint,
        Some(vec![
            "/usr/local/bin/app".to_string(),
            "--serve".to_string()
        ])
    );
    assert!(is_not_carried(&outcomes(&conversion, 4)[1], "GOPRIVATE"));
    // `go install` without GOBIN writes to $GOPATH/bin, /go/bin by default: not copied here.
    assert!(outcomes(&conversion, 5)
        .iter()
        .any(|outcome| is_not_carried(outcome, "not copied into the image")));
    assert!(is_not_carried(
        &outcomes(&conversion, 8)[0],
        "made in stage `build`"
    ));
}

#[test]
fn https_healthchecks_and_shell_scripts_are_reported() {
    let (conversion, spec) = inline(
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nHEALTHCHECK CMD curl -f https://localhost:8443/ || exit 1\nSTOPSIGNAL SIGINT\nCMD [\"/app\"]\n",
    );
    assert_eq!(spec.image.healthcheck, None);
    assert!(is_not_carried(&outcomes(&conversion, 5)[0], "plain HTTP"));
    assert!(is_not_carried(
        &outcomes(&conversion, 6)[0],
        "no stop signal"
    ));
    let (conversion, spec) = inline(
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nHEALTHCHECK --interval=10s CMD [\"/app\", \"-healthcheck\"]\n",
    );
    let healthcheck = spec.image.healthcheck.unwrap_or_else(|| panic!("none"));
    assert_eq!(
        healthcheck.value.probe,
        Probe::Command(vec![
            "/usr/local/bin/app".to_string(),
            "-healthcheck".to_string()
        ])
    );
    assert_eq!(
        outcomes(&conversion, 5)[0],
        mapped(
            "image.healthcheck.cmd",
            "[/usr/local/bin/app, -healthcheck]"
        )
    );
}

#[test]
fn shell_form_commands_keep_the_base_images_shell_or_become_exec_form() {
    let (conversion, spec) = inline(
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /usr/local/bin/app\nCMD app --port \"$PORT\"\n",
    );
    assert_eq!(
        spec.image.entrypoint,
        Some(vec![
            "/bin/sh".to_string(),
            "-c".to_string(),
            "app --port \"$PORT\"".to_string()
        ])
    );
    assert_eq!(spec.image.cmd, Some(Vec::new()));
    assert!(matches!(
        &outcomes(&conversion, 5)[0],
        Outcome::Mapped { key, .. } if key == "image.entrypoint"
    ));
    let (conversion, spec) = inline(
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT /app serve\n",
    );
    assert_eq!(
        spec.image.entrypoint,
        Some(vec!["/usr/local/bin/app".to_string(), "serve".to_string()])
    );
    assert_eq!(
        outcomes(&conversion, 5)[0],
        Outcome::mapped_with_note(
            "image.entrypoint",
            "[/usr/local/bin/app, serve]",
            "exec form: gostage's image has no shell"
        )
    );
}

#[test]
fn odd_dockerfiles_give_a_conversion_or_a_typed_error_never_an_invalid_spec() {
    let odd = [
        "",
        "ARG A=1\n",
        "FROM scratch\n",
        "FROM golang:${\nRUN go build -o /a .\nFROM scratch\nCOPY --from=0 /a /a\n",
        "FROM golang AS a\nRUN go build -o /x/ ./cmd/... && go build -o y\nFROM a AS b\nFROM b\nCOPY --from=a /x/z /z\nCMD [\"/z\"]\n",
        "FROM golang\nRUN [\"go\", \"build\", \"-o\", \"/bin/a\"]\nFROM scratch\nCOPY --from=missing /bin/a /a\nCOPY --from=0 --chmod=u+x /bin/a /b\nUSER :\nEXPOSE 0 70000 80-90 abc/tcp\nLABEL =x\nENV 1A=x\nHEALTHCHECK --interval=-1s --retries=x CMD [\"wget\", \"http://\"]\n",
        "FROM golang\nWORKDIR ..\nRUN cd / && cd .. && go build -o ../../a ../..\nCMD [\"/a\"]\n",
        "# escape=`\nFROM golang\nRUN go build `\n  -o /a .\nFROM scratch\nCOPY --from=0 /a /a\n",
    ];
    for text in odd {
        match convert(text, None, FRONTEND) {
            Ok(conversion) => {
                assert!(
                    spec::parse(conversion.spec_yaml.as_bytes()).is_ok(),
                    "{text}"
                );
                assert!(conversion
                    .report
                    .iter()
                    .all(|line| !line.outcomes.is_empty()));
            }
            Err(ConvertError::InvalidSpec { message, .. }) => panic!("{text}: {message}"),
            Err(_) => {}
        }
    }
}
