//! [`LayoutReader`]: the layout from file contents, one round of reads at a time.
//!
//! [`LayoutReader::next`] works out everything from the files supplied so far and either asks
//! for the files it still needs ([`Progress::Wanted`]) or returns the layout. Each round's
//! reads are independent, so a reader sends them at once. Rounds: the first asks for the
//! main module's go.mod, go.sum and `vendor/modules.txt`, `.dockerignore`, and every go.work
//! (and its go.work.sum and vendor directory) from the module's directory up to the root;
//! a second, when there is a workspace or a local replacement, for the other modules'
//! go.mod and go.sum; a third only when a workspace module's go.mod replaces a module with
//! a directory the second round did not read. go.mod files are read (their requirements
//! tell which modules the main module needs), go.sum files only looked for. A problem is reported only once every file
//! before it (in the order above) is known, so both readers report the same first problem.

use std::collections::{BTreeMap, BTreeSet};

use super::error::{FileProblem, LayoutError, NoGoMod};
use super::{join, Layout, LocalModule, LocalReplace, Origin, Workspace};
use crate::context::ignore::IgnoreMatcher;
use crate::context::{ignore_patterns, CONTEXT_EXCLUDES};
use crate::gomod::{self, resolve_in_context, OutsideContext, Replace, ReplaceTarget};
use crate::spec::Spec;
use crate::vocabulary::{Diagnostic, Located, Span};

/// The files a reader must fetch before [`LayoutReader::next`] can go on, as context paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Files to read whole (a missing one is supplied as `None`).
    pub read: Vec<String>,
    /// Files whose existence is enough (a regular file, or a symbolic link to one).
    pub stat: Vec<String>,
}

impl Wanted {
    /// Nothing is wanted.
    pub fn is_empty(&self) -> bool {
        self.read.is_empty() && self.stat.is_empty()
    }

    /// Every wanted path, read ones first.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.read.iter().chain(&self.stat)
    }
}

/// What [`LayoutReader::next`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Fetch these, supply them, and call `next` again.
    Wanted(Wanted),
    /// Everything is known.
    Done(Box<Layout>),
}

/// Makes a [`Layout`] from the files of a build context, as they are supplied.
#[derive(Clone, Debug)]
pub struct LayoutReader {
    /// `module:` as validated.
    module: Located<String>,
    /// Where the spec's first key is.
    document: Span,
    /// `build.env` does not set `GOWORK=off`.
    workspace_mode: bool,
    /// The context's absolute directory, when the reader knows it (on disk), to name the
    /// larger context a replacement outside it needs.
    context_directory: Option<String>,
    /// Files read so far: `None` for a missing one.
    files: BTreeMap<String, Option<Vec<u8>>>,
    /// Existence checked so far.
    stats: BTreeMap<String, bool>,
}

impl LayoutReader {
    /// A reader for the module `spec` names (`module:`), in workspace mode unless
    /// `build.env` sets `GOWORK: off`.
    pub fn new(spec: &Spec) -> Self {
        Self {
            module: spec.build.module.clone(),
            document: spec.span,
            workspace_mode: spec.build.env.get("GOWORK").map(String::as_str) != Some("off"),
            context_directory: None,
            files: BTreeMap::new(),
            stats: BTreeMap::new(),
        }
    }

    /// With the build context's absolute directory (`/home/me/repo/svc`), so the fix for a
    /// replacement outside the context names the directory to pass instead.
    pub fn with_context_directory(mut self, directory: &str) -> Self {
        self.context_directory = Some(directory.to_string());
        self
    }

    /// Supplies the contents of `path` (a path [`Wanted::read`] named), `None` when the
    /// file does not exist.
    pub fn supply_file(&mut self, path: &str, contents: Option<Vec<u8>>) {
        self.files.insert(path.to_string(), contents);
    }

    /// Supplies whether `path` (a path [`Wanted::stat`] named) exists.
    pub fn supply_stat(&mut self, path: &str, exists: bool) {
        self.stats.insert(path.to_string(), exists);
    }

    /// The files still needed, or the layout. It wants only paths not supplied yet, so a
    /// reader that supplies every wanted path gets the layout (or the error) after at most
    /// three rounds.
    ///
    /// Errors: see [`LayoutError`]: the main module's directory has no go.mod; a go.mod or
    /// go.work does not parse; a `use` or `replace` directory is outside the context
    /// (absolute, or `..` above its root) or has no go.mod; the main module is not one of
    /// the workspace's modules.
    pub fn next(&self) -> Result<Progress, LayoutError> {
        Pass {
            reader: self,
            wanted: Wanted::default(),
        }
        .run()
    }
}

