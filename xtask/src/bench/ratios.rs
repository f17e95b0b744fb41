//! Ratios judged against a goal: the verdict, and for a missed goal a `why:` line saying
//! where the time went.

use super::recipe::Recipe;
use super::section::{ratio_line, short, Section};
use super::timing::Row;

/// A ratio's verdict against a goal: `met` when `value ≤ goal`.
fn verdict(value: f64, goal: f64) -> String {
    match value <= goal {
        true => format!("goal ≤ {goal:.2}×: met"),
        false => format!("goal ≤ {goal:.2}×: MISSED"),
    }
}

/// Where the time of a missed goal went, from each row's median run: its longest step and
/// the rest of the wall time (wall minus that step, which other steps may overlap), or that
/// no step ran.
fn breakdown(x: &Row, y: &Row) -> String {
    let part = |row: &Row| {
        let run = row.median();
        let name = format!("{} {}", row.recipe.name(), short(row.platforms));
        match run.slowest.first() {
            Some((step, seconds)) if *seconds >= 0.05 => format!(
                "{name} {:.1}s = its longest step ({step}) {seconds:.1}s + {:.1}s of the rest",
                run.seconds,
                run.seconds - seconds
            ),
            _ => format!(
                "{name} {:.2}s with no step run (every step cached, or a build outside BuildKit)",
                run.seconds
            ),
        }
    };
    format!("{}; {}", part(x), part(y))
}

impl Section {
    /// [`Section::judged_rows`] for the rows of `a` and `b`, when both exist.
    pub(super) fn judged(
        &mut self,
        a: (Recipe, &[&str]),
        b: (Recipe, &[&str]),
        note: &str,
        goal: f64,
        why: Option<String>,
    ) {
        if let (Some(a), Some(b)) = (self.position(a.0, a.1), self.position(b.0, b.1)) {
            self.judged_rows(a, b, note, goal, why);
        }
    }

    /// The ratio line of `rows[a] / rows[b]` with `note` (a parenthesis) and the verdict
    /// against `goal`; when missed, a `why:` line under it with the measured [`breakdown`]
    /// and `why`, what the caller knows about the cause. By index, for sections where a
    /// recipe and platforms repeat (cold, unchanged, edit).
    pub(super) fn judged_rows(
        &mut self,
        a: usize,
        b: usize,
        note: &str,
        goal: f64,
        why: Option<String>,
    ) {
        let (Some(x), Some(y)) = (self.rows.get(a), self.rows.get(b)) else {
            return;
        };
        let value = x.seconds() / y.seconds();
        let note = format!("{}; {})", note.trim_end_matches(')'), verdict(value, goal));
        let mut lines = vec![ratio_line(x, y, &note)];
        if value > goal {
            let mut reason = breakdown(x, y);
            if let Some(why) = why {
                reason.push_str(&format!("; {why}"));
            }
            lines.push(format!("    why: {reason}"));
        }
        self.ratios.extend(lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::timing::Run;
    use crate::bench::AMD64;
    use std::path::PathBuf;

    fn row(recipe: Recipe, seconds: f64, slowest: &[(&str, f64)]) -> Row {
        Row {
            recipe,
            platforms: AMD64,
            runs: vec![Run {
                seconds,
                load: "0.00".into(),
                slowest: slowest
                    .iter()
                    .map(|(name, s)| (name.to_string(), *s))
                    .collect(),
                log: PathBuf::new(),
            }],
            image: String::new(),
            command: String::new(),
        }
    }

    #[test]
    fn a_missed_goal_says_where_the_time_went() {
        let mut section = Section {
            rows: vec![
                row(Recipe::Gostage, 27.4, &[("go build", 22.1)]),
                row(Recipe::Cross, 29.1, &[("RUN go build", 23.7)]),
                row(Recipe::Gostage, 0.25, &[]),
                row(Recipe::Cross, 0.2, &[]),
            ],
            ..Section::default()
        };
        section.judged_rows(0, 1, "(cold)", 0.9, Some("more".into()));
        section.judged_rows(0, 1, "(cold)", 0.95, None);
        section.judged_rows(2, 3, "(unchanged)", 0.8, None);
        assert_eq!(section.ratios.len(), 5);
        assert!(section.ratios[0].ends_with("0.94×  (cold; goal ≤ 0.90×: MISSED)"));
        assert_eq!(
            section.ratios[1],
            "    why: gostage amd64 27.4s = its longest step (go build) 22.1s + 5.3s of the rest; \
             Dockerfile.cross amd64 29.1s = its longest step (RUN go build) 23.7s + 5.4s of the \
             rest; more"
        );
        assert!(section.ratios[2].ends_with("(cold; goal ≤ 0.95×: met)"));
        assert!(section.ratios[4]
            .starts_with("    why: gostage amd64 0.25s with no step run (every step cached"));
    }
}
