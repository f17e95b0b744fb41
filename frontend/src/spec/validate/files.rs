//! `files:` → the build-context files copied into the image.

use super::{check, values};
use crate::spec::model::CopiedFile;
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::spec::tree::{Node, NodeKind};
use crate::vocabulary::Diagnostic;

/// Checks each entry: `src` inside the build context, `dst` absolute, `mode` a quoted octal
/// mode. Whether `src` exists is a fact of the context, checked by `plan`.
pub(super) fn validate(
    files: Option<Vec<raw::File>>,
    document: &Node,
) -> Result<Vec<CopiedFile>, Diagnostic> {
    let list = FieldPath::root().key("files");
    let mut validated = Vec::new();
    for (index, file) in files.unwrap_or_default().into_iter().enumerate() {
        let item = list.index(index);
        let src = check(&file.src, &item.key("src"), values::context_path)?;
        let (directory, into) = check(&file.dst, &item.key("dst"), values::image_path)?;
        let dst = match (into, src.rsplit('/').next()) {
            (true, Some(name)) => format!("{}/{name}", directory.trim_end_matches('/')),
            _ => directory,
        };
        let mode = match file.mode {
            Some(mode) => {
                let path = item.key("mode");
                if let Some(node) = document.get(&path) {
                    if matches!(node.kind, NodeKind::Number(_)) {
                        return Err(Diagnostic::new(
                            mode.span,
                            format!(
                                "`{path}` must be a quoted string, found {}",
                                node.describe()
                            ),
                        )
                        .with_help(
                            "write the octal digits in quotes, e.g. `mode: \"0644\"`; unquoted, \
                             YAML may read 0644 as the decimal number 644",
                        ));
                    }
                }
                Some(check(&mode, &path, values::file_mode)?)
            }
            None => None,
        };
        validated.push(CopiedFile {
            src: crate::vocabulary::Located::new(src, file.src.span),
            dst,
            mode,
        });
    }
    Ok(validated)
}

#[cfg(test)]
mod tests {
    use crate::spec::model::CopiedFile;
    use crate::spec::testing::{assert_error, help, parse_ok};
    use crate::vocabulary::{Located, Span};

    fn copied(src: &str, line: u32, column: u32, dst: &str, mode: Option<u32>) -> CopiedFile {
        CopiedFile {
            src: Located::new(src.to_string(), Span { line, column }),
            dst: dst.to_string(),
            mode,
        }
    }

    #[test]
    fn reads_sources_destinations_and_modes() {
        let spec = parse_ok(
            r#"version: 1
files:
  - src: ./config/app.json
    dst: /etc/app/
    mode: "0640"
  - {src: static, dst: /srv/www}
  - src: bin/../scripts/run.sh
    dst: /usr/local/bin/run
    mode: "755"
"#,
        );
        assert_eq!(
            spec.files,
            [
                copied("config/app.json", 3, 10, "/etc/app/app.json", Some(0o640)),
                copied("static", 6, 11, "/srv/www", None),
                copied("scripts/run.sh", 7, 10, "/usr/local/bin/run", Some(0o755)),
            ]
        );
        assert!(parse_ok("version: 1\n").files.is_empty());
    }

    #[test]
    fn errors_point_at_the_entry() {
        let diagnostic = assert_error(
            "version: 1\nfiles:\n  - src: ../secrets.env\n    dst: /etc/app/\n",
            3,
            10,
            "`files[0].src` points outside the build context",
        );
        assert!(help(&diagnostic).contains("build context"));
        assert_error(
            "version: 1\nfiles:\n  - src: /etc/hosts\n    dst: /etc/hosts\n",
            3,
            10,
            "`files[0].src` is an absolute path",
        );
        assert_error(
            "version: 1\nfiles:\n  - {src: a, dst: /a}\n  - {src: b, dst: etc/b}\n",
            4,
            19,
            "`files[1].dst` must be an absolute path",
        );
        let diagnostic = assert_error(
            "version: 1\nfiles:\n  - src: a\n    dst: /a\n    mode: 0644\n",
            5,
            11,
            "`files[0].mode` must be a quoted string, found the number 644",
        );
        assert!(help(&diagnostic).contains("\"0644\""));
        assert_error(
            "version: 1\nfiles:\n  - src: a\n    dst: /a\n    mode: \"u+rw\"\n",
            5,
            11,
            "`files[0].mode` is not a permission mode: `u+rw`",
        );
        let diagnostic = assert_error(
            "version: 1\nfiles:\n  - src: \"go\\0mod\"\n    dst: /app/\n",
            3,
            10,
            "`files[0].src` holds a NUL character (`\\0`)",
        );
        assert_eq!(
            help(&diagnostic),
            "remove the `\\0`: Linux ends file names, arguments and environment values at a \
             NUL, so no value of gostage.yaml can hold one"
        );
        assert_error(
            "version: 1\nfiles:\n  - {src: go.mod, dst: \"/app/go\\0mod\"}\n",
            3,
            24,
            "`files[0].dst` holds a NUL character (`\\0`)",
        );
        assert_error(
            "version: 1\nfiles:\n  - src: a\n",
            3,
            5,
            "`files[0]` needs `dst`",
        );
    }
}
