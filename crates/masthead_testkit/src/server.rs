//! The real app served over real HTTP on a loopback port, for clients that can't call the
//! router in-process: a browser, the wire fetcher, a feed reader.

use crate::TestApp;
use axum::Router;
use masthead_web::listen::{self, Limits};
use std::net::{Ipv4Addr, SocketAddr};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A server on `127.0.0.1` at a port the OS picked, stopped when dropped. It accepts
/// connections as soon as `start` returns (the socket is bound first), so there is nothing
/// to wait for.
pub struct TestServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Serves `app` the way the binary does, with the peer address available to handlers.
    pub async fn start(app: Router) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        let task = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            if let Err(e) = axum::serve(listener, service).await {
                eprintln!("test server on {addr} stopped: {e}");
            }
        });
        TestServer { addr, task }
    }

    /// Serves the real application over `app`'s state (database, clock, theme) with the
    /// binary's own server loop and default limits ([`masthead_web::listen::serve`]).
    pub async fn app(app: &TestApp) -> Self {
        Self::state(app.state.clone()).await
    }

    /// As [`TestServer::app`], over `state` (an app's state with settings of the test's own,
    /// such as a metrics token).
    pub async fn state(state: masthead_web::AppState) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        let task = tokio::spawn(listen::serve(
            listener,
            state,
            Limits::default(),
            std::future::pending(),
        ));
        TestServer { addr, task }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The absolute address of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
