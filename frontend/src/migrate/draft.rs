//! The spec being written, and its YAML text: only the keys the Dockerfile said something
//! about, in the order of the spec reference.

use std::collections::BTreeMap;

/// gostage.yaml as the converter fills it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Draft {
    pub go: Option<String>,
    pub builder: Option<String>,
    pub binaries: Vec<DraftBinary>,
    pub ldflags: Vec<String>,
    pub tags: Vec<String>,
    pub build_env: BTreeMap<String, String>,
    pub cgo: bool,
    pub packages: Vec<String>,
    pub base: Option<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub healthcheck: Option<DraftHealthcheck>,
    pub platforms: Vec<String>,
    pub files: Vec<DraftFile>,
    pub test_packages: Vec<String>,
    pub test_flags: Vec<String>,
}

/// One program (`main`, or an item of `binaries`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DraftBinary {
    pub main: String,
    pub name: Option<String>,
}

/// `image.healthcheck`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct DraftHealthcheck {
    pub http: Option<String>,
    pub cmd: Option<Vec<String>>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub retries: Option<String>,
}

/// An item of `files`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DraftFile {
    pub src: String,
    pub dst: String,
    pub mode: Option<String>,
}

impl Draft {
    /// The spec's text: the `# syntax=` line naming `frontend_image`, a comment, then the keys.
    pub fn yaml(&self, frontend_image: &str) -> String {
        let mut out = format!(
            "# syntax={frontend_image}\n# Converted from a Dockerfile by `gostage init --from`; check it with `gostage check`.\nversion: 1\n"
        );
        if let Some(go) = &self.go {
            out.push_str(&format!("go: {}\n", scalar(go)));
        }
        if let Some(builder) = &self.builder {
            out.push_str(&format!("builder: {}\n", scalar(builder)));
        }
        match self.binaries.as_slice() {
            [] => {}
            [DraftBinary { main, name: None }] => {
                out.push_str(&format!("main: {}\n", scalar(main)));
            }
            several => {
                out.push_str("binaries:\n");
                for binary in several {
                    out.push_str(&format!("  - main: {}\n", scalar(&binary.main)));
                    if let Some(name) = &binary.name {
                        out.push_str(&format!("    name: {}\n", scalar(name)));
                    }
                }
            }
        }
        let mut build = Section::new("build");
        build.list("ldflags", &self.ldflags);
        build.list("tags", &self.tags);
        build.map("env", &self.build_env);
        if self.cgo {
            build.line("cgo: true".into());
        }
        build.list("packages", &self.packages);
        out.push_str(&build.text());

        let mut image = Section::new("image");
        if let Some(base) = &self.base {
            image.line(format!("base: {}", scalar(base)));
        }
        if let Some(user) = &self.user {
            image.line(format!("user: {}", scalar(user)));
        }
        if let Some(workdir) = &self.workdir {
            image.line(format!("workdir: {}", scalar(workdir)));
        }
        if let Some(entrypoint) = &self.entrypoint {
            image.line(format!("entrypoint: {}", flow(entrypoint)));
        }
        if let Some(cmd) = &self.cmd {
            image.line(format!("cmd: {}", flow(cmd)));
        }
        image.map("env", &self.env);
        if !self.ports.is_empty() {
            let ports: Vec<String> = self.ports.iter().map(|port| port_scalar(port)).collect();
            image.line(format!("ports: [{}]", ports.join(", ")));
        }
        image.map("labels", &self.labels);
        if let Some(healthcheck) = &self.healthcheck {
            image.line("healthcheck:".into());
            if let Some(http) = &healthcheck.http {
                image.line(format!("  http: {}", scalar(http)));
            }
            if let Some(cmd) = &healthcheck.cmd {
                image.line(format!("  cmd: {}", flow(cmd)));
            }
            for (key, value) in [
                ("interval", &healthcheck.interval),
                ("timeout", &healthcheck.timeout),
                ("start-period", &healthcheck.start_period),
            ] {
                if let Some(value) = value {
                    image.line(format!("  {key}: {}", scalar(value)));
                }
            }
            if let Some(retries) = &healthcheck.retries {
                image.line(format!("  retries: {retries}"));
            }
        }
        out.push_str(&image.text());

        if !self.platforms.is_empty() {
            out.push_str(&format!("platforms: {}\n", flow(&self.platforms)));
        }
        if !self.files.is_empty() {
            out.push_str("files:\n");
            for file in &self.files {
                out.push_str(&format!("  - src: {}\n", scalar(&file.src)));
                out.push_str(&format!("    dst: {}\n", scalar(&file.dst)));
                if let Some(mode) = &file.mode {
                    out.push_str(&format!("    mode: {}\n", quoted(mode)));
                }
            }
        }
        let mut test = Section::new("test");
        test.list("packages", &self.test_packages);
        test.list("flags", &self.test_flags);
        out.push_str(&test.text());
        out
    }
}

