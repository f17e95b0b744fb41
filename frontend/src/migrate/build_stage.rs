//! The stages that build the image's programs: the builder image (`go:` or `builder:`),
//! their environment, their `RUN`s (the `go build`s, package installs, module downloads),
//! and the stages the image does not use.

use super::evaluate::{EvaluatedStage, Step, StepKind};
use super::packages::{self, Fate};
use super::programs::{chain, mount_options, Site};
use super::{go_command, Converter, Outcome};
use crate::vocabulary::ImageReference;

/// The official Go images' repository.
const GOLANG: &str = "docker.io/library/golang";

/// Reports the build stages and fills `go`/`builder`, `main`/`binaries` and `build:`.
pub(super) fn convert(converter: &mut Converter<'_>) {
    converter.write_binaries();
    converter.draft.cgo = uses_cgo(converter);
    let stages = converter.stages;
    let builder_root = converter
        .programs
        .list
        .first()
        .map(|program| chain(stages, program.site.stage)[0]);
    for &index in &converter.programs.build_stages.clone() {
        let stage = &stages[index];
        let also_image = converter.programs.image_stages.contains(&index);
        if Some(index) == builder_root {
            converter.builder(stage);
        } else if !also_image {
            let outcome = match stage.parent.map(|parent| &stages[parent]) {
                Some(parent) => Outcome::done(format!(
                    "builds on stage `{}`, part of gostage's build",
                    parent
                        .name
                        .clone()
                        .unwrap_or_else(|| parent.index.to_string())
                )),
                None => Outcome::not_carried(
                    format!("a second builder image, `{}`", stage.image),
                    "gostage builds every program in one builder: `go:` or `builder:`",
                ),
            };
            converter.add(stage.line, &stage.text, outcome);
        }
        if !also_image && stage.platform.is_some() {
            converter.build_platform(stage);
        }
        for (step_index, step) in stage.steps.iter().enumerate() {
            match (&step.kind, also_image) {
                (StepKind::Run { .. }, _) => converter.build_run(index, step_index, step),
                (StepKind::Copy { from: None, .. }, _) => converter.build_copy(step),
                (_, true) => {}
                (StepKind::Arg(declarations), false) => {
                    for declaration in declarations {
                        let outcome = converter.arg_outcome(declaration);
                        converter.add(step.line, &step.text, outcome);
                    }
                }
                (StepKind::Env(pairs), false) => {
                    for (name, value) in pairs {
                        let outcome = converter.build_env_outcome(name, value);
                        converter.add(step.line, &step.text, outcome);
                    }
                }
                (StepKind::Workdir(_), false) => converter.add(
                    step.line,
                    &step.text,
                    Outcome::done("gostage compiles in a source directory of its own"),
                ),
                (StepKind::User(_), false) => converter.add(
                    step.line,
                    &step.text,
                    Outcome::done("gostage decides who runs the build steps"),
                ),
                (StepKind::Copy { .. }, false) => converter.add(
                    step.line,
                    &step.text,
                    Outcome::not_carried(
                        "the build stage copies from another stage or image, and gostage's builder is one image",
                        "set `builder:` to an image that has it",
                    ),
                ),
                (_, false) => converter.add(
                    step.line,
                    &step.text,
                    Outcome::not_carried(
                        "it sets up the build stage's own image, which is not the image gostage builds",
                        "nothing",
                    ),
                ),
            }
        }
    }
}

/// Reports every instruction of a stage the image does not use.
pub(super) fn unused_stage(converter: &mut Converter<'_>, stage: &EvaluatedStage) {
    let name = stage
        .name
        .clone()
        .unwrap_or_else(|| stage.index.to_string());
    let why = format!("stage `{name}` is not part of the image");
    converter.add(
        stage.line,
        &stage.text,
        Outcome::not_carried(why.clone(), "nothing"),
    );
    for step in &stage.steps {
        let mut tested = false;
        if let StepKind::Run { commands } = &step.kind {
            for command in commands {
                if let Some(go) = go_command::parse(&command.words) {
                    if go.subcommand == "test" {
                        converter.go_test(step.line, &step.text, &go);
                        tested = true;
                    }
                }
            }
        }
        if !tested {
            converter.add(
                step.line,
                &step.text,
                Outcome::not_carried(
                    why.clone(),
                    "nothing; `docker build --target test` runs the module's tests",
                ),
            );
        }
    }
}

