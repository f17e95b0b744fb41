//! The final stage and the stages it is built `FROM`: `image.base`, `image.user`,
//! `image.env`, `image.labels`, `image.workdir`, `image.ports`, `image.entrypoint`/`cmd`,
//! `image.healthcheck` and `files`, with program paths rewritten to
//! `/usr/local/bin/<name>`, where gostage installs them.

use super::draft::{scalar, DraftFile};
use super::evaluate::{resolve, EvaluatedStage, RuntimeCommand, Step, StepKind};
use super::packages::{self, Fate};
use super::programs::{self, chain, file_name, final_workdir, module_root, runs_path};
use super::{Converter, Outcome};
use crate::spec::{DISTROLESS, DISTROLESS_BASE};
use crate::vocabulary::ImageReference;

/// Repositories of Google's distroless images, and the spec's name for each.
const DISTROLESS_STATIC: &str = "gcr.io/distroless/static";
const DISTROLESS_GLIBC: &str = "gcr.io/distroless/base";

/// Reports the image stages and fills `image:` and `files:`.
pub(super) fn convert(converter: &mut Converter<'_>) {
    let stages = converter.stages;
    let final_index = stages.len() - 1;
    let image_chain = chain(stages, final_index);
    let root = &stages[image_chain[0]];
    let scratch_like = converter.base(root);
    for &index in &image_chain[1..] {
        let stage = &stages[index];
        let parent = stage.parent.map_or_else(String::new, |parent| {
            stages[parent]
                .name
                .clone()
                .unwrap_or_else(|| parent.to_string())
        });
        converter.add(
            stage.line,
            &stage.text,
            Outcome::done(format!("the image builds on stage `{parent}`")),
        );
    }
    let directory = final_workdir(&stages[final_index]);
    let rewrite = |word: &str| -> String {
        let program = converter.programs.list.iter().find(|program| {
            program
                .image_paths
                .iter()
                .any(|path| runs_path(word, &directory, path))
        });
        match program {
            Some(program) => format!("/usr/local/bin/{}", program.installed),
            None => word.to_string(),
        }
    };
    let (entrypoint, cmd) = programs::runtime_commands(stages, &converter.programs.image_stages);
    let healthcheck_step = image_chain
        .iter()
        .flat_map(|index| stages[*index].steps.iter())
        .rfind(|step| matches!(step.kind, StepKind::Healthcheck(_)));
    let probes_http = healthcheck_step.is_some_and(|step| match &step.kind {
        StepKind::Healthcheck(Some(command)) => super::healthcheck::probe_url(command).is_some(),
        _ => false,
    });
    let last_line = |matches: &dyn Fn(&StepKind) -> bool| {
        image_chain
            .iter()
            .flat_map(|index| stages[*index].steps.iter())
            .filter(|step| matches(&step.kind))
            .map(|step| step.line)
            .last()
    };
    let last_user = last_line(&|kind| matches!(kind, StepKind::User(_)));
    let last_entrypoint = last_line(&|kind| matches!(kind, StepKind::Entrypoint(_)));
    let last_cmd = last_line(&|kind| matches!(kind, StepKind::Cmd(_)));

    for &index in &image_chain {
        let stage = &stages[index];
        let also_build = converter.programs.build_stages.contains(&index);
        for (step_index, step) in stage.steps.iter().enumerate() {
            let (line, text) = (step.line, step.text.as_str());
            match &step.kind {
                StepKind::Run { .. } | StepKind::Copy { from: None, .. } if also_build => {}
                StepKind::Arg(declarations) => {
                    for declaration in declarations {
                        let outcome = converter.arg_outcome(declaration);
                        converter.add(line, text, outcome);
                    }
                }
                StepKind::Env(pairs) => {
                    for (name, value) in pairs {
                        let outcome = converter.image_env(name, value);
                        converter.add(line, text, outcome);
                    }
                }
                StepKind::Label(pairs) => {
                    for (key, value) in pairs {
                        let outcome = converter.label(key, value);
                        converter.add(line, text, outcome);
                    }
                }
                StepKind::Maintainer(name) => {
                    let outcome = converter.label("org.opencontainers.image.authors", name);
                    converter.add(line, text, outcome);
                }
                StepKind::Workdir(directory) => {
                    converter.draft.workdir = Some(directory.clone());
                    converter.add(
                        line,
                        text,
                        Outcome::mapped("image.workdir", directory.clone()),
                    );
                }
                StepKind::User(user) => match last_user == Some(line) {
                    true => converter.user(line, text, user, !scratch_like),
                    false => converter.add(line, text, replaced(last_user)),
                },
                StepKind::Expose(ports) => {
                    for port in ports {
                        let outcome = converter.port(port);
                        converter.add(line, text, outcome);
                    }
                }
                StepKind::Copy { .. } => converter.image_copy(index, step_index, step),
                StepKind::Run { commands } => {
                    for command in commands {
                        let static_cgo = converter.draft.cgo && scratch_like;
                        let outcome =
                            image_run(&command.words, probes_http, scratch_like, static_cgo);
                        if let Some(outcome) = outcome {
                            converter.add(line, text, outcome);
                        }
                    }
                    if !converter.report.contains_key(&line) {
                        converter.add(
                            line,
                            text,
                            Outcome::done("nothing to carry over: housekeeping of the image"),
                        );
                    }
                }
                StepKind::Entrypoint(_) if last_entrypoint != Some(line) => {
                    converter.add(line, text, replaced(last_entrypoint));
                }
                StepKind::Cmd(_) if last_cmd != Some(line) || cmd.is_none() => {
                    converter.add(line, text, replaced(last_entrypoint.max(last_cmd)));
                }
                StepKind::Entrypoint(_) | StepKind::Cmd(_) => {}
                StepKind::Healthcheck(command) => {
                    match healthcheck_step.is_some_and(|last| last.line == line) {
                        true => converter.healthcheck(step, command.as_ref(), &rewrite),
                        false => converter.add(
                            line,
                            text,
                            replaced(healthcheck_step.map(|last| last.line)),
                        ),
                    }
                }
                StepKind::Unsupported => {
                    let outcome = unsupported(text);
                    converter.add(line, text, outcome);
                }
            }
        }
    }
    converter.commands(
        entrypoint.as_ref(),
        cmd.as_ref(),
        (last_entrypoint, last_cmd),
        &rewrite,
        scratch_like,
        root,
    );
}