/// One pass over what is known; asks for what is not.
struct Pass<'a> {
    reader: &'a LayoutReader,
    wanted: Wanted,
}

/// What a pass found out about a file: `None` while unknown.
type Known<T> = Option<T>;

/// Stops the pass: with `error` when nothing before it is unknown, else with the files
/// wanted so far (the error comes back once they are known, unless one before it does).
macro_rules! fail {
    ($pass:expr, $error:expr) => {{
        let error = $error;
        return $pass.fail(error);
    }};
}

impl<'a> Pass<'a> {
    fn run(mut self) -> Result<Progress, LayoutError> {
        let reader = self.reader;
        let module_dir = reader.module.value.as_str();
        let dockerignore = self.read(".dockerignore");
        let go_mod_path = join(module_dir, "go.mod");
        let go_mod = self.read(&go_mod_path);
        self.stat(&join(module_dir, "go.sum"));
        let module_vendor = self.stat(&join(module_dir, "vendor/modules.txt"));
        let mut go_works = Vec::new();
        if reader.workspace_mode {
            for directory in ancestors(module_dir) {
                let file = self.read(&join(&directory, "go.work"));
                self.stat(&join(&directory, "go.work.sum"));
                self.stat(&join(&directory, "vendor/modules.txt"));
                go_works.push((directory, file));
            }
        }
        if !self.wanted.is_empty() {
            return Ok(Progress::Wanted(self.wanted));
        }

        let ignore_patterns = dockerignore
            .flatten()
            .map(ignore_patterns)
            .unwrap_or_default();
        let matcher = IgnoreMatcher::new(
            CONTEXT_EXCLUDES
                .iter()
                .copied()
                .chain(ignore_patterns.iter().map(String::as_str)),
        );
        let Some(go_mod) = go_mod.flatten() else {
            fail!(
                self,
                LayoutError::NoGoMod(NoGoMod {
                    module: reader.module.clone(),
                    document: reader.document,
                })
            );
        };
        let main_module = match gomod::parse(go_mod) {
            Ok(module) => module,
            Err(error) => fail!(
                self,
                file_problem(&go_mod_path, go_mod, error.span(), error.message())
            ),
        };

        // The nearest go.work that the build will see.
        let found = go_works.into_iter().find_map(|(directory, file)| {
            let path = join(&directory, "go.work");
            match (file.flatten(), matcher.hiding(&path)) {
                (Some(bytes), None) => Some((directory, path, bytes)),
                _ => None,
            }
        });
        let mut modules: BTreeMap<String, Origin> = BTreeMap::new();
        modules.insert(module_dir.to_string(), Origin::Main);
        let mut local_replaces = Vec::new();
        // The main modules (whose replacements apply) with the span that names them.
        let mut main_modules: Vec<(String, Option<Span>)> = vec![(module_dir.to_string(), None)];
        let mut replaced_by_work: BTreeSet<String> = BTreeSet::new();
        let mut workspace = None;
        // The file of each local replacement, in the order of `local_replaces`.
        let mut replace_files: Vec<&'a [u8]> = Vec::new();
        let mut work_bytes: &'a [u8] = &[];
        if let Some((directory, path, bytes)) = found {
            work_bytes = bytes;
            let work = match gomod::parse_work(bytes) {
                Ok(work) => work,
                Err(error) => fail!(
                    self,
                    file_problem(&path, bytes, error.span(), error.message())
                ),
            };
            let mut uses: Vec<String> = Vec::new();
            main_modules.clear();
            for used in &work.uses {
                let place = Place {
                    file: &path,
                    data: bytes,
                    base_dir: &directory,
                    written: &used.path,
                    span: used.span,
                    kind: DirectoryKind::Use,
                };
                let used_dir = match resolve_in_context(&directory, &used.path) {
                    Ok(used_dir) => used_dir,
                    Err(outside) => fail!(self, self.outside(&place, &outside)),
                };
                if !uses.contains(&used_dir) {
                    uses.push(used_dir.clone());
                    main_modules.push((used_dir.clone(), Some(used.span)));
                }
                modules.entry(used_dir).or_insert(Origin::Use {
                    go_work: path.clone(),
                    span: used.span,
                });
            }
            if !uses.iter().any(|used| used == module_dir) {
                fail!(self, self.not_in_workspace(&path, &directory, &uses));
            }
            for replace in &work.replaces {
                replaced_by_work.insert(replace.old_path.clone());
                let ReplaceTarget::Directory(target) = &replace.target else {
                    continue;
                };
                match self.local_replace(&path, bytes, &directory, replace, target) {
                    Ok(local) => {
                        local_replaces.push(local);
                        replace_files.push(bytes);
                    }
                    Err(error) => fail!(self, error),
                }
            }
            let go_work_sum = self.stat(&join(&directory, "go.work.sum")).unwrap_or(false);
            workspace = Some(Workspace {
                go_work: path.clone(),
                directory,
                uses,
                go_work_sum,
            });
        }

        // Each main module's go.mod and its replacements (go.work's override them).
        let mut module_paths: BTreeMap<String, String> = BTreeMap::new();
        let mut requirements: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (directory, use_span) in &main_modules {
            let path = join(directory, "go.mod");
            let (module, bytes) = if directory == module_dir {
                (main_module.clone(), go_mod)
            } else {
                let bytes = match self.read(&path) {
                    None => {
                        self.ask_go_sum(directory);
                        continue;
                    }
                    Some(Some(bytes)) => bytes,
                    Some(None) => {
                        // Only a `use` names a main module other than `module:`.
                        let go_work = workspace
                            .as_ref()
                            .map(|workspace| workspace.go_work.clone())
                            .unwrap_or_default();
                        let span = use_span.unwrap_or_default();
                        fail!(
                            self,
                            no_go_mod(&go_work, work_bytes, span, directory, DirectoryKind::Use)
                        );
                    }
                };
                match gomod::parse(bytes) {
                    Ok(module) => (module, bytes),
                    Err(error) => fail!(
                        self,
                        file_problem(&path, bytes, error.span(), error.message())
                    ),
                }
            };
            module_paths.insert(directory.clone(), module.path.clone());
            requirements.insert(directory.clone(), module.required.clone());
            for replace in &module.replaces {
                let ReplaceTarget::Directory(target) = &replace.target else {
                    continue;
                };
                if workspace.is_some() && replaced_by_work.contains(&replace.old_path) {
                    continue;
                }
                match self.local_replace(&path, bytes, directory, replace, target) {
                    Ok(local) => {
                        local_replaces.push(local);
                        replace_files.push(bytes);
                    }
                    Err(error) => fail!(self, error),
                }
            }
        }
        for (replace, data) in local_replaces.iter().zip(replace_files) {
            let go_mod = match self.read(&join(&replace.directory, "go.mod")) {
                Some(go_mod) => go_mod,
                None => {
                    self.ask_go_sum(&replace.directory);
                    continue;
                }
            };
            let Some(go_mod) = go_mod else {
                fail!(
                    self,
                    no_go_mod(
                        &replace.file,
                        data,
                        replace.span,
                        &replace.directory,
                        DirectoryKind::Replace
                    )
                );
            };
            // Only its requirements matter here: a replaced module's go.mod that does not
            // parse is the go command's to report, in the build.
            if let Ok(replacement) = gomod::parse(go_mod) {
                requirements
                    .entry(replace.directory.clone())
                    .or_insert(replacement.required);
            }
            modules
                .entry(replace.directory.clone())
                .or_insert(Origin::Replace {
                    file: replace.file.clone(),
                    span: replace.span,
                });
        }

        let mut local_modules = Vec::new();
        for (directory, origin) in modules {
            let go_sum = self.stat(&join(&directory, "go.sum"));
            let hidden_by = matcher
                .hiding(&join(&directory, "go.mod"))
                .map(str::to_string);
            local_modules.push(LocalModule {
                module_path: module_paths.get(&directory).cloned(),
                requires: requirements.get(&directory).cloned().unwrap_or_default(),
                directory,
                go_sum: go_sum.unwrap_or(false),
                origin,
                hidden_by,
            });
        }
        let vendored = match &workspace {
            Some(workspace) => self.stat(&join(&workspace.directory, "vendor/modules.txt")),
            None => module_vendor,
        }
        .unwrap_or(false);
        if !self.wanted.is_empty() {
            return Ok(Progress::Wanted(self.wanted));
        }
        Ok(Progress::Done(Box::new(Layout {
            module_dir: module_dir.to_string(),
            main_module,
            workspace,
            local_replaces,
            local_modules,
            vendored,
            ignore_patterns,
        })))
    }

