//! "Did you mean …?": the closest allowed name to a misspelt one.

/// The longest written name a suggestion is looked for, in characters (the longest allowed
/// key is 12).
const MAX_SUGGESTED_LENGTH: usize = 64;

/// The allowed name closest to `written` (by edit distance, ignoring case), if it is close
/// enough to be a likely typo: at most a third of the name's length, and at least one edit.
pub(crate) fn closest<'name>(written: &str, allowed: &[&'name str]) -> Option<&'name str> {
    // The distance table is written × allowed characters: a key far longer than any allowed
    // one is no typo, and must not cost memory in proportion to its length.
    if written.chars().take(MAX_SUGGESTED_LENGTH + 1).count() > MAX_SUGGESTED_LENGTH {
        return None;
    }
    let written = written.to_lowercase();
    allowed
        .iter()
        .map(|name| (edit_distance(&written, &name.to_lowercase()), *name))
        .filter(|(distance, name)| *distance <= (name.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// The Damerau–Levenshtein distance (insertions, deletions, substitutions and swaps of
/// adjacent characters) between two strings, in characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.chars().collect();
    let right: Vec<char> = right.chars().collect();
    let width = right.len() + 1;
    let mut table = vec![0usize; (left.len() + 1) * width];
    for (row, cells) in table.chunks_mut(width).enumerate() {
        if let Some(first) = cells.first_mut() {
            *first = row;
        }
    }
    for (column, cell) in table.iter_mut().take(width).enumerate() {
        *cell = column;
    }
    for row in 1..=left.len() {
        for column in 1..=right.len() {
            let substitution = usize::from(left[row - 1] != right[column - 1]);
            let mut best = (table[(row - 1) * width + column] + 1)
                .min(table[row * width + column - 1] + 1)
                .min(table[(row - 1) * width + column - 1] + substitution);
            if row > 1
                && column > 1
                && left[row - 1] == right[column - 2]
                && left[row - 2] == right[column - 1]
            {
                best = best.min(table[(row - 2) * width + column - 2] + 1);
            }
            table[row * width + column] = best;
        }
    }
    table[left.len() * width + right.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: [&str; 8] = [
        "base",
        "user",
        "workdir",
        "entrypoint",
        "cmd",
        "env",
        "ports",
        "labels",
    ];

    #[test]
    fn suggests_likely_typos() {
        assert_eq!(closest("prots", &IMAGE), Some("ports"));
        assert_eq!(closest("port", &IMAGE), Some("ports"));
        assert_eq!(closest("Labels", &IMAGE), Some("labels"));
        assert_eq!(closest("entrypiont", &IMAGE), Some("entrypoint"));
        assert_eq!(closest("mian", &["version", "main", "image"]), Some("main"));
    }

    #[test]
    fn stays_quiet_for_unrelated_names() {
        assert_eq!(closest("healthcheck", &IMAGE), None);
        assert_eq!(closest("xyz", &IMAGE), None);
        assert_eq!(closest("", &IMAGE), None);
        // A huge key gets no suggestion (and no table of its size).
        assert_eq!(closest(&"p".repeat(10_000_000), &IMAGE), None);
    }

    #[test]
    fn counts_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }
}
