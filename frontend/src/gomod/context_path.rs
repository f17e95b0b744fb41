//! Where a directory named in go.mod or go.work is inside the build context.
//!
//! The go command joins a relative `replace` directory to the main module's directory
//! (go.work's in a workspace), and a `use` directory to go.work's, with `filepath.Join`,
//! which cleans `.` and `..` lexically (golang/go `src/cmd/go/internal/modload`:
//! `replaceRelativeTo` in modfile.go, `loadWorkFile` in init.go). Doing the same without a
//! filesystem gives the path a build step must receive from the context.

/// A directory named in go.mod or go.work that a build cannot receive from its context.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum OutsideContext {
    /// An absolute path: it names a directory of the machine that wrote it, which a build
    /// does not see.
    #[error(
        "`{target}` is an absolute path, which a build cannot see; write it relative to \
         `{base_dir}` and keep the directory inside the build context"
    )]
    Absolute {
        /// The directory the path is relative to, as given.
        base_dir: String,
        /// The path as written.
        target: String,
    },
    /// A relative path whose `..` components climb above the build context's root.
    #[error(
        "`{target}` from `{base_dir}` leads outside the build context; build from a context \
         that contains both directories (for example the repository's root)"
    )]
    Escapes {
        /// The directory the path is relative to, as given.
        base_dir: String,
        /// The path as written.
        target: String,
    },
}

/// The context path of directory `target` written relative to `base_dir` (the directory of
/// the go.mod or go.work that names it), without touching a filesystem.
///
/// Paths are `/`-separated and relative to the context's root; `.` is the root. Empty and
/// `.` components are dropped and `..` removes the component before it, so the result is
/// clean: `svc` + `../lib` gives `lib`, `svc/./a/../b` + `./` gives `svc/b`, `.` + `.`
/// gives `.`. A symbolic link in the context is not followed, as `filepath.Join` does not.
///
/// Errors: [`OutsideContext::Absolute`] when `target` starts with `/`;
/// [`OutsideContext::Escapes`] when `base_dir` and `target` together climb above the root
/// (`svc` + `../../x`).
pub fn resolve_in_context(base_dir: &str, target: &str) -> Result<String, OutsideContext> {
    if target.starts_with('/') {
        return Err(OutsideContext::Absolute {
            base_dir: base_dir.to_string(),
            target: target.to_string(),
        });
    }
    let mut components: Vec<&str> = Vec::new();
    for component in base_dir.split('/').chain(target.split('/')) {
        match component {
            "" | "." => {}
            ".." => {
                if components.pop().is_none() {
                    return Err(OutsideContext::Escapes {
                        base_dir: base_dir.to_string(),
                        target: target.to_string(),
                    });
                }
            }
            name => components.push(name),
        }
    }
    if components.is_empty() {
        Ok(".".to_string())
    } else {
        Ok(components.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_cleans_lexically() {
        let cases = [
            ("svc", "../lib", "lib"),
            ("svc", "./", "svc"),
            ("svc", ".", "svc"),
            ("svc/", "./internal/", "svc/internal"),
            ("svc/./a/../b", ".", "svc/b"),
            ("svc/./a/../b", "../c//d/", "svc/c/d"),
            (".", ".", "."),
            (".", "./lib", "lib"),
            ("", "lib", "lib"),
            ("services/api", "../..", "."),
            ("services/api", "../../libs/shared", "libs/shared"),
            ("a", "b/../../c", "c"),
            // Not a `..` component: a name with dots.
            ("svc", "../...", "..."),
            ("svc", "..lib", "svc/..lib"),
            // `C:` is a plain directory name on Linux, as for the go command there.
            ("svc", "C:/x", "svc/C:/x"),
        ];
        for (base_dir, target, expected) in cases {
            assert_eq!(
                resolve_in_context(base_dir, target).as_deref(),
                Ok(expected),
                "for {base_dir:?} + {target:?}"
            );
        }
    }

    #[test]
    fn refuses_paths_outside_the_context() {
        let escapes = |base_dir: &str, target: &str| OutsideContext::Escapes {
            base_dir: base_dir.to_string(),
            target: target.to_string(),
        };
        assert_eq!(
            resolve_in_context("svc", "../../x"),
            Err(escapes("svc", "../../x"))
        );
        assert_eq!(resolve_in_context(".", ".."), Err(escapes(".", "..")));
        // Climbing out and back in still leaves the context on the way.
        assert_eq!(
            resolve_in_context("svc", "../../repo/lib"),
            Err(escapes("svc", "../../repo/lib"))
        );
        assert_eq!(resolve_in_context("..", "svc"), Err(escapes("..", "svc")));
        assert_eq!(
            resolve_in_context("svc", "/home/me/lib"),
            Err(OutsideContext::Absolute {
                base_dir: "svc".to_string(),
                target: "/home/me/lib".to_string(),
            })
        );
        assert_eq!(
            escapes("svc", "../../x").to_string(),
            "`../../x` from `svc` leads outside the build context; build from a context \
             that contains both directories (for example the repository's root)"
        );
    }
}
