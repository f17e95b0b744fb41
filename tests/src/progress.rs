//! Reading a build log: which vertices ran, which were CACHED.
//!
//! Plain progress (`--progress=plain`) prints `#N <name>` when vertex N starts, then
//! `#N <log lines>`, then `#N CACHED`, `#N DONE 1.2s`, `#N ERROR: ...` or `#N CANCELED`.
//!
//! Plain progress does not show the graph, and BuildKit re-runs every vertex without inputs on
//! each build (sources, and file ops on scratch such as an inline /etc/passwd: the Dockerfile
//! frontend hides those as `[internal] preparing inline document`, DONE every time). Raw JSON
//! progress (`--progress=rawjson`) lists each vertex's inputs, so "every step with inputs was
//! CACHED" can be judged exactly: see [`vertices_rawjson`].

use gostage_support::config::FRONTEND_IMAGE;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vertex {
    pub id: u32,
    pub name: String,
    pub cached: bool,
    pub done: bool,
    pub error: bool,
    /// An image source: it prints `resolve <ref>` and shows DONE even when nothing is pulled.
    pub image_source: bool,
    /// How many inputs the vertex has (known from raw JSON progress only).
    pub inputs: Option<usize>,
}

impl Vertex {
    /// Whether the vertex did work in this build (finished, not from the cache).
    pub fn ran(&self) -> bool {
        (self.done || self.error) && !self.cached
    }

    /// Vertices every build shows as done whatever the cache holds: context and definition
    /// transfers, image metadata resolution, the frontend image itself, exporters.
    pub fn always_runs(&self) -> bool {
        const PREFIXES: &[&str] = &[
            "[internal]",
            "[auth]",
            "resolve image config",
            "load metadata",
            "load build",
            "load .dockerignore",
            "local://",
            "transferring",
            "exporting",
            "pushing",
            "writing image",
            "naming to",
            "sending tarball",
            "importing",
            "unpacking",
            "preparing",
            "loading",
        ];
        let name = self.name.as_str();
        self.inputs == Some(0)
            || self.image_source
            || PREFIXES.iter().any(|p| name.starts_with(p))
            || name.starts_with("docker-image://")
            || name.contains("] FROM ")
            || name.contains(FRONTEND_IMAGE)
    }
}

/// The vertices of a plain progress log, in order of first appearance.
pub fn vertices(log: &str) -> Vec<Vertex> {
    let mut by_id: BTreeMap<u32, Vertex> = BTreeMap::new();
    let mut order = Vec::new();
    for line in log.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let Some((id, text)) = rest.split_once(' ') else {
            continue;
        };
        let Ok(id) = id.parse::<u32>() else { continue };
        let text = text.trim_end();
        let vertex = by_id.entry(id).or_insert_with(|| {
            order.push(id);
            Vertex {
                id,
                name: text.to_string(),
                ..Vertex::default()
            }
        });
        if text == "CACHED" {
            vertex.cached = true;
        } else if text.starts_with("DONE") {
            vertex.done = true;
        } else if text.starts_with("ERROR") {
            vertex.error = true;
        } else if text.starts_with("resolve ") && text != vertex.name {
            vertex.image_source = true;
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect()
}

/// The vertices of a `--progress=rawjson` log (one SolveStatus JSON object per line), in order
/// of first appearance; `id` is that order, from 1.
pub fn vertices_rawjson(log: &str) -> Vec<Vertex> {
    let mut vertices: Vec<Vertex> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for line in log.lines() {
        let Ok(status) = serde_json::from_str::<serde_json::Value>(line.trim()) else {
            continue;
        };
        let Some(list) = status["vertexes"].as_array() else {
            continue;
        };
        for v in list {
            let Some(digest) = v["digest"].as_str() else {
                continue;
            };
            let i = *index.entry(digest.to_string()).or_insert_with(|| {
                vertices.push(Vertex {
                    id: vertices.len() as u32 + 1,
                    ..Vertex::default()
                });
                vertices.len() - 1
            });
            let vertex = &mut vertices[i];
            if let Some(name) = v["name"].as_str() {
                vertex.name = name.to_string();
            }
            let inputs = v["inputs"].as_array().map_or(0, Vec::len);
            vertex.inputs = Some(vertex.inputs.unwrap_or(0).max(inputs));
            vertex.cached |= v["cached"].as_bool().unwrap_or(false);
            vertex.done |= v["completed"].is_string();
            vertex.error |= v["error"].as_str().is_some_and(|e| !e.is_empty());
        }
    }
    vertices
}

/// What the processes of a `--progress=rawjson` log printed (each `logs` entry's base64
/// `data`, decoded and joined in order): the compiler's and go command's messages.
pub fn logs_rawjson(log: &str) -> String {
    logs_where(&statuses(log), |_| true)
}

/// What the processes of the vertices whose name contains `needle` printed, in a
/// `--progress=rawjson` log (each `logs` entry names its vertex by digest).
pub fn vertex_logs_rawjson(log: &str, needle: &str) -> String {
    let statuses = statuses(log);
    let digests: std::collections::BTreeSet<String> = statuses
        .iter()
        .flat_map(|status| status["vertexes"].as_array().into_iter().flatten())
        .filter(|vertex| {
            vertex["name"]
                .as_str()
                .is_some_and(|name| name.contains(needle))
        })
        .filter_map(|vertex| vertex["digest"].as_str().map(str::to_string))
        .collect();
    logs_where(&statuses, |digest| digests.contains(digest))
}

/// The SolveStatus objects of a raw JSON log, one per line.
fn statuses(log: &str) -> Vec<serde_json::Value> {
    log.lines()
        .filter_map(|line| serde_json::from_str(line.trim()).ok())
        .collect()
}

/// The decoded `data` of the `logs` entries whose vertex digest `keep` accepts, in order.
fn logs_where(statuses: &[serde_json::Value], keep: impl Fn(&str) -> bool) -> String {
    use base64::Engine as _;
    let mut text = String::new();
    for entry in statuses
        .iter()
        .flat_map(|status| status["logs"].as_array().into_iter().flatten())
        .filter(|entry| keep(entry["vertex"].as_str().unwrap_or_default()))
    {
        let decoded = entry["data"]
            .as_str()
            .and_then(|data| base64::engine::general_purpose::STANDARD.decode(data).ok());
        if let Some(bytes) = decoded {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

/// The vertices whose name contains `needle`.
pub fn named<'a>(vertices: &'a [Vertex], needle: &str) -> Vec<&'a Vertex> {
    vertices
        .iter()
        .filter(|v| v.name.contains(needle))
        .collect()
}

/// The vertices whose name contains `needle`, at least one.
///
/// Errors: no vertex is named like that; the message lists the build's vertices.
pub fn find<'a>(vertices: &'a [Vertex], needle: &str) -> anyhow::Result<Vec<&'a Vertex>> {
    let found = named(vertices, needle);
    anyhow::ensure!(
        !found.is_empty(),
        "no vertex named like {needle:?} in the build\nvertices:\n{}",
        summary(vertices)
    );
    Ok(found)
}

