//! An HTTP/1.1 client on one keep-alive connection to a [`TestServer`], as an API client or
//! a browser tab is, for load tests. Its requests cross a real socket, so the server's tasks
//! are scheduled as in production. A loop of in-process router calls is not: a call that a
//! cache answers at once never gives the scheduler a turn, and a few such loops starved
//! every other task of the test's runtime for seconds.

use crate::TestServer;
use axum::body::Bytes;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One client connection, kept alive between requests.
pub struct HttpClient {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl HttpClient {
    /// Opens a connection to `server`.
    pub async fn connect(server: &TestServer) -> Self {
        let stream = TcpStream::connect(server.addr())
            .await
            .expect("connect to the test server");
        let (sender, connection) = handshake(TokioIo::new(stream))
            .await
            .expect("HTTP/1.1 handshake with the test server");
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("test client connection ended: {e}");
            }
        });
        HttpClient {
            sender,
            host: server.addr().to_string(),
        }
    }

    /// Sends `method path` with `headers` and `body` (empty for none) and reads the answer.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> HttpResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.host);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(body.into()))
            .expect("a well-formed request");
        self.sender.ready().await.expect("the connection is open");
        let response = self
            .sender
            .send_request(request)
            .await
            .expect("the server answers");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("the whole body").to_bytes();
        HttpResponse {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}