/// Whether the image's programs are built with cgo: `CGO_ENABLED=1`, or unset while the
/// build stage installs a C toolchain (Go enables cgo when it finds a C compiler).
fn uses_cgo(converter: &Converter<'_>) -> bool {
    let builds = converter
        .programs
        .builds
        .iter()
        .filter(|build| converter.programs.used_builds.contains(&build.site));
    let mut unset = false;
    for build in builds {
        match build.command.env.get("CGO_ENABLED").map(String::as_str) {
            Some("1") => return true,
            None => unset = true,
            Some(_) => {}
        }
    }
    unset
        && converter.programs.build_stages.iter().any(|&index| {
            converter.stages[index]
                .steps
                .iter()
                .any(|step| match &step.kind {
                    StepKind::Run { commands } => commands.iter().any(|command| {
                        packages::installed(&command.words).is_some_and(|(alpine, names)| {
                            names
                                .iter()
                                .any(|name| packages::fate(name, alpine) == Fate::Toolchain)
                        })
                    }),
                    _ => false,
                })
        })
}

impl Converter<'_> {
    /// The builder's `FROM`: `go:` when go.mod does not already ask for that version, or
    /// `builder:` for an image that is not the official golang one.
    fn builder(&mut self, stage: &EvaluatedStage) {
        let image = stage.image.as_str();
        let outcome = match ImageReference::parse(image) {
            Ok(reference) if reference.repository() == GOLANG => self.go_version(&reference),
            Ok(_) if image == "scratch" => Outcome::not_carried(
                "the build stage starts from scratch",
                "gostage builds in a golang image",
            ),
            Ok(_) => {
                self.draft.builder = Some(image.to_string());
                let note = match self.draft.cgo {
                    true => Some("with `build.cgo` it must be Debian-based, with apt-get"),
                    false => None,
                };
                match note {
                    Some(note) => Outcome::mapped_with_note("builder", image, note),
                    None => Outcome::mapped("builder", image),
                }
            }
            Err(problem) => Outcome::not_carried(
                format!("`{image}` {}", problem.message),
                "set `go:` or `builder:` by hand",
            ),
        };
        self.add(stage.line, &stage.text, outcome);
    }

    fn go_version(&mut self, reference: &ImageReference) -> Outcome {
        let after_repository = &reference.normalized[GOLANG.len()..];
        let tag = after_repository
            .split('@')
            .next()
            .unwrap_or_default()
            .trim_start_matches(':');
        let (version, variant) = tag.split_once('-').unwrap_or((tag, ""));
        let version = crate::gomod::major_minor(version);
        let module_minor = self.go_module.and_then(|module| module.go_minor());
        let variant_note = match variant {
            "" | "bookworm" | "bullseye" | "trixie" | "buster" => None,
            other => Some(format!(
                "gostage builds in the Debian-based golang image, not the `-{other}` variant"
            )),
        };
        match (version, module_minor) {
            (None, Some(module)) => Outcome::done(format!(
                "gostage builds in golang:{module}, from go.mod's `go`/`toolchain` line"
            )),
            (None, None) => Outcome::done(
                "gostage picks golang:<version> from go.mod's `go`/`toolchain` line",
            ),
            (Some(version), Some(module)) if version == module => Outcome::done(format!(
                "go.mod asks for Go {module}: gostage builds in golang:{module}{}",
                variant_note
                    .map(|note| format!(" ({note})"))
                    .unwrap_or_default()
            )),
            (Some(version), Some(module))
                if crate::gomod::is_older(&version, &module) == Some(true) =>
            {
                Outcome::done(format!(
                    "go.mod asks for Go {module}, newer than golang:{version}: gostage builds in golang:{module}"
                ))
            }
            (Some(version), _) => {
                self.draft.go = Some(version.clone());
                match variant_note {
                    Some(note) => Outcome::mapped_with_note("go", version, note),
                    None => Outcome::mapped("go", version),
                }
            }
        }
    }

    /// `FROM --platform=…` of a build stage.
    fn build_platform(&mut self, stage: &EvaluatedStage) {
        let platform = stage.platform.clone().unwrap_or_default();
        let outcome = match platform.contains("BUILDPLATFORM") {
            true => Outcome::done(
                "gostage compiles on the build platform and cross-compiles for each target",
            ),
            false => Outcome::not_carried(
                format!("the build stage is pinned to `{platform}`"),
                "nothing: gostage compiles on the build platform for each target platform",
            ),
        };
        self.add(stage.line, &stage.text, outcome);
    }

    /// `COPY`/`ADD` from the build context into a build stage.
    fn build_copy(&mut self, step: &Step) {
        let StepKind::Copy { sources, .. } = &step.kind else {
            return;
        };
        for source in sources.iter().flatten() {
            let name = source.trim_start_matches("./");
            let outcome = if source.contains("://") {
                Outcome::not_carried(
                    format!("`{source}` is downloaded while the Dockerfile builds"),
                    "commit the file to the repository, or fetch it as a Go module",
                )
            } else if matches!(
                name,
                "go.mod" | "go.sum" | "go.work" | "go.work.sum" | "go.*"
            ) {
                Outcome::done("gostage downloads modules from go.mod and go.sum alone, in a layer of its own, before the sources")
            } else {
                Outcome::done("the compile sees the whole build context (less .dockerignore)")
            };
            self.add(step.line, &step.text, outcome);
        }
        if sources.iter().any(Option::is_none) {
            self.add(
                step.line,
                &step.text,
                Outcome::not_carried(
                    "a heredoc file of the build stage",
                    "commit the file to the repository",
                ),
            );
        }
    }

    /// A `RUN` of a build stage: its flags, then each simple command.
    fn build_run(&mut self, stage: usize, step_index: usize, step: &Step) {
        let (line, text) = (step.line, step.text.as_str());
        for (flag, value) in &step.flags {
            let outcome = match flag.as_str() {
                "mount" => {
                    let options = mount_options(value);
                    match options.get("type").map(String::as_str).unwrap_or("bind") {
                        "cache" => Outcome::done(
                            "Go's build cache and module cache are BuildKit cache mounts in every gostage build",
                        ),
                        "tmpfs" => Outcome::done("gostage's compile needs no tmpfs"),
                        "secret" => Outcome::not_carried(
                            "a secret of the build stage",
                            "private modules over HTTPS: `--secret id=netrc,src=$HOME/.netrc` (docs/private-modules.md)",
                        ),
                        "ssh" => Outcome::not_carried(
                            "an SSH agent of the build stage",
                            "private modules over SSH: `modules.ssh` and `--ssh default` (docs/private-modules.md)",
                        ),
                        _ if options.contains_key("from") => Outcome::not_carried(
                            "it mounts another stage or image",
                            "set `builder:` to an image that has it",
                        ),
                        _ => Outcome::done("the compile sees the whole build context (less .dockerignore)"),
                    }
                }
                "network" if value == "none" => Outcome::done("gostage compiles without network"),
                _ => Outcome::not_carried(
                    format!("`--{flag}={value}` applies to the build stage"),
                    "nothing",
                ),
            };
            self.add(line, text, outcome);
        }
        let StepKind::Run { commands } = &step.kind else {
            return;
        };
        for (command_index, command) in commands.iter().enumerate() {
            let site = Site {
                stage,
                step: step_index,
                command: command_index,
            };
            if let Some(go) = go_command::parse(&command.words) {
                self.go_subcommand(line, text, site, &go);
                continue;
            }
            if let Some((alpine, names)) = packages::installed(&command.words) {
                for name in names {
                    let outcome = self.build_package(&name, alpine);
                    self.add(line, text, outcome);
                }
                continue;
            }
            let program = command
                .words
                .first()
                .map(|word| super::programs::file_name(word).to_string())
                .unwrap_or_default();
            let outcome = match program.as_str() {
                "adduser" | "useradd" | "addgroup" | "groupadd" => Outcome::done(
                    "gostage writes /etc/passwd and /etc/group with its non-root user `nonroot` (65532)",
                ),
                "update-ca-certificates" => {
                    Outcome::done("gostage puts the builder's CA bundle into the image")
                }
                "upx" => Outcome::not_carried(
                    "gostage does not compress binaries",
                    "nothing: a compressed binary starts slower and scanners cannot read it",
                ),
                "git" => Outcome::not_carried(
                    "git settings of the build stage",
                    "private modules: `modules.ssh`, or a netrc secret (docs/private-modules.md)",
                ),
                "golangci-lint" | "staticcheck" | "gosec" | "govulncheck" | "revive" => {
                    Outcome::not_carried(
                        format!("`{program}` checks the code, which is not part of the image"),
                        "run it in CI",
                    )
                }
                _ if command.words.iter().any(|word| word.contains("passwd")) => Outcome::done(
                    "gostage writes /etc/passwd and /etc/group with its non-root user `nonroot` (65532)",
                ),
                "set" | "echo" | "printf" | "true" | "mkdir" | "ls" | "cat" | "rm" | "chmod"
                | "chown" | "cp" | "mv" | "touch" | "which" | "apk" | "apt-get" | "apt"
                | "ln" | "test" | "[" => continue,
                _ => Outcome::not_carried(
                    format!("`{}` runs in the build stage, which gostage replaces", command.words.join(" ")),
                    "generate what it makes before the build and commit it, or set `builder:` to an image that does it",
                ),
            };
            self.add(line, text, outcome);
        }
        if !self.report.contains_key(&line) {
            self.add(
                line,
                text,
                Outcome::done("nothing to carry over: housekeeping of the build stage"),
            );
        }
    }

    fn go_subcommand(&mut self, line: u32, text: &str, site: Site, go: &go_command::GoCommand) {
        let outcome = match go.subcommand.as_str() {
            "build" | "install" => {
                if let Some(build) = self
                    .programs
                    .builds
                    .iter()
                    .find(|build| build.site == site)
                    .filter(|build| self.programs.used_builds.contains(&build.site))
                    .cloned()
                {
                    self.go_build(line, text, &build);
                    return;
                }
                match go.packages.iter().find(|package| package.contains('@')) {
                    Some(tool) => Outcome::not_carried(
                        format!("`go install {tool}` installs a tool into the build stage"),
                        "generate what the tool makes before the build and commit it, or set `builder:` to an image that has it",
                    ),
                    None => Outcome::not_carried(
                        "its output is not copied into the image",
                        "nothing; list it under `binaries:` if the image needs it",
                    ),
                }
            }
            "mod download" | "mod verify" | "get" => Outcome::done(
                "gostage downloads and verifies the modules from go.mod and go.sum in a step of its own, before the sources",
            ),
            "mod tidy" => Outcome::not_carried(
                "tidying go.mod in the build hides an untidy go.mod",
                "run `go mod tidy` and commit go.mod and go.sum",
            ),
            "mod vendor" => Outcome::not_carried(
                "vendoring in the build",
                "run `go mod vendor` and commit vendor/, or let gostage download the modules",
            ),
            "test" => {
                self.go_test(line, text, go);
                return;
            }
            "generate" => Outcome::not_carried(
                "`go generate` runs in the build stage",
                "run `go generate ./...` and commit what it writes",
            ),
            "vet" => Outcome::not_carried(
                "`go vet` checks the code, which is not part of the image",
                "run it in CI",
            ),
            "env" | "version" => return,
            other => Outcome::not_carried(
                format!("`go {other}` runs in the build stage"),
                "nothing",
            ),
        };
        self.add(line, text, outcome);
    }

    fn build_package(&mut self, name: &str, alpine: bool) -> Outcome {
        match packages::fate(name, alpine) {
            Fate::Toolchain if self.draft.cgo => Outcome::done(format!(
                "`{name}`: the golang builder has gcc, libc6-dev, make and pkg-config"
            )),
            Fate::Toolchain => Outcome::done(format!(
                "`{name}`: gostage compiles without cgo, which needs no C toolchain"
            )),
            Fate::Provided(what) => Outcome::done(format!("`{name}`: {what}")),
            Fate::StaticLibrary => Outcome::done(format!(
                "`{name}`: Debian's -dev packages have the static libraries gostage links with"
            )),
            Fate::Library(debian) if self.draft.cgo => {
                let fragment = format!(
                    "build:\n  cgo: true\n  packages: [{}]\n",
                    super::draft::scalar(&debian)
                );
                if !super::accepted(&fragment) {
                    return Outcome::not_carried(
                        format!("`{debian}` is not a Debian package name gostage accepts"),
                        "add the library's Debian -dev package to `build.packages`",
                    );
                }
                if !self.draft.packages.contains(&debian) {
                    self.draft.packages.push(debian.clone());
                }
                match debian == name {
                    true => Outcome::mapped("build.packages", debian),
                    false => Outcome::mapped_with_note(
                        "build.packages",
                        debian,
                        format!("Debian's name for Alpine's `{name}`"),
                    ),
                }
            }
            Fate::Library(_) => Outcome::not_carried(
                format!("`{name}` is a C library, and the program is compiled without cgo"),
                "nothing; with `build.cgo: true` list it under `build.packages`",
            ),
            Fate::Unknown => Outcome::not_carried(
                format!("`{name}` has no known Debian package gostage could install for cgo"),
                "if the C code needs it, add its Debian -dev package to `build.packages`; if it is a tool, generate what it makes before the build",
            ),
        }
    }
}
