//! Helpers for tests that need a layout: a [`LayoutReader`] fed from files in memory.

use std::collections::BTreeMap;

use super::{Layout, LayoutError, LayoutReader, Progress, Wanted};

/// The outcome of reading `files` (context path, contents) for the spec `spec_text`, and
/// every round's wanted files.
pub(crate) fn read(
    spec_text: &str,
    files: &[(&str, &str)],
) -> (Result<Layout, LayoutError>, Vec<Wanted>) {
    let spec = crate::spec::parse(spec_text.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
    let files: BTreeMap<&str, &str> = files.iter().copied().collect();
    let mut reader = LayoutReader::new(&spec);
    let mut rounds = Vec::new();
    loop {
        match reader.next() {
            Ok(Progress::Done(layout)) => return (Ok(*layout), rounds),
            Err(error) => return (Err(error), rounds),
            Ok(Progress::Wanted(wanted)) => {
                assert!(rounds.len() < 5, "more than 5 rounds: {rounds:?}");
                for path in &wanted.read {
                    let contents = files
                        .get(path.as_str())
                        .map(|text| text.as_bytes().to_vec());
                    reader.supply_file(path, contents);
                }
                for path in &wanted.stat {
                    reader.supply_stat(path, files.contains_key(path.as_str()));
                }
                rounds.push(wanted);
            }
        }
    }
}

/// The layout of `files` for `spec_text`, or a panic with the error.
pub(crate) fn layout(spec_text: &str, files: &[(&str, &str)]) -> Layout {
    match read(spec_text, files).0 {
        Ok(layout) => layout,
        Err(error) => panic!("{error}"),
    }
}

/// The error of reading `files` for `spec_text`, or a panic with the layout.
pub(crate) fn error(spec_text: &str, files: &[(&str, &str)]) -> LayoutError {
    match read(spec_text, files).0 {
        Ok(layout) => panic!("expected an error, got {layout:#?}"),
        Err(error) => error,
    }
}
