//! The Dockerfile's stages with their variables applied: each stage's base (another stage or
//! an image), and each instruction with `ARG` and `ENV` expanded where BuildKit expands them,
//! paths made absolute against `WORKDIR`, and `RUN` scripts split into simple commands with
//! the environment each one runs with.
//!
//! Scoping follows the Dockerfile reference ("Scope" under `ARG`; BuildKit
//! `frontend/dockerfile/dockerfile2llb/convert.go`): `ARG`s before the first `FROM` are seen
//! only by `FROM` lines unless a stage declares them again; a stage built `FROM` another
//! stage inherits its `ENV` and `WORKDIR`, not its `ARG`s.

use std::collections::BTreeMap;

use super::dockerfile::{CommandForm, Dockerfile, Instruction, Kind};
use super::words::{self, Token, Variable};

/// Build-args that BuildKit sets for every build from the platforms (Dockerfile reference,
/// "Automatic platform ARGs in the global scope"): gostage sets GOOS and GOARCH from the
/// target platform itself, so they stay unexpanded for the converter to recognise.
pub(super) const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// A value gostage fills in at build time from a build-arg (`{{ .Version }}`,
/// `{{ .Commit }}` in `build.ldflags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Template {
    /// `{{ .Version }}`, from the `VERSION` build-arg.
    Version,
    /// `{{ .Commit }}`, from the `COMMIT` build-arg.
    Commit,
}

impl Template {
    /// The template as `build.ldflags` writes it.
    pub fn text(self) -> &'static str {
        match self {
            Template::Version => "{{ .Version }}",
            Template::Commit => "{{ .Commit }}",
        }
    }

    /// The build-arg gostage reads it from.
    pub fn build_arg(self) -> &'static str {
        match self {
            Template::Version => "VERSION",
            Template::Commit => "COMMIT",
        }
    }

    /// The template a Dockerfile's build-arg of this name stands for, by the names blog posts
    /// and CI templates use for a version or a commit.
    pub fn of_build_arg(name: &str) -> Option<Self> {
        const VERSION: [&str; 7] = [
            "VERSION",
            "APP_VERSION",
            "BUILD_VERSION",
            "RELEASE_VERSION",
            "IMAGE_VERSION",
            "GIT_TAG",
            "SEMVER",
        ];
        const COMMIT: [&str; 10] = [
            "COMMIT",
            "GIT_COMMIT",
            "COMMIT_SHA",
            "GIT_SHA",
            "SHA",
            "REVISION",
            "GIT_REVISION",
            "VCS_REF",
            "SOURCE_COMMIT",
            "GITHUB_SHA",
        ];
        if VERSION.contains(&name) {
            Some(Template::Version)
        } else if COMMIT.contains(&name) {
            Some(Template::Commit)
        } else {
            None
        }
    }
}

/// The evaluated Dockerfile.
#[derive(Debug)]
pub(super) struct Evaluated {
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<Step>,
    pub stages: Vec<EvaluatedStage>,
}

/// A stage with its instructions evaluated.
#[derive(Debug)]
pub(super) struct EvaluatedStage {
    pub index: usize,
    /// `AS name`, lower case as BuildKit compares stage names.
    pub name: Option<String>,
    /// The `FROM` line and its first line as written.
    pub line: u32,
    pub text: String,
    /// The image or stage named by `FROM`, expanded with the global `ARG`s.
    pub image: String,
    /// The earlier stage `FROM` names, if it names one.
    pub parent: Option<usize>,
    /// `FROM --platform=…` as written (`$BUILDPLATFORM`).
    pub platform: Option<String>,
    pub steps: Vec<Step>,
}

/// An instruction, evaluated.
#[derive(Debug)]
pub(super) struct Step {
    pub line: u32,
    /// First line as written.
    pub text: String,
    /// `--name=value` flags (values not expanded, except `--from` in [`StepKind::Copy`]).
    pub flags: Vec<(String, String)>,
    pub kind: StepKind,
}

impl Step {
    /// The values of flag `name`, in order.
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |(flag, _)| flag == name)
            .map(|(_, value)| value.as_str())
    }

    /// The last value of flag `name`.
    pub fn flag(&self, name: &str) -> Option<&str> {
        super::dockerfile::last_flag(&self.flags, name)
    }
}

/// One declared `ARG`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ArgDeclaration {
    pub name: String,
    /// The default as written after `=`, expanded.
    pub default: Option<String>,
}