    /// The contents of `path` (`Some(None)`: missing), or `None` after asking for it.
    fn read(&mut self, path: &str) -> Known<Option<&'a [u8]>> {
        match self.reader.files.get(path) {
            Some(contents) => Some(contents.as_deref()),
            None => {
                if !self.wanted.read.iter().any(|wanted| wanted == path) {
                    self.wanted.read.push(path.to_string());
                }
                None
            }
        }
    }

    /// Whether `path` exists, or `None` after asking for it.
    fn stat(&mut self, path: &str) -> Known<bool> {
        match self.reader.stats.get(path) {
            Some(exists) => Some(*exists),
            None => {
                if !self.wanted.stat.iter().any(|wanted| wanted == path) {
                    self.wanted.stat.push(path.to_string());
                }
                None
            }
        }
    }

    /// Asks for a module directory's go.sum with its go.mod, so that the module costs one
    /// round, not two.
    fn ask_go_sum(&mut self, directory: &str) {
        self.stat(&join(directory, "go.sum"));
    }

    fn fail(self, error: LayoutError) -> Result<Progress, LayoutError> {
        match self.wanted.is_empty() {
            true => Err(error),
            false => Ok(Progress::Wanted(self.wanted)),
        }
    }

    /// A `use` or `replace` directory outside the context, with the larger context to pass.
    /// The directory replacement `replace` (its target `target`) written in `file` (bytes
    /// `data`, in directory `base_dir`), as a context path.
    ///
    /// Errors: a target outside the context, at the target's position in `file`.
    fn local_replace(
        &self,
        file: &str,
        data: &[u8],
        base_dir: &str,
        replace: &Replace,
        target: &str,
    ) -> Result<LocalReplace, LayoutError> {
        match resolve_in_context(base_dir, target) {
            Ok(directory) => Ok(LocalReplace {
                file: file.to_string(),
                span: replace.target_span,
                old_path: replace.old_path.clone(),
                old_version: replace.old_version.clone(),
                directory,
            }),
            Err(outside) => {
                let place = Place {
                    file,
                    data,
                    base_dir,
                    written: target,
                    span: replace.target_span,
                    kind: DirectoryKind::Replace,
                };
                Err(self.outside(&place, &outside))
            }
        }
    }

    fn outside(&self, place: &Place<'_>, outside: &OutsideContext) -> LayoutError {
        let what = place.kind.describe();
        let written = place.written;
        let diagnostic = match outside {
            OutsideContext::Absolute { .. } => Diagnostic::new(
                place.span,
                format!("the {what} `{written}` is an absolute path, which a build cannot see"),
            )
            .with_help(format!(
                "write it relative to `{}` (this file's directory, e.g. `../lib`), and keep \
                 the directory inside the build context",
                display_dir(place.base_dir)
            )),
            OutsideContext::Escapes { .. } => {
                let levels = levels_above(place.base_dir, written);
                Diagnostic::new(
                    place.span,
                    format!("the {what} `{written}` is outside the build context"),
                )
                .with_help(match place.kind {
                    DirectoryKind::Replace => self.larger_context(levels, written),
                    // A go.work kept for one machine is often not meant for the build.
                    DirectoryKind::Use => format!(
                        "{}; or, when go.work is only for your machine, add `{}` to \
                         .dockerignore (or set `GOWORK: \"off\"` under `build.env`)",
                        self.larger_context(levels, written),
                        place.file
                    ),
                })
            }
        };
        LayoutError::File(FileProblem {
            path: place.file.to_string(),
            data: place.data.to_vec(),
            diagnostic,
        })
    }

    /// The fix for a directory `levels` above the context's root: the context to pass and
    /// the `module:` to set then.
    fn larger_context(&self, levels: usize, written: &str) -> String {
        let module_dir = self.reader.module.value.as_str();
        let on_disk = self
            .reader
            .context_directory
            .as_deref()
            .and_then(|directory| {
                let components: Vec<&str> = directory
                    .split('/')
                    .filter(|component| !component.is_empty())
                    .collect();
                let keep = components.len().checked_sub(levels)?;
                let root = format!("/{}", components[..keep].join("/"));
                let below = components[keep..].join("/");
                Some((root, join(&below, module_dir)))
            });
        match on_disk {
            Some((root, module)) => format!(
                "pass `{root}` (it holds this module and `{written}`) as the build context \
                 and set `module: {module}` in the spec"
            ),
            None => format!(
                "pass the repository's root (a directory that holds this module and \
                 `{written}`) as the build context and set `module:` in the spec to this \
                 module's directory inside it (e.g. `module: svc` for `svc/go.mod`)"
            ),
        }
    }

    /// The main module is not one of the workspace's `use` directories.
    fn not_in_workspace(&self, go_work: &str, work_dir: &str, uses: &[String]) -> LayoutError {
        let module = &self.reader.module;
        let module_dir = module.value.as_str();
        // The `use` path of the module, relative to go.work's directory (an ancestor).
        let relative = match (work_dir, module_dir) {
            (_, ".") => ".".to_string(),
            (".", module_dir) => format!("./{module_dir}"),
            (work_dir, module_dir) if work_dir == module_dir => ".".to_string(),
            (work_dir, module_dir) => format!(
                "./{}",
                module_dir
                    .strip_prefix(&format!("{work_dir}/"))
                    .unwrap_or(module_dir)
            ),
        };
        let span = match module.span.line {
            0 => self.reader.document,
            _ => module.span,
        };
        let listed = match uses {
            [] => "it has no `use` directive".to_string(),
            uses => format!("its `use` directories are {}", uses.join(", ")),
        };
        let module = match module_dir {
            "." => "the module at the context's root".to_string(),
            module_dir => format!("the module in `{module_dir}`"),
        };
        LayoutError::Spec(
            Diagnostic::new(
                span,
                format!(
                    "{module} is not one of the modules of the workspace `{go_work}` ({listed})"
                ),
            )
            .with_help(format!(
                "add `use {relative}` to {go_work} (`go work use {relative}`), or set \
                 `GOWORK: \"off\"` under `build.env` to build without the workspace"
            )),
        )
    }
}

