//! A Dockerfile read with parse-dockerfile, as the converter's own small model: each
//! instruction with its 1-based line, its first line as written, its flags and its
//! arguments not yet expanded.
//!
//! parse-dockerfile (taiki-e/parse-dockerfile) follows BuildKit's parser
//! (`frontend/dockerfile/parser` in moby/buildkit): parser directives (`# syntax=`,
//! `# escape=`, `# check=`), escaped line breaks, heredocs (`RUN <<EOF`, `COPY <<EOF`), exec
//! and shell forms. It leaves quotes and variables as written; [`super::words`] handles them.

use parse_dockerfile::{Command, Flag, HealthcheckArguments, Instruction as Parsed, Source};

use super::ConvertError;

/// A parsed Dockerfile.
#[derive(Debug)]
pub(super) struct Dockerfile {
    /// Parser directives (`syntax`, `escape`, `check`) with their lines.
    pub directives: Vec<Directive>,
    /// The escape character (`\`, or the `# escape=` directive's).
    pub escape: char,
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<Instruction>,
    /// The stages, in order.
    pub stages: Vec<Stage>,
}

/// A parser directive (`# syntax=docker/dockerfile:1`).
#[derive(Debug)]
pub(super) struct Directive {
    pub line: u32,
    pub name: &'static str,
    pub value: String,
}

/// A stage: its `FROM` and what follows up to the next `FROM`.
#[derive(Debug)]
pub(super) struct Stage {
    /// The `FROM` instruction itself (its kind is [`Kind::From`]).
    pub from: Instruction,
    pub instructions: Vec<Instruction>,
}

/// One instruction.
#[derive(Debug)]
pub(super) struct Instruction {
    /// 1-based line of its keyword.
    pub line: u32,
    /// Its first line as written, trimmed (`RUN go build \`).
    pub text: String,
    /// `--name=value` flags, in order (`--mount`, `--from`, `--chmod`, `--platform`, …).
    pub flags: Vec<(String, String)>,
    pub kind: Kind,
}

impl Instruction {
    /// The last value of flag `name`.
    pub fn flag(&self, name: &str) -> Option<&str> {
        last_flag(&self.flags, name)
    }
}

/// The last value of flag `name` among `flags` (`--name=value`, in order): BuildKit's
/// Dockerfile parser lets a repeated flag's last value win.
pub(super) fn last_flag<'a>(flags: &'a [(String, String)], name: &str) -> Option<&'a str> {
    flags
        .iter()
        .rev()
        .find(|(flag, _)| flag == name)
        .map(|(_, value)| value.as_str())
}

/// A command in exec form (a JSON array, not expanded) or shell form (escaped line breaks
/// joined).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum CommandForm {
    Exec(Vec<String>),
    Shell(String),
}

/// What an instruction says, arguments as written.
#[derive(Debug)]
pub(super) enum Kind {
    From {
        image: String,
        name: Option<String>,
    },
    /// `ARG`: its text (`NAME[=value] …`).
    Arg(String),
    /// `ENV`: its text (`A=1 B=2`, or the old `NAME value`).
    Env(String),
    /// `LABEL`: its text (`a=b "c d"=e`).
    Label(String),
    Run {
        command: CommandForm,
        /// Heredoc bodies, in order.
        heredocs: Vec<String>,
    },
    /// `COPY` or `ADD` (`add`).
    Copy {
        add: bool,
        /// Sources as written; a heredoc source is `None`.
        sources: Vec<Option<String>>,
        destination: String,
    },
    Cmd(CommandForm),
    Entrypoint(CommandForm),
    Expose(Vec<String>),
    User(String),
    Workdir(String),
    /// `HEALTHCHECK [flags] CMD …`, or `HEALTHCHECK NONE` (`None`).
    Healthcheck(Option<CommandForm>),
    Maintainer(String),
    /// `VOLUME`, `STOPSIGNAL`, `SHELL`, `ONBUILD`: nothing in gostage.yaml holds them.
    Unsupported,
}

