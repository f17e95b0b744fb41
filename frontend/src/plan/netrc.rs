//! Private modules over HTTPS (an authenticated GOPROXY such as Athens or Artifactory, or
//! GitHub/GitLab fetched directly): the client's netrc file, passed as the secret `netrc`
//! (`--secret id=netrc,src=$HOME/.netrc`), is mounted in the download step only, and Go reads
//! it through `NETRC` (`cmd/go/internal/auth/netrc.go`: `$NETRC` names the file; a file that
//! does not exist is ignored, so builds without the secret work as before). The secret is a
//! mount: it never reaches a layer, the image config or the graph.

use crate::llb::Exec;
use crate::spec::Spec;

/// The id of the secret: `--secret id=netrc,src=…`.
pub const NETRC_SECRET_ID: &str = "netrc";
/// Where the secret is mounted (read-only, root, 0400), and the value of `NETRC`.
pub const NETRC_SECRET: &str = "/run/secrets/netrc";

/// Environment for the download step, to pass after the build-args: `NETRC`.
pub(super) fn environment() -> Vec<(String, String)> {
    vec![("NETRC".to_string(), NETRC_SECRET.to_string())]
}

/// Adds the optional secret `netrc` to the download step: a build that does not pass it
/// sees no file at [`NETRC_SECRET`] instead of failing.
pub(super) fn mount(exec: &mut Exec) {
    exec.secret(NETRC_SECRET, NETRC_SECRET_ID, true);
}

/// The spec line failures of the download step point at: the line of `modules:` when it is
/// written, else the spec's first key.
pub(super) fn download_line(spec: &Spec) -> u32 {
    spec.modules.span.unwrap_or(spec.span).line
}

/// What to say when the download step's output shows that a server wanted credentials: pairs
/// of a text Go or git prints and the hint for it, naming the secret to pass and
/// `<spec_file>:LINE` ([`download_line`]; `spec_file` is the build file's name).
///
/// Go prints a module proxy's refusal as `reading <url>: 401 Unauthorized` (or
/// `403 Forbidden`, `cmd/go/internal/web/http.go`, `HTTPError`); git, run by Go with
/// `GIT_TERMINAL_PROMPT=0`, prints `terminal prompts disabled`
/// (`cmd/go/internal/modfetch/codehost/git.go`).
pub(super) fn credential_failure_hints(
    spec: &Spec,
    spec_file: &str,
) -> Vec<(&'static str, String)> {
    let location = format!("{spec_file}:{}", download_line(spec));
    let hint = |refusal: &str| {
        format!(
            "{refusal}: build with `--secret id=netrc,src=$HOME/.netrc`, a netrc file with a \
             line `machine <host> login <user> password <token>` for the host above (Go \
             reads it as NETRC in the `go mod download` step only); if you pass it already, \
             check that line. Point Go at a private proxy with the build-args GOPROXY and \
             GONOSUMDB, or fetch directly with GOPRIVATE; for git over SSH use \
             `modules.ssh` and `--ssh default` (see {location})"
        )
    };
    vec![
        (
            "401 Unauthorized",
            hint("the module server wants credentials (401)"),
        ),
        (
            "403 Forbidden",
            hint("the module server refused the request (403)"),
        ),
        (
            "terminal prompts disabled",
            hint("git needs credentials to fetch over HTTPS"),
        ),
    ]
}

#[cfg(test)]
mod tests;
