//! The whole application as one service: a plain `GET` of a page in the page cache is
//! answered before routing and every layer ([`Hits`]), everything
//! else by the router ([`crate::router`]) behind whatever the server wraps it in.
//!
//! Every request, both ways, gets its id ([`RequestId`], sent back in `X-Request-Id`, and for
//! the router's work the task's current id, `request_id::current`) and is
//! counted for `/metrics` with its route, status and time to the response's head. On the
//! cached path that is a clock read before and after, three relaxed atomic additions on this
//! thread's shard of the counters and the id's header (one small allocation); no lock, no
//! lookup, no cache line shared with another core (measured in `docs/ARCHITECTURE.md`,
//! "Observability").

use crate::AppState;
use crate::metrics::Metrics;
use crate::request_id::{self, RequestId, X_REQUEST_ID};
use crate::router::router;
use crate::site::cached::Hits;
use axum::Router;
use axum::extract::MatchedPath;
use axum::http::Request;
use axum::response::Response;
use futures_util::future::{Either, Ready, ready};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::task::futures::TaskLocalFuture;
use tower::Service;

/// Cached pages first, then `inner` (the router, or the router under the server's limits).
#[derive(Clone)]
pub struct App<S = Router> {
    fast: Arc<Fast>,
    inner: S,
}

/// What the cached path needs, behind one `Arc`: the server clones its service for every
/// request, and each `Arc` cloned is a shared counter both cores write.
struct Fast {
    hits: Hits,
    metrics: Arc<Metrics>,
}

impl<S> App<S> {
    /// Answers cached pages of `state` itself, and passes the rest to `inner`.
    pub fn new(state: &AppState, inner: S) -> Self {
        Self {
            fast: Arc::new(Fast {
                hits: Hits::of(state),
                metrics: state.metrics.clone(),
            }),
            inner,
        }
    }
}

/// The application over `state`: the page cache's fast path, then the router.
pub fn app(state: AppState) -> App {
    App::new(&state, router(state.clone()))
}

impl<S, B> Service<Request<B>> for App<S>
where
    S: Service<Request<B>, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future =
        Either<Ready<Result<Response, Infallible>>, Routed<TaskLocalFuture<RequestId, S::Future>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let started = Instant::now();
        let id = RequestId::of(&request);
        match self.fast.hits.answer(&request) {
            Some(mut response) => {
                self.fast
                    .metrics
                    .requests
                    .cache()
                    .record(response.status(), started.elapsed());
                response
                    .headers_mut()
                    .insert(X_REQUEST_ID, id.into_header_value());
                Either::Left(ready(Ok(response)))
            }
            None => {
                request.extensions_mut().insert(id.clone());
                Either::Right(Routed {
                    inner: request_id::scope(id.clone(), self.inner.call(request)),
                    done: Some(Done {
                        started,
                        id,
                        metrics: self.fast.metrics.clone(),
                    }),
                })
            }
        }
    }
}

/// What is left to do when the router answers: count the request, send its id back.
struct Done {
    started: Instant,
    id: RequestId,
    metrics: Arc<Metrics>,
}

impl Done {
    fn finish(self, response: &mut Response) {
        let route = response.extensions().get::<MatchedPath>();
        self.metrics.requests.record(
            route.map(MatchedPath::as_str),
            response.status(),
            self.started.elapsed(),
        );
        response
            .headers_mut()
            .insert(X_REQUEST_ID, self.id.into_header_value());
    }
}

pin_project_lite::pin_project! {
    /// The router's answer to a request, counted and given its id when it comes
    /// (see `metrics::requests::carry_route` for how the route is known).
    pub struct Routed<F> {
        #[pin]
        inner: F,
        done: Option<Done>,
    }
}

impl<F> Future for Routed<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(mut response) = std::task::ready!(this.inner.poll(cx));
        if let Some(done) = this.done.take() {
            done.finish(&mut response);
        }
        Poll::Ready(Ok(response))
    }
}
