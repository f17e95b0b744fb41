//! `go` command lines of `RUN` scripts: which subcommand, its flags and its packages.
//!
//! Flags as `go help build` and `go help testflag` list them (Go 1.24, build.go of cmd/go's
//! internal `work` package and testflag.go of its internal `test` package in golang/go):
//! `-flag value`, `-flag=value` and `--flag` are the same flag, and the first word that is not
//! a flag starts the packages.

/// The `go` flags that take a value (the next word when not written with `=`).
const FLAGS_WITH_VALUE: &[&str] = &[
    "C",
    "o",
    "p",
    "asmflags",
    "buildmode",
    "compiler",
    "gccgoflags",
    "gcflags",
    "installsuffix",
    "ldflags",
    "mod",
    "modfile",
    "overlay",
    "pgo",
    "pkgdir",
    "tags",
    "toolexec",
    "covermode",
    "coverpkg",
    "exec",
    // `go test`
    "run",
    "skip",
    "count",
    "timeout",
    "bench",
    "benchtime",
    "cpu",
    "parallel",
    "coverprofile",
    "outputdir",
    "shuffle",
    "list",
    "fuzz",
    "fuzztime",
    "vet",
];

/// A `go` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct GoCommand {
    /// `build`, `install`, `test`, `mod download`, `run`, … (`mod` with its subcommand).
    pub subcommand: String,
    /// Flags in order, as (`name` without dashes, value); a flag without a value has `None`.
    pub flags: Vec<(String, Option<String>)>,
    /// Package arguments (`./cmd/server`, `.`, `main.go`, `./...`); for `go run`, also the
    /// program's arguments.
    pub packages: Vec<String>,
}

impl GoCommand {
    /// The last value of flag `name`.
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(flag, _)| flag == name)
            .and_then(|(_, value)| value.as_deref())
    }

    /// The build tags of every `-tags` flag (`a,b` and the old `"a b"` form).
    pub fn tags(&self) -> Vec<String> {
        self.flags
            .iter()
            .filter(|(flag, _)| flag == "tags")
            .filter_map(|(_, value)| value.as_deref())
            .flat_map(|value| value.split([',', ' ']))
            .filter(|tag| !tag.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// The `go` command `words` runs (`go build …`, `$GOROOT/bin/go test …`: any path ending in `/go`), if it is one.
pub(super) fn parse(words: &[String]) -> Option<GoCommand> {
    let (program, rest) = words.split_first()?;
    if program != "go" && !program.ends_with("/go") {
        return None;
    }
    let (subcommand, mut rest) = rest.split_first()?;
    let mut subcommand = subcommand.clone();
    if subcommand == "mod" || subcommand == "tool" {
        if let Some((inner, after)) = rest.split_first() {
            subcommand = format!("{subcommand} {inner}");
            rest = after;
        }
    }
    let mut flags = Vec::new();
    let mut index = 0;
    while let Some(word) = rest.get(index) {
        if word == "--" {
            index += 1;
            break;
        }
        let Some(flag) = word
            .strip_prefix("--")
            .or_else(|| word.strip_prefix('-'))
            .filter(|flag| !flag.is_empty())
        else {
            break;
        };
        index += 1;
        match flag.split_once('=') {
            Some((name, value)) => flags.push((name.to_string(), Some(value.to_string()))),
            None if FLAGS_WITH_VALUE.contains(&flag) => {
                flags.push((flag.to_string(), rest.get(index).cloned()));
                index += 1;
            }
            None => flags.push((flag.to_string(), None)),
        }
    }
    Some(GoCommand {
        subcommand,
        flags,
        packages: rest[index.min(rest.len())..].to_vec(),
    })
}

/// The `-ldflags` value split into its arguments the way the go command splits it
/// (`src/cmd/internal/quoted/quoted.go`, `Split`: white space separates, and single or double
/// quotes group without escapes). A `{{ .Version }}` template the converter put in for a
/// build-arg stays whole, and so does a `$(command)` the Dockerfile's shell would run.
pub(super) fn split_ldflags(text: &str) -> Vec<String> {
    let mut arguments = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for character in text.chars() {
        let open_substitution = current.matches("$(").count() > current.matches(')').count();
        let open_template = current.matches("{{").count() > current.matches("}}").count();
        if quote.is_none() && (open_template || open_substitution) {
            current.push(character);
            continue;
        }
        match quote {
            Some(open) if character == open => quote = None,
            Some(_) => current.push(character),
            None if character == '\'' || character == '"' => {
                quote = Some(character);
                started = true;
            }
            None if character.is_whitespace() => {
                if started {
                    arguments.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            None => {
                current.push(character);
                started = true;
            }
        }
    }
    if started {
        arguments.push(current);
    }
    arguments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn reads_flags_in_every_form_then_packages() {
        let command = parse(&words(
            "go build -trimpath --ldflags=-s -o /out/app -tags netgo,osusergo -tags=sqlite -mod vendor ./cmd/app ./cmd/tool",
        ))
        .unwrap_or_else(|| panic!("not a go command"));
        assert_eq!(command.subcommand, "build");
        assert_eq!(command.flags[0], ("trimpath".to_string(), None));
        assert_eq!(command.flag("ldflags"), Some("-s"));
        assert_eq!(command.flag("o"), Some("/out/app"));
        assert_eq!(command.flag("mod"), Some("vendor"));
        assert_eq!(command.tags(), ["netgo", "osusergo", "sqlite"]);
        assert_eq!(command.packages, ["./cmd/app", "./cmd/tool"]);
        let module = parse(&words("$GOROOT/bin/go mod download -x"))
            .unwrap_or_else(|| panic!("not a go command"));
        assert_eq!(module.subcommand, "mod download");
        assert_eq!(module.flags, [("x".to_string(), None)]);
        assert_eq!(parse(&words("gofmt -l .")), None);
    }

    #[test]
    fn splits_ldflags_like_the_go_command() {
        assert_eq!(
            split_ldflags("-s -w -X 'main.msg=hello world' -extldflags \"-static -lm\""),
            [
                "-s",
                "-w",
                "-X",
                "main.msg=hello world",
                "-extldflags",
                "-static -lm"
            ]
        );
        assert_eq!(split_ldflags("  "), Vec::<String>::new());
        assert_eq!(
            split_ldflags("-X main.version={{ .Version }} -X main.commit={{ .Commit }}"),
            [
                "-X",
                "main.version={{ .Version }}",
                "-X",
                "main.commit={{ .Commit }}"
            ]
        );
        assert_eq!(
            split_ldflags("-X main.tag=$(git describe --tags) -s"),
            ["-X", "main.tag=$(git describe --tags)", "-s"]
        );
    }
}