fn replaced(by: Option<u32>) -> Outcome {
    Outcome::not_carried(
        format!(
            "a later instruction (line {}) replaces it",
            by.unwrap_or_default()
        ),
        "nothing",
    )
}

fn unsupported(text: &str) -> Outcome {
    let keyword = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    match keyword.as_str() {
        "VOLUME" => Outcome::not_carried(
            "gostage.yaml declares no volumes",
            "mount one when the container runs (`docker run -v`, a Kubernetes volume)",
        ),
        "STOPSIGNAL" => Outcome::not_carried(
            "gostage.yaml has no stop signal, so Docker sends SIGTERM",
            "handle SIGTERM in the program (signal.NotifyContext), or `docker run --stop-signal`",
        ),
        "SHELL" => Outcome::not_carried("gostage's image runs no shell", "nothing"),
        _ => Outcome::not_carried(
            format!("gostage.yaml has no key for `{keyword}`"),
            "nothing",
        ),
    }
}

/// A `RUN` of the image stage, which gostage's image cannot run.
fn image_run(
    words: &[String],
    probes_http: bool,
    scratch_like: bool,
    static_cgo: bool,
) -> Option<Outcome> {
    if let Some((alpine, names)) = packages::installed(words) {
        let mut carried = Vec::new();
        let mut provided = Vec::new();
        for name in names {
            match (packages::fate(&name, alpine), name.as_str()) {
                (_, "curl" | "wget") if probes_http => provided.push(name),
                (Fate::Provided(_), "ca-certificates" | "tzdata") => provided.push(name),
                // Run-time libraries of a program gostage links statically.
                (Fate::Unknown, _)
                    if static_cgo && (name.starts_with("lib") || name.ends_with("-libs")) =>
                {
                    provided.push(name)
                }
                _ => carried.push(name),
            }
        }
        return Some(match carried.is_empty() {
            true => {
                let mut what = format!(
                    "{}: gostage puts the CA bundle and the time zone database into the image",
                    provided.join(", ")
                );
                if static_cgo {
                    what.push_str(", and links the cgo program statically, so it needs no shared libraries");
                }
                if probes_http {
                    what.push_str(", and probes the healthcheck with its own program");
                }
                Outcome::done(what)
            }
            false => Outcome::not_carried(
                format!("gostage adds no packages to the image ({})", carried.join(", ")),
                match scratch_like {
                    true => "nothing if the program does not run them; otherwise use an `image.base` that has them",
                    false => "use an `image.base` that has them (an image of your own built from a Dockerfile)",
                },
            ),
        });
    }
    let program = file_name(words.first()?);
    Some(match program {
        "adduser" | "useradd" | "addgroup" | "groupadd" => Outcome::done(
            "gostage writes /etc/passwd and /etc/group with its non-root user `nonroot` (65532)",
        ),
        "update-ca-certificates" => Outcome::done("gostage puts the CA bundle into the image"),
        "chmod" | "chown" => Outcome::done(
            "gostage installs the programs executable, owned by root, and `files:` with their `mode`",
        ),
        "apk" | "apt-get" | "apt" | "rm" | "set" | "true" | "echo" => return None,
        _ => Outcome::not_carried(
            format!("`{}` would run in the image, and gostage runs nothing there", words.join(" ")),
            "make what it makes in the repository and list it under `files:`, or use an `image.base` that has it",
        ),
    })
}

