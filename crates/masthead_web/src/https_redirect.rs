//! The plain-HTTP side of an HTTPS site (port 80): ACME HTTP-01 challenge answers at
//! `/.well-known/acme-challenge/{token}`, and for everything else a redirect to the same
//! path over HTTPS (301 for GET and HEAD, 308 otherwise, so a form's method is kept).
//!
//! The redirect goes to the host the request named only when it is one of the site's host
//! names; any other `Host` gets the first of them, so nobody can make the site send readers
//! to another address.

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use masthead_tls::Tls;

const CHALLENGE_PREFIX: &str = "/.well-known/acme-challenge/";

/// Answers requests on the plain-HTTP listener.
pub struct Redirect {
    tls: Tls,
    /// The site's host names, lower case, with a port when the HTTPS one is not 443.
    hosts: Vec<String>,
}

impl Redirect {
    /// Redirects to `hosts` (the first is the default), answering challenges from `tls`.
    pub fn new(tls: Tls, hosts: Vec<String>) -> Self {
        let hosts = hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect();
        Self { tls, hosts }
    }

    /// The response to `request`.
    pub fn answer<B>(&self, request: &Request<B>) -> Response<Body> {
        let path = request.uri().path();
        if let Some(token) = path.strip_prefix(CHALLENGE_PREFIX) {
            return match self.tls.http01_answer(token) {
                Some(answer) => plain(StatusCode::OK, answer),
                None => plain(StatusCode::NOT_FOUND, "no such ACME challenge\n".into()),
            };
        }
        let asked = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| h.to_ascii_lowercase());
        let host = match asked {
            Some(asked) if self.hosts.contains(&asked) => asked,
            // The host without the plain port (`example.org:80`) when HTTPS is on 443.
            Some(asked)
                if self
                    .hosts
                    .iter()
                    .any(|h| Some(h.as_str()) == asked.strip_suffix(":80")) =>
            {
                asked.trim_end_matches(":80").to_owned()
            }
            _ => match self.hosts.first() {
                Some(first) => first.clone(),
                None => {
                    return plain(
                        StatusCode::NOT_FOUND,
                        "this server has no site name set\n".into(),
                    );
                }
            },
        };
        let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let location = format!("https://{host}{target}");
        let status = if matches!(*request.method(), Method::GET | Method::HEAD) {
            StatusCode::MOVED_PERMANENTLY
        } else {
            StatusCode::PERMANENT_REDIRECT
        };
        let mut response = plain(status, format!("This site is at {location}\n"));
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}

fn plain(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