/// A command the image runs (`CMD`, `ENTRYPOINT`, `HEALTHCHECK CMD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RuntimeCommand {
    /// Exec form: the program and its arguments, as written (Docker expands nothing).
    Exec(Vec<String>),
    /// Shell form, run by `/bin/sh -c`: the text, and its simple commands with the image's
    /// `ENV` expanded.
    Shell {
        text: String,
        commands: Vec<Vec<String>>,
    },
}

/// A simple command of a `RUN` script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ShellCommand {
    /// Program and arguments, expanded, without leading `NAME=value` assignments.
    pub words: Vec<String>,
    /// The environment it runs with: the stage's `ENV` and `ARG`s, what the script exported
    /// before it, and its own assignments.
    pub env: BTreeMap<String, String>,
    /// Its own `NAME=value` assignments and those of `export`s before it in the same script,
    /// in order.
    pub assignments: Vec<(String, String)>,
    /// Its working directory (`WORKDIR`, then `cd`s of the script).
    pub directory: String,
}

/// An instruction's meaning after evaluation.
#[derive(Debug)]
pub(super) enum StepKind {
    Arg(Vec<ArgDeclaration>),
    Env(Vec<(String, String)>),
    Label(Vec<(String, String)>),
    Run {
        /// Its simple commands in order (heredoc scripts included).
        commands: Vec<ShellCommand>,
    },
    Copy {
        add: bool,
        /// `--from`, expanded: a stage name or index, or an image.
        from: Option<String>,
        /// Sources, expanded; a heredoc is `None`.
        sources: Vec<Option<String>>,
        /// Absolute destination.
        destination: String,
        /// Whether the destination is a directory (ends in `/`, or several sources).
        into_directory: bool,
    },
    Cmd(RuntimeCommand),
    Entrypoint(RuntimeCommand),
    Expose(Vec<String>),
    User(String),
    Workdir(String),
    Healthcheck(Option<RuntimeCommand>),
    Maintainer(String),
    Unsupported,
}

/// The scope of one stage: its variables, `ENV`s apart (they reach the image), and `WORKDIR`.
#[derive(Clone, Debug, Default)]
struct Scope {
    /// `ARG`s and `ENV`s, as `RUN` sees them.
    variables: BTreeMap<String, Variable>,
    /// `ENV`s only, as the container sees them.
    env: BTreeMap<String, String>,
    directory: String,
}

impl Scope {
    fn lookup(&self) -> impl Fn(&str) -> Variable + '_ {
        |name| {
            self.variables
                .get(name)
                .cloned()
                .unwrap_or(Variable::Unknown)
        }
    }

    fn values(&self) -> BTreeMap<String, String> {
        self.variables
            .iter()
            .filter_map(|(name, variable)| match variable {
                Variable::Value(value) => Some((name.clone(), value.clone())),
                _ => None,
            })
            .collect()
    }
}

/// Evaluates `dockerfile`.
pub(super) fn evaluate(dockerfile: &Dockerfile) -> Evaluated {
    let escape = dockerfile.escape;
    let mut global = Scope::default();
    let global_args: Vec<Step> = dockerfile
        .global_args
        .iter()
        .map(|instruction| {
            let declarations = match &instruction.kind {
                Kind::Arg(text) => declare(text, escape, &mut global, None),
                _ => Vec::new(),
            };
            Step {
                line: instruction.line,
                text: instruction.text.clone(),
                flags: instruction.flags.clone(),
                kind: StepKind::Arg(declarations),
            }
        })
        .collect();

    let mut stages: Vec<EvaluatedStage> = Vec::new();
    let mut scopes: Vec<Scope> = Vec::new();
    for (index, stage) in dockerfile.stages.iter().enumerate() {
        let Kind::From { image, name } = &stage.from.kind else {
            continue;
        };
        let image = words::word(image, escape, &global.lookup());
        let parent = stage_index(&stages, &image);
        let mut scope = match parent {
            Some(parent) => {
                let inherited = &scopes[parent];
                Scope {
                    variables: inherited
                        .env
                        .iter()
                        .map(|(name, value)| (name.clone(), Variable::Value(value.clone())))
                        .collect(),
                    env: inherited.env.clone(),
                    directory: inherited.directory.clone(),
                }
            }
            None => Scope {
                directory: "/".into(),
                ..Scope::default()
            },
        };
        let steps = stage
            .instructions
            .iter()
            .map(|instruction| step(instruction, escape, &mut scope, &global))
            .collect();
        stages.push(EvaluatedStage {
            index,
            name: name.as_ref().map(|name| name.to_ascii_lowercase()),
            line: stage.from.line,
            text: stage.from.text.clone(),
            image,
            parent,
            platform: stage.from.flag("platform").map(str::to_string),
            steps,
        });
        scopes.push(scope);
    }
    Evaluated {
        global_args,
        stages,
    }
}

