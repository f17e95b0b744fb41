//! `modules.known_hosts`: OpenSSH known_hosts lines, checked as OpenSSH's `sshd(8)` manual,
//! section "SSH_KNOWN_HOSTS FILE FORMAT", describes them: `[marker] hostnames keytype
//! base64-key [comment]`, fields separated by spaces, blank lines and `#` comments ignored.
//!
//! - The marker, when written, is `@cert-authority` (the line holds a certification
//!   authority's key) or `@revoked`.
//! - Hostnames are comma-separated patterns (`*`, `?`, `!pattern`, `[host]:port`), or one
//!   hashed name, `|1|salt|hash` (`ssh-keygen -H`; OpenSSH `hostfile.c`, `extract_salt`: the
//!   salt and the hash are base64 of 20 bytes, an HMAC-SHA1 key and digest).
//! - The key is base64 of the SSH public key blob, which starts with the key type as an SSH
//!   string (RFC 4253, section 6.6) and must name the same type as the line.

use base64::Engine;

use super::at;
use crate::spec::path::FieldPath;
use crate::spec::spanned::Spanned;
use crate::vocabulary::{Diagnostic, Problem, Span};

/// The key types OpenSSH writes in known_hosts (`sshkey.c`, `keytypes`), with how many SSH
/// strings (`string` or `mpint`, RFC 4251 section 5) follow the type name in the key blob:
/// `ssh-ed25519` the key (RFC 8709, section 4); `ssh-rsa` e and n, `ssh-dss` p, q, g and y
/// (RFC 4253, section 6.6); `ecdsa-sha2-*` the curve and the point (RFC 5656, section 3.1);
/// the security-key types the same plus the application (OpenSSH `PROTOCOL.u2f`).
/// Certificates (`*-cert-v01@openssh.com`, OpenSSH `PROTOCOL.certkeys`) are only checked to
/// name their type.
const KEY_TYPES: &[(&str, usize)] = &[
    ("ssh-ed25519", 1),
    ("ssh-rsa", 2),
    ("ecdsa-sha2-nistp256", 2),
    ("ecdsa-sha2-nistp384", 2),
    ("ecdsa-sha2-nistp521", 2),
    ("sk-ssh-ed25519@openssh.com", 2),
    ("sk-ecdsa-sha2-nistp256@openssh.com", 3),
    ("ssh-dss", 4),
];

/// The suffix of OpenSSH certificate key types (`ssh-ed25519-cert-v01@openssh.com`).
const CERTIFICATE_SUFFIX: &str = "-cert-v01@openssh.com";

/// Bytes of an Ed25519 public key (RFC 8032, section 5.1.5).
const ED25519_KEY_BYTES: usize = 32;

/// Bytes of the salt and of the hash of a hashed host name (SHA-1's digest size).
const HASHED_NAME_BYTES: usize = 20;

const EXAMPLE: &str = "write `hosts keytype key`, e.g. `git.example.com ssh-ed25519 AAAAC3Nz…` \
                       (the output of `ssh-keyscan git.example.com`)";

const COPY_AGAIN: &str = "copy the whole line again, e.g. from `ssh-keyscan <host>`; the key \
                          may be cut short";

/// Checks each line of `known_hosts` (the value at `path`); an error points at the line in
/// the spec file `text` (a line written inside quotes with escapes cannot be found there:
/// the error then points at the value).
///
/// Errors: the first line that is not a known_hosts entry, or a value with no entry at all.
pub(super) fn check(
    known_hosts: &Spanned<String>,
    path: &FieldPath,
    text: &str,
) -> Result<(), Diagnostic> {
    let mut entries = 0;
    for (index, line) in known_hosts.value.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        entries += 1;
        if let Err(problem) = entry(line) {
            let span = line_span(text, known_hosts.span, line);
            let message = format!("`{path}` line {} {}", index + 1, problem.message);
            return Err(Diagnostic::new(span, message).with_help(problem.help));
        }
    }
    if entries == 0 {
        return Err(at(
            known_hosts.span,
            path,
            Problem::new(
                "has no host key",
                "paste the output of `ssh-keyscan <host>`, or leave `known_hosts` out and pass \
                 `--secret id=known_hosts,src=$HOME/.ssh/known_hosts`",
            ),
        ));
    }
    Ok(())
}

