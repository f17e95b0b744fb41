//! The ways the bench builds a Go program (examples/uuid-service, the large program,
//! examples/notes, examples/monorepo), as buildctl commands against the same buildkitd, and
//! what it reads back from their images.

use anyhow::{bail, Context, Result};
use gostage_support::build_command::{buildctl_dockerfile, Progress};
use gostage_support::config::REGISTRY;
use gostage_support::{cmd, go, registry};
use oci_spec::image::{Arch, Descriptor, Os};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How the image is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipe {
    /// gostage.yaml through the gostage frontend (its `# syntax=` line).
    Gostage,
    /// The same spec with `cache: {export: true}` (written to gostage-export.yaml in the copy).
    GostageExport,
    /// xtask/bench/Dockerfile.cross: FROM --platform=$BUILDPLATFORM, GOOS/GOARCH.
    Cross,
    /// xtask/bench/Dockerfile.emulated: FROM golang:1.23 per target platform (qemu for arm64).
    Emulated,
    /// xtask/bench/Dockerfile.cgo: the hand-written static cgo build of examples/notes.
    Cgo,
    /// `ko build` on the host (bench/ko.rs), not through buildctl.
    Ko,
    /// xtask/bench/Dockerfile.floor: one file FROM scratch through the Dockerfile frontend
    /// image, the floor of an unchanged rebuild.
    Floor,
    /// xtask/bench/Dockerfile.monorepo: examples/monorepo's svc-a by hand (go.work and each
    /// go.mod copied first, cache mounts).
    Monorepo,
}

impl Recipe {
    pub fn name(self) -> &'static str {
        match self {
            Recipe::Gostage => "gostage",
            Recipe::GostageExport => "gostage cache.export",
            Recipe::Cross => "Dockerfile.cross",
            Recipe::Emulated => "Dockerfile.emulated",
            Recipe::Cgo => "Dockerfile.cgo",
            Recipe::Ko => "ko",
            Recipe::Floor => "Dockerfile.floor",
            Recipe::Monorepo => "Dockerfile.monorepo",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Recipe::Gostage => "gostage",
            Recipe::GostageExport => "gostage-export",
            Recipe::Cross => "cross",
            Recipe::Emulated => "emulated",
            Recipe::Cgo => "cgo",
            Recipe::Ko => "ko",
            Recipe::Floor => "floor",
            Recipe::Monorepo => "monorepo",
        }
    }

    /// What the final image holds, for the size table.
    pub fn contents(self) -> &'static str {
        match self {
            Recipe::Gostage | Recipe::GostageExport => {
                "(binary, CA bundle, zoneinfo, passwd/group, /tmp)"
            }
            Recipe::Cross | Recipe::Emulated | Recipe::Cgo | Recipe::Monorepo => {
                "(binary, CA bundle)"
            }
            Recipe::Ko => "(binary on the base stand-in: CA bundle, zoneinfo, passwd/group, /tmp)",
            Recipe::Floor => "(go.mod)",
        }
    }
}

/// The spec of [`Recipe::GostageExport`], written next to gostage.yaml in the copy.
const EXPORT_SPEC: &str = "gostage-export.yaml";

/// A Go program the bench builds: a directory with a gostage spec (the bench context), and
/// what the edit rows change in it.
pub struct Program {
    /// The directory copied into the bench context: a module, or a repository of modules.
    pub source: PathBuf,
    /// The image repository under `<registry>/bench/`.
    pub repository: &'static str,
    /// The gostage spec, at the context's root (`gostage.yaml`, `svc-a.gostage.yaml`).
    pub spec: &'static str,
    /// The main package, relative to the module (`cmd/uuid-service`), for the Dockerfiles'
    /// `MAIN` build-arg and ko.
    pub main_package: &'static str,
    /// The file the edit rows change, relative to the context (`cmd/uuid-service/main.go`) ...
    pub edited_file: &'static str,
    /// ... in this line of it ...
    pub edited_line: &'static str,
    /// ... by appending ` (bench edit N, NONCE)` to this text in it, a string literal's start.
    pub edit_anchor: &'static str,
}

