//! `build:` → compiler settings.

use std::collections::BTreeMap;

use super::{check, values};
use crate::spec::model::Build;
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::spec::spanned::Spanned;
use crate::vocabulary::Diagnostic;
use crate::vocabulary::{LdflagsTemplate, Located};

/// Environment variables `build.env` cannot set, each with what the error says after
/// "cannot be set: " and why (the help): the target (CGO_ENABLED, GOOS, GOARCH) and where Go
/// keeps its caches (GOCACHE, GOMODCACHE, and GOPATH, under which the golang image and Go put
/// the module cache and the checksum database's files: `go help environment`,
/// `go help gopath`). A cache moved elsewhere would be an empty directory of the build step,
/// filled and thrown away by every build.
pub(in crate::spec) const RESERVED: [(&str, &str, &str); 6] = [
    (
        "CGO_ENABLED",
        "gostage sets it",
        "gostage sets CGO_ENABLED from `build.cgo` (0 by default, for static binaries)",
    ),
    (
        "GOOS",
        "gostage sets it",
        "gostage sets GOOS from the target platform: use `platforms` or `--platform`",
    ),
    (
        "GOARCH",
        "gostage sets it",
        "gostage sets GOARCH from the target platform: use `platforms` or `--platform`",
    ),
    (
        "GOCACHE",
        "gostage sets it",
        "gostage points GOCACHE at Go's build cache, a BuildKit cache mount kept across \
         builds; elsewhere every build would compile everything again",
    ),
    (
        "GOMODCACHE",
        "gostage sets it",
        "gostage points GOMODCACHE at the modules its download step fetched; elsewhere the \
         compile would find none and, without network, fail",
    ),
    (
        "GOPATH",
        "gostage uses the builder's",
        "the module cache and the checksum database's files live under the builder's GOPATH \
         (`/go` in the golang images), where gostage's steps expect them",
    ),
];

/// Environment variables gostage sets itself when `cgo` is on: the C compilers, which must
/// be the target platform's (a cross compiler for another architecture).
const RESERVED_WITH_CGO: [&str; 2] = ["CC", "CXX"];

/// The values of `GOWORK` the go command reads as "find go.work" (`""`, `auto`) or "no
/// workspace" (`off`); any other value is the path of a go.work file (golang/go
/// `src/cmd/go/internal/modload/init.go`, `FindGoWork`).
pub(in crate::spec) const GOWORK_VALUES: [&str; 3] = ["off", "auto", ""];

/// Checks `module:` (the top-level key, placed in [`Build::module`]), tags, environment
/// names, `cgo` and `packages`. Absent `module:` and `build:` give the defaults.
pub(super) fn validate(
    module: Option<Spanned<String>>,
    build: Option<raw::Build>,
) -> Result<Build, Diagnostic> {
    let module = match module {
        Some(module) => {
            let directory = check(
                &module,
                &FieldPath::root().key("module"),
                values::module_directory,
            )?;
            Located::new(directory, module.span)
        }
        None => Build::default().module,
    };
    let Some(build) = build else {
        return Ok(Build {
            module,
            ..Build::default()
        });
    };
    let section = FieldPath::root().key("build");
    let cgo = build.cgo.as_ref().is_some_and(|cgo| cgo.value);

    let tags_path = section.key("tags");
    let mut tags = Vec::new();
    for (index, tag) in build.tags.unwrap_or_default().into_iter().enumerate() {
        check(&tag, &tags_path.index(index), values::build_tag)?;
        tags.push(tag.value);
    }

    let env_path = section.key("env");
    let mut env = BTreeMap::new();
    for (name, value) in build.env.unwrap_or_default().entries {
        let path = env_path.key(name.value.clone());
        check(&name, &path, values::environment_name)?;
        if let Some((_, reason, why)) = RESERVED
            .iter()
            .find(|(reserved, _, _)| *reserved == name.value)
        {
            return Err(
                Diagnostic::new(name.span, format!("`{path}` cannot be set: {reason}"))
                    .with_help(format!("remove `{}`; {why}", name.value)),
            );
        }
        if cgo && RESERVED_WITH_CGO.contains(&name.value.as_str()) {
            return Err(Diagnostic::new(
                name.span,
                format!("`{path}` cannot be set with `build.cgo: true`: gostage sets it"),
            )
            .with_help(format!(
                "remove `{}`; gostage uses the builder's gcc for the build platform and \
                 Debian's cross compiler for another target architecture",
                name.value
            )));
        }
        if name.value == "GOWORK" && !GOWORK_VALUES.contains(&value.value.as_str()) {
            return Err(Diagnostic::new(
                value.span,
                format!("`{path}` is `{}`: gostage takes only `off`", value.value),
            )
            .with_help(
                "gostage finds go.work as the go command does (in `module:` or a directory \
                 above it); write `GOWORK: \"off\"` to build without the workspace, or \
                 remove `GOWORK`",
            ));
        }
        env.insert(name.value, value.value);
    }

    let ldflags_path = section.key("ldflags");
    let mut ldflags = Vec::new();
    for (index, entry) in build.ldflags.unwrap_or_default().into_iter().enumerate() {
        let template = check(&entry, &ldflags_path.index(index), LdflagsTemplate::parse)?;
        ldflags.push(Located::new(template, entry.span));
    }

    let packages = packages(build.packages.unwrap_or_default(), &section.key("packages"))?;
    if let (Some(first), false) = (packages.first(), cgo) {
        return Err(
            Diagnostic::new(first.span, "`build.packages` needs `build.cgo: true`").with_help(
                "the packages are for cgo's C compiler (libraries and their headers): add \
             `cgo: true` under `build:`, or remove `packages`",
            ),
        );
    }

    Ok(Build {
        module,
        ldflags,
        tags,
        env,
        cgo,
        packages,
    })
}

