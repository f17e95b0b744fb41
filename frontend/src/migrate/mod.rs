//! From a Go program's Dockerfile to gostage.yaml: [`convert`] is a pure function from the
//! Dockerfile's text (and go.mod's facts) to the spec's text and a report with one line per
//! instruction: mapped to a key, done by gostage anyway, or not carried over with why and
//! what to do instead.
//!
//! The passes, one file each: `dockerfile` reads the text with the parse-dockerfile crate;
//! `words` removes quotes and expands variables as BuildKit does; `evaluate` applies `ARG`,
//! `ENV` and `WORKDIR` stage by stage and splits `RUN` scripts into simple commands;
//! `programs` finds the `go build` outputs the final stage copies (or refuses a Dockerfile
//! whose image holds none), reading `go` command lines with `go_command`; `build_stage` and
//! `image_stage` decide each instruction's outcome and fill the `draft`, with `go_build`,
//! `packages`, `user` and `healthcheck` for the parts that need more than a line; `report`
//! prints the outcomes.

mod build_stage;
mod dockerfile;
mod draft;
mod evaluate;
mod go_build;
mod go_command;
mod healthcheck;
mod image_stage;
mod packages;
mod programs;
mod report;
mod user;
mod words;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use report::{Outcome, Report, ReportLine};

use crate::gomod::GoModule;
use draft::Draft;
use evaluate::{ArgDeclaration, EvaluatedStage, Template, PLATFORM_ARGS};
use programs::Programs;

/// A converted Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversion {
    /// gostage.yaml's text, starting with the `# syntax=` line; it passes [`crate::spec::parse`].
    pub spec_yaml: String,
    /// One line per parser directive and instruction of the Dockerfile, in file order.
    pub report: Vec<ReportLine>,
}

impl Conversion {
    /// The report as printed for a person ([`Report`]).
    pub fn report_text(&self) -> String {
        Report(&self.report).to_string()
    }
}

/// Why a Dockerfile was not converted. Lines and columns are 1-based; [`ConvertError::render`]
/// puts the file name in front (`Dockerfile:3:1: …`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConvertError {
    /// The Dockerfile does not parse (parse-dockerfile's message).
    #[error("line {line}, column {column}: {message}; fix the Dockerfile so that `docker build` reads it")]
    Syntax {
        /// Line of the problem.
        line: u32,
        /// Column of the problem.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The Dockerfile has no `FROM`.
    #[error("line 1, column 1: the Dockerfile has no `FROM`, so it builds no image")]
    NoStage,
    /// The final stage holds no Go program built in the Dockerfile.
    #[error("line {line}, column 1: {reason}")]
    NoGoProgram {
        /// The final stage's `FROM`, or its command.
        line: u32,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The final stage copies a directory of programs built from a package pattern, and
    /// nothing in the Dockerfile names them.
    #[error("line {line}, column 1: the image gets every program `go build {pattern}` writes, and the Dockerfile names none of them; list each under `binaries:` (`- main: ./cmd/server`)")]
    UnknownPrograms {
        /// The `RUN` with the `go build`.
        line: u32,
        /// The package pattern (`./cmd/...`).
        pattern: String,
    },
    /// The written spec fails gostage's own validation: a bug of the converter.
    #[error("the converted spec does not pass gostage's validation (gostage.yaml:{line}:{column}: {message}); this is a bug in `gostage init --from`, please report it with the Dockerfile")]
    InvalidSpec {
        /// Line in the converted spec.
        line: u32,
        /// Column in the converted spec.
        column: u32,
        /// The validation's message.
        message: String,
    },
}

impl ConvertError {
    /// The error as one line naming `file` (`Dockerfile:3:1: unknown instruction 'FOO'; …`).
    pub fn render(&self, file: &str) -> String {
        let (line, column) = match self {
            ConvertError::Syntax { line, column, .. } => (*line, *column),
            ConvertError::NoStage => (1, 1),
            ConvertError::NoGoProgram { line, .. } | ConvertError::UnknownPrograms { line, .. } => {
                (*line, 1)
            }
            ConvertError::InvalidSpec { .. } => return self.to_string(),
        };
        let text = self.to_string();
        let prefix = format!("line {line}, column {column}: ");
        format!(
            "{file}:{line}:{column}: {}",
            text.strip_prefix(&prefix).unwrap_or(&text)
        )
    }
}

/// Converts `dockerfile` (the Dockerfile's text) into gostage.yaml and a report.
///
/// `go_module` is the module's go.mod when it is known: its `go`/`toolchain` decide whether
/// `go:` is needed, and its module path names binaries built from `.` and resolves package
/// import paths. `frontend_image` is the gostage frontend image the spec's `# syntax=` line
/// names (`myorg/gostage`).
///
/// The final stage is the Dockerfile's last; its programs are the outputs of `go build` (or
/// `go install`) that it copies `--from` another stage or builds itself.
///
/// Errors: see [`ConvertError`]: a Dockerfile that does not parse, has no stage, or whose
/// final stage holds no Go program built in it (a development image running `air`, a
/// one-stage `go run`).
pub fn convert(
    dockerfile: &str,
    go_module: Option<&GoModule>,
    frontend_image: &str,
) -> Result<Conversion, ConvertError> {
    let parsed = dockerfile::read(dockerfile)?;
    let evaluated = evaluate::evaluate(&parsed);
    let programs = programs::find(&evaluated.stages, go_module)?;
    let mut converter = Converter::new(&evaluated.stages, &programs, go_module);

    for directive in &parsed.directives {
        let text = format!("# {}={}", directive.name, directive.value);
        let outcome = match directive.name {
            "syntax" => Outcome::done(format!(
                "gostage.yaml starts with its own `# syntax={frontend_image}` line, which runs gostage"
            )),
            "escape" => Outcome::done("the Dockerfile was read with this escape character; gostage.yaml has none"),
            _ => Outcome::not_carried(
                "BuildKit's Dockerfile checks do not apply to gostage.yaml",
                "run `gostage check`, which has its own rules",
            ),
        };
        converter.add(directive.line, &text, outcome);
    }
    for step in &evaluated.global_args {
        if let evaluate::StepKind::Arg(declarations) = &step.kind {
            for declaration in declarations {
                let outcome = converter.arg_outcome(declaration);
                converter.add(step.line, &step.text, outcome);
            }
        }
    }
    build_stage::convert(&mut converter);
    image_stage::convert(&mut converter);
    for stage in converter.stages {
        let used = converter.programs.build_stages.contains(&stage.index)
            || converter.programs.image_stages.contains(&stage.index);
        if !used {
            build_stage::unused_stage(&mut converter, stage);
        }
    }

    let spec_yaml = converter.draft.yaml(frontend_image);
    if let Err(diagnostic) = crate::spec::parse(spec_yaml.as_bytes()) {
        return Err(ConvertError::InvalidSpec {
            line: diagnostic.span.line,
            column: diagnostic.span.column,
            message: diagnostic.message,
        });
    }
    Ok(Conversion {
        spec_yaml,
        report: converter.report.into_values().collect(),
    })
}

/// Whether gostage's validation accepts spec `fragment` (YAML of top-level keys, without
/// `version:`): the converter checks a value this way before writing it, so that a value it
/// cannot carry is reported instead of making the spec invalid.
fn accepted(fragment: &str) -> bool {
    crate::spec::parse(format!("version: 1\n{fragment}").as_bytes()).is_ok()
}

/// The conversion's state: what is known, the spec so far and the report so far.
struct Converter<'a> {
    stages: &'a [EvaluatedStage],
    programs: &'a Programs,
    go_module: Option<&'a GoModule>,
    draft: Draft,
    report: BTreeMap<u32, ReportLine>,
}

