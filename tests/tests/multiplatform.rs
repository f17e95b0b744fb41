//! One build for several platforms (buildkitd through the buildx remote builder, pushed to the
//! registry): both examples for linux/amd64, linux/arm64 and linux/arm/v7.
//!
//! Each example is built once, with `--sbom=true` (and hello with `--build-arg VERSION=1.2.3`),
//! and the tests below check several facts of that one build, read back from the registry's
//! HTTP API: the index's platforms, each platform's binary (ELF machine, Go build settings),
//! the binaries running natively and under qemu-user-static, the progress (one module
//! download for all platforms, one compile per platform), the version stamp and the SBOMs.

use anyhow::{anyhow, bail, ensure, Context, Result};
use gostage_e2e::build::Daemon;
use gostage_e2e::build::{build_opts, Built, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::go_build_info::go_build_info;
use gostage_e2e::progress::{self, Vertex};
use gostage_e2e::registry::{Index, SPDX};
use gostage_e2e::serve::Served;
use gostage_support::build_command::Progress;
use gostage_support::config::example;
use gostage_support::elf::{
    self, EF_ARM_EABIMASK, EF_ARM_EABI_VER5, EM_AARCH64, EM_ARM, EM_X86_64,
};
use gostage_support::registry::{config_platform, label};
use std::sync::OnceLock;

const PLATFORMS: [&str; 3] = ["linux/amd64", "linux/arm64", "linux/arm/v7"];
const VERSION: &str = "1.2.3";

/// What each platform's binary must be, and how the host runs it.
struct Target {
    platform: &'static str,
    machine: u16,
    is_64: bool,
    goarch: &'static str,
    /// The qemu-user-static emulator (Debian qemu-user-static), None: runs natively.
    emulator: Option<&'static str>,
}

const TARGETS: [Target; 3] = [
    Target {
        platform: "linux/amd64",
        machine: EM_X86_64,
        is_64: true,
        goarch: "amd64",
        emulator: None,
    },
    Target {
        platform: "linux/arm64",
        machine: EM_AARCH64,
        is_64: true,
        goarch: "arm64",
        emulator: Some("qemu-aarch64-static"),
    },
    Target {
        platform: "linux/arm/v7",
        machine: EM_ARM,
        is_64: false,
        goarch: "arm",
        emulator: Some("qemu-arm-static"),
    },
];

/// An example built for the three platforms, and what the tests read from it.
struct MultiBuild {
    example: &'static str,
    /// The binary's name: /usr/local/bin/<binary>.
    binary: &'static str,
    /// The `main` package, as the compile vertices name it.
    main: &'static str,
    built: Built,
    index: Index,
    vertices: Vec<Vertex>,
}

impl MultiBuild {
    fn new(example_name: &'static str, binary: &'static str, main: &'static str) -> Result<Self> {
        let mut options = Options::platforms(&PLATFORMS);
        options.sbom = true;
        options.progress = Progress::RawJson;
        if example_name == "hello" {
            options = options.build_arg("VERSION", VERSION);
        }
        let built = build_opts(
            Daemon::BuildxRemote,
            &example(example_name),
            SPEC,
            &format!("{example_name}-multi"),
            &options,
        )?;
        eprintln!(
            "{example_name} for {} built in {:.1}s",
            PLATFORMS.join(","),
            built.elapsed.as_secs_f64()
        );
        let index = Index::read(&built.image)
            .with_context(|| format!("reading {} from the registry", built.image))?;
        let vertices = progress::vertices_rawjson(&built.log);
        Ok(MultiBuild {
            example: example_name,
            binary,
            main,
            built,
            index,
            vertices,
        })
    }

    /// The binary of `platform`'s image, as bytes.
    fn binary(&self, platform: &str) -> Result<Vec<u8>> {
        let fs = self.index.fs(platform)?;
        let path = format!("usr/local/bin/{}", self.binary);
        let entry = fs.get(&path).with_context(|| {
            format!(
                "{} ({platform}): no /{path} in the image\n{}",
                self.example,
                fs.listing()
            )
        })?;
        Ok(entry.data.clone())
    }

    fn vertex_summary(&self) -> String {
        format!("vertices:\n{}", progress::summary(&self.vertices))
    }
}

/// Builds once per test binary; every test that needs the build gets the same result (or the
/// same build failure, with the full build output).
fn cached(
    cell: &'static OnceLock<Result<MultiBuild, String>>,
    make: fn() -> Result<MultiBuild>,
) -> Result<&'static MultiBuild> {
    cell.get_or_init(|| make().map_err(|e| format!("{e:?}")))
        .as_ref()
        .map_err(|e| anyhow!("{e}"))
}

