//! `glomers-sim serve`: the results browser's command line.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Flags of `glomers-sim serve`.
#[derive(Parser, Debug)]
pub struct ServeArgs {
    /// The results store to browse: the folder `glomers-sim test` writes
    /// `<workload>/<YYYYMMDD-HHMMSS>-seed<N>/` run folders into.
    #[arg(long, default_value = "store", value_name = "DIR")]
    store: PathBuf,
    /// TCP port (0: any free port; the URL is printed).
    #[arg(long, default_value_t = 8080, value_name = "PORT")]
    port: u16,
    /// Address to listen on. The default serves this machine only; another address shows
    /// the store to whoever can reach it.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), value_name = "ADDR")]
    bind: IpAddr,
}

/// Serves the store until interrupted.
pub fn run(args: &ServeArgs) -> Result<ExitCode, String> {
    glomers_sim::serve::run(&args.store, SocketAddr::new(args.bind, args.port))?;
    Ok(ExitCode::SUCCESS)
}