impl Converter<'_> {
    /// `FROM` of the image: `image.base`, or gostage's default scratch. Returns whether the
    /// base has no shell and no users of its own (scratch or distroless).
    fn base(&mut self, root: &EvaluatedStage) -> bool {
        let (line, text) = (root.line, root.text.as_str());
        if let Some(platform) = &root.platform {
            let outcome = if platform.contains("TARGETPLATFORM") {
                Outcome::done("gostage builds the image for each target platform")
            } else if platform.contains('$') {
                Outcome::not_carried(
                    format!("the image is pinned to `{platform}`"),
                    "nothing: gostage builds the image for each target platform",
                )
            } else if super::accepted(&format!("platforms: [{}]\n", scalar(platform))) {
                self.draft.platforms.push(platform.clone());
                Outcome::mapped("platforms", platform.clone())
            } else {
                Outcome::not_carried(
                    format!("`{platform}` is not a platform gostage builds for"),
                    "list the platforms under `platforms:`",
                )
            };
            self.add(line, text, outcome);
        }
        if self.programs.build_stages.contains(&root.index) {
            self.add(
                line,
                text,
                Outcome::done(
                    "the image is FROM scratch with the programs alone: the Go toolchain and the sources stay in the builder",
                ),
            );
            return true;
        }
        let image = root.image.as_str();
        if self.draft.cgo && image.contains("alpine") {
            self.add(
                line,
                text,
                Outcome::not_carried(
                    format!("with `build.cgo`, gostage links dynamically against the builder's glibc on any base but scratch and distroless, and `{image}` has musl"),
                    "nothing: the image is FROM scratch with a statically linked program; `image.base: distroless-base` gives it glibc",
                ),
            );
            return true;
        }
        if image == "scratch" {
            self.add(
                line,
                text,
                Outcome::done("scratch is gostage's default base"),
            );
            return true;
        }
        let Ok(reference) = ImageReference::parse(image) else {
            self.add(
                line,
                text,
                Outcome::not_carried(
                    format!("`{image}` is not an image reference gostage reads"),
                    "write `image.base` by hand",
                ),
            );
            return false;
        };
        let repository = reference.repository();
        let pinned = image.contains('@');
        let (short, full, static_base) = if repository.starts_with(DISTROLESS_STATIC) {
            ("distroless", DISTROLESS, true)
        } else if repository.starts_with(DISTROLESS_GLIBC) {
            ("distroless-base", DISTROLESS_BASE, true)
        } else {
            ("", "", false)
        };
        let outcome = if static_base && !pinned {
            self.draft.base = Some(short.to_string());
            match reference.normalized == full || image == full {
                true => Outcome::mapped("image.base", short),
                false => Outcome::mapped_with_note(
                    "image.base",
                    short,
                    format!("gostage's `{short}` is {full}"),
                ),
            }
        } else {
            self.draft.base = Some(image.to_string());
            Outcome::mapped("image.base", image)
        };
        self.add(line, text, outcome);
        static_base
    }

    /// `ENV` of the image → `image.env`.
    fn image_env(&mut self, name: &str, value: &str) -> Outcome {
        if name == "PATH" {
            return Outcome::done("gostage's PATH is the base's with /usr/local/bin in front");
        }
        if value.contains("{{") || value.contains("${") || value.contains("$(") {
            return Outcome::not_carried(
                format!("`{name}={value}` takes its value while the Dockerfile builds"),
                "write the value into `image.env`, or set it when the container runs",
            );
        }
        let fragment = format!("image:\n  env:\n    {}: {}\n", scalar(name), scalar(value));
        if !super::accepted(&fragment) {
            return Outcome::not_carried(
                format!("`{name}` is not an environment variable name gostage accepts"),
                "set it when the container runs",
            );
        }
        self.draft.env.insert(name.to_string(), value.to_string());
        Outcome::mapped(&format!("image.env.{name}"), value)
    }

    /// `LABEL key=value` → `image.labels`.
    fn label(&mut self, key: &str, value: &str) -> Outcome {
        let automatic = match key {
            "org.opencontainers.image.version" if value.contains("{{ .Version }}") => {
                Some("from the VERSION build-arg")
            }
            "org.opencontainers.image.revision" if value.contains("{{ .Commit }}") => {
                Some("from the COMMIT build-arg")
            }
            "org.opencontainers.image.created" if value.contains('$') || value.contains("{{") => {
                Some("from SOURCE_DATE_EPOCH")
            }
            _ => None,
        };
        if let Some(source) = automatic {
            return Outcome::done(format!("gostage sets `{key}` {source}"));
        }
        if value.contains("{{") || value.contains("${") || value.contains("$(") {
            return Outcome::not_carried(
                format!("`{key}` takes its value while the Dockerfile builds"),
                format!("pass `--label {key}=…` to `docker buildx build`"),
            );
        }
        if key.is_empty() {
            return Outcome::not_carried("a label without a name", "nothing");
        }
        self.draft.labels.insert(key.to_string(), value.to_string());
        Outcome::mapped(&format!("image.labels.{key}"), value)
    }

    /// An `EXPOSE`d port → `image.ports`.
    fn port(&mut self, port: &str) -> Outcome {
        let (number, protocol) = port.split_once('/').unwrap_or((port, "tcp"));
        let written = match protocol.to_ascii_lowercase().as_str() {
            "tcp" => number.to_string(),
            other => format!("{number}/{other}"),
        };
        let yaml = match number.parse::<u16>() {
            Ok(_) if written == number => written.clone(),
            _ => scalar(&written),
        };
        if number.contains('-') || !super::accepted(&format!("image:\n  ports: [{yaml}]\n")) {
            return Outcome::not_carried(
                format!("`{port}` is not one port gostage accepts"),
                "list each port under `image.ports`",
            );
        }
        if !self.draft.ports.contains(&written) {
            self.draft.ports.push(written.clone());
        }
        Outcome::mapped("image.ports", written)
    }

    /// A `COPY`/`ADD` into the image.
    fn image_copy(&mut self, stage: usize, step_index: usize, step: &Step) {
        let StepKind::Copy {
            add,
            from,
            sources,
            destination,
            into_directory,
        } = &step.kind
        else {
            return;
        };
        let (line, text) = (step.line, step.text.as_str());
        if let Some(names) = self
            .programs
            .program_copies
            .get(&(stage, step_index))
            .cloned()
        {
            for name in names {
                self.add(
                    line,
                    text,
                    Outcome::done(format!(
                        "gostage installs `{name}` at /usr/local/bin/{name}"
                    )),
                );
            }
            return;
        }
        for source in sources {
            let outcome = match (source, from) {
                (None, _) => Outcome::not_carried(
                    "a heredoc file of the Dockerfile",
                    "commit the file to the repository and list it under `files:`",
                ),
                (Some(source), Some(from)) => {
                    self.copy_from(from, source, destination, *into_directory, step)
                }
                (Some(source), None) if *add && source.contains("://") => Outcome::not_carried(
                    format!("`{source}` is downloaded while the Dockerfile builds"),
                    "commit the file to the repository and list it under `files:`",
                ),
                (Some(source), None) => {
                    self.file(source, source, destination, *into_directory, step)
                }
            };
            self.add(line, text, outcome);
        }
        if step.flag("chown").is_some() {
            self.add(
                line,
                text,
                Outcome::done(
                    "gostage's files are owned by root, readable by the program's user with their `mode`",
                ),
            );
        }
    }

    fn copy_from(
        &mut self,
        from: &str,
        source: &str,
        destination: &str,
        into_directory: bool,
        step: &Step,
    ) -> Outcome {
        if source.contains("ca-certificates")
            || source.starts_with("/etc/ssl")
            || source.starts_with("/etc/pki")
        {
            return Outcome::done("gostage puts the builder's CA bundle into the image");
        }
        if source.contains("zoneinfo") {
            return Outcome::done("gostage puts the builder's time zone database into the image");
        }
        if source.contains("passwd") || source.contains("group") {
            return Outcome::done(
                "gostage writes /etc/passwd and /etc/group with its non-root user `nonroot` (65532)",
            );
        }
        if source == "/tmp" || source.starts_with("/tmp/") && source.len() <= 5 {
            return Outcome::done("gostage's image has a /tmp with mode 1777");
        }
        let Some(stage) = super::evaluate::stage_index(self.stages, from) else {
            return Outcome::not_carried(
                format!("`{source}` comes from the image `{from}`, and gostage copies nothing from other images"),
                "use an `image.base` that has it",
            );
        };
        // A file the build stage copied from the build context: the context's own file.
        let root = module_root(self.stages, stage);
        let relative = root.as_deref().and_then(|root| {
            let path = resolve("/", source);
            match root {
                "/" => path.strip_prefix('/').map(str::to_string),
                _ => path.strip_prefix(&format!("{root}/")).map(str::to_string),
            }
        });
        match relative {
            Some(relative) if !relative.is_empty() => {
                let outcome = self.file(&relative, source, destination, into_directory, step);
                match outcome {
                    Outcome::Mapped { key, value, .. } => Outcome::mapped_with_note(
                        &key,
                        value,
                        format!("`{relative}` of the build context, which the build stage copied; if the build generates it, generate it before the build"),
                    ),
                    other => other,
                }
            }
            _ => Outcome::not_carried(
                format!("`{source}` is made in stage `{from}`, which gostage does not run"),
                "make it in the repository and list it under `files:`",
            ),
        }
    }

    /// A file of the build context into the image → `files`.
    fn file(
        &mut self,
        context_path: &str,
        written: &str,
        destination: &str,
        into_directory: bool,
        step: &Step,
    ) -> Outcome {
        if context_path.contains(['*', '?', '[']) {
            return Outcome::not_carried(
                format!("`{written}` is a pattern, and `files:` names one file or directory"),
                "list each file or directory under `files:`",
            );
        }
        let normalized = resolve("/", context_path);
        if normalized == "/" {
            return Outcome::not_carried(
                "it copies the whole build context into the image",
                "list the files the program reads under `files:`",
            );
        }
        let dst = match into_directory {
            true => format!("{}/", destination.trim_end_matches('/')),
            false => destination.to_string(),
        };
        let mode = step.flag("chmod").and_then(|mode| {
            let digits = mode.trim_start_matches('0');
            (digits.len() == 3 && digits.bytes().all(|byte| (b'0'..=b'7').contains(&byte)))
                .then(|| format!("0{digits}"))
        });
        let file = DraftFile {
            src: normalized.trim_start_matches('/').to_string(),
            dst,
            mode: mode.clone(),
        };
        let mut fragment = format!(
            "files:\n  - src: {}\n    dst: {}\n",
            scalar(&file.src),
            scalar(&file.dst)
        );
        if let Some(mode) = &mode {
            fragment.push_str(&format!("    mode: \"{mode}\"\n"));
        }
        if !super::accepted(&fragment) {
            return Outcome::not_carried(
                format!("`{written}` → `{destination}` is not a copy `files:` accepts"),
                "list the file under `files:` by hand",
            );
        }
        let shown = match &mode {
            Some(mode) => format!("{{src: {}, dst: {}, mode: \"{mode}\"}}", file.src, file.dst),
            None => format!("{{src: {}, dst: {}}}", file.src, file.dst),
        };
        self.draft.files.push(file);
        match step.flag("chmod") {
            Some(chmod) if mode.is_none() => Outcome::mapped_with_note(
                "files",
                shown,
                format!("`--chmod={chmod}` is not an octal mode; gostage's default mode applies"),
            ),
            _ => Outcome::mapped("files", shown),
        }
    }

    /// `ENTRYPOINT` and `CMD` as the image ends with them.
    fn commands(
        &mut self,
        entrypoint: Option<&RuntimeCommand>,
        cmd: Option<&RuntimeCommand>,
        (entrypoint_line, cmd_line): (Option<u32>, Option<u32>),
        rewrite: &dyn Fn(&str) -> String,
        scratch_like: bool,
        root: &EvaluatedStage,
    ) {
        let first = self
            .programs
            .list
            .first()
            .map(|program| format!("/usr/local/bin/{}", program.installed))
            .unwrap_or_default();
        let as_words = |command: &RuntimeCommand| -> Option<Vec<String>> {
            match command {
                RuntimeCommand::Exec(words) => {
                    Some(words.iter().map(|word| rewrite(word)).collect())
                }
                RuntimeCommand::Shell { text, commands } => match commands.as_slice() {
                    [only] if !text.contains(['$', '>', '<', '*', '`', '\'', '"']) => {
                        Some(only.iter().map(|word| rewrite(word)).collect())
                    }
                    _ if !scratch_like => Some(vec!["/bin/sh".into(), "-c".into(), text.clone()]),
                    _ => None,
                },
            }
        };
        // How a shell-form command was carried over.
        let shell_note = |command: &RuntimeCommand, words: &[String]| match command {
            RuntimeCommand::Exec(_) => None,
            RuntimeCommand::Shell { .. } if words.first().is_some_and(|word| word == "/bin/sh") => {
                Some("run by the base image's shell, as Docker runs the shell form")
            }
            RuntimeCommand::Shell { .. } => Some("exec form: gostage's image has no shell"),
        };
        if let Some(entrypoint) = entrypoint {
            let line = entrypoint_line.unwrap_or(root.line);
            let text = self.instruction_text(line, &root.text);
            match as_words(entrypoint) {
                Some(words) if words == [first.clone()] => self.add(
                    line,
                    &text,
                    Outcome::done("gostage makes the first program the entrypoint"),
                ),
                Some(words) => {
                    let shown = format!("[{}]", words.join(", "));
                    let outcome = match shell_note(entrypoint, &words) {
                        Some(note) => Outcome::mapped_with_note("image.entrypoint", shown, note),
                        None => Outcome::mapped("image.entrypoint", shown),
                    };
                    self.draft.entrypoint = Some(words);
                    self.add(line, &text, outcome);
                }
                None => self.add(line, &text, no_shell()),
            }
            if let (Some(cmd), Some(cmd_line)) = (cmd, cmd_line) {
                let text = self.instruction_text(cmd_line, "CMD");
                match as_words(cmd) {
                    Some(words) => {
                        let shown = format!("[{}]", words.join(", "));
                        self.draft.cmd = Some(words);
                        self.add(cmd_line, &text, Outcome::mapped("image.cmd", shown));
                    }
                    None => self.add(cmd_line, &text, no_shell()),
                }
            }
        } else if let (Some(cmd), Some(cmd_line)) = (cmd, cmd_line) {
            let text = self.instruction_text(cmd_line, "CMD");
            match as_words(cmd) {
                Some(words) if words.first() == Some(&first) => {
                    let arguments: Vec<String> = words[1..].to_vec();
                    let note = "gostage makes the program the entrypoint, so `docker run IMAGE ARGS` passes ARGS to it";
                    if arguments.is_empty() {
                        self.add(cmd_line, &text, Outcome::done(note));
                    } else {
                        let shown = format!("[{}]", arguments.join(", "));
                        self.draft.cmd = Some(arguments);
                        self.add(
                            cmd_line,
                            &text,
                            Outcome::mapped_with_note("image.cmd", shown, note),
                        );
                    }
                }
                Some(words) => {
                    let shown = format!("[{}]", words.join(", "));
                    self.draft.entrypoint = Some(words);
                    self.add(
                        cmd_line,
                        &text,
                        Outcome::mapped_with_note(
                            "image.entrypoint",
                            shown,
                            "gostage's image runs it as the entrypoint, so `docker run IMAGE ARGS` appends ARGS",
                        ),
                    );
                }
                None => self.add(cmd_line, &text, no_shell()),
            }
        }
        // Docker drops an inherited CMD when a Dockerfile sets ENTRYPOINT; gostage keeps the
        // base image's, which would become the program's arguments.
        if !scratch_like && self.draft.cmd.is_none() {
            self.draft.cmd = Some(Vec::new());
            self.add(
                root.line,
                &root.text,
                Outcome::mapped_with_note(
                    "image.cmd",
                    "[]",
                    "so the base image's CMD does not become the program's arguments",
                ),
            );
        }
    }

    /// The report's text of the instruction at `line`, or `fallback`.
    fn instruction_text(&self, line: u32, fallback: &str) -> String {
        self.stages
            .iter()
            .flat_map(|stage| stage.steps.iter())
            .find(|step| step.line == line)
            .map_or_else(|| fallback.to_string(), |step| step.text.clone())
    }
}

fn no_shell() -> Outcome {
    Outcome::not_carried(
        "it is a shell command, and gostage's image has no shell",
        "write it as `image.entrypoint`/`image.cmd` lists (exec form)",
    )
}
