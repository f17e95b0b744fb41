//! `gostage check [FILE|-]`: validates a spec and runs the lint rules on it, without a
//! daemon; the exit status says whether a build would go well.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::context::ModuleContext;
use crate::lint::{self, Level, LintInput, Scope};

/// The most `gostage check` accepts, in bytes: the spec limit ([`crate::spec::MAX_SPEC_BYTES`]);
/// it reads one byte more to tell a larger file apart without reading all of it.
const MAX_SPEC_BYTES: u64 = crate::spec::MAX_SPEC_BYTES as u64;

/// What the check found: the lines to print and whether the spec passes.
#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    /// `FILE:LINE:COLUMN: …` lines (findings, or the one error), then `FILE: ok` when the
    /// spec passes.
    pub lines: Vec<String>,
    /// Notes for stderr (rules skipped and why).
    pub notes: Vec<String>,
    /// Valid, and no finding at warning or error level.
    pub passed: bool,
}

/// Why `gostage check` could not read the spec; each message starts with the file's name.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{name}: {source}")]
    Io {
        /// The file as given (`<stdin>` for standard input).
        name: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The input holds more than [`MAX_SPEC_BYTES`].
    #[error(
        "{name}: larger than 1 MiB, which no gostage.yaml is; pass the spec file (gostage check \
         gostage.yaml)"
    )]
    TooLarge {
        /// The file as given.
        name: String,
    },
}

/// Reads at most [`MAX_SPEC_BYTES`] from `reader`, named `name` in messages.
///
/// Errors: the reader fails ([`ReadError::Io`]), or holds more than the limit
/// ([`ReadError::TooLarge`]).
pub fn read_limited(reader: impl Read, name: &str) -> Result<Vec<u8>, ReadError> {
    let mut data = Vec::new();
    reader
        .take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|source| ReadError::Io {
            name: name.to_string(),
            source,
        })?;
    if data.len() as u64 > MAX_SPEC_BYTES {
        return Err(ReadError::TooLarge {
            name: name.to_string(),
        });
    }
    Ok(data)
}

