//! `glomers-sim serve`: a local web page over a results store, like `maelstrom serve`.
//!
//! | URL | page |
//! |---|---|
//! | `/` | every run, newest first, coloured by verdict, with checkboxes to compare |
//! | `/runs/<folder>/` | one run: figures, diagram, timeline, plots, summary, node logs, files |
//! | `/runs/<folder>/<file>` | a file of the run, with its content type |
//! | `/compare?run=<folder>&run=<folder>…` | runs side by side: one table, curves on shared axes |
//!
//! A folder named in a URL is resolved by `paths::Store`, which never leaves the store;
//! anything not found gets a 404 page. Pages are server-rendered HTML (maud) with inline style,
//! no script and nothing fetched from elsewhere. Requests whose `Host` is not a loopback name
//! are refused while the server listens on a loopback address (DNS rebinding).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::Markup;

pub(crate) mod chart;
pub(crate) mod compare;
pub(crate) mod figures;
pub mod files;
pub(crate) mod pages;
pub(crate) mod paths;
pub(crate) mod runs;

pub use runs::fmt_num;

use paths::Store;
use runs::Run;

/// Security headers of every generated page: nothing but inline style, same-origin images
/// and the diagram's frame.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
                        frame-src 'self'; form-action 'self'; frame-ancestors 'self'";

/// What the handlers share.
#[derive(Debug)]
struct App {
    store: Store,
    /// Refuse `Host` headers that are not loopback names (when listening on loopback).
    check_host: bool,
}

/// The web application over `store`; with `check_host`, requests whose `Host` is not a
/// loopback name get 403.
pub fn router(store: Store, check_host: bool) -> Router {
    let app = Arc::new(App { store, check_host });
    Router::new()
        .route("/", get(list))
        .route("/compare", get(compare_page))
        .route("/runs/{*path}", get(run_path))
        .fallback(not_found_handler)
        .layer(middleware::from_fn_with_state(app.clone(), host_guard))
        .with_state(app)
}

/// Serves `store` on `listener` until the process ends (host names checked if it listens on
/// a loopback address).
pub async fn serve(listener: tokio::net::TcpListener, store: Store) -> std::io::Result<()> {
    let loopback = listener.local_addr()?.ip().is_loopback();
    axum::serve(listener, router(store, loopback)).await
}

/// Binds `addr`, prints the URL and serves `store` (blocking: runs its own tokio runtime).
pub fn run(store_dir: &Path, addr: SocketAddr) -> Result<(), String> {
    let store = Store::open(store_dir).map_err(|e| {
        format!(
            "{e} (it is where `glomers-sim test` writes results folders; pick one with --store)"
        )
    })?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("{addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!(
            "glomers-sim serve: http://{local}/ (store {})",
            store.root().display()
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        serve(listener, store).await.map_err(|e| e.to_string())
    })
}

type Shared = State<Arc<App>>;

/// An HTML response with the pages' headers.
fn html(status: StatusCode, page: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        page.into_string(),
    )
        .into_response()
}

/// The 404 page.
fn not_found(what: &str) -> Response {
    html(StatusCode::NOT_FOUND, pages::not_found(what))
}

async fn not_found_handler(uri: Uri) -> Response {
    not_found(&format!("Nothing is served at {}.", uri.path()))
}

/// Runs blocking file-system work off the async threads.
async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {e}"),
        )
            .into_response()
    })
}

async fn list(State(app): Shared) -> Response {
    blocking(move || {
        let store = &app.store;
        let runs = runs::scan(store);
        html(
            StatusCode::OK,
            pages::list(&store.root().display().to_string(), &runs),
        )
    })
    .await
}

async fn run_path(State(app): Shared, uri: Uri) -> Response {
    let raw = uri.path().strip_prefix("/runs/").unwrap_or("").to_string();
    blocking(move || run_or_file(&app.store, &raw)).await
}

fn run_or_file(store: &Store, raw: &str) -> Response {
    let Some(path) = store.resolve_url(raw) else {
        return not_found("No such run folder or file in the store.");
    };
    if path.is_dir() {
        if !runs::is_run_dir(&path) {
            return not_found("This folder of the store is not a run folder.");
        }
        if !raw.ends_with('/') {
            return Redirect::permanent(&format!("/runs/{raw}/")).into_response();
        }
        let Some(run) = Run::read(store, &path) else {
            return not_found("No such run folder.");
        };
        let art = files::artifacts(&path);
        let summary = std::fs::read_to_string(path.join("summary.txt")).ok();
        return html(StatusCode::OK, pages::run(&run, &art, summary.as_deref()));
    }
    file(&path)
}

/// A file of the store, with its content type.
fn file(path: &PathBuf) -> Response {
    match std::fs::read(path) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, files::content_type(path)),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => not_found("This file cannot be read."),
    }
}

/// The `run` values of a query string, decoded.
pub fn selected_runs(query: &str) -> Vec<String> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "run")
        .map(|(_, v)| v.into_owned())
        .collect()
}

async fn compare_page(State(app): Shared, uri: Uri) -> Response {
    let query = uri.query().unwrap_or("").to_string();
    blocking(move || {
        let store = &app.store;
        let selected = selected_runs(&query);
        if selected.is_empty() {
            return html(
                StatusCode::BAD_REQUEST,
                pages::not_found("No runs selected: tick two or more runs on the list."),
            );
        }
        let mut chosen = Vec::new();
        for rel in &selected {
            let run = store
                .resolve(rel)
                .filter(|p| p.is_dir() && runs::is_run_dir(p))
                .and_then(|p| Run::read(store, &p));
            match run {
                Some(run) => chosen.push(run),
                None => return not_found(&format!("No run folder {rel:?} in the store.")),
            }
        }
        match compare::panels(&chosen) {
            Ok(panels) => html(StatusCode::OK, compare::page(&chosen, &panels)),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        }
    })
    .await
}

/// Whether `host` (a `Host` header) names this machine's loopback interface.
pub fn loopback_name(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Refuses requests for another host name (a page of another site whose name was pointed at
/// 127.0.0.1 must not read the store).
async fn host_guard(State(app): Shared, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if app.check_host && host.is_some_and(|h| !loopback_name(h)) {
        return (
            StatusCode::FORBIDDEN,
            "host not allowed: open the page at 127.0.0.1 or localhost",
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests;
