//! `gostage sbom OUTPUT CREATED BINARY…`: writes an SPDX 2.3 JSON document describing Go
//! binaries from the module information the Go linker embeds in them (what `go version -m`
//! prints: the main module, every dependency with version and go.sum hash, and the Go
//! toolchain as `stdlib`).
//!
//! CREATED is the RFC 3339 creation time to record (the plan passes `SOURCE_DATE_EPOCH`, or
//! the Unix epoch), so the same binaries give the same document, byte for byte: the fields,
//! their order, the escaping and the indentation are those of the Go program gostage ran
//! before (`encoding/json` `MarshalIndent` of the same structs), so documents of older
//! gostage versions compare equal.

pub mod build_info;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use build_info::{BuildInfo, BuildInfoError};

/// The start of each document's namespace, which ends with the SHA-256 of its content (a
/// namespace must be unique per document; `.invalid` is reserved, RFC 2606).
pub const NAMESPACE_PREFIX: &str = "https://gostage.invalid/spdx/";

/// Why no document was written.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// A binary cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The binary.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A binary has no readable Go build information.
    #[error("{path} has no Go build information: {source}")]
    BuildInfo {
        /// The binary.
        path: PathBuf,
        /// Why.
        source: BuildInfoError,
    },
    /// The document cannot be serialised.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// The document cannot be written.
    #[error("{path}: {source}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// An SPDX 2.3 document (the fields gostage writes, in the order it writes them).
#[derive(Clone, Debug, Serialize)]
pub struct Document {
    #[serde(rename = "spdxVersion")]
    spdx_version: String,
    #[serde(rename = "dataLicense")]
    data_license: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    #[serde(rename = "documentNamespace")]
    document_namespace: String,
    #[serde(rename = "creationInfo")]
    creation_info: CreationInfo,
    packages: Vec<Package>,
    relationships: Vec<Relationship>,
}

#[derive(Clone, Debug, Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
struct Package {
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(rename = "versionInfo", skip_serializing_if = "String::is_empty")]
    version_info: String,
    #[serde(rename = "downloadLocation")]
    download_location: String,
    #[serde(rename = "filesAnalyzed")]
    files_analyzed: bool,
    #[serde(
        rename = "primaryPackagePurpose",
        skip_serializing_if = "String::is_empty"
    )]
    primary_purpose: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    comment: String,
    #[serde(rename = "externalRefs", skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalReference>,
}

#[derive(Clone, Debug, Serialize)]
struct ExternalReference {
    #[serde(rename = "referenceCategory")]
    category: String,
    #[serde(rename = "referenceType")]
    kind: String,
    #[serde(rename = "referenceLocator")]
    locator: String,
}

#[derive(Clone, Debug, Serialize)]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    element: String,
    #[serde(rename = "relationshipType")]
    kind: String,
    #[serde(rename = "relatedSpdxElement")]
    related: String,
}

/// The subcommand: 0 when the document was written, else 1 after a message on stderr.
pub fn run(output: &Path, created: &str, binaries: &[PathBuf]) -> u8 {
    match write(output, created, binaries) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("gostage sbom: {error}");
            1
        }
    }
}