/// Checks `data` (named `name`), with the module in `context_dir` for the go.mod rules.
pub fn report(name: &str, data: &[u8], context_dir: &Path) -> Report {
    let spec = match crate::spec::parse(data) {
        Ok(spec) => spec,
        Err(diagnostic) => {
            return Report {
                lines: vec![diagnostic.render(name)],
                notes: Vec::new(),
                passed: false,
            }
        }
    };
    let mut notes = Vec::new();
    // A written `module:` must have its go.mod; without one, a spec checked away from its
    // module (or from standard input) is checked alone.
    let module = &spec.build.module;
    let module_known = module.span.line > 0 || context_dir.join("go.mod").is_file();
    let (context, layout) = if module_known {
        match super::context::read_context(context_dir, &spec, name) {
            Ok(read) => (read.module, Some(read.layout)),
            Err(error) => {
                return Report {
                    lines: vec![error.to_string()],
                    notes,
                    passed: false,
                }
            }
        }
    } else {
        let below = super::context::modules_below(context_dir);
        let suggestion = match below.as_slice() {
            [] => String::new(),
            below => format!(
                " ({} below it: set `module:` to check one)",
                below
                    .iter()
                    .map(|directory| format!("{directory}/go.mod"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        notes.push(format!(
            "{name}: no go.mod in {}{suggestion}: the rules about go.mod and go.sum were skipped",
            display_dir(context_dir)
        ));
        // Nothing known of the module: no rule about it fires.
        let context = ModuleContext {
            module: crate::gomod::GoModule::default(),
            go_sum: true,
            vendored: false,
            ignore_patterns: Vec::new(),
            file_sources: Default::default(),
            location: Default::default(),
        };
        (context, None)
    };
    // The names the build would derive from `main:` and go.mod, checked as the plan does.
    let derived = match module_known {
        true => crate::plan::binary_names(&spec, &context.module),
        // Without go.mod the module's name is unknown.
        false => Ok(Vec::new()),
    };
    if let Err(crate::plan::PlanError::Spec(diagnostic)) = derived {
        return Report {
            lines: vec![diagnostic.render(name)],
            notes,
            passed: false,
        };
    }
    let findings = lint::check(LintInput {
        spec_file: data,
        spec: &spec,
        context: &context,
        layout: layout.as_ref(),
        scope: Scope::Cli,
    });
    let passed = findings
        .iter()
        .all(|finding| finding.rule.level < Level::Warning);
    let mut lines: Vec<String> = findings
        .iter()
        .map(|finding| {
            let level = match finding.rule.level {
                Level::Info => "info",
                Level::Warning => "warning",
                Level::Error => "error",
            };
            format!(
                "{name}:{}:{}: {level}: {}: {}",
                finding.span.line, finding.span.column, finding.rule.name, finding.message
            )
        })
        .collect();
    if passed {
        lines.push(format!("{name}: ok"));
    }
    Report {
        lines,
        notes,
        passed,
    }
}

fn display_dir(directory: &Path) -> String {
    match directory.as_os_str().is_empty() {
        true => ".".to_string(),
        false => directory.display().to_string(),
    }
}

/// Runs the command on `file` (`-`: standard input, with the module in the current
/// directory): prints the report, exits 0 when the spec passes, else 1.
pub fn run(file: &Path) -> ExitCode {
    let (name, data, context_dir) = if file == Path::new("-") {
        let data = read_limited(std::io::stdin().lock(), "<stdin>");
        ("<stdin>".to_string(), data, PathBuf::from("."))
    } else {
        let name = file.display().to_string();
        let data = std::fs::File::open(file)
            .map_err(|source| ReadError::Io {
                name: name.clone(),
                source,
            })
            .and_then(|opened| read_limited(opened, &name));
        let directory = file.parent().map(Path::to_path_buf).unwrap_or_default();
        (name, data, directory)
    };
    let data = match data {
        Ok(data) => data,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let report = report(&name, &data, &context_dir);
    for note in &report.notes {
        eprintln!("{note}");
    }
    let mut stdout = std::io::stdout().lock();
    for line in &report.lines {
        // A closed pipe (`gostage check | head`) is not worth a panic.
        let _ = writeln!(stdout, "{line}");
    }
    match report.passed {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_the_monorepo_example_and_names_its_modules_without_module() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/monorepo");
        for service in ["svc-a", "svc-b"] {
            let name = format!("{service}.gostage.yaml");
            let data = std::fs::read(example.join(&name)).unwrap_or_else(|error| panic!("{error}"));
            let checked = report(&name, &data, &example);
            assert_eq!(checked.lines, [format!("{name}: ok")]);
            assert!(checked.notes.is_empty(), "{:?}", checked.notes);
        }
        let alone = report("g.yaml", b"# syntax=myorg/gostage\nversion: 1\n", &example);
        assert!(alone.passed);
        assert!(
            alone.notes[0].contains(
                "(lib/go.mod, svc-a/go.mod, svc-b/go.mod below it: set `module:` to check one)"
            ),
            "{:?}",
            alone.notes
        );
        let missing = report(
            "g.yaml",
            b"# syntax=myorg/gostage\nversion: 1\nmodule: svc-c\n",
            &example,
        );
        assert!(!missing.passed);
        assert!(
            missing.lines[0]
                .starts_with("g.yaml:3:9: `module: svc-c` names a directory without go.mod"),
            "{:?}",
            missing.lines
        );
    }

    #[test]
    fn reads_up_to_one_mebibyte() {
        let limit = usize::try_from(MAX_SPEC_BYTES).unwrap_or(usize::MAX);
        assert_eq!(
            read_limited(&vec![b'a'; limit][..], "x")
                .map(|data| data.len())
                .map_err(|error| error.to_string()),
            Ok(limit)
        );
        let error = read_limited(&vec![b'a'; limit + 1][..], "big.yaml").expect_err("too big");
        assert_eq!(
            error.to_string(),
            "big.yaml: larger than 1 MiB, which no gostage.yaml is; pass the spec file \
             (gostage check gostage.yaml)"
        );
    }

    #[test]
    fn a_read_error_names_the_file() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _buffer: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("device gone"))
            }
        }
        let error = read_limited(Failing, "g.yaml").expect_err("fails");
        assert!(matches!(error, ReadError::Io { .. }), "{error:?}");
        assert_eq!(error.to_string(), "g.yaml: device gone");
    }

    #[test]
    fn passes_a_clean_spec_and_fails_on_warnings_and_errors() {
        let directory =
            std::env::temp_dir().join(format!("gostage-check-report-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap_or_else(|error| panic!("{error}"));
        std::fs::write(
            directory.join("go.mod"),
            "module example.com/m\ngo 1.23\nrequire example.com/x v1.0.0\n",
        )
        .unwrap_or_else(|error| panic!("{error}"));
        std::fs::write(directory.join("go.sum"), "").unwrap_or_else(|error| panic!("{error}"));

        let clean = report(
            "g.yaml",
            b"# syntax=myorg/gostage\nversion: 1\n",
            &directory,
        );
        assert_eq!(clean.lines, ["g.yaml: ok"]);
        assert!(clean.passed);

        let info = report(
            "g.yaml",
            b"# syntax=myorg/gostage\nversion: 1\nbuilder: golang:1.23\n",
            &directory,
        );
        assert!(info.passed);
        assert!(
            info.lines[0].starts_with("g.yaml:3:10: info: UnpinnedImage:"),
            "{:?}",
            info.lines
        );

        let root = report("g.yaml", b"version: 1\nimage:\n  user: 0\n", &directory);
        assert!(!root.passed);
        assert!(
            root.lines[0].starts_with("g.yaml:1:1: error: SyntaxLine:"),
            "{:?}",
            root.lines
        );
        assert!(
            root.lines[1].starts_with("g.yaml:3:9: warning: RunsAsRoot:"),
            "{:?}",
            root.lines
        );

        std::fs::remove_file(directory.join("go.sum")).unwrap_or_else(|error| panic!("{error}"));
        let no_sum = report(
            "g.yaml",
            b"# syntax=myorg/gostage\nversion: 1\n",
            &directory,
        );
        assert!(
            no_sum.lines[0].contains("MissingGoSum"),
            "{:?}",
            no_sum.lines
        );

        let invalid = report("g.yaml", b"version: 1\nmian: .\n", &directory);
        assert!(!invalid.passed);
        assert!(
            invalid.lines[0].starts_with("g.yaml:2:1:"),
            "{:?}",
            invalid.lines
        );

        std::fs::write(directory.join("go.mod"), "module ..\n")
            .unwrap_or_else(|error| panic!("{error}"));
        let dots = report(
            "g.yaml",
            b"# syntax=myorg/gostage\nversion: 1\nmain: .\n",
            &directory,
        );
        assert!(!dots.passed);
        assert!(
            dots.lines[0].starts_with("g.yaml:3:7: the binary name `..`"),
            "{:?}",
            dots.lines
        );

        let elsewhere = report(
            "g.yaml",
            b"# syntax=myorg/gostage\nversion: 1\n",
            &directory.join("none"),
        );
        assert!(elsewhere.passed);
        assert_eq!(elsewhere.notes.len(), 1);
        let _ = std::fs::remove_dir_all(&directory);
    }
}