/// Reads `text`.
///
/// Errors: [`ConvertError::Syntax`] at the line and column parse-dockerfile reports, and
/// [`ConvertError::NoStage`] for a Dockerfile without `FROM`.
pub(super) fn read(text: &str) -> Result<Dockerfile, ConvertError> {
    let parsed = parse_dockerfile::parse(text).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        let message = error.to_string();
        // parse-dockerfile reports a file without `FROM` at line 0.
        if line == 0 && message.contains("FROM") {
            return ConvertError::NoStage;
        }
        // The crate's message ends with its own position, which the error carries already.
        let suffix = format!(" at line {line} column {column}");
        ConvertError::Syntax {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            message: message
                .strip_suffix(&suffix)
                .unwrap_or(&message)
                .to_string(),
        }
    })?;
    let lines = LineIndex::new(text);
    let escape = parsed
        .parser_directives
        .escape
        .as_ref()
        .map_or('\\', |directive| directive.value.value);
    let mut directives = Vec::new();
    let directive_line = |span: std::ops::Range<usize>| lines.line(span.start);
    if let Some(syntax) = &parsed.parser_directives.syntax {
        directives.push(Directive {
            line: directive_line(syntax.span()),
            name: "syntax",
            value: syntax.value.value.to_string(),
        });
    }
    if let Some(directive) = &parsed.parser_directives.escape {
        directives.push(Directive {
            line: directive_line(directive.span()),
            name: "escape",
            value: directive.value.value.to_string(),
        });
    }
    if let Some(check) = &parsed.parser_directives.check {
        directives.push(Directive {
            line: directive_line(check.span()),
            name: "check",
            value: check.value.value.to_string(),
        });
    }

    let mut global_args = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    for parsed in &parsed.instructions {
        let instruction = convert(parsed, text, &lines, escape);
        match (&instruction.kind, stages.last_mut()) {
            (Kind::From { .. }, _) => stages.push(Stage {
                from: instruction,
                instructions: Vec::new(),
            }),
            (_, Some(stage)) => stage.instructions.push(instruction),
            (_, None) => global_args.push(instruction),
        }
    }
    if stages.is_empty() {
        return Err(ConvertError::NoStage);
    }
    Ok(Dockerfile {
        directives,
        escape,
        global_args,
        stages,
    })
}

/// Byte offsets → 1-based lines.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .map(|(offset, _)| offset + 1),
        );
        Self { starts }
    }

    fn line(&self, offset: usize) -> u32 {
        let index = self.starts.partition_point(|start| *start <= offset);
        u32::try_from(index).unwrap_or(u32::MAX)
    }
}