/// Each of `build.packages` checked to be a Debian package name; a name written twice is an
/// error at its second place.
fn packages(
    written: Vec<Spanned<String>>,
    path: &FieldPath,
) -> Result<Vec<Located<String>>, Diagnostic> {
    let mut packages: Vec<Located<String>> = Vec::new();
    for (index, package) in written.into_iter().enumerate() {
        let item = path.index(index);
        check(&package, &item, values::debian_package)?;
        if let Some(earlier) = packages
            .iter()
            .position(|known| known.value == package.value)
        {
            return Err(Diagnostic::new(
                package.span,
                format!(
                    "`{item}` is `{}` again, like `{}`",
                    package.value,
                    path.index(earlier)
                ),
            )
            .with_help("list each package once"));
        }
        packages.push(package.located());
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use crate::spec::testing::{assert_error, help, parse_ok};

    #[test]
    fn keeps_flags_tags_and_environment() {
        let build = parse_ok(
            "version: 1\nbuild:\n  ldflags:\n    - -X main.commit={{ .Commit }}\n  tags: [netgo]\n  env:\n    GOEXPERIMENT: rangefunc\n  cgo: false\n",
        )
        .build;
        assert_eq!(build.ldflags.len(), 1);
        assert_eq!(
            build.ldflags[0].value.written,
            "-X main.commit={{ .Commit }}"
        );
        assert_eq!(build.ldflags[0].span.line, 4);
        assert_eq!(build.tags, vec!["netgo".to_string()]);
        assert_eq!(
            build.env.get("GOEXPERIMENT").map(String::as_str),
            Some("rangefunc")
        );
        assert!(!build.cgo);
        assert!(build.packages.is_empty());
    }

    #[test]
    fn module_is_the_normalised_directory_where_it_is_written() {
        let build = parse_ok("version: 1\nmain: ./cmd/api\nmodule: ./services/api/\n").build;
        assert_eq!(build.module.value, "services/api");
        assert_eq!((build.module.span.line, build.module.span.column), (3, 9));
        // Without `module:` (or with `build:` alone) the module is the context's root.
        for text in ["version: 1\n", "version: 1\nbuild:\n  tags: [netgo]\n"] {
            let module = parse_ok(text).build.module;
            assert_eq!(
                (module.value.as_str(), module.span.line),
                (".", 0),
                "{text}"
            );
        }
        let diagnostic = assert_error(
            "version: 1\nmodule: ../lib\n",
            2,
            9,
            "`module` points outside the build context",
        );
        assert!(
            help(&diagnostic).contains("repository's root"),
            "{diagnostic:?}"
        );
        assert_error(
            "version: 1\nmodule: /src/svc\n",
            2,
            9,
            "`module` is an absolute path",
        );
    }

    #[test]
    fn gowork_may_only_turn_the_workspace_off() {
        for value in ["off", "auto", "\"\""] {
            let text = format!("version: 1\nbuild:\n  env:\n    GOWORK: {value}\n");
            assert!(parse_ok(&text).build.env.contains_key("GOWORK"), "{text}");
        }
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  env:\n    GOWORK: /src/go.work\n",
            4,
            13,
            "`build.env.GOWORK` is `/src/go.work`: gostage takes only `off`",
        );
        assert!(
            help(&diagnostic).contains("GOWORK: \"off\""),
            "{diagnostic:?}"
        );
    }

    #[test]
    fn reads_cgo_and_packages_in_the_order_written() {
        let build = parse_ok(
            "version: 1\nbuild:\n  cgo: true\n  packages:\n    - libsqlite3-dev\n    - libgeos++-dev\n",
        )
        .build;
        assert!(build.cgo);
        let packages: Vec<(&str, u32, u32)> = build
            .packages
            .iter()
            .map(|package| {
                (
                    package.value.as_str(),
                    package.span.line,
                    package.span.column,
                )
            })
            .collect();
        assert_eq!(
            packages,
            [("libsqlite3-dev", 5, 7), ("libgeos++-dev", 6, 7)]
        );
        assert!(parse_ok("version: 1\nbuild:\n  cgo: true\n")
            .build
            .packages
            .is_empty());
    }

    #[test]
    fn packages_are_debian_names_each_once_and_need_cgo() {
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  packages: [libsqlite3-dev, gcc, libsqlite3-dev]\n",
            4,
            35,
            "`build.packages[2]` is `libsqlite3-dev` again, like `build.packages[0]`",
        );
        assert_eq!(help(&diagnostic), "list each package once");
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  packages:\n    - libsqlite3-dev=3.40.1-2\n",
            5,
            7,
            "`build.packages[0]` is not a Debian package name: `libsqlite3-dev=3.40.1-2`",
        );
        assert!(
            help(&diagnostic).contains("`libsqlite3-dev`"),
            "{diagnostic:?}"
        );
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  packages: [\"libsqlite3-dev; rm -rf /\"]\n",
            4,
            14,
            "`build.packages[0]` is not a Debian package name: `libsqlite3-dev; rm -rf /`",
        );
        assert_eq!(
            help(&diagnostic),
            "write the package name alone, `libsqlite3-dev`: a list item names one Debian \
             package, with nothing after it"
        );
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  packages: [libsqlite3-dev]\n  cgo: false\n",
            3,
            14,
            "`build.packages` needs `build.cgo: true`",
        );
        assert!(help(&diagnostic).contains("add `cgo: true`"));
    }

    #[test]
    fn with_cgo_the_c_compilers_are_gostages() {
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  env:\n    CC: clang\n",
            5,
            5,
            "`build.env.CC` cannot be set with `build.cgo: true`: gostage sets it",
        );
        assert!(help(&diagnostic).contains("cross compiler"));
        let build = parse_ok("version: 1\nbuild:\n  env:\n    CC: clang\n").build;
        assert_eq!(build.env.get("CC").map(String::as_str), Some("clang"));
    }

    #[test]
    fn rejects_environment_gostage_sets() {
        for name in ["CGO_ENABLED", "GOOS", "GOARCH", "GOCACHE", "GOMODCACHE"] {
            let diagnostic = assert_error(
                &format!("version: 1\nbuild:\n  env:\n    GOFLAGS: -v\n    {name}: x\n"),
                5,
                5,
                &format!("`build.env.{name}` cannot be set: gostage sets it"),
            );
            assert!(
                help(&diagnostic).starts_with(&format!("remove `{name}`; ")),
                "{diagnostic:?}"
            );
        }
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  env:\n    GOCACHE: /tmp/go-build\n",
            4,
            5,
            "`build.env.GOCACHE` cannot be set: gostage sets it",
        );
        assert_eq!(
            help(&diagnostic),
            "remove `GOCACHE`; gostage points GOCACHE at Go's build cache, a BuildKit cache \
             mount kept across builds; elsewhere every build would compile everything again"
        );
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  env:\n    GOPATH: /home/me/go\n",
            4,
            5,
            "`build.env.GOPATH` cannot be set: gostage uses the builder's",
        );
        assert_eq!(
            help(&diagnostic),
            "remove `GOPATH`; the module cache and the checksum database's files live under the \
             builder's GOPATH (`/go` in the golang images), where gostage's steps expect them"
        );
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  env: {GOFLAGS: -v, GOMODCACHE: /m}\n",
            3,
            22,
            "`build.env.GOMODCACHE` cannot be set: gostage sets it",
        );
        assert!(
            help(&diagnostic).contains("download step"),
            "{diagnostic:?}"
        );
        assert_error(
            "version: 1\nbuild:\n  env: {\"MY-VAR\": x}\n",
            3,
            9,
            "`build.env.MY-VAR` is not an environment variable name",
        );
    }

    #[test]
    fn rejects_invalid_tags() {
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  tags: [netgo, \"osusergo,timetzdata\"]\n",
            3,
            17,
            "`build.tags[1]` is not a Go build tag",
        );
        assert_eq!(
            help(&diagnostic),
            "write one tag per list item: `[osusergo, timetzdata]`"
        );
    }
}
