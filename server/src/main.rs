//! The `expressconsent-server` binary: parse the command line, run it, report errors.

use anyhow::Context as _;
use clap::Parser as _;
use expressconsent_server::cli::{Cli, Command, KeyCommand, LogCommand, OrgCommand, UserCommand};
use expressconsent_server::startup::Server;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    match Cli::parse().command {
        Command::Org(OrgCommand::Create(args)) => print_json(&args.run().await?)?,
        Command::Org(OrgCommand::List(args)) => print_json(&args.run().await?)?,
        Command::Key(KeyCommand::Create(args)) => print_json(&args.run().await?)?,
        Command::Key(KeyCommand::Revoke(args)) => print_json(&args.run().await?)?,
        Command::User(UserCommand::Create(args)) => print_json(&args.run().await?)?,
        Command::Verify(args) => print_json(&args.run().await?)?,
        Command::Witness(args) => args.run(shutdown_signal()).await?,
        Command::Log(LogCommand::Key(args)) => println!("{}", args.run()?),
        Command::Serve(config) => {
            let server = Server::build(&config).await?;
            println!("listening on http://{}", server.local_addr());
            if let Some(demo) = server.demo() {
                println!(
                    "demo generator: orgId {}  apiKey {}",
                    demo.generator.org_id, demo.generator.api_key
                );
                println!(
                    "demo buyer:     orgId {}  apiKey {}",
                    demo.buyer.org_id, demo.buyer.api_key
                );
                for (label, user) in [
                    ("generator", &demo.generator_user),
                    ("buyer", &demo.buyer_user),
                ] {
                    if let Some(user) = user {
                        println!(
                            "demo {label} dashboard user: email {}  password {}",
                            user.email, user.password
                        );
                    }
                }
                println!("demo form:      {}/demo/", server.public_url());
                println!("dashboard:      {}/dashboard/", server.public_url());
            }
            // Ctrl-C or SIGTERM (what service managers and `kill` send) finish in-flight
            // requests and stop the workers and the renderer's Chromium.
            let shutdown = shutdown_signal();
            server.run(shutdown).await.context("server failed")?;
        }
    }
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM (what service managers and `kill` send).
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// Prints one JSON line: what operator commands answer.
fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}
