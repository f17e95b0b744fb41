//! `image:` → output image settings.

use std::collections::BTreeMap;

use super::{at, check, healthcheck, values};
use crate::spec::model::{Base, Image, User, DISTROLESS, DISTROLESS_BASE};
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::vocabulary::Diagnostic;
use crate::vocabulary::{ImageReference, Located};

/// Checks every `image:` value and applies the default base (`scratch`); `distroless` stands
/// for [`DISTROLESS`] and `distroless-base` for [`DISTROLESS_BASE`]. The user stays unset unless written: `plan` picks the base image's or
/// the default.
pub(super) fn validate(image: Option<raw::Image>) -> Result<Image, Diagnostic> {
    let mut validated = Image::default();
    let Some(image) = image else {
        return Ok(validated);
    };
    let section = FieldPath::root().key("image");

    if let Some(base) = image.base {
        if base.value != "scratch" {
            let written = match base.value.as_str() {
                "distroless" => DISTROLESS,
                "distroless-base" => DISTROLESS_BASE,
                other => other,
            };
            let reference = ImageReference::parse(written)
                .map_err(|problem| at(base.span, &section.key("base"), problem))?;
            validated.base = Base::Image(Located::new(reference, base.span));
        }
    }
    if let Some(user) = image.user {
        let (uid, gid) = check(&user, &section.key("user"), values::user)?;
        validated.user = Some(User {
            written: user.located(),
            uid,
            gid,
        });
    }
    if let Some(workdir) = image.workdir {
        validated.workdir = Some(check(
            &workdir,
            &section.key("workdir"),
            values::absolute_directory,
        )?);
    }
    validated.entrypoint = image.entrypoint.map(|entrypoint| entrypoint.value);
    validated.cmd = image.cmd.map(|cmd| cmd.value);
    validated.env = environment(image.env.unwrap_or_default(), &section.key("env"))?;

    let ports_path = section.key("ports");
    for (index, port) in image.ports.unwrap_or_default().into_iter().enumerate() {
        let parsed = match &port.value {
            raw::Port::Number(number) => values::port_number(*number),
            raw::Port::Text(text) => values::port_text(text),
        };
        let parsed = parsed.map_err(|problem| at(port.span, &ports_path.index(index), problem))?;
        validated
            .written_ports
            .push(Located::new(parsed.clone(), port.span));
        validated.ports.push(parsed);
    }
    validated.ports.sort();
    validated.ports.dedup();

    let labels_path = section.key("labels");
    for (key, value) in image.labels.unwrap_or_default().entries {
        if key.value.is_empty() {
            return Err(
                Diagnostic::new(key.span, format!("`{labels_path}` has an empty key"))
                    .with_help("name the label, e.g. `org.opencontainers.image.source`"),
            );
        }
        validated.labels.insert(key.value, value.value);
    }
    if let Some(written) = image.healthcheck {
        validated.healthcheck = Some(healthcheck::validate(written, &section.key("healthcheck"))?);
    }
    Ok(validated)
}

fn environment(map: raw::Map, path: &FieldPath) -> Result<BTreeMap<String, String>, Diagnostic> {
    let mut environment = BTreeMap::new();
    for (name, value) in map.entries {
        check(
            &name,
            &path.key(name.value.clone()),
            values::environment_name,
        )?;
        environment.insert(name.value, value.value);
    }
    Ok(environment)
}

#[cfg(test)]
mod tests {
    use crate::spec::model::{Base, Port, DISTROLESS, DISTROLESS_BASE};
    use crate::spec::testing::{assert_error, help, parse_ok};

    fn port(number: u16, protocol: &str) -> Port {
        Port {
            number,
            protocol: protocol.to_string(),
        }
    }

    #[test]
    fn sorts_and_deduplicates_ports() {
        let image = parse_ok(
            "version: 1\nimage:\n  ports: [9090, \"8080/tcp\", 8080, \"53/udp\", \"53\"]\n",
        )
        .image;
        assert_eq!(
            image.ports,
            vec![
                port(53, "tcp"),
                port(53, "udp"),
                port(8080, "tcp"),
                port(9090, "tcp")
            ]
        );
    }

    #[test]
    fn rejects_bad_ports() {
        let diagnostic = assert_error(
            "version: 1\nimage:\n  ports:\n    - 8080\n    - 70000\n",
            5,
            7,
            "`image.ports[1]` is not a port: 70000 is not in 1..65535",
        );
        assert!(help(&diagnostic).contains("1 to 65535"));
        assert_error(
            "version: 1\nimage:\n  ports: [8080, \"http\"]\n",
            3,
            17,
            "`image.ports[1]` is not a port: `http`",
        );
        assert_error(
            "version: 1\nimage:\n  ports: [\"80/icmp\"]\n",
            3,
            11,
            "`image.ports[0]` has protocol `icmp`, not `tcp` or `udp`",
        );
        assert_error(
            "version: 1\nimage:\n  ports: [0]\n",
            3,
            11,
            "`image.ports[0]` is not a port: 0 is not in 1..65535",
        );
    }

