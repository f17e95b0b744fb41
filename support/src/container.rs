//! Running an image in the Engine with its port published, and talking to it.

use crate::cmd;
use crate::http;
use crate::wait::wait_until;
use anyhow::{bail, Context, Result};
use std::process::Command;
use std::time::Duration;

/// A running container, removed when dropped.
pub struct Container {
    /// The container id.
    pub id: String,
    /// The image it runs.
    pub image: String,
    /// host:port where the container's port is published.
    pub addr: String,
}

impl Container {
    /// `docker run -d -p 127.0.0.1::PORT IMAGE`, then waits until the port answers HTTP.
    pub fn start(image: &str, port: u16) -> Result<Container> {
        Self::start_with(image, port, &[])
    }

    /// Like [`Container::start`], with extra `docker run` flags (`--read-only`, …) before
    /// the image.
    pub fn start_with(image: &str, port: u16, flags: &[&str]) -> Result<Container> {
        let publish = format!("127.0.0.1::{port}");
        let mut arguments = vec!["run", "-d", "-p", publish.as_str()];
        arguments.extend_from_slice(flags);
        arguments.push(image);
        let id = cmd::docker(&arguments)?;
        let mut container = Container {
            id,
            image: image.to_string(),
            addr: String::new(),
        };
        let published = cmd::docker(&["port", &container.id, &format!("{port}/tcp")])?;
        container.addr = published
            .lines()
            .find(|l| l.starts_with("127.0.0.1:"))
            .with_context(|| format!("docker port printed no 127.0.0.1 address: {published:?}"))?
            .trim()
            .to_string();
        container.wait_for_port(Duration::from_secs(30))?;
        Ok(container)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn wait_for_port(&self, timeout: Duration) -> Result<()> {
        // Docker's userland proxy accepts before the container listens: wait for an answer.
        let answered = wait_until(
            &format!("the container of {} to answer on {}", self.image, self.addr),
            timeout,
            Duration::from_millis(200),
            // What the last request failed with; None once the container answers.
            || match http::get(&self.url("/"), Duration::from_secs(2)) {
                Ok(_) => Ok(None),
                Err(_) if !self.running() => bail!("the container is no longer running"),
                Err(error) => Ok(Some(format!("{error:#}"))),
            },
            Option::is_none,
        );
        answered.map(|_| ()).map_err(|error| {
            anyhow::Error::from(error).context(format!(
                "container of {} never answered on {} (running: {})\n{}",
                self.image,
                self.addr,
                self.running(),
                self.diagnostics()
            ))
        })
    }

    fn running(&self) -> bool {
        cmd::docker(&["inspect", "-f", "{{.State.Running}}", &self.id]).is_ok_and(|s| s == "true")
    }

    /// The container's state and logs, for failure messages.
    pub fn diagnostics(&self) -> String {
        let state = cmd::docker(&["inspect", "-f", "{{json .State}}", &self.id])
            .unwrap_or_else(|e| e.to_string());
        let logs = cmd::run_any(Command::new("docker").args(["logs", &self.id]))
            .map(|o| o.combined())
            .unwrap_or_else(|e| e.to_string());
        format!("state: {state}\n----- container logs -----\n{logs}")
    }

    /// GET `path`, expecting 200; returns the body.
    pub fn get(&self, path: &str) -> Result<String> {
        let response = http::get(&self.url(path), Duration::from_secs(10));
        self.expect_ok("GET", path, response)
    }

    /// Checks that GET `/health` answers `ok` (the examples' health endpoint).
    ///
    /// Errors: the request fails or the body is anything else.
    pub fn ensure_healthy(&self) -> Result<()> {
        let health = self.get("/health")?;
        if health.trim() != "ok" {
            bail!("/health answered {health:?}");
        }
        Ok(())
    }

    /// POST `body` to `path`, expecting 200; returns the response body.
    pub fn post(&self, path: &str, body: &str) -> Result<String> {
        let response = http::post(&self.url(path), body, Duration::from_secs(10));
        self.expect_ok("POST", path, response)
    }

    fn expect_ok(
        &self,
        method: &str,
        path: &str,
        response: Result<http::Response>,
    ) -> Result<String> {
        let response = response.with_context(|| {
            format!(
                "{method} {path} from {}\n{}",
                self.image,
                self.diagnostics()
            )
        })?;
        if response.status != 200 {
            bail!(
                "{method} {path} from {}: HTTP {}: {}",
                self.image,
                response.status,
                response.body
            );
        }
        Ok(response.body)
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.id]).output();
    }
}