/// The index of the earlier stage `reference` names (by name, case-insensitive, or by
/// index), if any.
pub(super) fn stage_index(stages: &[EvaluatedStage], reference: &str) -> Option<usize> {
    let lower = reference.to_ascii_lowercase();
    stages
        .iter()
        .find(|stage| stage.name.as_deref() == Some(lower.as_str()))
        .map(|stage| stage.index)
        .or_else(|| {
            reference
                .parse::<usize>()
                .ok()
                .filter(|index| *index < stages.len())
        })
}

/// Declares the `ARG`s of `text` in `scope`; a declaration without a value takes the global
/// one (`global`), and a version or commit build-arg becomes its template.
fn declare(
    text: &str,
    escape: char,
    scope: &mut Scope,
    global: Option<&Scope>,
) -> Vec<ArgDeclaration> {
    let mut declarations = Vec::new();
    let written_words = words::words(text, escape, &scope.lookup());
    for written in written_words {
        let (name, default) = match written.split_once('=') {
            Some((name, default)) => (name.to_string(), Some(default.to_string())),
            None => (written, None),
        };
        let variable = if PLATFORM_ARGS.contains(&name.as_str()) {
            Variable::Unknown
        } else if let Some(template) = Template::of_build_arg(&name) {
            Variable::Value(template.text().to_string())
        } else {
            match (
                &default,
                global.and_then(|global| global.variables.get(&name)),
            ) {
                (Some(default), _) => Variable::Value(default.clone()),
                (None, Some(inherited)) => inherited.clone(),
                (None, None) => Variable::Declared,
            }
        };
        scope.variables.insert(name.clone(), variable);
        declarations.push(ArgDeclaration { name, default });
    }
    declarations
}

/// `NAME=value` pairs of an `ENV` or `LABEL`, or the old `ENV NAME value` form.
fn pairs(text: &str, escape: char, scope: &Scope, old_form: bool) -> Vec<(String, String)> {
    let lookup = scope.lookup();
    let first = text.split_whitespace().next().unwrap_or_default();
    if old_form && !first.contains('=') {
        let rest = text[first.len()..].trim();
        return vec![(first.to_string(), words::word(rest, escape, &lookup))];
    }
    words::words(text, escape, &lookup)
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (pair, String::new()),
        })
        .collect()
}

fn step(instruction: &Instruction, escape: char, scope: &mut Scope, global: &Scope) -> Step {
    let kind = match &instruction.kind {
        Kind::Arg(text) => StepKind::Arg(declare(text, escape, scope, Some(global))),
        Kind::Env(text) => {
            let pairs = pairs(text, escape, scope, true);
            for (name, value) in &pairs {
                scope
                    .variables
                    .insert(name.clone(), Variable::Value(value.clone()));
                scope.env.insert(name.clone(), value.clone());
            }
            StepKind::Env(pairs)
        }
        Kind::Label(text) => StepKind::Label(pairs(text, escape, scope, false)),
        Kind::Run { command, heredocs } => StepKind::Run {
            commands: run_commands(command, heredocs, escape, scope),
        },
        Kind::Copy {
            add,
            sources,
            destination,
        } => {
            let lookup = scope.lookup();
            let expanded = words::word(destination, escape, &lookup);
            let into_directory = expanded.ends_with('/')
                || expanded == "."
                || sources.len() > 1
                || sources.iter().any(|source| {
                    source
                        .as_deref()
                        .is_some_and(|source| source.contains(['*', '?']))
                });
            StepKind::Copy {
                add: *add,
                from: instruction
                    .flag("from")
                    .map(|from| words::word(from, escape, &lookup)),
                sources: sources
                    .iter()
                    .map(|source| {
                        source
                            .as_deref()
                            .map(|source| words::word(source, escape, &lookup))
                    })
                    .collect(),
                destination: resolve(&scope.directory, &expanded),
                into_directory,
            }
        }
        Kind::Cmd(command) => StepKind::Cmd(runtime(command, escape, scope)),
        Kind::Entrypoint(command) => StepKind::Entrypoint(runtime(command, escape, scope)),
        Kind::Expose(ports) => StepKind::Expose(
            ports
                .iter()
                .flat_map(|port| words::words(port, escape, &scope.lookup()))
                .collect(),
        ),
        Kind::User(user) => StepKind::User(words::word(user, escape, &scope.lookup())),
        Kind::Workdir(directory) => {
            let expanded = words::word(directory, escape, &scope.lookup());
            scope.directory = resolve(&scope.directory, &expanded);
            StepKind::Workdir(scope.directory.clone())
        }
        Kind::Healthcheck(command) => StepKind::Healthcheck(
            command
                .as_ref()
                .map(|command| runtime(command, escape, scope)),
        ),
        Kind::Maintainer(name) => StepKind::Maintainer(name.clone()),
        Kind::From { .. } | Kind::Unsupported => StepKind::Unsupported,
    };
    Step {
        line: instruction.line,
        text: instruction.text.clone(),
        flags: instruction.flags.clone(),
        kind,
    }
}

