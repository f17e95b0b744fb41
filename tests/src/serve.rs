//! Running an HTTP service binary taken out of an image directly on the host: natively, or
//! under a qemu-user-static emulator (`qemu-aarch64-static`, `qemu-arm-static`) for the other
//! architectures. The service listens on the port in its PORT environment variable.

use anyhow::{bail, Context, Result};
use gostage_support::wait::wait_until;
use gostage_support::{cmd, http};
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempPath;

/// A free TCP port on 127.0.0.1 (bound, then released for the service to take).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running service binary, killed (and its file removed) when dropped.
pub struct Served {
    /// What runs, for messages: `qemu-aarch64-static hello (linux/arm64)`.
    pub what: String,
    /// 127.0.0.1:PORT
    pub addr: String,
    child: Child,
    /// The binary, removed when dropped.
    _file: TempPath,
}

impl Served {
    /// Writes `binary` to a temporary file and runs it with PORT set to a free port, under
    /// `emulator` (a program on PATH) when given; waits until GET /health answers.
    pub fn start(binary: &[u8], label: &str, emulator: Option<&str>) -> Result<Served> {
        let port = free_port()?;
        // Closed before it runs: an executable open for writing cannot be started (ETXTBSY).
        let file = tempfile::Builder::new()
            .prefix("gostage-e2e-bin-")
            .tempfile()
            .context("creating a file for the service binary")?
            .into_temp_path();
        std::fs::write(&file, binary).with_context(|| format!("writing {}", file.display()))?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755))?;
        let mut command = match emulator {
            Some(emulator) => {
                let mut c = Command::new(emulator);
                c.arg(&file);
                c
            }
            None => Command::new(&file),
        };
        let what = match emulator {
            Some(emulator) => format!("{emulator} {label}"),
            None => label.to_string(),
        };
        eprintln!("+ PORT={port} {}", cmd::display(&command));
        let child = command
            .env_clear()
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let child = child.with_context(|| format!("cannot start {what}"))?;
        let mut served = Served {
            what,
            addr: format!("127.0.0.1:{port}"),
            child,
            _file: file,
        };
        served.wait_for_health(Duration::from_secs(60))?;
        Ok(served)
    }

    fn wait_for_health(&mut self, timeout: Duration) -> Result<()> {
        let awaited = format!("{} to answer GET /health on {}", self.what, self.addr);
        wait_until(
            &awaited,
            timeout,
            Duration::from_millis(200),
            // What the last request failed with; None once the service answers.
            || match http::get(&self.url("/health"), Duration::from_secs(2)) {
                Ok(r) if r.status == 200 && r.body.trim() == "ok" => Ok(None),
                Ok(r) => bail!(
                    "{}: GET /health answered HTTP {} {:?}, expected 200 \"ok\"",
                    self.what,
                    r.status,
                    r.body
                ),
                Err(error) => match self.child.try_wait()? {
                    Some(status) => {
                        let output = self.output();
                        bail!(
                            "{} exited with {status} before answering on {}\n{output}",
                            self.what,
                            self.addr
                        )
                    }
                    None => Ok(Some(format!("{error:#}"))),
                },
            },
            Option::is_none,
        )?;
        Ok(())
    }

    /// What an exited process printed.
    fn output(&mut self) -> String {
        let mut text = String::new();
        if let Some(out) = self.child.stdout.as_mut() {
            let _ = out.read_to_string(&mut text);
        }
        if let Some(err) = self.child.stderr.as_mut() {
            let _ = err.read_to_string(&mut text);
        }
        format!("----- output -----\n{text}\n------------------")
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// GET `path`, expecting 200; returns the body.
    pub fn get(&self, path: &str) -> Result<String> {
        let response = http::get(&self.url(path), Duration::from_secs(10))
            .with_context(|| format!("GET {path} from {}", self.what))?;
        if response.status != 200 {
            bail!(
                "GET {path} from {}: HTTP {}: {}",
                self.what,
                response.status,
                response.body
            );
        }
        Ok(response.body)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