fn flags(flags: &[Flag<'_>]) -> Vec<(String, String)> {
    flags
        .iter()
        .map(|flag| {
            (
                flag.name.value.to_string(),
                flag.value
                    .as_ref()
                    .map(|value| value.value.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn command(command: &Command<'_>, escape: char) -> CommandForm {
    match command {
        Command::Exec(words) => CommandForm::Exec(
            words
                .value
                .iter()
                .map(|word| word.value.to_string())
                .collect(),
        ),
        Command::Shell(text) => {
            CommandForm::Shell(super::words::join_continued_lines(text.value, escape))
        }
        // `Command` is non-exhaustive; a form a later release adds carries no command here.
        _ => CommandForm::Exec(Vec::new()),
    }
}

fn convert(parsed: &Parsed<'_>, text: &str, lines: &LineIndex, escape: char) -> Instruction {
    let (keyword_start, flag_list, kind) = match parsed {
        Parsed::From(from) => (
            from.from.span.start,
            flags(&from.options),
            Kind::From {
                image: from.image.value.to_string(),
                name: from.as_.as_ref().map(|(_, name)| name.value.to_string()),
            },
        ),
        Parsed::Arg(arg) => (
            arg.arg.span.start,
            Vec::new(),
            Kind::Arg(arg.arguments.value.to_string()),
        ),
        Parsed::Env(env) => (
            env.env.span.start,
            Vec::new(),
            Kind::Env(env.arguments.value.to_string()),
        ),
        Parsed::Label(label) => (
            label.label.span.start,
            Vec::new(),
            Kind::Label(label.arguments.value.to_string()),
        ),
        Parsed::Run(run) => (
            run.run.span.start,
            flags(&run.options),
            Kind::Run {
                command: command(&run.arguments, escape),
                heredocs: run
                    .here_docs
                    .iter()
                    .map(|heredoc| heredoc.value.to_string())
                    .collect(),
            },
        ),
        Parsed::Copy(copy) => (
            copy.copy.span.start,
            flags(&copy.options),
            Kind::Copy {
                add: false,
                sources: sources(&copy.src),
                destination: copy.dest.value.to_string(),
            },
        ),
        Parsed::Add(add) => (
            add.add.span.start,
            flags(&add.options),
            Kind::Copy {
                add: true,
                sources: sources(&add.src),
                destination: add.dest.value.to_string(),
            },
        ),
        Parsed::Cmd(cmd) => (
            cmd.cmd.span.start,
            Vec::new(),
            Kind::Cmd(command(&cmd.arguments, escape)),
        ),
        Parsed::Entrypoint(entrypoint) => (
            entrypoint.entrypoint.span.start,
            Vec::new(),
            Kind::Entrypoint(command(&entrypoint.arguments, escape)),
        ),
        Parsed::Expose(expose) => (
            expose.expose.span.start,
            Vec::new(),
            Kind::Expose(
                expose
                    .arguments
                    .iter()
                    .map(|port| port.value.to_string())
                    .collect(),
            ),
        ),
        Parsed::User(user) => (
            user.user.span.start,
            Vec::new(),
            Kind::User(user.arguments.value.to_string()),
        ),
        Parsed::Workdir(workdir) => (
            workdir.workdir.span.start,
            Vec::new(),
            Kind::Workdir(workdir.arguments.value.to_string()),
        ),
        Parsed::Healthcheck(healthcheck) => (
            healthcheck.healthcheck.span.start,
            flags(&healthcheck.options),
            Kind::Healthcheck(match &healthcheck.arguments {
                HealthcheckArguments::Cmd { arguments, .. } => Some(command(arguments, escape)),
                _ => None,
            }),
        ),
        Parsed::Maintainer(maintainer) => (
            maintainer.maintainer.span.start,
            Vec::new(),
            Kind::Maintainer(maintainer.name.value.to_string()),
        ),
        Parsed::Volume(volume) => (volume.volume.span.start, Vec::new(), Kind::Unsupported),
        Parsed::Stopsignal(stopsignal) => (
            stopsignal.stopsignal.span.start,
            Vec::new(),
            Kind::Unsupported,
        ),
        Parsed::Shell(shell) => (shell.shell.span.start, Vec::new(), Kind::Unsupported),
        Parsed::Onbuild(onbuild) => (onbuild.onbuild.span.start, Vec::new(), Kind::Unsupported),
        // `Instruction` is non-exhaustive: a keyword a later release adds is reported as one
        // gostage.yaml has no key for.
        _ => (first_keyword_start(text), Vec::new(), Kind::Unsupported),
    };
    let line = lines.line(keyword_start);
    let first_line = text[keyword_start..]
        .split('\n')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    Instruction {
        line,
        text: first_line,
        flags: flag_list,
        kind,
    }
}

/// Where the text's first non-blank character is (only for an instruction kind this module
/// does not know, which has no span it can read).
fn first_keyword_start(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

fn sources(sources: &[Source<'_>]) -> Vec<Option<String>> {
    sources
        .iter()
        .map(|source| match source {
            Source::Path(path) => Some(path.value.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_directives_flags_and_heredocs() {
        let text = "# syntax=docker/dockerfile:1\nARG GO=1.22\nFROM --platform=$BUILDPLATFORM golang:${GO} AS build\nRUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build \\\n    -o /app .\nRUN <<EOF\ngo vet ./...\nEOF\nFROM scratch\nCOPY --from=build --chmod=755 /app /app\n";
        let dockerfile = read(text).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(dockerfile.directives[0].line, 1);
        assert_eq!(dockerfile.directives[0].value, "docker/dockerfile:1");
        assert_eq!(dockerfile.global_args[0].line, 2);
        assert_eq!(dockerfile.stages.len(), 2);
        let build = &dockerfile.stages[0];
        assert_eq!(build.from.line, 3);
        assert_eq!(build.from.flag("platform"), Some("$BUILDPLATFORM"));
        let Kind::Run { command, .. } = &build.instructions[0].kind else {
            panic!("{:?}", build.instructions[0]);
        };
        assert_eq!(
            *command,
            CommandForm::Shell("go build     -o /app .".into())
        );
        assert_eq!(build.instructions[0].line, 4);
        assert_eq!(
            build.instructions[0].text,
            "RUN --mount=type=cache,target=/root/.cache/go-build \\"
        );
        let Kind::Run { heredocs, .. } = &build.instructions[1].kind else {
            panic!("{:?}", build.instructions[1]);
        };
        assert_eq!(heredocs, &["go vet ./...\n".to_string()]);
        let copy = &dockerfile.stages[1].instructions[0];
        assert_eq!((copy.line, copy.flag("chmod")), (11, Some("755")));
    }

    #[test]
    fn syntax_errors_carry_their_position() {
        let error = read("FROM golang\nFOO bar\n").err();
        assert!(
            matches!(
                &error,
                Some(ConvertError::Syntax { line: 2, column: 1, message }) if message == "unknown instruction 'FOO'"
            ),
            "{error:?}"
        );
        assert!(matches!(
            read("# just a comment\n"),
            Err(ConvertError::NoStage)
        ));
    }
}