    #[test]
    fn reads_numeric_users() {
        let user = |text: &str| parse_ok(text).image.user.map(|user| user.written.value);
        let ids = |text: &str| parse_ok(text).image.user.map(|user| (user.uid, user.gid));
        assert_eq!(
            user("version: 1\nimage:\n  user: 1000\n").as_deref(),
            Some("1000")
        );
        assert_eq!(
            ids("version: 1\nimage:\n  user: 1000\n"),
            Some((1000, 1000))
        );
        assert_eq!(ids("version: 1\nimage:\n  user: \"0:0\"\n"), Some((0, 0)));
        assert_eq!(user("version: 1\nimage:\n  ports: [80]\n"), None);
    }

    #[test]
    fn distroless_is_the_nonroot_static_image() {
        let image = parse_ok("version: 1\nimage:\n  base: distroless\n").image;
        let Base::Image(base) = image.base else {
            panic!("distroless is an image, not scratch");
        };
        assert_eq!(base.value.written, DISTROLESS);
        assert_eq!(
            base.value.normalized,
            "gcr.io/distroless/static-debian12:nonroot"
        );
        assert_eq!((base.span.line, base.span.column), (3, 9));
    }

    #[test]
    fn distroless_base_is_the_nonroot_glibc_image() {
        let image = parse_ok("version: 1\nimage:\n  base: distroless-base\n").image;
        let Base::Image(base) = &image.base else {
            panic!("distroless-base is an image, not scratch");
        };
        assert_eq!(base.value.written, DISTROLESS_BASE);
        assert_eq!(
            base.value.normalized,
            "gcr.io/distroless/base-debian12:nonroot"
        );
        assert_eq!((base.span.line, base.span.column), (3, 9));
        assert!(!image.base.is_static(), "it has glibc");
    }

    #[test]
    fn scratch_and_the_distroless_static_images_are_static_bases() {
        let base = |written: &str| {
            parse_ok(&format!("version: 1\nimage:\n  base: {written}\n"))
                .image
                .base
        };
        for written in [
            "scratch",
            "distroless",
            "gcr.io/distroless/static",
            "gcr.io/distroless/static-debian11:latest",
            "gcr.io/distroless/static-debian12:debug-nonroot",
        ] {
            assert!(base(written).is_static(), "{written}");
        }
        for written in [
            "distroless-base",
            "debian:bookworm-slim",
            "gcr.io/distroless/static-debian12-fake",
            "gcr.io/distroless/staticx",
            "example.com/gcr.io/distroless/static",
        ] {
            assert!(!base(written).is_static(), "{written}");
        }
    }

    #[test]
    fn rejects_bad_users() {
        let diagnostic = assert_error(
            "version: 1\nimage:\n  user: nobody\n",
            3,
            9,
            "`image.user` is `nobody`, a name: gostage needs numeric ids",
        );
        assert!(help(&diagnostic).contains("65532:65532"));
        assert_error(
            "version: 1\nimage:\n  base: scratch\n  user: \"1000:\"\n",
            4,
            9,
            "`image.user` is not a numeric user: `1000:`",
        );
    }

    #[test]
    fn reads_base_workdir_and_commands() {
        let image = parse_ok(
            "version: 1\nimage:\n  base: scratch\n  workdir: /\n  entrypoint: []\n  cmd: [serve]\n",
        )
        .image;
        assert_eq!(image.base, Base::Scratch);
        assert_eq!(image.workdir.as_deref(), Some("/"));
        assert_eq!(image.entrypoint, Some(Vec::new()));
        assert_eq!(image.cmd, Some(vec!["serve".to_string()]));
        assert_error(
            "version: 1\nimage:\n  workdir: app\n",
            3,
            12,
            "`image.workdir` must be an absolute path",
        );
        assert_error(
            "version: 1\nimage:\n  base: \"\"\n",
            3,
            9,
            "`image.base` is empty",
        );
    }

    #[test]
    fn checks_environment_and_label_keys() {
        let image = parse_ok(
            "version: 1\nimage:\n  env:\n    TZ: UTC\n  labels:\n    org.example.team: core\n",
        )
        .image;
        assert_eq!(image.env.get("TZ").map(String::as_str), Some("UTC"));
        assert_eq!(
            image.labels.get("org.example.team").map(String::as_str),
            Some("core")
        );
        assert_error(
            "version: 1\nimage:\n  env:\n    1X: a\n",
            4,
            5,
            "`image.env.1X` is not an environment variable name",
        );
        assert_error(
            "version: 1\nimage:\n  labels: {\"\": x}\n",
            3,
            12,
            "`image.labels` has an empty key",
        );
    }
}
