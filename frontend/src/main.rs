//! The `gostage` binary: a BuildKit frontend when BuildKit starts it, a CLI otherwise.

use std::process::ExitCode;

fn main() -> ExitCode {
    // stdout belongs to the gRPC stream in frontend mode: logs go to stderr (the daemon log).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    if std::env::var_os(gostage::gateway::SESSION_ID_VARIABLE).is_some() {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("gostage: cannot start the async runtime: {error}");
                return ExitCode::FAILURE;
            }
        };
        let code = runtime.block_on(gostage::gateway::run());
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    gostage::cli::main()
}