/// A command the container runs: exec form as written, shell form split with the image's
/// `ENV` (what `/bin/sh` would see at run time).
fn runtime(command: &CommandForm, escape: char, scope: &Scope) -> RuntimeCommand {
    match command {
        CommandForm::Exec(words) => RuntimeCommand::Exec(words.clone()),
        CommandForm::Shell(text) => {
            let lookup = |name: &str| match scope.env.get(name) {
                Some(value) => Variable::Value(value.clone()),
                None => Variable::Unknown,
            };
            RuntimeCommand::Shell {
                text: text.clone(),
                commands: simple_commands(words::shell_tokens(text, escape, &lookup)),
            }
        }
    }
}

fn simple_commands(tokens: Vec<Token>) -> Vec<Vec<String>> {
    let mut commands = vec![Vec::new()];
    for token in tokens {
        match token {
            Token::Word(word) => {
                if let Some(last) = commands.last_mut() {
                    last.push(word);
                }
            }
            Token::Separator => commands.push(Vec::new()),
        }
    }
    commands.retain(|command| !command.is_empty());
    commands
}

/// Shells a script may be handed to (`RUN <<EOF bash`, `RUN ["sh", "-c", "…"]`).
fn is_shell(program: &str) -> bool {
    matches!(
        program.rsplit('/').next().unwrap_or(program),
        "sh" | "bash" | "ash" | "dash"
    )
}

/// The simple commands of a `RUN`: its shell-form script, or a heredoc run as the script
/// (`RUN <<EOF`, `RUN <<EOF bash`), or an exec-form command (`sh -c` scripts included).
fn run_commands(
    command: &CommandForm,
    heredocs: &[String],
    escape: char,
    scope: &Scope,
) -> Vec<ShellCommand> {
    let lookup = scope.lookup();
    let scripts: Vec<Vec<Vec<String>>> = match command {
        CommandForm::Exec(words) => match words.as_slice() {
            [shell, flag, script, ..] if is_shell(shell) && flag.starts_with('-') => {
                vec![simple_commands(words::shell_tokens(
                    script, escape, &lookup,
                ))]
            }
            _ => vec![vec![words.clone()]],
        },
        CommandForm::Shell(text) => {
            let commands = simple_commands(words::shell_tokens(text, escape, &lookup));
            let runs_heredoc = commands.is_empty()
                || commands.len() == 1
                    && commands[0]
                        .first()
                        .is_some_and(|program| is_shell(program) || program.starts_with("<<"));
            if runs_heredoc && !heredocs.is_empty() {
                heredocs
                    .iter()
                    .map(|script| simple_commands(words::shell_tokens(script, escape, &lookup)))
                    .collect()
            } else {
                vec![commands]
            }
        }
    };
    let base_env = scope.values();
    let mut result = Vec::new();
    for script in scripts {
        let mut exported: Vec<(String, String)> = Vec::new();
        let mut directory = scope.directory.clone();
        for mut words in script {
            if words.first().is_some_and(|word| word == "env") {
                words.remove(0);
            }
            let is_export = words.first().is_some_and(|word| word == "export");
            if is_export {
                words.remove(0);
            }
            let assignment_count = words.iter().take_while(|word| is_assignment(word)).count();
            let own: Vec<(String, String)> = words
                .drain(..assignment_count)
                .filter_map(|word| {
                    word.split_once('=')
                        .map(|(name, value)| (name.to_string(), value.to_string()))
                })
                .collect();
            if words.is_empty() || is_export {
                // `NAME=value` alone, or `export NAME=value`: later commands see it.
                exported.extend(own);
                continue;
            }
            if words[0] == "cd" {
                directory = resolve(&directory, words.get(1).map_or("/", String::as_str));
                continue;
            }
            let assignments: Vec<(String, String)> = exported.iter().cloned().chain(own).collect();
            let mut env = base_env.clone();
            env.extend(assignments.iter().cloned());
            result.push(ShellCommand {
                words,
                env,
                assignments,
                directory: directory.clone(),
            });
        }
    }
    result
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        name.starts_with(|first: char| first == '_' || first.is_ascii_alphabetic())
            && name
                .chars()
                .all(|character| character == '_' || character.is_ascii_alphanumeric())
    })
}

