//! Packages a Dockerfile installs (`apk add`, `apt-get install`, `yum`/`dnf install`), and
//! what each becomes: a Debian package for `build.packages`, something gostage's builder or
//! image has anyway, or nothing gostage can carry.

/// What one installed package becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    /// The C toolchain the golang (Debian) builder already has: gcc, libc headers,
    /// pkg-config, make (the `golang:<version>` images are `buildpack-deps:<release>-scm`
    /// plus gcc, libc6-dev, make and pkg-config: docker-library/golang `Dockerfile-linux.template`).
    Toolchain,
    /// Something gostage puts in every image or builder: the CA bundle, time zone data, git.
    Provided(&'static str),
    /// A C library for cgo, under its Debian name.
    Library(String),
    /// A static variant of a library: Debian's `-dev` package has the `.a` files.
    StaticLibrary,
    /// Not known here.
    Unknown,
}

/// Alpine `-dev` packages whose Debian name differs (Alpine `aports` and Debian package
/// names; the `lib…-dev` ones with the same name in both need no entry).
const ALPINE_TO_DEBIAN: &[(&str, &str)] = &[
    ("sqlite-dev", "libsqlite3-dev"),
    ("openssl-dev", "libssl-dev"),
    ("libressl-dev", "libssl-dev"),
    ("zlib-dev", "zlib1g-dev"),
    ("postgresql-dev", "libpq-dev"),
    ("libpq-dev", "libpq-dev"),
    ("mariadb-dev", "libmariadb-dev"),
    ("mariadb-connector-c-dev", "libmariadb-dev"),
    ("vips-dev", "libvips-dev"),
    ("pcre-dev", "libpcre3-dev"),
    ("pcre2-dev", "libpcre2-dev"),
    ("gpgme-dev", "libgpgme-dev"),
    ("lvm2-dev", "libdevmapper-dev"),
    ("btrfs-progs-dev", "libbtrfs-dev"),
    ("zstd-dev", "libzstd-dev"),
    ("lz4-dev", "liblz4-dev"),
    ("xz-dev", "liblzma-dev"),
    ("bzip2-dev", "libbz2-dev"),
    ("libjpeg-turbo-dev", "libjpeg-dev"),
    ("tiff-dev", "libtiff-dev"),
    ("icu-dev", "libicu-dev"),
    ("curl-dev", "libcurl4-openssl-dev"),
    ("expat-dev", "libexpat1-dev"),
    ("krb5-dev", "libkrb5-dev"),
    ("libusb-dev", "libusb-1.0-0-dev"),
    ("librdkafka-dev", "librdkafka-dev"),
    ("geos-dev", "libgeos-dev"),
    ("proj-dev", "libproj-dev"),
    ("gdal-dev", "libgdal-dev"),
    ("hidapi-dev", "libhidapi-dev"),
    ("libheif-dev", "libheif-dev"),
    ("imagemagick-dev", "libmagickwand-dev"),
    ("leptonica-dev", "libleptonica-dev"),
    ("tesseract-ocr-dev", "libtesseract-dev"),
];

/// The C toolchain packages of Alpine and Debian that the golang builder has.
const TOOLCHAIN: &[&str] = &[
    "gcc",
    "g++",
    "musl-dev",
    "build-base",
    "build-essential",
    "libc-dev",
    "libc6-dev",
    "linux-headers",
    "linux-libc-dev",
    "make",
    "binutils",
    "pkgconf",
    "pkgconfig",
    "pkg-config",
    "autoconf",
    "automake",
    "libtool",
];