/// One known_hosts entry: `[marker] hostnames keytype base64-key [comment]`.
fn entry(line: &str) -> Result<(), Problem> {
    let mut fields: Vec<&str> = line.split_whitespace().collect();
    let mut marker = String::new();
    if let Some(written) = fields.first().filter(|field| field.starts_with('@')) {
        if !matches!(*written, "@cert-authority" | "@revoked") {
            return Err(Problem::new(
                format!("has the unknown marker `{written}`"),
                "the markers are `@cert-authority` and `@revoked`",
            ));
        }
        marker = format!("{written} ");
        fields.remove(0);
    }
    if let Some(key_type) = fields.first().filter(|field| is_key_type(field)) {
        return Err(Problem::new(
            format!("starts with the key type `{key_type}`"),
            format!(
                "write the host names first: `{marker}git.example.com {}`",
                fields.join(" ")
            ),
        ));
    }
    let [hosts, key_type, key, ..] = fields[..] else {
        return Err(Problem::new("has fewer than three fields", EXAMPLE));
    };
    host_names(hosts)?;
    public_key(key_type, key).map_err(|problem| match problem {
        KeyProblem::Type { named } => Problem::new(
            format!("has `{key_type}` where the key type belongs"),
            format!("the key is a `{named}` key: write `{marker}{hosts} {named} {key}`"),
        ),
        KeyProblem::Other(problem) => problem,
    })
}

/// The hostnames field: patterns separated by commas, or one hashed name.
fn host_names(hosts: &str) -> Result<(), Problem> {
    if hosts.starts_with('|') {
        let hashed = hosts
            .strip_prefix("|1|")
            .and_then(|rest| rest.split_once('|'))
            .is_some_and(|(salt, hash)| is_hashed_name_part(salt) && is_hashed_name_part(hash));
        if hashed {
            return Ok(());
        }
        return Err(Problem::new(
            format!("has the hashed host name `{hosts}`, which is not `|1|salt|hash`"),
            "copy the line again from `ssh-keyscan -H <host>` or `ssh-keygen -H`: a hashed \
             name is `|1|`, a base64 salt, `|` and a base64 hash, of 20 bytes each",
        ));
    }
    if hosts.split(',').any(str::is_empty) {
        return Err(Problem::new(
            format!("has an empty host name in `{hosts}`"),
            "separate the host names with single commas, e.g. \
             `git.example.com,[git.example.com]:2222`",
        ));
    }
    Ok(())
}

/// What is wrong with a key type and key.
enum KeyProblem {
    /// The key type field holds no key type, and the key is a `named` key.
    Type { named: String },
    /// Anything else.
    Other(Problem),
}

impl From<Problem> for KeyProblem {
    fn from(problem: Problem) -> Self {
        Self::Other(problem)
    }
}

/// The key type and the base64 key blob, which must name that type and, for the plain key
/// types of [`KEY_TYPES`], hold exactly their fields.
fn public_key(key_type: &str, key: &str) -> Result<(), KeyProblem> {
    let blob = decode(key).ok_or_else(|| Problem::new("has a key that is not base64", EXAMPLE))?;
    let mut reader = SshStrings { rest: &blob };
    let Some(named) = reader.next() else {
        return Err(Problem::new("has a key too short to name its type", COPY_AGAIN).into());
    };
    let named = String::from_utf8_lossy(named);
    if named != key_type {
        return Err(match (is_key_type(key_type), is_key_type(&named)) {
            (false, true) => KeyProblem::Type {
                named: named.into_owned(),
            },
            (true, true) => Problem::new(
                format!("names the key type `{key_type}`, but its key is a `{named}` key"),
                format!(
                    "write `{named}` as the key type, or copy the line again from \
                     `ssh-keyscan <host>`"
                ),
            )
            .into(),
            (true, false) => Problem::new(
                format!(
                    "has a key that is not a `{key_type}` key: it does not start with the type"
                ),
                COPY_AGAIN,
            )
            .into(),
            (false, false) => Problem::new(
                format!("has `{key_type}` where the key type belongs"),
                EXAMPLE,
            )
            .into(),
        });
    }
    let Some(&(_, strings)) = KEY_TYPES.iter().find(|(name, _)| *name == key_type) else {
        // A certificate or a type newer than this list: its blob names it, as checked.
        return Ok(());
    };
    let mut fields = Vec::with_capacity(strings);
    for _ in 0..strings {
        let field = reader.next().ok_or_else(|| {
            Problem::new(
                format!("has a `{key_type}` key that is cut short"),
                COPY_AGAIN,
            )
        })?;
        fields.push(field);
    }
    if !reader.rest.is_empty() {
        return Err(Problem::new(
            format!(
                "has a `{key_type}` key with {} bytes too many",
                reader.rest.len()
            ),
            COPY_AGAIN,
        )
        .into());
    }
    let ed25519 = matches!(key_type, "ssh-ed25519" | "sk-ssh-ed25519@openssh.com");
    if ed25519 && fields.first().map(|key| key.len()) != Some(ED25519_KEY_BYTES) {
        return Err(Problem::new(
            format!(
                "has a `{key_type}` key of {} bytes, not {ED25519_KEY_BYTES}",
                fields.first().map_or(0, |key| key.len())
            ),
            COPY_AGAIN,
        )
        .into());
    }
    Ok(())
}

