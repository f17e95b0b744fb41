//! The `go build` that makes a program of the image, flag by flag: `main`/`binaries`,
//! `build.ldflags`, `build.tags`, `build.env` (GOFLAGS), and what gostage does anyway; the
//! build environment (`ENV` and inline assignments); and `go test` → `test:`.

use super::draft::DraftBinary;
use super::evaluate::Template;
use super::go_command::{self, GoCommand};
use super::programs::Build;
use super::{Converter, Outcome};

/// What a `go build` variable named `name` (`main.version`) most likely holds, by its name.
fn template_of_variable(name: &str) -> Option<Template> {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    if last.contains("version") || last == "tag" || last == "release" {
        Some(Template::Version)
    } else if ["commit", "revision", "sha", "hash", "gitref"]
        .iter()
        .any(|word| last.contains(word))
    {
        Some(Template::Commit)
    } else {
        None
    }
}

fn is_unresolved(value: &str) -> bool {
    value.contains("${") || value.contains("$(") || value.contains('`')
}

impl Converter<'_> {
    /// Reports and maps a `go build`/`go install` whose output the image holds.
    pub(super) fn go_build(&mut self, line: u32, text: &str, build: &Build) {
        let programs: Vec<_> = self
            .programs
            .list
            .iter()
            .filter(|program| program.site == build.site)
            .cloned()
            .collect();
        let several = self.programs.list.len() > 1;
        for program in &programs {
            let mut notes = Vec::new();
            if program.named {
                notes.push(format!(
                    "named `{}` as in the Dockerfile's image; gostage installs it at /usr/local/bin/{}",
                    program.installed, program.installed
                ));
            }
            notes.extend(program.note.clone());
            let outcome = match several {
                true => {
                    let value = match program.named {
                        true => format!("{{main: {}, name: {}}}", program.main, program.installed),
                        false => format!("{{main: {}}}", program.main),
                    };
                    (String::from("binaries"), value)
                }
                false => ("main".to_string(), program.main.clone()),
            };
            let outcome = match notes.is_empty() {
                true => Outcome::mapped(&outcome.0, outcome.1),
                false => Outcome::mapped_with_note(&outcome.0, outcome.1, notes.join("; ")),
            };
            self.add(line, text, outcome);
        }
        for (name, value) in &build.command.assignments {
            let outcome = self.build_env_outcome(name, value);
            self.add(line, text, outcome);
        }
        if !build.command.env.contains_key("CGO_ENABLED") {
            let outcome = match self.draft.cgo {
                true => Outcome::mapped_with_note(
                    "build.cgo",
                    "true",
                    "CGO_ENABLED is not set and the build stage installs a C toolchain",
                ),
                false => Outcome::done(
                    "gostage compiles with CGO_ENABLED=0 unless `build.cgo: true`: a static binary",
                ),
            };
            self.add(line, text, outcome);
        }
        self.go_flags(line, text, &build.go);
    }

    fn go_flags(&mut self, line: u32, text: &str, go: &GoCommand) {
        for (name, value) in &go.flags {
            let value = value.clone().unwrap_or_default();
            let outcome = match name.as_str() {
                "o" => Outcome::done("gostage installs each program at /usr/local/bin/<name>"),
                "ldflags" => {
                    self.ldflags(line, text, &value);
                    continue;
                }
                "tags" => {
                    for tag in go.tags() {
                        let outcome = match tag.as_str() {
                            "netgo" | "osusergo" => Outcome::done(format!(
                                "`{tag}`: gostage adds netgo and osusergo when it links cgo statically, and without cgo Go's own resolver and user lookup are used anyway"
                            )),
                            _ if super::accepted(&format!("build:\n  tags: [{}]\n", super::draft::scalar(&tag))) => {
                                if !self.draft.tags.contains(&tag) {
                                    self.draft.tags.push(tag.clone());
                                }
                                Outcome::mapped("build.tags", tag)
                            }
                            _ => Outcome::not_carried(
                                format!("`{tag}` is not a build tag gostage accepts"),
                                "write the tag into build.tags by hand",
                            ),
                        };
                        self.add(line, text, outcome);
                    }
                    continue;
                }
                "trimpath" => Outcome::done("gostage always builds with -trimpath"),
                "buildvcs" => Outcome::done(
                    "gostage builds with -buildvcs=false: the build context has no .git",
                ),
                "a" => Outcome::not_carried(
                    "-a rebuilds every package, which BuildKit's cache mounts make unnecessary",
                    "nothing",
                ),
                "v" | "x" | "n" | "work" => Outcome::not_carried(
                    format!("-{name} only changes what the compile prints"),
                    "nothing",
                ),
                "race" => Outcome::not_carried(
                    "a binary with the race detector is for tests",
                    "run the tests with `--target test` and `test.flags: [-race]` with `build.cgo: true`",
                ),
                "mod" if value == "vendor" => Outcome::done(
                    "Go builds from vendor/ when the module has one",
                ),
                "C" => Outcome::not_carried(
                    "-C changes the directory before the build",
                    "write `main:` relative to go.mod's directory",
                ),
                _ => {
                    let flag = match value.is_empty() {
                        true => format!("-{name}"),
                        false => format!("-{name}={value}"),
                    };
                    self.goflags(flag)
                }
            };
            self.add(line, text, outcome);
        }
    }

    /// A `go build` flag gostage does not pass itself, through `build.env.GOFLAGS`.
    fn goflags(&mut self, flag: String) -> Outcome {
        if flag.chars().any(char::is_whitespace) {
            return Outcome::not_carried(
                format!("`{flag}` has spaces, which GOFLAGS cannot carry"),
                "pass the flag through `build.env: {GOFLAGS: …}` without spaces, or drop it",
            );
        }
        let goflags = self.draft.build_env.entry("GOFLAGS".into()).or_default();
        if !goflags.split(' ').any(|known| known == flag) {
            if !goflags.is_empty() {
                goflags.push(' ');
            }
            goflags.push_str(&flag);
        }
        Outcome::mapped("build.env.GOFLAGS", flag)
    }

    fn ldflags(&mut self, line: u32, text: &str, value: &str) {
        let arguments = go_command::split_ldflags(value);
        let mut index = 0;
        while let Some(argument) = arguments.get(index) {
            index += 1;
            let outcome = match argument.as_str() {
                "-s" | "-w" => Outcome::done(format!(
                    "`{argument}`: gostage always links with -s -w (no symbol table, no DWARF)"
                )),
                "-X" => {
                    let Some(assignment) = arguments.get(index) else {
                        continue;
                    };
                    index += 1;
                    self.variable(assignment)
                }
                "-extldflags" | "-linkmode" => {
                    index += 1;
                    Outcome::done(
                        "static linking: with `build.cgo: true` on scratch or distroless gostage links statically (-linkmode external -extldflags \"-static\"), and without cgo the binary is static anyway",
                    )
                }
                _ if argument.starts_with("-buildid") => {
                    Outcome::done("gostage links with -buildid= (reproducible binaries)")
                }
                _ if argument.starts_with("-X=") => self.variable(&argument[3..]),
                _ if argument.starts_with("-extldflags=") || argument.starts_with("-linkmode=") => {
                    Outcome::done(
                        "static linking: with `build.cgo: true` on scratch or distroless gostage links statically, and without cgo the binary is static anyway",
                    )
                }
                _ => self.ldflags_entry(argument.clone(), None),
            };
            self.add(line, text, outcome);
        }
    }

    fn ldflags_entry(&mut self, entry: String, note: Option<String>) -> Outcome {
        if !self.draft.ldflags.contains(&entry) {
            self.draft.ldflags.push(entry.clone());
        }
        match note {
            Some(note) => Outcome::mapped_with_note("build.ldflags", entry, note),
            None => Outcome::mapped("build.ldflags", entry),
        }
    }

    /// `-X importpath.name=value`.
    fn variable(&mut self, assignment: &str) -> Outcome {
        let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
        // Spaces inside `{{ .Version }}` are the template's; gostage replaces it whole.
        let has_spaces = |value: &str| {
            let bare = value
                .replace(Template::Version.text(), "")
                .replace(Template::Commit.text(), "");
            bare.chars().any(char::is_whitespace)
        };
        let entry = |value: &str| match has_spaces(value) {
            true => format!("-X '{name}={value}'"),
            false => format!("-X {name}={value}"),
        };
        if !is_unresolved(value) {
            return self.ldflags_entry(entry(value), None);
        }
        match template_of_variable(name) {
            Some(template) => {
                self.ldflags_entry(
                    entry(template.text()),
                    Some(format!(
                        "was `{value}`, computed while the Dockerfile builds; pass it as `--build-arg {}=…`",
                        template.build_arg()
                    )),
                )
            }
            None => Outcome::not_carried(
                format!("`-X {name}={value}` is computed while the Dockerfile builds, and gostage fills only {{{{ .Version }}}} and {{{{ .Commit }}}}"),
                "pass the value as VERSION or COMMIT, or drop it (a build date makes every build different)",
            ),
        }
    }

    /// What becomes of environment variable `name` set for the build (`ENV` of a build stage,
    /// or an assignment before `go build`).
    pub(super) fn build_env_outcome(&mut self, name: &str, value: &str) -> Outcome {
        let from_target = value.contains("TARGET");
        match name {
            "CGO_ENABLED" if value == "1" => {
                self.draft.cgo = true;
                Outcome::mapped("build.cgo", "true")
            }
            "CGO_ENABLED" => Outcome::done(
                "gostage compiles with CGO_ENABLED=0 unless `build.cgo: true`: a static binary",
            ),
            "GOOS" if from_target || value == "linux" => {
                Outcome::done("gostage sets GOOS, GOARCH and GOARM from each target platform")
            }
            "GOARCH" | "GOARM" | "GOAMD64" | "GOARM64" | "GO386" if from_target => {
                Outcome::done("gostage sets GOOS, GOARCH and GOARM from each target platform")
            }
            "GOARCH" => {
                let platform = format!("linux/{value}");
                if super::accepted(&format!("platforms: [{}]\n", super::draft::scalar(&platform))) {
                    if !self.draft.platforms.contains(&platform) {
                        self.draft.platforms.push(platform.clone());
                    }
                    Outcome::mapped("platforms", platform)
                } else {
                    Outcome::not_carried(
                        format!("GOARCH={value} is not a platform gostage builds for"),
                        "list the platforms under `platforms:`",
                    )
                }
            }
            "GOOS" | "GOARM" => Outcome::not_carried(
                format!("{name}={value} is fixed in the Dockerfile"),
                "gostage builds Linux images for each target platform: list them under `platforms:` (`linux/arm/v7`)",
            ),
            "GO111MODULE" => Outcome::done("Go builds in module mode"),
            "GOPATH" | "GOCACHE" | "GOMODCACHE" => Outcome::done(
                "gostage keeps Go's build and module caches in BuildKit cache mounts",
            ),
            "GOTOOLCHAIN" => Outcome::done("gostage builds with the builder image's Go"),
            "GOFLAGS" => {
                for flag in value.split_whitespace() {
                    let outcome = self.goflags(flag.to_string());
                    if let Outcome::NotCarried { .. } = outcome {
                        return outcome;
                    }
                }
                Outcome::mapped("build.env.GOFLAGS", value)
            }
            "CC" | "CXX" if self.draft.cgo => Outcome::done(
                "gostage sets the C compiler for each target platform (a Debian cross compiler for another architecture)",
            ),
            _ if crate::vocabulary::GO_ENVIRONMENT_BUILD_ARGS.contains(&name) => Outcome::not_carried(
                format!("{name} is set in the build stage, which gostage replaces"),
                format!("pass `--build-arg {name}={value}`: gostage gives it to `go mod download` and `go build`"),
            ),
            _ if (name.starts_with("GO") || name.starts_with("CGO_") || name == "PKG_CONFIG_PATH")
                && !is_unresolved(value)
                && super::accepted(&format!(
                    "build:\n  env:\n    {name}: {}\n",
                    super::draft::scalar(value)
                )) =>
            {
                self.draft.build_env.insert(name.to_string(), value.to_string());
                Outcome::mapped(&format!("build.env.{name}"), value)
            }
            _ => Outcome::not_carried(
                format!("`{name}` is set in the build stage, which gostage replaces"),
                "add it to `build.env` if `go build` reads it",
            ),
        }
    }

    /// `go test` → `test.packages` and `test.flags` (the first `go test` of the Dockerfile).
    pub(super) fn go_test(&mut self, line: u32, text: &str, go: &GoCommand) {
        if !self.draft.test_packages.is_empty() || !self.draft.test_flags.is_empty() {
            self.add(
                line,
                text,
                Outcome::not_carried(
                    "gostage runs one `go test`",
                    "merge its packages and flags into `test:`",
                ),
            );
            return;
        }
        let packages: Vec<String> = go.packages.clone();
        match packages.as_slice() {
            [] => {}
            [all] if all == "./..." => self.add(
                line,
                text,
                Outcome::done("`docker build --target test` runs `go test ./...`"),
            ),
            _ => {
                for package in &packages {
                    if !package.starts_with('-') {
                        self.draft.test_packages.push(package.clone());
                    }
                }
                self.add(
                    line,
                    text,
                    Outcome::mapped("test.packages", packages.join(", ")),
                );
            }
        }
        for (name, value) in &go.flags {
            let flag = match value {
                Some(value) => format!("-{name}={value}"),
                None => format!("-{name}"),
            };
            let outcome = if name == "race" {
                Outcome::not_carried(
                    "-race needs cgo",
                    "add `-race` to `test.flags` with `build.cgo: true`",
                )
            } else if super::accepted(&format!(
                "test:\n  flags: [{}]\n",
                super::draft::scalar(&flag)
            )) {
                self.draft.test_flags.push(flag.clone());
                Outcome::mapped("test.flags", flag)
            } else {
                Outcome::not_carried(
                    format!("`{flag}` is not a test flag gostage accepts"),
                    "nothing",
                )
            };
            self.add(line, text, outcome);
        }
    }

    /// The program list as `binaries` (several) or `main` (one).
    pub(super) fn write_binaries(&mut self) {
        self.draft.binaries = self
            .programs
            .list
            .iter()
            .map(|program| DraftBinary {
                main: program.main.clone(),
                name: program.named.then(|| program.installed.clone()),
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_variables_suggest_their_template() {
        assert_eq!(
            template_of_variable("main.version"),
            Some(Template::Version)
        );
        assert_eq!(
            template_of_variable("github.com/acme/app/internal/build.GitCommit"),
            Some(Template::Commit)
        );
        assert_eq!(template_of_variable("main.buildDate"), None);
    }
}