/// What the package `name` (an Alpine name when `alpine`, else Debian's, or a Red Hat one
/// treated as Debian's when it looks like one) becomes.
pub(super) fn fate(name: &str, alpine: bool) -> Fate {
    // `apk add --no-cache gcc=12.2.1-r4` and `apt-get install -y gcc=4:12.2.0-3` pin versions.
    let name = name.split('=').next().unwrap_or(name);
    if TOOLCHAIN.contains(&name) {
        return Fate::Toolchain;
    }
    match name {
        "ca-certificates" | "ca-certificates-bundle" => {
            return Fate::Provided("gostage puts the builder's CA bundle into the image")
        }
        "tzdata" => {
            return Fate::Provided("gostage puts the builder's time zone database into the image")
        }
        "git" | "openssh" | "openssh-client" | "bash" | "curl" | "wget" => {
            return Fate::Provided(
                "the golang builder image has git, openssh-client, curl and wget",
            )
        }
        _ => {}
    }
    if name.ends_with("-static") || name.ends_with("-libs-static") {
        return Fate::StaticLibrary;
    }
    if let Some((_, debian)) = ALPINE_TO_DEBIAN
        .iter()
        .find(|(alpine_name, _)| alpine && *alpine_name == name)
    {
        return Fate::Library((*debian).to_string());
    }
    let is_library =
        name.starts_with("lib") && (name.ends_with("-dev") || name.ends_with("-devel"));
    match (alpine, is_library) {
        // An Alpine `lib…-dev` usually has the same name in Debian (libpcap-dev,
        // libxml2-dev, libffi-dev, libpng-dev, libwebp-dev, libseccomp-dev).
        // Red Hat's `-devel` is Debian's `-dev`.
        (_, true) => Fate::Library(name.strip_suffix("el").unwrap_or(name).to_string()),
        (false, false) if name.ends_with("-dev") => Fate::Library(name.to_string()),
        _ => Fate::Unknown,
    }
}

/// The package manager command `words` runs and the packages it installs: (`alpine`,
/// packages), or `None` when it installs nothing.
pub(super) fn installed(words: &[String]) -> Option<(bool, Vec<String>)> {
    let program = words.first()?.rsplit('/').next()?;
    let (alpine, rest) = match program {
        // `apk add …`, `apk --no-cache add …`
        "apk" => (
            true,
            words
                .iter()
                .position(|word| word == "add")
                .filter(|position| words[1..*position].iter().all(|word| word.starts_with('-')))
                .map(|position| &words[position + 1..])?,
        ),
        "apt-get" | "apt" | "yum" | "dnf" | "microdnf" => (
            false,
            words
                .iter()
                .position(|word| word == "install")
                .map(|position| &words[position + 1..])?,
        ),
        _ => return None,
    };
    // Flags with a value of their own (`apk add --virtual .build-deps gcc`).
    const WITH_VALUE: [&str; 5] = ["--virtual", "-t", "--repository", "-X", "-o"];
    let mut packages = Vec::new();
    let mut skip = false;
    for word in rest {
        if skip {
            skip = false;
            continue;
        }
        if word.starts_with('-') {
            skip = WITH_VALUE.contains(&word.as_str());
            continue;
        }
        packages.push(word.clone());
    }
    Some((alpine, packages))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn maps_alpine_names_to_debian() {
        assert_eq!(
            fate("sqlite-dev", true),
            Fate::Library("libsqlite3-dev".into())
        );
        assert_eq!(
            fate("libpcap-dev", true),
            Fate::Library("libpcap-dev".into())
        );
        assert_eq!(fate("musl-dev", true), Fate::Toolchain);
        assert_eq!(fate("gcc=12.2.1-r4", true), Fate::Toolchain);
        assert_eq!(fate("sqlite-static", true), Fate::StaticLibrary);
        assert_eq!(
            fate("libsqlite3-dev", false),
            Fate::Library("libsqlite3-dev".into())
        );
        assert_eq!(fate("protobuf", true), Fate::Unknown);
        assert!(matches!(fate("tzdata", true), Fate::Provided(_)));
    }

    #[test]
    fn reads_install_commands() {
        assert_eq!(
            installed(&words(
                "apk add --no-cache --virtual .deps gcc musl-dev sqlite-dev"
            )),
            Some((
                true,
                vec!["gcc".into(), "musl-dev".into(), "sqlite-dev".into()]
            ))
        );
        assert_eq!(
            installed(&words(
                "apt-get install -y --no-install-recommends libsqlite3-dev"
            )),
            Some((false, vec!["libsqlite3-dev".into()]))
        );
        assert_eq!(
            installed(&words("apk --no-cache add ca-certificates")),
            Some((true, vec!["ca-certificates".into()]))
        );
        assert_eq!(installed(&words("apt-get update")), None);
        assert_eq!(installed(&words("apk update")), None);
    }
}