/// Whether `field` is an OpenSSH key type name: one of [`KEY_TYPES`] or a certificate type.
/// Exact names, so that a host such as `ssh-gateway.example.com` is not taken for one.
fn is_key_type(field: &str) -> bool {
    KEY_TYPES.iter().any(|(name, _)| *name == field) || field.ends_with(CERTIFICATE_SUFFIX)
}

/// Whether `part` is the salt or the hash of a hashed host name: base64 of 20 bytes.
fn is_hashed_name_part(part: &str) -> bool {
    decode(part).is_some_and(|bytes| bytes.len() == HASHED_NAME_BYTES)
}

/// Standard base64 with padding, as OpenSSH writes keys and hashed names (`b64_pton`).
fn decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// The SSH strings of a key blob, in order: a 4-byte big-endian length, then that many bytes
/// (RFC 4251, section 5).
struct SshStrings<'blob> {
    rest: &'blob [u8],
}

impl<'blob> Iterator for SshStrings<'blob> {
    type Item = &'blob [u8];

    fn next(&mut self) -> Option<&'blob [u8]> {
        let length = <[u8; 4]>::try_from(self.rest.get(..4)?).ok()?;
        let end = usize::try_from(u32::from_be_bytes(length))
            .ok()?
            .checked_add(4)?;
        let string = self.rest.get(4..end)?;
        self.rest = &self.rest[end..];
        Some(string)
    }
}

