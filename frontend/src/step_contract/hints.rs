//! The failure-hints protocol: the plan gives a step the texts Go may print and what to tell
//! the user when a failed command printed one; `gostage explain` reads them. They travel in
//! the environment variable [`HINTS_VARIABLE`], not in the arguments, because BuildKit
//! quotes a failed step's whole command line in its error.
//!
//! The value is one `PATTERN<TAB>HINT` line per rule, each ended by a newline.

/// The variable that carries the hints; `gostage explain` removes it from the command's
/// environment.
pub const HINTS_VARIABLE: &str = "GOSTAGE_FAILURE_HINTS";

/// One known text and what to say when a failed command printed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// A substring of one output line; not empty.
    pub pattern: String,
    /// The advice, one line.
    pub hint: String,
}

/// Why a value of [`HINTS_VARIABLE`] cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HintsError {
    /// A line without a tab, or with an empty pattern.
    #[error("{HINTS_VARIABLE}: line {number} ({line:?}) is not PATTERN<TAB>HINT with a pattern")]
    Malformed {
        /// The line's number, from 1.
        number: usize,
        /// The line.
        line: String,
    },
}

/// The value of [`HINTS_VARIABLE`] for `hints` (`(pattern, hint)` pairs, in the order
/// `gostage explain` tries them). A tab or newline inside a pattern or hint becomes a
/// space, since both separate rules; an empty pattern, which would match every line, is left
/// out.
pub fn encode<P: AsRef<str>, H: AsRef<str>>(hints: &[(P, H)]) -> String {
    hints
        .iter()
        .filter(|(pattern, _)| !pattern.as_ref().is_empty())
        .map(|(pattern, hint)| {
            let one_line = |text: &str| text.replace(['\n', '\t'], " ");
            format!(
                "{}\t{}\n",
                one_line(pattern.as_ref()),
                one_line(hint.as_ref())
            )
        })
        .collect()
}

/// The rules in `value`, in order (empty lines skipped).
///
/// Errors: a line without a tab, or with an empty pattern ([`HintsError::Malformed`], naming
/// the line).
pub fn decode(value: &str) -> Result<Vec<Rule>, HintsError> {
    value
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(index, line)| match line.split_once('\t') {
            Some((pattern, hint)) if !pattern.is_empty() => Ok(Rule {
                pattern: pattern.to_string(),
                hint: hint.to_string(),
            }),
            _ => Err(HintsError::Malformed {
                number: index + 1,
                line: line.to_string(),
            }),
        })
        .collect()
}