fn hello() -> Result<&'static MultiBuild> {
    static CELL: OnceLock<Result<MultiBuild, String>> = OnceLock::new();
    cached(&CELL, || MultiBuild::new("hello", "hello", "."))
}

fn uuid_service() -> Result<&'static MultiBuild> {
    static CELL: OnceLock<Result<MultiBuild, String>> = OnceLock::new();
    cached(&CELL, || {
        MultiBuild::new("uuid-service", "uuid-service", "./cmd/uuid-service")
    })
}

fn check_platforms(build: &MultiBuild) -> Result<()> {
    let mut found = build.index.platforms();
    found.sort();
    let mut expected: Vec<String> = PLATFORMS.iter().map(|p| p.to_string()).collect();
    expected.sort();
    ensure!(
        found == expected,
        "{}: the index of {} has platforms {found:?} (attestations left out), expected {expected:?}\n{}",
        build.example,
        build.built.image,
        build.index.describe()
    );
    for image in &build.index.images {
        let config = config_platform(&image.config);
        ensure!(
            config == image.platform,
            "{}: the {} image's config says {config}",
            build.example,
            image.platform
        );
    }
    Ok(())
}

fn check_binaries(build: &MultiBuild) -> Result<()> {
    for target in &TARGETS {
        let origin = format!("{} ({})", build.example, target.platform);
        let binary = build.binary(target.platform)?;
        let info = elf::inspect(&binary).with_context(|| format!("{origin}: the binary"))?;
        ensure!(
            info.machine == target.machine && info.is_64 == target.is_64 && info.little_endian,
            "{origin}: the binary is e_machine {} ({}-bit, little endian: {}), expected e_machine {} ({}-bit little endian)",
            info.machine,
            if info.is_64 { 64 } else { 32 },
            info.little_endian,
            target.machine,
            if target.is_64 { 64 } else { 32 },
        );
        ensure!(
            info.is_static(),
            "{origin}: the binary is not static: {info:?}"
        );
        if target.machine == EM_ARM {
            // Go writes e_flags 0x5000002 (EABI5, has entry) whatever GOARM is, and no
            // .ARM.attributes: the float ABI and CPU level are in the Go build settings below.
            ensure!(
                info.flags & EF_ARM_EABIMASK == EF_ARM_EABI_VER5,
                "{origin}: e_flags {:#x} is not EABI version 5",
                info.flags
            );
        }
        let go = go_build_info(&binary).with_context(|| format!("{origin}: the binary"))?;
        let setting = |key: &str| go.settings.get(key).map(String::as_str);
        let expected = [
            ("GOOS", Some("linux")),
            ("GOARCH", Some(target.goarch)),
            ("CGO_ENABLED", Some("0")),
            ("-trimpath", Some("true")),
            // GOARM=7: ARMv7 with hardware floating point (no ",softfloat").
            ("GOARM", (target.machine == EM_ARM).then_some("7")),
        ];
        for (key, value) in expected {
            ensure!(
                setting(key) == value,
                "{origin}: Go build setting {key} is {:?}, expected {value:?}; all settings: {:?}",
                setting(key),
                go.settings
            );
        }
        if build.example == "uuid-service" {
            let uuid = go.deps.get("github.com/google/uuid").map(String::as_str);
            ensure!(
                uuid == Some("v1.6.0"),
                "{origin}: the binary's github.com/google/uuid is {uuid:?}, expected v1.6.0; deps {:?}",
                go.deps
            );
        }
    }
    Ok(())
}

#[test]
fn hello_index_has_exactly_the_three_platforms() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    check_platforms(hello()?)
}

#[test]
fn uuid_service_index_has_exactly_the_three_platforms() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    check_platforms(uuid_service()?)
}

#[test]
fn hello_binaries_match_their_platforms() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    check_binaries(hello()?)
}

#[test]
fn uuid_service_binaries_match_their_platforms() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    check_binaries(uuid_service()?)
}

#[test]
fn go_mod_download_runs_once_and_go_build_once_per_platform() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    for build in [hello()?, uuid_service()?] {
        let downloads = progress::named(&build.vertices, "go mod download");
        ensure!(
            downloads.len() == 1,
            "{}: {} vertices named like \"go mod download\" in the {}-platform build, expected exactly one shared by all platforms\n{}",
            build.example,
            downloads.len(),
            PLATFORMS.len(),
            build.vertex_summary()
        );
        for platform in PLATFORMS {
            let name = format!("go build {} ({platform})", build.main);
            let compiles = build.vertices.iter().filter(|v| v.name == name).count();
            ensure!(
                compiles == 1,
                "{}: {compiles} vertices named {name:?}, expected one\n{}",
                build.example,
                build.vertex_summary()
            );
        }
        let compiles = progress::named(&build.vertices, "go build ").len();
        ensure!(
            compiles == PLATFORMS.len(),
            "{}: {compiles} go build vertices, expected one per platform\n{}",
            build.example,
            build.vertex_summary()
        );
    }
    Ok(())
}