/// Where `line` of a multi-line value that starts at `value` is written in `text`: the first
/// line at or after the value's that holds it, else the value itself.
fn line_span(text: &str, value: Span, line: &str) -> Span {
    let first = value.line.saturating_sub(1) as usize;
    text.lines()
        .enumerate()
        .skip(first)
        .find_map(|(number, written)| {
            let indent = written.len() - written.trim_start().len();
            (written.trim() == line).then_some(())?;
            Some(Span {
                line: u32::try_from(number + 1).ok()?,
                column: u32::try_from(written[..indent].chars().count() + 1).ok()?,
            })
        })
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use crate::spec::testing::{assert_error, help, parse_ok};

    /// Real public keys (from `ssh-keygen`; their private halves were thrown away).
    const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAINkDEB6eeEyXFe/TENTHtaai6x7kegPEpSVBHWUNaEvq";
    const ECDSA_KEY: &str = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCG4UUAYW0UTVPGnTBqB9vacYvyOVtEhAd389udABv0EMiRLG7c3LTQynNe5U2alOFU53KwawZoCR0Oz2MEcuaI=";
    const RSA_KEY: &str = "AAAAB3NzaC1yc2EAAAADAQABAAABgQCq234DrlBkNWtoGfIVsXi6OtMck1+e\
         Bdq4Af0ejKUc76LzMkM+dQcifcdA7SjRgcxFqOqrHAu2joaHOAtUWIqpQmcTGRNJQJ7PrlZuAiVDqkgL\
         FSfE+7Jyr+zMYoqxPXMUzCU3YS5+yZZOwbG/FV1COM971XTvypx4NWy10EyySqxTLQ6A0m7WirsYSTbI\
         cLkFMp3RSFzW7InyZOVdlEtCC1E8I3WCLwRht2Uk1lFjmjFd8nMSJ69456k50Hd5MuuXpq3aUW5NQL8J\
         F/9zvhcC62pQ+ZMjqCode0k85gxaeDLo0pYFv28fv3mdng8UrmUzwgVVM+yn/fqWWvt3FHFp87Va/CGj\
         RqG9/Fa8ApjKpGnzCJbaLiMWgt3hgsVUvb+vezOu4C/mu1k5Lm8XBY1OIBEBn3gpeHHj110I1kUoUkjD\
         Wnlw8jtSKVBvSlMyYyn1+VHQiPHp45HALocDTT+/B9e2rknOPjG7pfJGj8vcE+9MmqeEXCJ4m5HZLDu5UxM=";
    /// A hashed name, from `ssh-keygen -H` on a line for git.example.com.
    const HASHED: &str = "|1|RO9273C/ADwlD1KYbDxWSpei6q0=|RFJ5zk/6byhOhwpkDL5N6mAQeoA=";

    /// A spec with one SSH host and `lines` (indented, one per line) as `known_hosts`, whose
    /// first line (where the value starts) is line 6 of the file, at column 5.
    fn spec(lines: &[&str]) -> String {
        let mut text =
            "version: 1\nmodules:\n  ssh:\n    - host: a.test\n  known_hosts: |\n".to_string();
        for line in lines {
            text.push_str(&format!("    {line}\n"));
        }
        text
    }

    /// Base64 of a key blob made of SSH strings.
    fn blob(strings: &[&[u8]]) -> String {
        let mut bytes = Vec::new();
        for string in strings {
            let length = u32::try_from(string.len()).unwrap_or(u32::MAX);
            bytes.extend(length.to_be_bytes());
            bytes.extend_from_slice(string);
        }
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn takes_every_form_of_line_sshd_documents() {
        let certificate = blob(&[b"ssh-ed25519-cert-v01@openssh.com", b"nonce", &[7; 32]]);
        let lines = [
            "# from ssh-keyscan and ssh-keygen -H".to_string(),
            format!("a.test ssh-ed25519 {KEY}"),
            format!("@cert-authority *.example.com ssh-ed25519 {KEY}"),
            format!("@revoked a.test ssh-ed25519 {KEY} stolen laptop"),
            format!("{HASHED} ssh-ed25519 {KEY}"),
            format!("@cert-authority {HASHED} ecdsa-sha2-nistp256 {ECDSA_KEY}"),
            format!("[a.test]:2222,192.0.2.10,*.a.test,!b.a.test,?.test ssh-rsa {RSA_KEY}"),
            format!("ssh-gateway.example.com\tssh-ed25519 {KEY}"),
            format!("a.test ssh-ed25519-cert-v01@openssh.com {certificate}"),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let known_hosts = parse_ok(&spec(&lines)).modules.known_hosts;
        assert_eq!(
            known_hosts.map(|known| (known.span.line, known.value.lines().count())),
            Some((6, lines.len()))
        );
    }

    #[test]
    fn errors_point_at_their_line() {
        let diagnostic = assert_error(
            &spec(&[
                &format!("a.test ssh-ed25519 {KEY}"),
                &format!("ssh-ed25519 {KEY}"),
            ]),
            7,
            5,
            "`modules.known_hosts` line 2 starts with the key type `ssh-ed25519`",
        );
        assert_eq!(
            help(&diagnostic),
            format!("write the host names first: `git.example.com ssh-ed25519 {KEY}`")
        );
        let diagnostic = assert_error(
            &spec(&[&format!("@revoked ssh-ed25519 {KEY}")]),
            6,
            5,
            "`modules.known_hosts` line 1 starts with the key type `ssh-ed25519`",
        );
        assert_eq!(
            help(&diagnostic),
            format!("write the host names first: `@revoked git.example.com ssh-ed25519 {KEY}`")
        );
        assert_error(
            &spec(&["a.test ssh-ed25519"]),
            6,
            5,
            "`modules.known_hosts` line 1 has fewer than three fields",
        );
        assert_error(
            &spec(&[&format!("@trusted a.test ssh-ed25519 {KEY}")]),
            6,
            5,
            "`modules.known_hosts` line 1 has the unknown marker `@trusted`",
        );
        assert_error(
            &spec(&["# nothing yet"]),
            6,
            5,
            "`modules.known_hosts` has no host key",
        );
        let diagnostic = assert_error(
            &format!("version: 1\nmodules:\n  known_hosts: \"a.test ssh-ed25519 {KEY}\"\n"),
            3,
            16,
            "`modules.known_hosts` is set, but `modules.ssh` lists no host",
        );
        assert!(help(&diagnostic).contains("- host: git.example.com"));
    }

    #[test]
    fn host_names_are_patterns_or_one_hashed_name() {
        let diagnostic = assert_error(
            &spec(&[&format!("|1|c2FsdA==|aGFzaA== ssh-ed25519 {KEY}")]),
            6,
            5,
            "`modules.known_hosts` line 1 has the hashed host name `|1|c2FsdA==|aGFzaA==`, \
             which is not `|1|salt|hash`",
        );
        assert!(
            help(&diagnostic).contains("ssh-keyscan -H"),
            "{diagnostic:?}"
        );
        let wrong_version = HASHED.replacen("|1|", "|2|", 1);
        assert_error(
            &spec(&[&format!("{wrong_version} ssh-ed25519 {KEY}")]),
            6,
            5,
            &format!(
                "`modules.known_hosts` line 1 has the hashed host name `{wrong_version}`, \
                 which is not `|1|salt|hash`"
            ),
        );
        assert_error(
            &spec(&[&format!("a.test,,b.test ssh-ed25519 {KEY}")]),
            6,
            5,
            "`modules.known_hosts` line 1 has an empty host name in `a.test,,b.test`",
        );
    }

    #[test]
    fn keys_must_be_whole_keys_of_their_type() {
        let line_1 = |key_type: &str, key: &str| spec(&[&format!("a.test {key_type} {key}")]);
        assert_error(
            &line_1("ssh-ed25519", "not*base64"),
            6,
            5,
            "`modules.known_hosts` line 1 has a key that is not base64",
        );
        let diagnostic = assert_error(
            &line_1("ssh-rsa", KEY),
            6,
            5,
            "`modules.known_hosts` line 1 names the key type `ssh-rsa`, but its key is a \
             `ssh-ed25519` key",
        );
        assert!(help(&diagnostic).starts_with("write `ssh-ed25519` as the key type"));
        let diagnostic = assert_error(
            &line_1("rsa", KEY),
            6,
            5,
            "`modules.known_hosts` line 1 has `rsa` where the key type belongs",
        );
        assert_eq!(
            help(&diagnostic),
            format!("the key is a `ssh-ed25519` key: write `a.test ssh-ed25519 {KEY}`")
        );
        assert_error(
            &line_1("ssh-ed25519", "AAAA"),
            6,
            5,
            "`modules.known_hosts` line 1 has a key too short to name its type",
        );
        assert_error(
            &line_1("ssh-ed25519", &KEY[..44]),
            6,
            5,
            "`modules.known_hosts` line 1 has a `ssh-ed25519` key that is cut short",
        );
        assert_error(
            &line_1("ecdsa-sha2-nistp256", &ECDSA_KEY[..100]),
            6,
            5,
            "`modules.known_hosts` line 1 has a `ecdsa-sha2-nistp256` key that is cut short",
        );
        assert_error(
            &line_1("ssh-ed25519", &blob(&[b"ssh-ed25519", &[1; 31]])),
            6,
            5,
            "`modules.known_hosts` line 1 has a `ssh-ed25519` key of 31 bytes, not 32",
        );
        assert_error(
            &line_1("ssh-ed25519", &blob(&[b"ssh-ed25519", &[1; 32], b"more"])),
            6,
            5,
            "`modules.known_hosts` line 1 has a `ssh-ed25519` key with 8 bytes too many",
        );
        assert_error(
            &line_1("ssh-ed25519", &blob(&[&[0xff; 8], &[1; 32]])),
            6,
            5,
            "`modules.known_hosts` line 1 has a key that is not a `ssh-ed25519` key: it does \
             not start with the type",
        );
        assert_error(
            &line_1("key", &blob(&[b"thing", &[1; 32]])),
            6,
            5,
            "`modules.known_hosts` line 1 has `key` where the key type belongs",
        );
    }
}
