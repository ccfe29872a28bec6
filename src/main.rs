//! `bawaba`: serves the portal. Settings come from the environment (`bawaba --help`).
//! `bawaba admin create --email …` creates an administrator (`bawaba admin --help`);
//! `bawaba keys rotate` replaces the key that signs vignettes (`bawaba keys --help`);
//! `bawaba centres counters CODE N` opens counters at a service centre (`bawaba centres --help`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    use bawaba::{
        platform::{config::Config, telemetry},
        server,
    };
    use std::process::ExitCode;

    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "admin") {
        return bawaba::features::accounts::admin::run(&args[1..]).await;
    }
    if args.first().is_some_and(|a| a == "centres") {
        return bawaba::features::idcard::appointment::operator::run(&args[1..]).await;
    }
    if args.first().is_some_and(|a| a == "keys") {
        return bawaba::platform::signing::run(&args[1..]).await;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", Config::help_text());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bawaba: {e}\n\nRun `bawaba --help` for the settings.");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_filter, config.log_json);
    match server::serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            eprintln!("bawaba: {e}");
            ExitCode::FAILURE
        }
    }
}