impl Program {
    /// examples/uuid-service: a small HTTP service.
    pub fn uuid_service() -> Program {
        Program {
            source: gostage_support::config::example("uuid-service"),
            repository: "uuid-service",
            spec: "gostage.yaml",
            main_package: "cmd/uuid-service",
            edited_file: "cmd/uuid-service/main.go",
            edited_line: "log.Printf(\"uuid-service listening on %s\", addr)",
            edit_anchor: "uuid-service",
        }
    }

    /// xtask/bench/large-program: Caddy with its standard modules (a large real program).
    pub fn large() -> Program {
        Program {
            source: gostage_support::config::workspace_root().join("xtask/bench/large-program"),
            repository: "large-program",
            spec: "gostage.yaml",
            main_package: "cmd/caddy",
            edited_file: "cmd/caddy/main.go",
            edited_line: "caddy.CustomVersion = \"large-program\"",
            edit_anchor: "large-program",
        }
    }

    /// examples/notes: SQLite through cgo.
    pub fn notes() -> Program {
        Program {
            source: gostage_support::config::example("notes"),
            repository: "notes",
            spec: "gostage.yaml",
            main_package: "cmd/notes",
            edited_file: "cmd/notes/main.go",
            edited_line: "log.Printf(\"notes listening on %s\", addr)",
            edit_anchor: "notes",
        }
    }

    /// examples/monorepo: go.work, a shared library and two services; svc-a is built from
    /// the repository's root (`svc-a.gostage.yaml`, `module: svc-a`) and the edit rows change
    /// the library's text.
    pub fn monorepo() -> Program {
        Program {
            source: gostage_support::config::example("monorepo"),
            repository: "monorepo",
            spec: "svc-a.gostage.yaml",
            main_package: "svc-a",
            edited_file: "lib/greeting.go",
            edited_line: "return \"hello from the shared library\"",
            edit_anchor: "hello from the shared library",
        }
    }
}

/// Small dependency-free modules the "dependency added" rows add, one per run (module@version,
/// the package imported): real modules through GOPROXY, each new to go.mod when added.
const ADDED_DEPENDENCIES: &[(&str, &str)] = &[
    ("github.com/pkg/errors@v0.9.1", "github.com/pkg/errors"),
    (
        "github.com/dustin/go-humanize@v1.1.0",
        "github.com/dustin/go-humanize",
    ),
    (
        "github.com/cespare/xxhash/v2@v2.3.0",
        "github.com/cespare/xxhash/v2",
    ),
    (
        "github.com/pmezard/go-difflib@v1.0.0",
        "github.com/pmezard/go-difflib/difflib",
    ),
    (
        "github.com/davecgh/go-spew@v1.1.1",
        "github.com/davecgh/go-spew/spew",
    ),
    (
        "github.com/google/go-cmp@v0.7.0",
        "github.com/google/go-cmp/cmp",
    ),
];

/// The bench's copy of a [`Program`], the Dockerfiles' directory and the build-args.
pub struct Workspace {
    program: Program,
    context: PathBuf,
    dockerfiles: PathBuf,
    goproxy: String,
    /// The edited file as copied.
    original_source: String,
    /// go.mod and go.sum at the context's root as copied; None for a repository of modules.
    original_module: Option<(String, String)>,
    edits: Cell<u32>,
    added: Cell<usize>,
}

impl Workspace {
    /// Copies `program`'s module to `copy` (replacing what is there).
    pub fn new(program: Program, dockerfiles: &Path, copy: &Path) -> Result<Workspace> {
        if copy.exists() {
            std::fs::remove_dir_all(copy)?;
        }
        std::fs::create_dir_all(copy.parent().context("copy has no parent")?)?;
        cmd::output(Command::new("cp").arg("-r").arg(&program.source).arg(copy))?;
        let edited = program.edited_file;
        let original_source = std::fs::read_to_string(copy.join(edited))?;
        if !original_source.contains(program.edited_line) {
            bail!(
                "{edited} no longer has the line the edit rows change: {}",
                program.edited_line
            );
        }
        for file in [
            "Dockerfile.cross",
            "Dockerfile.emulated",
            "Dockerfile.floor",
            "Dockerfile.cgo",
            "Dockerfile.monorepo",
        ] {
            if !dockerfiles.join(file).is_file() {
                bail!("{} is missing", dockerfiles.join(file).display());
            }
        }
        let spec = std::fs::read_to_string(copy.join(program.spec))?;
        std::fs::write(
            copy.join(EXPORT_SPEC),
            format!("{spec}cache:\n  export: true\n"),
        )?;
        let goproxy = go::goproxy()?;
        let original_module = match copy.join("go.mod").is_file() {
            true => Some((
                std::fs::read_to_string(copy.join("go.mod"))?,
                std::fs::read_to_string(copy.join("go.sum"))?,
            )),
            false => None,
        };
        Ok(Workspace {
            program,
            context: copy.to_path_buf(),
            dockerfiles: dockerfiles.to_path_buf(),
            goproxy,
            original_source,
            original_module,
            edits: Cell::new(0),
            added: Cell::new(0),
        })
    }

