//! HTTP GET and POST with a time limit (ureq), for the services under test and the registry's
//! health.

use anyhow::{Context, Result};
use std::time::Duration;

/// A response of any status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

/// GET `url` (`http://127.0.0.1:8080/health`); any status is a response, only a failure to
/// connect or to read is an error. No proxy: every address here is local.
pub fn get(url: &str, timeout: Duration) -> Result<Response> {
    let response = agent(timeout)
        .get(url)
        .call()
        .with_context(|| format!("GET {url}"))?;
    read(response, "GET", url)
}

/// POST `body` (text) to `url`; statuses and errors as for [`get`].
pub fn post(url: &str, body: &str, timeout: Duration) -> Result<Response> {
    let response = agent(timeout)
        .post(url)
        .send(body)
        .with_context(|| format!("POST {url}"))?;
    read(response, "POST", url)
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into()
}

fn read(
    mut response: ureq::http::Response<ureq::Body>,
    method: &str,
    url: &str,
) -> Result<Response> {
    let body = response
        .body_mut()
        .read_to_vec()
        .with_context(|| format!("reading the response to {method} {url}"))?;
    Ok(Response {
        status: response.status().as_u16(),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// Serves one canned response on a free port; returns its address.
    fn serve_once(response: &'static str) -> Result<String> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?.to_string();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(response.as_bytes());
            }
        });
        Ok(addr)
    }

    #[test]
    fn reads_status_and_body() -> Result<()> {
        let addr = serve_once(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope",
        )?;
        let response = get(&format!("http://{addr}/x"), Duration::from_secs(5))?;
        assert_eq!((response.status, response.body.as_str()), (404, "nope"));
        Ok(())
    }

    #[test]
    fn fails_without_a_server() -> Result<()> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        assert!(get(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(2)).is_err());
        Ok(())
    }
}
