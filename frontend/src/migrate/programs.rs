//! Which Go programs the final stage holds: the `go build` (or `go install`) commands whose
//! output the final stage copies `--from` a build stage, or builds itself, with the `main`
//! package and the name of each.

use std::collections::{BTreeMap, BTreeSet};

use super::evaluate::{resolve, EvaluatedStage, RuntimeCommand, ShellCommand, StepKind};
use super::go_command::{self, GoCommand};
use super::ConvertError;
use crate::gomod::GoModule;
use crate::vocabulary::derive_binary_name;

/// Where a `go` command is: stage, step of the stage, simple command of the step's script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Site {
    pub stage: usize,
    pub step: usize,
    pub command: usize,
}

/// A `go build` or `go install` and what it writes.
#[derive(Clone, Debug)]
pub(super) struct Build {
    pub site: Site,
    pub go: GoCommand,
    pub command: ShellCommand,
    /// Files it writes: (absolute path, main package).
    pub outputs: Vec<(String, MainPackage)>,
    /// A package pattern (`./cmd/...`) built into a directory: (directory, the pattern's
    /// directory as a main path, `./cmd`).
    pub pattern: Option<(String, String)>,
}

/// A `main` package, relative to the module root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct MainPackage {
    /// `.` or `./cmd/server`.
    pub main: String,
    /// The name `go build` gives its binary (`go help build`, `-o`): the directory's last
    /// element, the module path's for `.`, the first file's for `main.go` arguments.
    pub go_name: Option<String>,
    /// How it was found when it is a guess.
    pub note: Option<String>,
}

/// A program of the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Program {
    pub main: String,
    /// The file name gostage installs it as, `/usr/local/bin/<installed>`: the name it had in
    /// the Dockerfile's image.
    pub installed: String,
    /// Whether `installed` differs from what gostage derives from `main` (so `name:` is
    /// written).
    pub named: bool,
    /// Where the Dockerfile's image had it (absolute paths).
    pub image_paths: Vec<String>,
    /// The build that makes it.
    pub site: Site,
    /// How `main` was found when it was a guess (from a package pattern).
    pub note: Option<String>,
}

/// What [`find`] learns.
#[derive(Debug, Default)]
pub(super) struct Programs {
    /// The programs, the one the image runs first.
    pub list: Vec<Program>,
    /// Every `go build`/`go install` of the Dockerfile.
    pub builds: Vec<Build>,
    /// Builds whose output the image holds.
    pub used_builds: BTreeSet<Site>,
    /// Steps of the final stage's chain that copy programs: (stage, step) → installed names.
    pub program_copies: BTreeMap<(usize, usize), Vec<String>>,
    /// The stages that hold the used builds, with their ancestors.
    pub build_stages: BTreeSet<usize>,
    /// The final stage and its ancestors.
    pub image_stages: BTreeSet<usize>,
}