/// A top-level mapping written only when it has a key.
struct Section {
    name: &'static str,
    lines: Vec<String>,
}

impl Section {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            lines: Vec::new(),
        }
    }

    fn line(&mut self, line: String) {
        self.lines.push(line);
    }

    fn list(&mut self, key: &str, items: &[String]) {
        if !items.is_empty() {
            self.lines.push(format!("{key}: {}", flow(items)));
        }
    }

    fn map(&mut self, key: &str, entries: &BTreeMap<String, String>) {
        if entries.is_empty() {
            return;
        }
        self.lines.push(format!("{key}:"));
        for (name, value) in entries {
            self.lines
                .push(format!("  {}: {}", scalar(name), scalar(value)));
        }
    }

    fn text(&self) -> String {
        if self.lines.is_empty() {
            return String::new();
        }
        let mut text = format!("{}:\n", self.name);
        for line in &self.lines {
            text.push_str(&format!("  {line}\n"));
        }
        text
    }
}

/// A flow sequence: `[a, "b c"]`.
fn flow(items: &[String]) -> String {
    // A `:` inside a flow sequence is quoted too: some readers take `[a:b]` for a mapping.
    let items: Vec<String> = items
        .iter()
        .map(|item| match item.contains(':') {
            true => quoted(item),
            false => scalar(item),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// A port: a plain number (`8080`), else quoted (`"53/udp"`).
fn port_scalar(port: &str) -> String {
    match port.parse::<u16>() {
        Ok(_) => port.to_string(),
        Err(_) => quoted(port),
    }
}

/// `text` as a YAML scalar that reads back as that exact string: plain when it is a word
/// of letters, digits and `./_-` that YAML would not read as a number, boolean or null;
/// otherwise double-quoted (JSON's escapes are YAML's).
pub(super) fn scalar(text: &str) -> String {
    let plain_characters = !text.is_empty()
        && text.chars().all(|character| {
            character.is_ascii_alphanumeric() || matches!(character, '.' | '/' | '_' | '-' | ':')
        })
        && (text.starts_with(|first: char| {
            first.is_ascii_alphabetic() || first == '/' || first == '.'
        }) || is_duration_like(text))
        && !text.contains(": ")
        && !text.ends_with(':');
    let special = matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~" | ".inf" | ".nan"
    );
    if plain_characters && !special && text.parse::<f64>().is_err() {
        text.to_string()
    } else {
        quoted(text)
    }
}

/// A Go duration such as `30s` or `1m30s`: digits and unit letters, which YAML reads as a
/// string (not `0x1f` or `0o17`, which YAML 1.1 readers take for numbers).
fn is_duration_like(text: &str) -> bool {
    text.starts_with(|first: char| first.is_ascii_digit())
        && text
            .chars()
            .any(|character| character.is_ascii_alphabetic())
        && text.chars().all(|character| {
            character.is_ascii_digit() || matches!(character, 'n' | 's' | 'u' | 'm' | 'h' | '.')
        })
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_the_same_string() {
        assert_eq!(scalar("./cmd/server"), "./cmd/server");
        assert_eq!(scalar("golang:1.22"), "golang:1.22");
        assert_eq!(scalar("1.22"), "\"1.22\"");
        assert_eq!(scalar("1m30s"), "1m30s");
        assert_eq!(scalar("0x1f"), "\"0x1f\"");
        assert_eq!(scalar("8080"), "\"8080\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(
            scalar("-X main.version={{ .Version }}"),
            "\"-X main.version={{ .Version }}\""
        );
        assert_eq!(
            scalar("http://localhost:8080/healthz"),
            "http://localhost:8080/healthz"
        );
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn writes_only_the_keys_it_has() {
        let draft = Draft {
            binaries: vec![DraftBinary {
                main: "./cmd/server".into(),
                name: None,
            }],
            ports: vec!["8080".into(), "53/udp".into()],
            ..Draft::default()
        };
        assert_eq!(
            draft.yaml("myorg/gostage"),
            "# syntax=myorg/gostage\n# Converted from a Dockerfile by `gostage init --from`; check it with `gostage check`.\nversion: 1\nmain: ./cmd/server\nimage:\n  ports: [8080, \"53/udp\"]\n"
        );
    }
}