#[test]
fn hello_runs_on_each_architecture_with_its_version() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let build = hello()?;
    for target in &TARGETS {
        let label = format!("hello ({})", target.platform);
        let served = Served::start(&build.binary(target.platform)?, &label, target.emulator)?;
        let body = served.get("/runtime")?;
        let report: serde_json::Value = serde_json::from_str(&body)
            .with_context(|| format!("{}: /runtime answered {body:?}", served.what))?;
        ensure!(
            report["version"] == VERSION,
            "{}: /runtime reports version {}, expected {VERSION:?} (--build-arg VERSION={VERSION}, ldflags -X main.version={{{{ .Version }}}})\n{report}",
            served.what,
            report["version"]
        );
        let greeting = served.get("/")?;
        ensure!(
            greeting.contains(&format!("version {VERSION}")),
            "{}: / answered {greeting:?}, expected it to mention version {VERSION}",
            served.what
        );
    }
    Ok(())
}

#[test]
fn hello_version_label_on_each_platform() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let build = hello()?;
    for image in &build.index.images {
        let version = label(&image.config, "org.opencontainers.image.version");
        ensure!(
            version == Some(VERSION),
            "hello ({}): label org.opencontainers.image.version is {version:?}, expected {VERSION:?}; config:\n{}",
            image.platform,
            image.config
        );
    }
    Ok(())
}

/// The SPDX documents attached to each platform's image: exactly one per platform, about that
/// platform's manifest.
fn sboms(build: &MultiBuild) -> Result<Vec<(String, serde_json::Value)>> {
    let mut documents = Vec::new();
    for platform in PLATFORMS {
        let origin = format!("{} ({platform})", build.example);
        let statements = build.index.statements(platform, SPDX)?;
        let [statement] = statements.as_slice() else {
            bail!(
                "{origin}: {} SPDX attestations, expected one\n{}",
                statements.len(),
                build.index.describe()
            );
        };
        let digest = &build.index.image(platform)?.manifest.digest;
        ensure!(
            statement["predicateType"] == SPDX,
            "{origin}: the statement's predicateType is {}",
            statement["predicateType"]
        );
        let subject = statement["subject"][0]["digest"]["sha256"]
            .as_str()
            .map(|hex| format!("sha256:{hex}"));
        ensure!(
            subject.as_deref() == Some(digest.as_str()),
            "{origin}: the SBOM's subject is {subject:?}, expected the image manifest {digest}\n{:#}",
            statement["subject"]
        );
        let document = &statement["predicate"];
        ensure!(
            document["spdxVersion"] == "SPDX-2.3",
            "{origin}: spdxVersion is {}",
            document["spdxVersion"]
        );
        documents.push((origin, document.clone()));
    }
    Ok(documents)
}

fn has_package(document: &serde_json::Value, name: &str, version: Option<&str>) -> bool {
    document["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["name"] == name && version.is_none_or(|v| p["versionInfo"] == v))
}

#[test]
fn uuid_service_sbom_lists_google_uuid_for_each_platform() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // The version in examples/uuid-service/go.sum.
    let go_sum = std::fs::read_to_string(example("uuid-service").join("go.sum"))?;
    ensure!(
        go_sum.contains("github.com/google/uuid v1.6.0 "),
        "examples/uuid-service/go.sum no longer pins github.com/google/uuid v1.6.0:\n{go_sum}"
    );
    for (origin, document) in sboms(uuid_service()?)? {
        for (name, version) in [
            ("github.com/google/uuid", Some("v1.6.0")),
            ("example.com/uuid-service", None),
            ("uuid-service", None),
            ("stdlib", None),
        ] {
            ensure!(
                has_package(&document, name, version),
                "{origin}: the SBOM has no package {name:?}{}; the document:\n{document:#}",
                version.map(|v| format!(" at {v}")).unwrap_or_default()
            );
        }
    }
    Ok(())
}

#[test]
fn hello_sbom_names_the_module_and_toolchain_for_each_platform() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    for (origin, document) in sboms(hello()?)? {
        for name in ["example.com/hello", "hello", "stdlib"] {
            ensure!(
                has_package(&document, name, None),
                "{origin}: the SBOM has no package {name:?}; the document:\n{document:#}"
            );
        }
        ensure!(
            !has_package(&document, "github.com/google/uuid", None),
            "{origin}: hello's SBOM lists github.com/google/uuid, which hello does not use"
        );
    }
    Ok(())
}