/// `path` made absolute against `directory` and normalised (`.`, `..` and doubled `/`
/// removed); a trailing `/` is dropped.
pub(super) fn resolve(directory: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{directory}/{path}")
    };
    let mut kept: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            _ => kept.push(segment),
        }
    }
    format!("/{}", kept.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::dockerfile::read;

    fn evaluated(text: &str) -> Evaluated {
        evaluate(&read(text).unwrap_or_else(|error| panic!("{error}")))
    }

    #[test]
    fn global_args_reach_from_and_redeclared_args() {
        let evaluated = evaluated(
            "ARG GO_VERSION=1.22\nARG PORT=8080\nFROM golang:${GO_VERSION}-alpine AS Build\nARG PORT\nEXPOSE $PORT ${GO_VERSION:-none}\nFROM build\nWORKDIR app\n",
        );
        let build = &evaluated.stages[0];
        assert_eq!(build.image, "golang:1.22-alpine");
        assert_eq!(build.name.as_deref(), Some("build"));
        let StepKind::Expose(ports) = &build.steps[1].kind else {
            panic!("{:?}", build.steps[1]);
        };
        // GO_VERSION is not declared in the stage: as BuildKit, it is not expanded there.
        assert_eq!(
            ports,
            &["8080".to_string(), "${GO_VERSION:-none}".to_string()]
        );
        assert_eq!(evaluated.stages[1].parent, Some(0));
        let StepKind::Workdir(directory) = &evaluated.stages[1].steps[0].kind else {
            panic!();
        };
        assert_eq!(directory, "/app");
    }

    #[test]
    fn run_scripts_become_simple_commands_with_their_environment() {
        let evaluated = evaluated(
            "FROM golang:1.22\nARG VERSION=dev\nARG TARGETARCH\nENV CGO_ENABLED=0\nWORKDIR /src\nRUN export GOFLAGS=-mod=vendor && cd cmd/api && GOARCH=$TARGETARCH go build -ldflags \"-X main.version=${VERSION}\" -o /out/api .\n",
        );
        let StepKind::Run { commands } = &evaluated.stages[0].steps[4].kind else {
            panic!();
        };
        assert_eq!(commands.len(), 1);
        let command = &commands[0];
        assert_eq!(
            command.words,
            [
                "go",
                "build",
                "-ldflags",
                "-X main.version={{ .Version }}",
                "-o",
                "/out/api",
                "."
            ]
        );
        assert_eq!(command.directory, "/src/cmd/api");
        assert_eq!(command.env["CGO_ENABLED"], "0");
        assert_eq!(command.env["GOARCH"], "${TARGETARCH}");
        assert_eq!(
            command.assignments,
            [
                ("GOFLAGS".to_string(), "-mod=vendor".to_string()),
                ("GOARCH".to_string(), "${TARGETARCH}".to_string())
            ]
        );
    }

    #[test]
    fn heredoc_and_exec_form_scripts_are_read() {
        let evaluated = evaluated(
            "FROM golang:1.22\nRUN <<EOF\nset -e\ngo build -o /app .\nEOF\nRUN [\"/bin/sh\", \"-c\", \"go vet ./... && go build -o /b .\"]\n",
        );
        let programs = |index: usize| -> Vec<Vec<String>> {
            let StepKind::Run { commands } = &evaluated.stages[0].steps[index].kind else {
                panic!();
            };
            commands
                .iter()
                .map(|command| command.words.clone())
                .collect()
        };
        assert_eq!(
            programs(0),
            [vec!["set", "-e"], vec!["go", "build", "-o", "/app", "."]]
        );
        assert_eq!(
            programs(1),
            [
                vec!["go", "vet", "./..."],
                vec!["go", "build", "-o", "/b", "."]
            ]
        );
    }

    #[test]
    fn resolves_paths() {
        assert_eq!(resolve("/src", "./out/"), "/src/out");
        assert_eq!(resolve("/src", "/out/app"), "/out/app");
        assert_eq!(resolve("/src/a", "../b/./c"), "/src/b/c");
        assert_eq!(resolve("/", "."), "/");
    }
}
