//! A case's section of the report: its title and method, the table of rows (median wall
//! time, load, slowest steps), the ratio lines, the notes and the commands with their logs.

use super::recipe::Recipe;
use super::timing::{log_dir, Row};
use std::fmt::Write as _;
use std::path::Path;

/// What a case printed: its rows, ratios and notes.
#[derive(Default)]
pub(super) struct Section {
    pub(super) title: String,
    pub(super) method: String,
    pub(super) rows: Vec<Row>,
    pub(super) ratios: Vec<String>,
    pub(super) notes: Vec<String>,
}

impl Section {
    pub(super) fn find(&self, recipe: Recipe, platforms: &[&str]) -> Option<&Row> {
        self.rows.get(self.position(recipe, platforms)?)
    }

    /// The index of the row of `recipe` for `platforms`.
    pub(super) fn position(&self, recipe: Recipe, platforms: &[&str]) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.recipe == recipe && r.platforms == platforms)
    }

    /// `a / b` as a ratio line, when both rows exist.
    pub(super) fn ratio(&mut self, a: (Recipe, &[&str]), b: (Recipe, &[&str]), note: &str) {
        let (Some(x), Some(y)) = (self.find(a.0, a.1), self.find(b.0, b.1)) else {
            return;
        };
        let line = ratio_line(x, y, note);
        self.ratios.push(line);
    }

    pub(super) fn print(&self, out: &mut String) {
        let _ = writeln!(out, "\n## {}\n{}\n", self.title, self.method);
        if self.rows.is_empty() {
            for note in &self.notes {
                let _ = writeln!(out, "  {note}");
            }
            return;
        }
        let runs = self.rows.first().map_or(1, |r| r.runs.len());
        let wall = if runs > 1 {
            format!("wall (median of {runs}, min–max)")
        } else {
            "wall".to_string()
        };
        let walls: Vec<String> = self
            .rows
            .iter()
            .map(|row| {
                let mut wall = format!("{:.1}s", row.seconds());
                if row.runs.len() > 1 {
                    let (min, max) = (&row.runs[0], &row.runs[row.runs.len() - 1]);
                    wall.push_str(&format!(" ({:.1}–{:.1})", min.seconds, max.seconds));
                }
                wall
            })
            .collect();
        let width = walls
            .iter()
            .chain(std::iter::once(&wall))
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "  {:<3} {:<20} {:<24} {wall:>width$}  {:>5}  slowest steps",
            "#", "build", "platforms", "load"
        );
        for (i, (row, wall)) in self.rows.iter().zip(&walls).enumerate() {
            let run = row.median();
            let slowest = run
                .slowest
                .iter()
                .map(|(name, secs)| format!("{name} {secs:.1}s"))
                .collect::<Vec<_>>()
                .join("; ");
            let _ = writeln!(
                out,
                "  {:<3} {:<20} {:<24} {wall:>width$}  {:>5}  {slowest}",
                i + 1,
                row.recipe.name(),
                row.platforms.join(","),
                run.load,
            );
        }
        if !self.ratios.is_empty() {
            let _ = writeln!(out, "\n  ratios:");
            for line in &self.ratios {
                let _ = writeln!(out, "  {line}");
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "\n  {note}");
        }
        // Every log is in the log directory; the rows say which one.
        let logs = self
            .rows
            .first()
            .and_then(|row| row.median().log.parent())
            .map_or_else(log_dir, Path::to_path_buf);
        let _ = writeln!(
            out,
            "\n  commands (in order; build logs in {}):",
            logs.display()
        );
        for (i, row) in self.rows.iter().enumerate() {
            let _ = writeln!(
                out,
                "  #{} {}\n     log: {}",
                i + 1,
                row.command,
                row.median().log.display()
            );
        }
    }
}

/// `x / y` in seconds as a report line: the two rows named, the ratio, then `note`.
pub(super) fn ratio_line(x: &Row, y: &Row, note: &str) -> String {
    format!(
        "{:<58} {:>6.2}×  {note}",
        format!(
            "{} {} / {} {}",
            x.recipe.name(),
            short(x.platforms),
            y.recipe.name(),
            short(y.platforms)
        ),
        x.seconds() / y.seconds()
    )
}

pub(super) fn short(platforms: &[&str]) -> String {
    platforms
        .iter()
        .map(|p| p.trim_start_matches("linux/"))
        .collect::<Vec<_>>()
        .join("+")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::BOTH;

    #[test]
    fn shortens_platforms() {
        assert_eq!(short(BOTH), "amd64+arm64");
    }
}
