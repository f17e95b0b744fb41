//! [`Problem`]: what is wrong with one value, phrased to follow the value's name.

/// What is wrong with a value and how to fix it.
///
/// `message` follows the name of the value in a sentence (`` `platforms[0]` `` + `is not a
/// platform`), so each caller adds the subject it knows: a spec field path and position, or an
/// option name (`--platform`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Problem {
    /// Follows the value's name, e.g. `is an absolute path`.
    pub message: String,
    /// The fix, as a sentence.
    pub help: String,
}

impl Problem {
    /// A problem with `message` (follows the subject) and `help` (the fix).
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            help: help.into(),
        }
    }

    /// `subject message; help`: the one-line form where no spec position applies.
    pub fn about(&self, subject: &str) -> String {
        format!("{subject} {}; {}", self.message, self.help)
    }
}
