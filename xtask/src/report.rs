//! What `up` found, did, and reused, printed as a table at the end.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Already there and answering.
    Reused,
    /// Installed or built now.
    Installed,
    /// Started now.
    Started,
    /// Restarted or reconfigured now.
    Reconfigured,
    /// Checked and working.
    Verified,
    /// Not available; not fatal.
    Skipped,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Reused => "reused",
            Outcome::Installed => "installed",
            Outcome::Started => "started",
            Outcome::Reconfigured => "reconfigured",
            Outcome::Verified => "verified",
            Outcome::Skipped => "skipped",
        })
    }
}

#[derive(Default)]
pub struct Report {
    rows: Vec<(String, Outcome, String)>,
}

impl Report {
    pub fn add(&mut self, component: &str, outcome: Outcome, detail: impl Into<String>) {
        let detail = detail.into();
        eprintln!("==> {component}: {outcome} {detail}");
        self.rows.push((component.to_string(), outcome, detail));
    }

    pub fn print(&self) {
        let width = self.rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        println!("gostage environment:");
        for (component, outcome, detail) in &self.rows {
            println!("  {component:width$}  {:<12} {detail}", outcome.to_string());
        }
    }
}