/// Reads each binary's build information and writes the document to `output` (its parent
/// directories created), indented, with a final newline.
///
/// Errors: a binary that cannot be read or has no Go build information, or an output that
/// cannot be written.
pub fn write(output: &Path, created: &str, binaries: &[PathBuf]) -> Result<(), SbomError> {
    let mut described = Vec::new();
    for path in binaries {
        let bytes = std::fs::read(path).map_err(|source| SbomError::Read {
            path: path.clone(),
            source,
        })?;
        let info = build_info::read(&bytes).map_err(|source| SbomError::BuildInfo {
            path: path.clone(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        described.push((name, info));
    }
    let text = document(created, &described)?.to_json()?;
    let written = output
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(output, text));
    written.map_err(|source| SbomError::Write {
        path: output.to_path_buf(),
        source,
    })
}

/// The document about `binaries` (`(name, build information)`, in the order given), with
/// its namespace derived from its content: the SHA-256 of the compact JSON with an empty
/// namespace.
///
/// Errors: none in practice (serde_json's, for completeness).
pub fn document(
    created: &str,
    binaries: &[(String, BuildInfo)],
) -> Result<Document, serde_json::Error> {
    let mut document = Document {
        spdx_version: "SPDX-2.3".into(),
        data_license: "CC0-1.0".into(),
        spdx_id: "SPDXRef-DOCUMENT".into(),
        name: String::new(),
        document_namespace: String::new(),
        creation_info: CreationInfo {
            created: created.into(),
            creators: vec!["Tool: gostage".into()],
        },
        packages: Vec::new(),
        relationships: Vec::new(),
    };
    for (name, info) in binaries {
        let binary_id = document.add(Package {
            name: name.clone(),
            spdx_id: spdx_id("binary", name),
            version_info: info.main.version.clone(),
            download_location: "NOASSERTION".into(),
            files_analyzed: false,
            primary_purpose: "APPLICATION".into(),
            comment: format!(
                "Go binary of module {}, built with {}",
                info.main.path, info.go_version
            ),
            external_refs: Vec::new(),
        });
        document.relate("SPDXRef-DOCUMENT", "DESCRIBES", &binary_id);
        let main = (
            info.main.path.as_str(),
            info.main.version.as_str(),
            info.main.sum.as_str(),
        );
        // A replaced dependency is described by its replacement, the code that was built.
        let dependencies = info.deps.iter().map(|dependency| {
            let built = dependency.replace.as_deref().unwrap_or(dependency);
            (
                built.path.as_str(),
                built.version.as_str(),
                built.sum.as_str(),
            )
        });
        let toolchain = ("stdlib", info.go_version.as_str(), "");
        let modules: Vec<(&str, &str, &str)> = std::iter::once(main)
            .chain(dependencies)
            .chain(std::iter::once(toolchain))
            .collect();
        for module in modules {
            let module_id = document.add(module_package(module));
            document.relate(&binary_id, "CONTAINS", &module_id);
        }
    }
    // Sorted by the three fields joined, as the Go program did (`sort.Slice` on
    // `Element+Type+Related`).
    document.relationships.sort_by_cached_key(|relationship| {
        format!(
            "{}{}{}",
            relationship.element, relationship.kind, relationship.related
        )
    });
    document.name = binaries
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let compact = go_escaped(serde_json::to_string(&document)?);
    document.document_namespace = format!(
        "{NAMESPACE_PREFIX}{}",
        hex::encode(Sha256::digest(compact.as_bytes()))
    );
    Ok(document)
}

impl Document {
    /// The document as JSON: indented by two spaces, with a final newline, and escaped as
    /// Go's `encoding/json` escapes strings.
    ///
    /// Errors: none in practice (serde_json's, for completeness).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let text = serde_json::to_string_pretty(self)?;
        Ok(go_escaped(text) + "\n")
    }

    /// Adds `package` unless a package with its SPDX id is there already (binaries share
    /// modules); returns the id.
    fn add(&mut self, package: Package) -> String {
        let id = package.spdx_id.clone();
        if !self.packages.iter().any(|known| known.spdx_id == id) {
            self.packages.push(package);
        }
        id
    }

    fn relate(&mut self, element: &str, kind: &str, related: &str) {
        self.relationships.push(Relationship {
            element: element.into(),
            kind: kind.into(),
            related: related.into(),
        });
    }
}

/// The package of a module `(path, version, go.sum hash)`: its go.sum hash in the comment,
/// and a package URL (`pkg:golang/PATH@VERSION`) unless the version is empty or `(devel)`.
fn module_package((path, version, sum): (&str, &str, &str)) -> Package {
    let external_refs = match version {
        "" | "(devel)" => Vec::new(),
        _ => vec![ExternalReference {
            category: "PACKAGE-MANAGER".into(),
            kind: "purl".into(),
            locator: format!("pkg:golang/{path}@{version}"),
        }],
    };
    Package {
        name: path.into(),
        spdx_id: spdx_id("module", &format!("{path}@{version}")),
        version_info: version.into(),
        download_location: "NOASSERTION".into(),
        files_analyzed: false,
        primary_purpose: "LIBRARY".into(),
        comment: match sum {
            "" => String::new(),
            _ => format!("go.sum hash {sum}"),
        },
        external_refs,
    }
}

/// An SPDX identifier `SPDXRef-KIND-NAME`, each character of `name` other than ASCII
/// letters, digits, `.` and `-` replaced by `-` (SPDX 2.3, 3.2: `[A-Za-z0-9.-]+`).
pub fn spdx_id(kind: &str, name: &str) -> String {
    let name: String = name
        .chars()
        .map(|character| match character {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' => character,
            _ => '-',
        })
        .collect();
    format!("SPDXRef-{kind}-{name}")
}

/// `json` with the escapes Go's `encoding/json` adds and serde_json does not: `<`, `>` and
/// `&` (HTML safety) and U+2028, U+2029 (golang/go `src/encoding/json/encode.go`,
/// `appendString`). These characters appear only inside strings in JSON text, so replacing
/// them everywhere escapes exactly those.
fn go_escaped(json: String) -> String {
    if !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return json;
    }
    let mut escaped = String::with_capacity(json.len());
    for character in json.chars() {
        match character {
            '<' => escaped.push_str("\\u003c"),
            '>' => escaped.push_str("\\u003e"),
            '&' => escaped.push_str("\\u0026"),
            '\u{2028}' => escaped.push_str("\\u2028"),
            '\u{2029}' => escaped.push_str("\\u2029"),
            _ => escaped.push(character),
        }
    }
    escaped
}