/// The chain of stages `index` is built from, root first, `index` last.
pub(super) fn chain(stages: &[EvaluatedStage], index: usize) -> Vec<usize> {
    let mut chain = vec![index];
    let mut current = index;
    while let Some(parent) = stages.get(current).and_then(|stage| stage.parent) {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    chain.reverse();
    chain
}

/// Directories programs are found in by name (a `PATH` of the usual images).
const PATH_DIRECTORIES: [&str; 6] = [
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/bin",
    "/sbin",
];

/// Programs a development image runs instead of a built binary: they watch the sources and
/// rebuild and restart the program on every change.
const DEVELOPMENT_LOOPS: [&str; 7] = [
    "air",
    "reflex",
    "CompileDaemon",
    "gow",
    "modd",
    "watchexec",
    "nodemon",
];

/// Finds the programs of the final stage.
///
/// Errors: [`ConvertError::NoGoProgram`] when the final stage runs a development loop or
/// `go run`, or holds no output of a `go build`; [`ConvertError::UnknownPrograms`] when it
/// copies a directory that a package pattern was built into and nothing names the programs.
pub(super) fn find(
    stages: &[EvaluatedStage],
    go_module: Option<&GoModule>,
) -> Result<Programs, ConvertError> {
    let module_path = go_module.map(|module| module.path.as_str());
    let final_index = stages.len() - 1;
    let mut programs = Programs {
        image_stages: chain(stages, final_index).into_iter().collect(),
        ..Programs::default()
    };
    for stage in stages {
        let root = module_root(stages, stage.index);
        for (step_index, step) in stage.steps.iter().enumerate() {
            let StepKind::Run { commands } = &step.kind else {
                continue;
            };
            for (command_index, command) in commands.iter().enumerate() {
                let Some(go) = go_command::parse(&command.words) else {
                    continue;
                };
                if go.subcommand != "build" && go.subcommand != "install" {
                    continue;
                }
                let site = Site {
                    stage: stage.index,
                    step: step_index,
                    command: command_index,
                };
                programs
                    .builds
                    .push(build(site, go, command, root.as_deref(), module_path));
            }
        }
    }

    let (entrypoint, cmd) = runtime_commands(stages, &programs.image_stages);
    refuse_development_images(stages, final_index, entrypoint.as_ref(), cmd.as_ref())?;

    let chain_of_final: Vec<usize> = chain(stages, final_index);
    let mut pending_patterns: Vec<(String, String, Site, (usize, usize))> = Vec::new();
    for &stage_index in &chain_of_final {
        let stage = &stages[stage_index];
        // Built in the image itself (a one-stage Dockerfile): the output stays where it is.
        for build in programs
            .builds
            .iter()
            .filter(|build| build.site.stage == stage_index)
            .filter(|build| {
                !build
                    .go
                    .packages
                    .iter()
                    .any(|package| package.contains('@'))
            })
        {
            for (path, main) in &build.outputs {
                add_program(
                    &mut programs.list,
                    main,
                    path,
                    build.site,
                    module_path,
                    None,
                );
            }
        }
        for (step_index, step) in stage.steps.iter().enumerate() {
            let StepKind::Copy {
                from: Some(from),
                sources,
                destination,
                into_directory,
                ..
            } = &step.kind
            else {
                continue;
            };
            let Some(source_stage) = super::evaluate::stage_index(&stages[..stage_index], from)
            else {
                continue;
            };
            let source_chain = chain(stages, source_stage);
            let builds: Vec<&Build> = programs
                .builds
                .iter()
                .filter(|build| source_chain.contains(&build.site.stage))
                .collect();
            let into_directory =
                *into_directory || PATH_DIRECTORIES.contains(&destination.as_str());
            for source in sources.iter().flatten() {
                let source = resolve("/", source);
                let glob_directory = source
                    .strip_suffix("/*")
                    .map(str::to_string)
                    .filter(|directory| !directory.contains(['*', '?']));
                for build in &builds {
                    for (path, main) in &build.outputs {
                        let relative = if *path == source {
                            Some(file_name(path).to_string())
                        } else if let Some(directory) = &glob_directory {
                            path.strip_prefix(&format!("{directory}/"))
                                .filter(|rest| !rest.contains('/'))
                                .map(str::to_string)
                        } else {
                            path.strip_prefix(&format!("{source}/")).map(str::to_string)
                        };
                        let Some(relative) = relative else {
                            continue;
                        };
                        let image_path = if *path == source && !into_directory {
                            destination.clone()
                        } else {
                            format!("{}/{relative}", destination.trim_end_matches('/'))
                        };
                        add_program(
                            &mut programs.list,
                            main,
                            &image_path,
                            build.site,
                            module_path,
                            None,
                        );
                        programs
                            .program_copies
                            .entry((stage_index, step_index))
                            .or_default()
                            .push(file_name(&image_path).to_string());
                    }
                    if let Some((directory, prefix)) = &build.pattern {
                        if let Some(name) = source
                            .strip_prefix(&format!("{directory}/"))
                            .filter(|rest| !rest.contains('/'))
                        {
                            let main = MainPackage {
                                main: format!("{prefix}/{name}"),
                                go_name: Some(name.to_string()),
                                note: None,
                            };
                            let image_path = match into_directory {
                                true => format!("{}/{name}", destination.trim_end_matches('/')),
                                false => destination.clone(),
                            };
                            let note =
                                format!("assumed from `{prefix}/...` and the file name `{name}`");
                            add_program(
                                &mut programs.list,
                                &main,
                                &image_path,
                                build.site,
                                module_path,
                                Some(note),
                            );
                            programs
                                .program_copies
                                .entry((stage_index, step_index))
                                .or_default()
                                .push(file_name(&image_path).to_string());
                        } else if source == *directory || glob_directory.as_ref() == Some(directory)
                        {
                            pending_patterns.push((
                                destination.trim_end_matches('/').to_string(),
                                prefix.clone(),
                                build.site,
                                (stage_index, step_index),
                            ));
                        }
                    }
                }
            }
        }
    }
    // A whole directory of pattern-built programs: the one the image runs names itself.
    for (directory, prefix, site, copy) in pending_patterns {
        let runs = entrypoint.as_ref().or(cmd.as_ref()).and_then(first_word);
        let Some(name) = runs
            .as_deref()
            .and_then(|program| program.strip_prefix(&format!("{directory}/")))
            .filter(|name| !name.contains('/'))
        else {
            return Err(ConvertError::UnknownPrograms {
                line: stages[site.stage].steps[site.step].line,
                pattern: format!("{prefix}/..."),
            });
        };
        let main = MainPackage {
            main: format!("{prefix}/{name}"),
            go_name: Some(name.to_string()),
            note: None,
        };
        let note = format!("assumed from `{prefix}/...` and the entrypoint `{directory}/{name}`");
        add_program(
            &mut programs.list,
            &main,
            &format!("{directory}/{name}"),
            site,
            module_path,
            Some(note),
        );
        programs
            .program_copies
            .entry(copy)
            .or_default()
            .push(name.to_string());
    }
    if programs.list.is_empty() {
        let stage = &stages[final_index];
        return Err(ConvertError::NoGoProgram {
            line: stage.line,
            reason: format!(
                "the final stage (`{}`) holds no program built by `go build` in this Dockerfile: gostage builds images for Go programs it compiles itself; write a gostage.yaml with `main:` by hand (`gostage init`)",
                stage.text
            ),
        });
    }
    // The program the image runs first: gostage makes the first binary the entrypoint.
    let runs = entrypoint.as_ref().or(cmd.as_ref()).and_then(first_word);
    if let Some(runs) = runs {
        let final_directory = final_workdir(&stages[final_index]);
        let position = programs.list.iter().position(|program| {
            program
                .image_paths
                .iter()
                .any(|path| runs_path(&runs, &final_directory, path))
        });
        if let Some(position) = position {
            let first = programs.list.remove(position);
            programs.list.insert(0, first);
        }
    }
    programs.used_builds = programs.list.iter().map(|program| program.site).collect();
    for site in &programs.used_builds {
        programs.build_stages.extend(chain(stages, site.stage));
    }
    Ok(programs)
}

/// Whether the command word `runs` (`/app`, `./app`, `app`) names the file at `path` from
/// working directory `directory`.
pub(super) fn runs_path(runs: &str, directory: &str, path: &str) -> bool {
    if runs.contains('/') {
        resolve(directory, runs) == path
    } else {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        name == runs && PATH_DIRECTORIES.contains(&parent)
    }
}

/// The final stage's `WORKDIR` as the container starts in it.
pub(super) fn final_workdir(stage: &EvaluatedStage) -> String {
    stage
        .steps
        .iter()
        .rev()
        .find_map(|step| match &step.kind {
            StepKind::Workdir(directory) => Some(directory.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "/".to_string())
}

fn first_word(command: &RuntimeCommand) -> Option<String> {
    match command {
        RuntimeCommand::Exec(words) => words.first().cloned(),
        RuntimeCommand::Shell { commands, .. } => {
            commands.first().and_then(|words| words.first().cloned())
        }
    }
}

/// The `ENTRYPOINT` and `CMD` the image ends with, as Docker applies them down the chain
/// (an `ENTRYPOINT` resets an inherited `CMD`).
pub(super) fn runtime_commands(
    stages: &[EvaluatedStage],
    image_stages: &BTreeSet<usize>,
) -> (Option<RuntimeCommand>, Option<RuntimeCommand>) {
    let mut entrypoint = None;
    let mut cmd = None;
    for stage in image_stages.iter().filter_map(|index| stages.get(*index)) {
        for step in &stage.steps {
            match &step.kind {
                StepKind::Entrypoint(command) => {
                    entrypoint = Some(command.clone());
                    cmd = None;
                }
                StepKind::Cmd(command) => cmd = Some(command.clone()),
                _ => {}
            }
        }
    }
    (entrypoint, cmd)
}

/// Refuses an image whose command is a development loop or `go run`.
fn refuse_development_images(
    stages: &[EvaluatedStage],
    final_index: usize,
    entrypoint: Option<&RuntimeCommand>,
    cmd: Option<&RuntimeCommand>,
) -> Result<(), ConvertError> {
    let command_words: Vec<String> = [entrypoint, cmd]
        .into_iter()
        .flatten()
        .flat_map(|command| match command {
            RuntimeCommand::Exec(words) => words.clone(),
            RuntimeCommand::Shell { commands, .. } => commands.first().cloned().unwrap_or_default(),
        })
        .collect();
    let line = stages[final_index]
        .steps
        .iter()
        .rev()
        .find(|step| matches!(step.kind, StepKind::Cmd(_) | StepKind::Entrypoint(_)))
        .map_or(stages[final_index].line, |step| step.line);
    let program = command_words
        .iter()
        .find(|word| {
            !matches!(
                file_name(word),
                "tini" | "dumb-init" | "sh" | "bash" | "-c" | "--" | "exec"
            )
        })
        .map(|word| file_name(word).to_string());
    if let Some(program) = program {
        if DEVELOPMENT_LOOPS.contains(&program.as_str()) {
            return Err(ConvertError::NoGoProgram {
                line,
                reason: format!(
                    "the image runs `{program}`, which rebuilds and restarts the program on every change: a development loop with no built program to ship; keep this Dockerfile for development and write a gostage.yaml for the image you deploy (`gostage init`)"
                ),
            });
        }
        let runs_go = program == "go"
            && command_words
                .iter()
                .skip_while(|word| file_name(word) != "go")
                .nth(1)
                .is_some_and(|word| word == "run");
        if runs_go {
            return Err(ConvertError::NoGoProgram {
                line,
                reason: "the image compiles its program at start with `go run`, so it holds the Go toolchain and the sources but no built program; gostage builds the program into the image: write a gostage.yaml with `main:` (`gostage init`)".to_string(),
            });
        }
    }
    Ok(())
}

fn add_program(
    list: &mut Vec<Program>,
    main: &MainPackage,
    image_path: &str,
    site: Site,
    module_path: Option<&str>,
    note: Option<String>,
) {
    let installed = file_name(image_path).to_string();
    if let Some(known) = list
        .iter_mut()
        .find(|program| program.installed == installed)
    {
        if !known.image_paths.iter().any(|path| path == image_path) {
            known.image_paths.push(image_path.to_string());
        }
        return;
    }
    let derived = derive_binary_name(&main.main, module_path);
    list.push(Program {
        main: main.main.clone(),
        named: derived.as_deref() != Some(installed.as_str()),
        installed,
        image_paths: vec![image_path.to_string()],
        site,
        note: note.or_else(|| main.note.clone()),
    });
}

pub(super) fn file_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// Where go.mod is in the stage's filesystem: the destination of the first `COPY` (of the
/// stage or an ancestor) that copies `go.mod` or the whole context, or of a bind mount of the
/// context on a `RUN`.
pub(super) fn module_root(stages: &[EvaluatedStage], index: usize) -> Option<String> {
    for stage_index in chain(stages, index) {
        let stage = &stages[stage_index];
        let mut directory = "/".to_string();
        for step in &stage.steps {
            match &step.kind {
                StepKind::Workdir(path) => directory = path.clone(),
                StepKind::Copy {
                    from: None,
                    sources,
                    destination,
                    into_directory,
                    ..
                } => {
                    for source in sources.iter().flatten() {
                        let source = source.trim_start_matches("./");
                        if source == "go.mod" {
                            return Some(match *into_directory {
                                true => destination.clone(),
                                false => resolve(destination, ".."),
                            });
                        }
                        if source.is_empty() || source == "." {
                            return Some(destination.clone());
                        }
                    }
                }
                StepKind::Run { .. } => {
                    for mount in step.flag_values("mount") {
                        let options = mount_options(mount);
                        let is_context_bind = options.get("type").map(String::as_str)
                            == Some("bind")
                            && !options.contains_key("from")
                            && options
                                .get("source")
                                .or_else(|| options.get("src"))
                                .is_none_or(|source| source == "." || source == "./");
                        let target = options
                            .get("target")
                            .or_else(|| options.get("dst"))
                            .or_else(|| options.get("destination"));
                        if let (true, Some(target)) = (is_context_bind, target) {
                            return Some(resolve(&directory, target));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// `type=cache,target=/root/.cache/go-build` → its options.
pub(super) fn mount_options(mount: &str) -> BTreeMap<String, String> {
    mount
        .split(',')
        .map(|option| match option.split_once('=') {
            Some((key, value)) => (key.trim().to_string(), value.trim().to_string()),
            None => (option.trim().to_string(), String::new()),
        })
        .collect()
}

/// What `go` writes and for which package.
fn build(
    site: Site,
    go: GoCommand,
    command: &ShellCommand,
    root: Option<&str>,
    module_path: Option<&str>,
) -> Build {
    let directory = command.directory.as_str();
    let root = root.unwrap_or(directory);
    let packages: Vec<String> = match go.packages.is_empty() {
        true => vec![".".to_string()],
        false => go.packages.clone(),
    };
    let mut pattern = None;
    let mut mains: Vec<MainPackage> = Vec::new();
    // `go build a.go b.go` builds one package from those files.
    let files: Vec<&String> = packages.iter().filter(|p| p.ends_with(".go")).collect();
    if let Some(first) = files.first() {
        let path = resolve(directory, first);
        let parent = resolve(&path, "..");
        if let Some(main) = relative_main(&parent, root) {
            mains.push(MainPackage {
                main,
                go_name: Some(file_name(first).trim_end_matches(".go").to_string()),
                note: None,
            });
        }
    } else {
        for package in &packages {
            if let Some(prefix) = package.strip_suffix("/...") {
                let path = package_directory(prefix, directory, root, module_path);
                if let Some(main) = relative_main(&path, root) {
                    pattern = Some(main);
                }
                continue;
            }
            if package.contains("...") || package.contains('@') && go.subcommand == "build" {
                continue;
            }
            let package = package.split('@').next().unwrap_or(package);
            let path = package_directory(package, directory, root, module_path);
            if let Some(main) = relative_main(&path, root) {
                let go_name = derive_binary_name(&main, module_path);
                mains.push(MainPackage {
                    main,
                    go_name,
                    note: None,
                });
            }
        }
    }
    let gopath = command
        .env
        .get("GOPATH")
        .cloned()
        .unwrap_or_else(|| "/go".to_string());
    let install_directory = command
        .env
        .get("GOBIN")
        .cloned()
        .unwrap_or_else(|| format!("{gopath}/bin"));
    let output = go
        .flag("o")
        .map(|output| (output, resolve(directory, output)));
    let mut outputs = Vec::new();
    let mut pattern_output = None;
    match (&output, go.subcommand.as_str()) {
        (Some((written, path)), _) => {
            let into_directory = written.ends_with('/') || mains.len() > 1;
            if into_directory {
                for main in &mains {
                    if let Some(name) = &main.go_name {
                        outputs.push((format!("{path}/{name}"), main.clone()));
                    }
                }
                pattern_output = pattern.map(|prefix| (path.clone(), prefix));
            } else if let Some(main) = mains.first() {
                outputs.push((path.clone(), main.clone()));
            } else if let Some(prefix) = pattern {
                // `go build -o FILE ./...` works when the pattern has one main package.
                outputs.push((
                    path.clone(),
                    MainPackage {
                        note: Some(format!(
                            "assumed from `{prefix}/...`, which builds one program into one file: check it is the main package"
                        )),
                        main: prefix,
                        go_name: None,
                    },
                ));
            }
        }
        (None, subcommand) => {
            let directory = match subcommand {
                "install" => install_directory.as_str(),
                _ => directory,
            };
            // Without `-o`, `go build` of several packages writes nothing.
            if subcommand == "install" || mains.len() == 1 {
                for main in &mains {
                    if let Some(name) = &main.go_name {
                        outputs.push((resolve(directory, name), main.clone()));
                    }
                }
            }
            if subcommand == "install" {
                pattern_output = pattern.map(|prefix| (install_directory.clone(), prefix));
            }
        }
    }
    Build {
        site,
        go,
        command: command.clone(),
        outputs,
        pattern: pattern_output,
    }
}

/// The absolute directory of package argument `package` run in `directory`.
fn package_directory(
    package: &str,
    directory: &str,
    root: &str,
    module_path: Option<&str>,
) -> String {
    if let Some(rest) = module_path.and_then(|module| {
        package
            .strip_prefix(module)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    }) {
        return resolve(root, &format!(".{rest}"));
    }
    resolve(directory, package)
}

/// `path` as a `main:` path relative to `root` (`.`, `./cmd/server`), if it is inside it.
fn relative_main(path: &str, root: &str) -> Option<String> {
    if path == root {
        return Some(".".to_string());
    }
    let prefix = match root {
        "/" => "/".to_string(),
        _ => format!("{root}/"),
    };
    path.strip_prefix(&prefix).map(|rest| format!("./{rest}"))
}
