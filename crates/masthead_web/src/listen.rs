//! The HTTP server loop: accepts connections up to a cap, serves each with hyper's HTTP/1
//! under time and size limits, and on shutdown drains for a bounded time, then closes.
//!
//! `axum::serve` has none of these knobs, so this is the accept loop it would run, with:
//! - a semaphore of `max_connections` permits: past the cap, new connections wait in the
//!   kernel's queue until one closes;
//! - `header_timeout` for a request's headers, which hyper also applies while a kept-alive
//!   connection waits for its next request, so an idle connection closes after it;
//! - request heads over [`MAX_HEADER_BYTES`] refused with 431;
//! - `request_timeout` from the first byte of the headers to the response's head (reading
//!   the body included), answered with 408;
//! - on shutdown: stop accepting, let in-flight requests finish for `shutdown_timeout`, then
//!   drop whatever is still open.

use crate::{App, AppState, router};
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceBuilder;
use tower_http::timeout::TimeoutLayer;

/// The largest request head (request line and headers) accepted; larger ones get 431.
/// Browsers send a few KiB; 16 KiB leaves room for cookies.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// hyper's read buffer per connection. Larger than [`MAX_HEADER_BYTES`] so that an oversized
/// head is usually read whole and answered with a clean 431 rather than a reset.
const MAX_BUF_BYTES: usize = 128 * 1024;

/// The server's limits (from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time a client has to send a request's headers, and to start the next on a kept-alive
    /// connection.
    pub header_timeout: Duration,
    /// Time from a request's headers to its response (reading the body included).
    pub request_timeout: Duration,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// Time in-flight requests get to finish after a shutdown signal.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    /// The configuration's defaults (`header_timeout` 5 s, `request_timeout` 60 s,
    /// `max_connections` 512, `shutdown_timeout` 30 s).
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(60),
            max_connections: 512,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves the site of `state` on `listener` until `shutdown` resolves, then drains as
/// [`Limits`] says. A page in the page cache is answered first ([`App`]), outside the limits'
/// layers, which only the router's work needs.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(MAX_BUF_BYTES);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let app = router(state.clone());

    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // never closed; nothing left to serve with
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, the condition may pass.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        while tasks.try_join_next().is_some() {}
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let routed = ServiceBuilder::new()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            })
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limits.request_timeout,
            ))
            .service(app.clone());
        let service = App::new(&state, routed);
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tasks.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }

    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(
            "waiting up to {} s for {open} open connections",
            limits.shutdown_timeout.as_secs()
        );
    }
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still running after {} s (shutdown_timeout); closing their connections",
            limits.shutdown_timeout.as_secs()
        );
        tasks.abort_all();
    }
    while tasks.join_next().await.is_some() {}
}