impl<'a> Converter<'a> {
    fn new(
        stages: &'a [EvaluatedStage],
        programs: &'a Programs,
        go_module: Option<&'a GoModule>,
    ) -> Self {
        Self {
            stages,
            programs,
            go_module,
            draft: Draft::default(),
            report: BTreeMap::new(),
        }
    }

    /// Adds `outcome` to the report line of the instruction at `line`.
    fn add(&mut self, line: u32, text: &str, outcome: Outcome) {
        let entry = self.report.entry(line).or_insert_with(|| ReportLine {
            line,
            instruction: text.to_string(),
            outcomes: Vec::new(),
        });
        if !entry.outcomes.contains(&outcome) {
            entry.outcomes.push(outcome);
        }
    }

    /// What became of a declared `ARG`: gostage's own build-args, the platform ones, and the
    /// rest, which gostage.yaml has no place for.
    fn arg_outcome(&self, declaration: &ArgDeclaration) -> Outcome {
        let name = declaration.name.as_str();
        if PLATFORM_ARGS.contains(&name) {
            return Outcome::done(format!(
                "BuildKit's `{name}` is not needed: gostage compiles on the build platform for each target platform"
            ));
        }
        if let Some(template) = Template::of_build_arg(name) {
            let renamed = match name == template.build_arg() {
                true => String::new(),
                false => format!(
                    " (pass `--build-arg {}=…` instead of `{name}`)",
                    template.build_arg()
                ),
            };
            return Outcome::done(format!(
                "`{}` in build.ldflags and the label `org.opencontainers.image.{}` come from the `{}` build-arg{renamed}",
                template.text(),
                match template {
                    Template::Version => "version",
                    Template::Commit => "revision",
                },
                template.build_arg()
            ));
        }
        let in_from = self.stages.iter().any(|stage| {
            stage.text.contains(&format!("${name}")) || stage.text.contains(&format!("${{{name}"))
        });
        if in_from {
            return Outcome::done(format!(
                "`{name}` names a stage's image, which gostage.yaml writes as `go:`, `builder:` or `image.base`"
            ));
        }
        if crate::vocabulary::GO_ENVIRONMENT_BUILD_ARGS.contains(&name) {
            return Outcome::done(format!(
                "gostage passes `--build-arg {name}=…` to `go mod download` and `go build`"
            ));
        }
        let value = match &declaration.default {
            Some(default) => {
                format!("its default `{default}` is written where the Dockerfile used it")
            }
            None => "it has no default".to_string(),
        };
        Outcome::not_carried(
            format!(
                "gostage reads only the VERSION and COMMIT build-args and Go's GO* ones; {value}"
            ),
            "edit gostage.yaml where the value matters",
        )
    }
}