    /// The bench's copy of the module.
    pub fn context(&self) -> &Path {
        &self.context
    }

    /// The program's main package, relative to the module.
    pub fn main_package(&self) -> &str {
        self.program.main_package
    }

    /// GOPROXY as the host's Go reads it.
    pub fn goproxy(&self) -> &str {
        &self.goproxy
    }

    /// The image a build tagged `tag` pushes.
    pub fn image(&self, tag: &str) -> String {
        format!("{REGISTRY}/bench/{}:{tag}", self.program.repository)
    }

    /// The buildctl command building `recipe` for `platforms`, pushed as `tag`.
    pub fn command(&self, recipe: Recipe, platforms: &[&str], tag: &str) -> Command {
        let (dockerfile_dir, filename) = match recipe {
            Recipe::Gostage => (&self.context, self.program.spec),
            Recipe::GostageExport => (&self.context, EXPORT_SPEC),
            Recipe::Cross => (&self.dockerfiles, "Dockerfile.cross"),
            Recipe::Emulated => (&self.dockerfiles, "Dockerfile.emulated"),
            Recipe::Floor => (&self.dockerfiles, "Dockerfile.floor"),
            Recipe::Cgo => (&self.dockerfiles, "Dockerfile.cgo"),
            Recipe::Monorepo => (&self.dockerfiles, "Dockerfile.monorepo"),
            Recipe::Ko => unreachable!("ko builds on the host: bench/ko.rs makes its command"),
        };
        let mut c = buildctl_dockerfile(Progress::Plain, &self.context, dockerfile_dir);
        c.args(["--opt", &format!("filename={filename}")])
            .args(["--opt", &format!("platform={}", platforms.join(","))])
            .args(["--opt", &format!("build-arg:GOPROXY={}", self.goproxy)]);
        if matches!(recipe, Recipe::Cross | Recipe::Emulated | Recipe::Cgo) {
            c.args([
                "--opt",
                &format!("build-arg:MAIN={}", self.program.main_package),
            ]);
        }
        if recipe == Recipe::Emulated {
            // golang:1.23 with an arm64 image too (see golang_index.rs).
            c.args([
                "--opt",
                &format!(
                    "context:golang:1.23=docker-image://{}",
                    crate::golang_index::image()
                ),
            ]);
        }
        c.args([
            "--output",
            &format!("type=image,name={},push=true", self.image(tag)),
        ]);
        c
    }

    /// The registry reference of the build cache of builds tagged `tag`.
    pub fn cache(&self, tag: &str) -> String {
        format!("{REGISTRY}/bench/{}-cache:{tag}", self.program.repository)
    }

    /// [`Workspace::command`] as a CI run gives it: importing the cache of builds tagged `tag`
    /// and exporting it again with `mode=max` (`--import-cache`, `--export-cache`).
    pub fn ci_command(&self, recipe: Recipe, platforms: &[&str], tag: &str) -> Command {
        let cache = format!("type=registry,ref={}", self.cache(tag));
        let mut c = self.command(recipe, platforms, tag);
        c.args(["--import-cache", &cache])
            .args(["--export-cache", &format!("{cache},mode=max")]);
        c
    }

    /// The file the edit rows change, relative to the context (`cmd/uuid-service/main.go`).
    pub fn edited_file(&self) -> &str {
        self.program.edited_file
    }

