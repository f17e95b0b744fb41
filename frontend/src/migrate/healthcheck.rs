//! `HEALTHCHECK` → `image.healthcheck`: a `wget`/`curl` of an `http://` URL becomes gostage's
//! own probe (`http:`), any other command in exec form `cmd:`, with the timings of the
//! `--interval`, `--timeout`, `--start-period` and `--retries` flags (BuildKit
//! `frontend/dockerfile/instructions/parse.go`, `parseHealthcheck`).

use super::draft::{scalar, DraftHealthcheck};
use super::evaluate::{RuntimeCommand, Step};
use super::programs::file_name;
use super::{Converter, Outcome};

/// The URL a probe command fetches, when it is `wget` or `curl` of one URL: the first simple
/// command's first `http(s)://` argument.
pub(super) fn probe_url(command: &RuntimeCommand) -> Option<String> {
    let words: Vec<String> = match command {
        RuntimeCommand::Exec(words) => words.clone(),
        RuntimeCommand::Shell { commands, .. } => commands.first().cloned().unwrap_or_default(),
    };
    let program = file_name(words.first()?);
    if program != "wget" && program != "curl" {
        return None;
    }
    words
        .iter()
        .find(|word| word.starts_with("http://") || word.starts_with("https://"))
        .cloned()
}

impl Converter<'_> {
    /// Maps `HEALTHCHECK` `step`; `rewrite` turns a program path of the Dockerfile's image into
    /// gostage's.
    pub(super) fn healthcheck(
        &mut self,
        step: &Step,
        command: Option<&RuntimeCommand>,
        rewrite: &dyn Fn(&str) -> String,
    ) {
        let (line, text) = (step.line, step.text.as_str());
        let Some(command) = command else {
            self.add(
                line,
                text,
                Outcome::done("gostage adds no healthcheck unless `image.healthcheck` is written"),
            );
            return;
        };
        let mut healthcheck = DraftHealthcheck::default();
        let probe = if let Some(url) = probe_url(command) {
            if url.starts_with("https://") {
                Outcome::not_carried(
                    format!("gostage's probe speaks plain HTTP, and `{url}` is HTTPS"),
                    "probe the program's plain HTTP port, or ship a probe of your own as `image.healthcheck.cmd`",
                )
            } else if super::accepted(&format!(
                "image:\n  healthcheck:\n    http: {}\n",
                scalar(&url)
            )) {
                healthcheck.http = Some(url.clone());
                Outcome::mapped_with_note(
                    "image.healthcheck.http",
                    url,
                    "gostage adds its own probe program: the image needs no wget or curl",
                )
            } else {
                Outcome::not_carried(
                    format!("`{url}` is not a URL gostage's probe can fetch"),
                    "write `image.healthcheck.http: http://localhost:PORT/PATH`",
                )
            }
        } else {
            let words = match command {
                RuntimeCommand::Exec(words) => Some(words.clone()),
                // `CMD /app -healthcheck || exit 1`: the `|| exit 1` only makes the status 1.
                RuntimeCommand::Shell { commands, text } => {
                    let mut commands = commands.clone();
                    if commands.len() == 2 && commands[1].first().is_some_and(|word| word == "exit")
                    {
                        commands.pop();
                    }
                    match commands.as_slice() {
                        [only] if !text.contains(['$', '>', '<', '*']) => Some(only.clone()),
                        _ => None,
                    }
                }
            };
            match words.filter(|words| !words.is_empty()) {
                Some(words) => {
                    let words: Vec<String> = words.iter().map(|word| rewrite(word)).collect();
                    let shown = format!("[{}]", words.join(", "));
                    healthcheck.cmd = Some(words);
                    Outcome::mapped("image.healthcheck.cmd", shown)
                }
                None => Outcome::not_carried(
                    "the probe is a shell script, and gostage's image has no shell",
                    "probe over HTTP with `image.healthcheck.http`, or give the program a `-healthcheck` flag for `image.healthcheck.cmd`",
                ),
            }
        };
        let mapped = matches!(probe, Outcome::Mapped { .. });
        self.add(line, text, probe);
        if !mapped {
            return;
        }
        for (flag, value) in &step.flags {
            let (key, slot) = match flag.as_str() {
                "interval" => ("interval", &mut healthcheck.interval),
                "timeout" => ("timeout", &mut healthcheck.timeout),
                "start-period" => ("start-period", &mut healthcheck.start_period),
                "retries" => ("retries", &mut healthcheck.retries),
                other => {
                    self.add(
                        line,
                        text,
                        Outcome::not_carried(
                            format!("gostage.yaml has no `--{other}`"),
                            "nothing: Docker's default applies",
                        ),
                    );
                    continue;
                }
            };
            let written = match key {
                "retries" => value.clone(),
                _ => scalar(value),
            };
            let fragment = format!(
                "image:\n  healthcheck:\n    http: \"http://localhost/\"\n    {key}: {written}\n"
            );
            let outcome = match super::accepted(&fragment) {
                true => {
                    *slot = Some(value.clone());
                    Outcome::mapped(&format!("image.healthcheck.{key}"), value.clone())
                }
                false => Outcome::not_carried(
                    format!("`--{key}={value}` is not a value gostage accepts"),
                    format!("write `image.healthcheck.{key}` by hand"),
                ),
            };
            self.add(line, text, outcome);
        }
        self.draft.healthcheck = Some(healthcheck);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_url_of_wget_and_curl() {
        let shell = |words: &[&str]| RuntimeCommand::Shell {
            text: words.join(" "),
            commands: vec![words.iter().map(|word| word.to_string()).collect()],
        };
        assert_eq!(
            probe_url(&shell(&["wget", "-qO-", "http://localhost:8080/healthz"])).as_deref(),
            Some("http://localhost:8080/healthz")
        );
        assert_eq!(
            probe_url(&RuntimeCommand::Exec(vec![
                "/usr/bin/curl".into(),
                "-f".into(),
                "http://127.0.0.1/".into()
            ]))
            .as_deref(),
            Some("http://127.0.0.1/")
        );
        assert_eq!(probe_url(&shell(&["/app", "-healthcheck"])), None);
    }
}
