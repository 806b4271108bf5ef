//! The server loops: accept connections up to a cap, serve each with hyper under time and
//! size limits, and on shutdown drain for a bounded time, then close. [`serve`] speaks plain
//! HTTP/1.1; [`serve_https`] TLS with HTTP/2 and HTTP/1.1 (ALPN); [`serve_redirect`] is the
//! port-80 companion of HTTPS: ACME's HTTP-01 answers, and a redirect for everything else.
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
//!   drop whatever is still open;
//! - over TLS, `header_timeout` also bounds the handshake, and HTTP/2 request heads are held
//!   to [`MAX_HEADER_BYTES`] too.

use crate::{App, AppState, router};
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use masthead_tls::Tls;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tower_http::timeout::Timeout;

/// The largest request head (request line and headers) accepted; larger ones get 431.
/// Browsers send a few KiB; 16 KiB leaves room for cookies.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// hyper's read buffer per connection. Larger than [`MAX_HEADER_BYTES`] so that an oversized
/// head is usually read whole and answered with a clean 431 rather than a reset.
const MAX_BUF_BYTES: usize = 128 * 1024;

/// Requests one HTTP/2 connection may have in flight at once: a browser loading a page asks
/// for a handful; the cap keeps `max_connections` a bound on the work in flight.
const MAX_STREAMS_PER_CONNECTION: u32 = 32;

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

/// Serves the site of `state` over plain HTTP/1.1 on `listener` until `shutdown` resolves,
/// then drains as [`Limits`] says. A page in the page cache is answered first ([`App`]),
/// outside the limits' layers, which only the router's work needs.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let http = Arc::new(http1_builder(limits));
    let app = router(state.clone());
    accept_loop(listener, limits, shutdown, move |stream, peer, watcher| {
        let service = site_service(&state, &app, peer, limits);
        let http = Arc::clone(&http);
        async move {
            let connection = http.serve_connection(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        }
    })
    .await;
}

/// Serves the site of `state` over TLS on `listener` (HTTP/2 or HTTP/1.1, as the client's
/// ALPN asks), with the certificate `tls` holds, until `shutdown` resolves. A handshake must
/// finish within `header_timeout`; an ACME TLS-ALPN-01 validation ends after its handshake.
pub async fn serve_https(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    tls: Tls,
    shutdown: impl Future<Output = ()>,
) {
    let http1 = Arc::new(http1_builder(limits));
    let mut http2 = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    http2
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEADER_BYTES as u32)
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION)
        .keep_alive_interval(Some(limits.header_timeout))
        .keep_alive_timeout(limits.header_timeout);
    let http2 = Arc::new(http2);
    let app = router(state.clone());
    accept_loop(listener, limits, shutdown, move |stream, peer, watcher| {
        let service = site_service(&state, &app, peer, limits);
        let (http1, http2) = (Arc::clone(&http1), Arc::clone(&http2));
        let acceptor = tls.acceptor().clone();
        async move {
            let stream =
                match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, %peer, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                };
            let ended = match stream.get_ref().1.alpn_protocol() {
                // An ACME validation: the handshake was the answer.
                Some(masthead_tls::ACME_TLS_ALPN) => return,
                Some(b"h2") => {
                    let connection = http2.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(connection).await
                }
                _ => {
                    let connection = http1.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(connection).await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        }
    })
    .await;
}

/// The port-80 companion of [`serve_https`]: answers ACME HTTP-01 challenges from `tls`, and
/// sends every other request to the same path over HTTPS, on the host it asked for when that
/// is one of `hosts`, else on the first (never a host a stranger chose).
pub async fn serve_redirect(
    listener: TcpListener,
    tls: Tls,
    hosts: Vec<String>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let http = Arc::new(http1_builder(limits));
    let redirect = Arc::new(crate::https_redirect::Redirect::new(tls, hosts));
    accept_loop(listener, limits, shutdown, move |stream, peer, watcher| {
        let http = Arc::clone(&http);
        let redirect = Arc::clone(&redirect);
        async move {
            let service = hyper::service::service_fn(move |request| {
                let response = redirect.answer(&request);
                async move { Ok::<_, std::convert::Infallible>(response) }
            });
            let connection = http.serve_connection(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        }
    })
    .await;
}

/// HTTP/1.1 under `limits`: the head's time and size.
fn http1_builder(limits: Limits) -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(MAX_BUF_BYTES);
    http
}

/// The site's service for one connection from `peer`: the page cache first ([`App`]), then
/// the router under the request deadline.
fn site_service(
    state: &AppState,
    app: &axum::Router,
    peer: SocketAddr,
    limits: Limits,
) -> TowerToHyperService<App<WithPeer<Timeout<axum::Router>>>> {
    let timed = Timeout::with_status_code(
        app.clone(),
        StatusCode::REQUEST_TIMEOUT,
        limits.request_timeout,
    );
    TowerToHyperService::new(App::new(state, WithPeer { inner: timed, peer }))
}

/// Tells the handlers who is on the other end (axum's `ConnectInfo`).
#[derive(Clone)]
pub struct WithPeer<S> {
    inner: S,
    peer: SocketAddr,
}

impl<S, B> tower::Service<Request<B>> for WithPeer<S>
where
    S: tower::Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        self.inner.call(request)
    }
}

/// Accepts connections on `listener` while fewer than `max_connections` are open, and runs
/// `connection` for each in its own task, until `shutdown`; then drains.
async fn accept_loop<F, Fut>(
    listener: TcpListener,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    mut connection: F,
) where
    F: FnMut(TcpStream, SocketAddr, Watcher) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        let permit: OwnedSemaphorePermit = tokio::select! {
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
        let served = connection(stream, peer, graceful.watcher());
        tasks.spawn(async move {
            served.await;
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
