//! A main package under a hidden directory (`./.tools/hello`) is found there and built: the
//! context reader keeps the directory's dot.

use anyhow::{ensure, Result};
use gostage_e2e::build::{try_build, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;

#[test]
fn a_main_under_a_hidden_directory_builds() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("hello")?;
    std::fs::create_dir_all(copy.path.join(".tools/hello"))?;
    std::fs::rename(
        copy.path.join("main.go"),
        copy.path.join(".tools/hello/main.go"),
    )?;
    let spec = copy.read(SPEC)?;
    copy.write(
        SPEC,
        &spec.replacen("main: .\n", "main: ./.tools/hello\n", 1),
    )?;
    let out = try_build(Daemon::BuildxRemote, &copy.path, "hidden-main")?;
    ensure!(
        out.success(),
        "main: ./.tools/hello did not build\n{}",
        out.describe()
    );
    Ok(())
}