    /// Changes one line of the program's edited file (a string unique to this edit).
    pub fn edit_source(&self) -> Result<()> {
        let n = self.edits.get() + 1;
        self.edits.set(n);
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos();
        let anchor = self.program.edit_anchor;
        let line = self.program.edited_line.replacen(
            anchor,
            &format!("{anchor} (bench edit {n}, {nonce})"),
            1,
        );
        std::fs::write(
            self.context.join(self.program.edited_file),
            self.original_source
                .replacen(self.program.edited_line, &line, 1),
        )?;
        Ok(())
    }
}

impl Workspace {
    /// Adds the next module of [`ADDED_DEPENDENCIES`]: `go get` (go.mod and go.sum, through
    /// GOPROXY) and a file of the main package that imports it.
    ///
    /// Errors: the program has no go.mod at the context's root, every module of the list is
    /// already added, or `go get` fails.
    pub fn add_dependency(&self) -> Result<()> {
        if self.original_module.is_none() {
            bail!(
                "{} has no go.mod at its root to add a dependency to",
                self.program.source.display()
            );
        }
        let n = self.added.get();
        let Some((module, package)) = ADDED_DEPENDENCIES.get(n) else {
            bail!(
                "the bench adds at most {} dependencies per recipe (--runs)",
                ADDED_DEPENDENCIES.len()
            );
        };
        self.added.set(n + 1);
        cmd::output(
            Command::new("go")
                .args(["get", module])
                .current_dir(&self.context)
                .env("GOFLAGS", "")
                .env("GOPROXY", &self.goproxy)
                .env("GOTOOLCHAIN", "local"),
        )?;
        std::fs::write(
            self.context
                .join(format!("{}/added_{n}.go", self.program.main_package)),
            format!("package main\n\nimport _ \"{package}\"\n"),
        )?;
        Ok(())
    }

    /// Puts go.mod and go.sum back and removes the files [`Workspace::add_dependency`] wrote.
    pub fn remove_dependencies(&self) -> Result<()> {
        let Some((go_mod, go_sum)) = &self.original_module else {
            return Ok(());
        };
        std::fs::write(self.context.join("go.mod"), go_mod)?;
        std::fs::write(self.context.join("go.sum"), go_sum)?;
        for n in 0..self.added.get() {
            let file = self
                .context
                .join(format!("{}/added_{n}.go", self.program.main_package));
            if file.exists() {
                std::fs::remove_file(file)?;
            }
        }
        self.added.set(0);
        Ok(())
    }
}

/// Sizes of the linux/amd64 image of a pushed index.
pub struct ImageSize {
    pub compressed: u64,
    pub unpacked: u64,
    pub layers: usize,
}

/// Reads the linux/amd64 manifest of `image` from the registry (compressed size), then pulls
/// it into the Engine for the unpacked size.
pub fn image_size(image: &str) -> Result<ImageSize> {
    let repo = image
        .strip_prefix(&format!("{REGISTRY}/"))
        .and_then(|rest| rest.rsplit_once(':'))
        .with_context(|| format!("{image} is not REPO:TAG in {REGISTRY}"))?
        .0;
    let top = registry::manifest(image)?.with_context(|| format!("{image} not found"))?;
    let manifest = match top.index() {
        Some(index) => {
            let digest = registry::find_image(index, &Os::Linux, &Arch::Amd64)
                .with_context(|| format!("{image} has no linux/amd64 image"))?
                .digest()
                .to_string();
            registry::manifest(&registry::image(repo, &digest))?
                .with_context(|| format!("{image}@{digest} not found"))?
        }
        None => top,
    };
    let manifest = manifest
        .image()
        .with_context(|| format!("the linux/amd64 manifest of {image} is an index"))?;
    let layers = manifest.layers();
    let compressed = layers
        .iter()
        .chain(std::iter::once(manifest.config()))
        .map(Descriptor::size)
        .sum();
    cmd::docker(&["pull", "-q", image])?;
    let unpacked = cmd::docker(&["image", "inspect", "-f", "{{.Size}}", image])?
        .parse()
        .with_context(|| format!("docker image inspect gave no size for {image}"))?;
    Ok(ImageSize {
        compressed,
        unpacked,
        layers: layers.len(),
    })
}
