//! `main:` or `binaries:` → the programs to build.

use super::{at, check, values};
use crate::spec::model::Binary;
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::spec::spanned::Spanned;
use crate::spec::tree::Node;
use crate::vocabulary::Diagnostic;
use crate::vocabulary::{check_binary_name, derive_binary_name, Located};

/// The programs to build: one from `main`, each of `binaries`, or `.` when neither is
/// written. Mains are normalised; names are checked to be file names and unique.
pub(super) fn validate(
    main: Option<Spanned<String>>,
    binaries: Option<Spanned<Vec<raw::Binary>>>,
    document: &Node,
) -> Result<Vec<Binary>, Diagnostic> {
    let root = FieldPath::root();
    match (main, binaries) {
        (Some(_), Some(_)) => {
            let main_key = document.key_span(&root.key("main"));
            let binaries_key = document.key_span(&root.key("binaries"));
            let span = main_key.max(binaries_key).unwrap_or(document.span);
            Err(
                Diagnostic::new(span, "`main` and `binaries` cannot both be set").with_help(
                    "use `main` for one program, or list every program under `binaries` \
                     (`- main: ./cmd/server`)",
                ),
            )
        }
        (Some(main), None) => Ok(vec![Binary {
            main: main_package(main, &root.key("main"))?,
            name: None,
        }]),
        (None, Some(binaries)) => several(binaries),
        (None, None) => Ok(vec![Binary {
            main: Located::new(".".to_string(), document.span),
            name: None,
        }]),
    }
}

fn several(binaries: Spanned<Vec<raw::Binary>>) -> Result<Vec<Binary>, Diagnostic> {
    let list = FieldPath::root().key("binaries");
    if binaries.value.is_empty() {
        return Err(Diagnostic::new(binaries.span, "`binaries` is empty").with_help(
            "list at least one program (`- main: ./cmd/server`), or remove `binaries` to build \
             the module root",
        ));
    }
    let mut validated: Vec<Binary> = Vec::new();
    // The installed name of each binary so far: written, derived from `main`, or `None`
    // for the module's name (for `.`).
    let mut installed: Vec<Option<String>> = Vec::new();
    for (index, binary) in binaries.value.into_iter().enumerate() {
        let path = list.index(index);
        let main = main_package(binary.main, &path.key("main"))?;
        let name = match &binary.name {
            Some(name) => {
                check(name, &path.key("name"), check_binary_name)?;
                Some(name.value.clone())
            }
            None => None,
        };
        let installed_as = name
            .clone()
            .or_else(|| derive_binary_name(&main.value, None));
        if let Some(earlier) = installed.iter().position(|other| *other == installed_as) {
            let span = binary.name.as_ref().map_or(main.span, |name| name.span);
            let shown = installed_as.as_deref().unwrap_or("the module's name");
            return Err(Diagnostic::new(
                span,
                format!(
                    "`{path}` would be installed as `{shown}`, like `{}`",
                    list.index(earlier)
                ),
            )
            .with_help("give one of them a different `name`"));
        }
        installed.push(installed_as);
        validated.push(Binary { main, name });
    }
    Ok(validated)
}

fn main_package(main: Spanned<String>, path: &FieldPath) -> Result<Located<String>, Diagnostic> {
    match values::main_package(&main.value) {
        Ok(normalised) => Ok(Located::new(normalised, main.span)),
        Err(problem) => Err(at(main.span, path, problem)),
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::testing::{assert_error, help, parse_ok};

    fn mains(text: &str) -> Vec<(String, Option<String>)> {
        parse_ok(text)
            .binaries
            .into_iter()
            .map(|binary| (binary.main.value, binary.name))
            .collect()
    }

    #[test]
    fn normalises_main() {
        assert_eq!(
            mains("version: 1\nmain: ./cmd/server/\n"),
            vec![("./cmd/server".to_string(), None)]
        );
        assert_eq!(
            mains("version: 1\nmain: ./\n"),
            vec![(".".to_string(), None)]
        );
        assert_eq!(
            mains("version: 1\nbinaries:\n  - main: ./cmd/a//\n  - {main: ./cmd/b, name: bee}\n"),
            vec![
                ("./cmd/a".to_string(), None),
                ("./cmd/b".to_string(), Some("bee".to_string()))
            ]
        );
    }

    #[test]
    fn rejects_main_outside_the_module() {
        assert_error(
            "version: 1\nmain: /src/cmd/server\n",
            2,
            7,
            "`main` is an absolute path",
        );
        assert_error(
            "version: 1\nmain: ../other\n",
            2,
            7,
            "`main` points outside the module",
        );
        let diagnostic = assert_error(
            "version: 1\nbinaries:\n  - main: cmd/server\n",
            3,
            11,
            "`binaries[0].main` must start with `./` (a directory of this module)",
        );
        assert!(help(&diagnostic).starts_with("write `./cmd/server`"));
    }

    #[test]
    fn main_and_binaries_exclude_each_other() {
        let diagnostic = assert_error(
            "version: 1\nmain: ./cmd/a\nbinaries:\n  - main: ./cmd/b\n",
            3,
            1,
            "`main` and `binaries` cannot both be set",
        );
        assert!(help(&diagnostic).starts_with("use `main` for one program"));
        assert_error(
            "version: 1\nbinaries: [{main: .}]\nimage: {}\nmain: .\n",
            4,
            1,
            "`main` and `binaries` cannot both be set",
        );
    }

    #[test]
    fn binaries_need_distinct_file_names() {
        assert_error("version: 1\nbinaries: []\n", 2, 11, "`binaries` is empty");
        assert_error(
            "version: 1\nbinaries:\n  - main: ./cmd/a\n    name: bin/a\n",
            4,
            11,
            "`binaries[0].name` must be a file name, not a path",
        );
        let diagnostic = assert_error(
            "version: 1\nbinaries:\n  - main: ./cmd/server\n  - main: ./tools/x\n    name: server\n",
            5,
            11,
            "`binaries[1]` would be installed as `server`, like `binaries[0]`",
        );
        assert_eq!(help(&diagnostic), "give one of them a different `name`");
        assert_error(
            "version: 1\nbinaries:\n  - main: ./a/server\n  - main: ./b/server\n",
            4,
            11,
            "`binaries[1]` would be installed as `server`, like `binaries[0]`",
        );
        assert_error(
            "version: 1\nbinaries:\n  - main: .\n  - main: ./\n",
            4,
            11,
            "`binaries[1]` would be installed as `the module's name`, like `binaries[0]`",
        );
        assert_eq!(
            mains("version: 1\nbinaries:\n  - main: ./a/server\n  - {main: ./b/server, name: b}\n")
                .len(),
            2
        );
    }
}
