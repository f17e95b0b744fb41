//! The report: for each line of the Dockerfile that says something (instructions and parser
//! directives), what became of it, and how it prints.

use std::fmt;

/// What became of one instruction, or one part of it (a `go build` flag, a package).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written into gostage.yaml at `key` (`main`, `build.ldflags`, `image.ports`).
    Mapped {
        /// The spec key, dotted (`image.healthcheck.http`).
        key: String,
        /// What was written there, as YAML shows it (`./cmd/server`, `8080`).
        value: String,
        /// What changed on the way, if anything (`pass --build-arg COMMIT=… instead of
        /// GIT_COMMIT`).
        note: Option<String>,
    },
    /// Nothing to write: gostage does it in every build.
    DoneByGostage {
        /// What gostage does instead (`cache mounts for Go's build and module caches`).
        what: String,
    },
    /// Not in gostage.yaml.
    NotCarried {
        /// Why it could not be carried over.
        why: String,
        /// What to do instead.
        instead: String,
    },
}

impl Outcome {
    pub(super) fn mapped(key: &str, value: impl Into<String>) -> Self {
        Outcome::Mapped {
            key: key.to_string(),
            value: value.into(),
            note: None,
        }
    }

    pub(super) fn mapped_with_note(
        key: &str,
        value: impl Into<String>,
        note: impl Into<String>,
    ) -> Self {
        Outcome::Mapped {
            key: key.to_string(),
            value: value.into(),
            note: Some(note.into()),
        }
    }

    pub(super) fn done(what: impl Into<String>) -> Self {
        Outcome::DoneByGostage { what: what.into() }
    }

    pub(super) fn not_carried(why: impl Into<String>, instead: impl Into<String>) -> Self {
        Outcome::NotCarried {
            why: why.into(),
            instead: instead.into(),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Mapped { key, value, note } => {
                write!(formatter, "→ {key}: {value}")?;
                if let Some(note) = note {
                    write!(formatter, " ({note})")?;
                }
                Ok(())
            }
            Outcome::DoneByGostage { what } => write!(formatter, "done by gostage: {what}"),
            Outcome::NotCarried { why, instead } => {
                write!(formatter, "not carried over: {why}; instead: {instead}")
            }
        }
    }
}

/// One line of the Dockerfile that says something, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportLine {
    /// 1-based line of the instruction's keyword (or of the parser directive).
    pub line: u32,
    /// Its first line as written, trimmed (`RUN go build \`).
    pub instruction: String,
    /// What became of it, in the order of its parts; never empty.
    pub outcomes: Vec<Outcome>,
}

/// The longest instruction text the printed report shows before cutting it with `…`, in
/// characters: one terminal line with the line number.
const SHOWN_CHARACTERS: usize = 72;

/// Prints `lines` as a person reads them: each line number and instruction, then its
/// outcomes indented below it, one a line:
///
/// ```text
///   8  RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server
///        → main: ./cmd/server
///        done by gostage: CGO_ENABLED=0 (static binaries unless build.cgo)
/// ```
pub struct Report<'a>(pub &'a [ReportLine]);

impl fmt::Display for Report<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .0
            .iter()
            .map(|line| line.line.to_string().len())
            .max()
            .unwrap_or(1);
        for line in self.0 {
            let mut shown: String = line.instruction.chars().take(SHOWN_CHARACTERS).collect();
            if line.instruction.chars().count() > SHOWN_CHARACTERS {
                shown.push('…');
            }
            writeln!(formatter, "{:>width$}  {shown}", line.line)?;
            for outcome in &line.outcomes {
                writeln!(formatter, "{:width$}    {outcome}", "")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_each_instruction_then_its_outcomes() {
        let lines = [
            ReportLine {
                line: 9,
                instruction: "RUN go build -o /out/server ./cmd/server".into(),
                outcomes: vec![
                    Outcome::mapped("main", "./cmd/server"),
                    Outcome::done("CGO_ENABLED=0"),
                ],
            },
            ReportLine {
                line: 12,
                instruction: format!("LABEL a={}", "x".repeat(80)),
                outcomes: vec![Outcome::not_carried("why", "what")],
            },
        ];
        let printed = Report(&lines).to_string();
        let expected = format!(
            " 9  RUN go build -o /out/server ./cmd/server\n      → main: ./cmd/server\n      done by gostage: CGO_ENABLED=0\n12  LABEL a={}…\n      not carried over: why; instead: what\n",
            "x".repeat(SHOWN_CHARACTERS - 8)
        );
        assert_eq!(printed, expected);
    }
}