/// Checks that every vertex named like `needle` (at least one) was CACHED.
///
/// Errors: one ran or none is named like that; `why` says after what, and the message lists
/// the build's vertices.
pub fn ensure_cached(vertices: &[Vertex], needle: &str, why: &str) -> anyhow::Result<()> {
    for vertex in find(vertices, needle)? {
        anyhow::ensure!(
            vertex.cached,
            "{why}, {:?} was not CACHED\nvertices:\n{}",
            vertex.name,
            summary(vertices)
        );
    }
    Ok(())
}

/// Checks that every vertex named like `needle` (at least one) ran.
///
/// Errors: one was CACHED or none is named like that; `why` says after what, and the message
/// lists the build's vertices.
pub fn ensure_ran(vertices: &[Vertex], needle: &str, why: &str) -> anyhow::Result<()> {
    for vertex in find(vertices, needle)? {
        anyhow::ensure!(
            vertex.ran(),
            "{why}, {:?} did not run\nvertices:\n{}",
            vertex.name,
            summary(vertices)
        );
    }
    Ok(())
}

/// One line per vertex, for failure messages.
pub fn summary(vertices: &[Vertex]) -> String {
    vertices
        .iter()
        .map(|v| {
            let state = if v.cached {
                "CACHED"
            } else if v.error {
                "ERROR"
            } else if v.done {
                "DONE"
            } else {
                "?"
            };
            let inputs = v
                .inputs
                .map(|n| format!(" ({n} inputs)"))
                .unwrap_or_default();
            format!("  #{:<3} {state:<7} {}{inputs}", v.id, v.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_logs_of_raw_json_progress() {
        // "go: oops\n" and "again\n" in base64, with a vertex line between.
        let log = concat!(
            r#"{"logs":[{"vertex":"sha256:a","stream":2,"data":"Z286IG9vcHMK"}]}"#,
            "\n",
            r#"{"vertexes":[{"digest":"sha256:a","name":"go build"}]}"#,
            "\n",
            r#"{"logs":[{"vertex":"sha256:a","stream":2,"data":"YWdhaW4K"}]}"#,
        );
        assert_eq!(logs_rawjson(log), "go: oops\nagain\n");
    }

    #[test]
    fn reads_plain_progress() {
        let log = "#1 [internal] load build definition from gostage.yaml\n#1 transferring dockerfile: 120B done\n#1 DONE 0.0s\n\n#4 golang:1.23\n#4 resolve docker.io/library/golang:1.23@sha256:65d8 0.0s done\n#4 DONE 0.0s\n\n#5 go mod download\n#5 CACHED\n\n#6 go build ./cmd/uuid-service (linux/amd64)\n#6 0.512 compiling\n#6 DONE 3.2s\n";
        let v = vertices(log);
        assert_eq!(v.len(), 4);
        assert!(v[0].always_runs() && v[0].ran());
        assert!(v[1].image_source && v[1].always_runs());
        assert!(v[2].cached && !v[2].ran() && v[2].name == "go mod download");
        assert!(v[3].ran() && !v[3].always_runs());
        assert_eq!(named(&v, "go build ./cmd/uuid-service").len(), 1);
    }

    #[test]
    fn reads_rawjson_progress() {
        let log = r#"{"vertexes":[{"digest":"sha256:a","name":"write /etc/passwd"}]}
{"vertexes":[{"digest":"sha256:a","name":"write /etc/passwd","started":"t","completed":"t"}]}
{"vertexes":[{"digest":"sha256:b","inputs":["sha256:a"],"name":"go build ./cmd/x (linux/amd64)","cached":true,"started":"t","completed":"t"}]}
{"statuses":[{"id":"x","vertex":"sha256:b"}]}
error: something
"#;
        let v = vertices_rawjson(log);
        assert_eq!(v.len(), 2);
        assert!(v[0].ran() && v[0].always_runs() && v[0].inputs == Some(0));
        assert!(v[1].cached && !v[1].ran() && v[1].inputs == Some(1) && !v[1].always_runs());
    }
}