/// Where a `use` or `replace` directory is written.
struct Place<'a> {
    file: &'a str,
    data: &'a [u8],
    base_dir: &'a str,
    written: &'a str,
    span: Span,
    kind: DirectoryKind,
}

/// Which directive names a directory.
#[derive(Clone, Copy)]
enum DirectoryKind {
    Use,
    Replace,
}

impl DirectoryKind {
    fn describe(self) -> &'static str {
        match self {
            DirectoryKind::Use => "`use` directory",
            DirectoryKind::Replace => "replacement directory",
        }
    }
}

/// A parse error of `path` as a problem at its position (the file as a whole when it has
/// none).
fn file_problem(path: &str, data: &[u8], span: Option<Span>, message: String) -> LayoutError {
    LayoutError::File(FileProblem {
        path: path.to_string(),
        data: data.to_vec(),
        diagnostic: Diagnostic::new(span.unwrap_or_default(), message),
    })
}

/// A `use` or `replace` directory (`directory` in the context) without go.mod, at `span`
/// of `file`.
fn no_go_mod(
    file: &str,
    data: &[u8],
    span: Span,
    directory: &str,
    kind: DirectoryKind,
) -> LayoutError {
    let help = match kind {
        DirectoryKind::Use => {
            "the go command needs each workspace module's go.mod: check the \
                               path, run `go mod init` there, or remove the `use`"
        }
        DirectoryKind::Replace => {
            "the go command reads the replacement module's go.mod there: \
                                   check the path, or run `go mod init` in that directory"
        }
    };
    LayoutError::File(FileProblem {
        path: file.to_string(),
        data: data.to_vec(),
        diagnostic: Diagnostic::new(
            span,
            format!(
                "the {} `{}` of the build context has no go.mod",
                kind.describe(),
                directory
            ),
        )
        .with_help(help),
    })
}

/// `module_dir` and each directory above it, nearest first, ending with the root `.`.
fn ancestors(module_dir: &str) -> Vec<String> {
    let mut directories = vec![module_dir.to_string()];
    let mut current = module_dir;
    while current != "." {
        current = match current.rsplit_once('/') {
            Some((parent, _)) => parent,
            None => ".",
        };
        directories.push(current.to_string());
    }
    directories
}

/// How many directories above the context's root `target`, relative to `base_dir`, climbs
/// at its highest (`svc` + `../../lib` → 1).
fn levels_above(base_dir: &str, target: &str) -> usize {
    let mut depth: isize = 0;
    let mut highest: isize = 0;
    for component in base_dir.split('/').chain(target.split('/')) {
        match component {
            "" | "." => {}
            ".." => {
                depth -= 1;
                highest = highest.min(depth);
            }
            _ => depth += 1,
        }
    }
    highest.unsigned_abs()
}

/// A context directory for messages: `.` reads as "the context's root".
fn display_dir(directory: &str) -> String {
    match directory {
        "." => "the context's root".to_string(),
        directory => directory.to_string(),
    }
}
