//! Names of binaries in the image (`/usr/local/bin/<name>`).

use super::Problem;

/// Checks that `text` is a plain file name for `/usr/local/bin/<name>`.
///
/// Errors: empty, a path (`/` or `\`), `.` or `..`, or spaces and control characters.
pub fn check_binary_name(text: &str) -> Result<(), Problem> {
    const HELP: &str = "write a file name such as `server`; binaries go to /usr/local/bin";
    if text.is_empty() {
        return Err(Problem::new("is empty", HELP));
    }
    if text.contains('/') || text.contains('\\') {
        return Err(Problem::new("must be a file name, not a path", HELP));
    }
    if text == "." || text == ".." {
        return Err(Problem::new("is not a file name", HELP));
    }
    if text
        .chars()
        .any(|character| character.is_whitespace() || character.is_control())
    {
        return Err(Problem::new("contains spaces or control characters", HELP));
    }
    Ok(())
}

/// The name of a binary whose `main` package is `main` (normalised: `.` or `./dir/…`) when
/// the spec gives none: the main directory's last element, or for `.` the module path's last
/// element (`module_path`; `None` when not known yet, as in `gostage check`), as `go build`
/// names its output (`go help build`, `-o`).
pub fn derive_binary_name(main: &str, module_path: Option<&str>) -> Option<String> {
    let directory = main.trim_start_matches("./").trim_matches('/');
    let path = if directory.is_empty() || directory == "." {
        module_path?
    } else {
        directory
    };
    path.rsplit('/')
        .next()
        .filter(|name| !name.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_directory_or_the_module() {
        assert_eq!(
            derive_binary_name("./cmd/server", Some("example.com/shop")).as_deref(),
            Some("server")
        );
        assert_eq!(
            derive_binary_name(".", Some("example.com/shop")).as_deref(),
            Some("shop")
        );
        assert_eq!(derive_binary_name(".", None), None);
    }

    #[test]
    fn rejects_paths_and_blanks() {
        for text in ["", "a/b", "..", "a b", "a\\b"] {
            assert!(check_binary_name(text).is_err(), "{text:?}");
        }
        assert_eq!(check_binary_name("server"), Ok(()));
    }
}
