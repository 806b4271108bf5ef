//! The whole application as one service: a plain `GET` of a page in the page cache is
//! answered before routing and every layer ([`Hits`]), everything
//! else by the router ([`crate::router`]) behind whatever the server wraps it in.

use crate::AppState;
use crate::router::router;
use crate::site::cached::Hits;
use axum::Router;
use axum::http::Request;
use axum::response::Response;
use futures_util::future::{Either, Ready, ready};
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::Service;

/// Cached pages first, then `inner` (the router, or the router under the server's limits).
#[derive(Clone)]
pub struct App<S = Router> {
    hits: Arc<Hits>,
    inner: S,
}

impl<S> App<S> {
    /// Answers cached pages of `state` itself, and passes the rest to `inner`.
    pub fn new(state: &AppState, inner: S) -> Self {
        Self {
            hits: Arc::new(Hits::of(state)),
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
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        match self.hits.answer(&request) {
            Some(response) => Either::Left(ready(Ok(response))),
            None => Either::Right(self.inner.call(request)),
        }
    }
}
