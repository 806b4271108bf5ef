//! Staff in tests: accounts created in the store (with an API token, for tests of the real
//! binary), logged in through the real login form, then driving the desk with their session
//! cookie and CSRF token.

use crate::{TestApp, TestDb, TestResponse};
use axum::body::Body;
use axum::http::Request;
use masthead_core::password::{Password, hash_password};
use masthead_core::secret::{new_token, token_hash};
use masthead_core::{Role, UserId};
use masthead_store::{Actor, NewUser, Store};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery staple 42";

/// A logged-in staff member.
pub struct StaffSession {
    pub user: UserId,
    pub email: String,
    /// `name=value` for the Cookie header.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// Percent-encodes form pairs.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Creates an account in `store` with [`PASSWORD`].
async fn create_account(store: &Store, email: &str, role: Role) -> UserId {
    let password = Password::parse(PASSWORD, &[]).expect("test password is strong");
    let hash = hash_password(&password).expect("hash");
    store
        .create_user(
            &NewUser {
                email: email.into(),
                name: email.split('@').next().unwrap_or(email).into(),
                role,
                password_hash: hash,
            },
            &Actor::system("test"),
            crate::t0(),
        )
        .await
        .expect("create staff")
}

impl TestDb {
    /// Creates an account with [`PASSWORD`] and an API token for it with the same scope:
    /// the account and the token, for tests that drive the real binary over its API.
    pub async fn staff_with_token(&self, email: &str, role: Role) -> (UserId, String) {
        let user = create_account(&self.store, email, role).await;
        let token = new_token("mh_");
        self.store
            .create_token(
                user,
                "test",
                &token_hash(&token),
                role,
                &Actor::system("test"),
                crate::t0(),
            )
            .await
            .expect("create token");
        (user, token)
    }
}

impl TestApp {
    /// Creates an account with [`PASSWORD`].
    pub async fn create_staff(&self, email: &str, role: Role) -> UserId {
        create_account(self.store(), email, role).await
    }

    /// Posts the login form.
    pub async fn login_form(&self, email: &str, password: &str) -> TestResponse {
        self.post_raw(
            "/admin/login",
            "",
            &form_body(&[("email", email), ("password", password), ("next", "/admin")]),
        )
        .await
    }

    /// Creates an account and logs it in through the login form.
    pub async fn staff(&self, email: &str, role: Role) -> StaffSession {
        let user = self.create_staff(email, role).await;
        self.login(user, email).await
    }

    /// Logs an existing account in (with [`PASSWORD`]).
    pub async fn login(&self, user: UserId, email: &str) -> StaffSession {
        let response = self.login_form(email, PASSWORD).await;
        assert_eq!(
            response.status.as_u16(),
            303,
            "login failed: {}",
            response.body
        );
        let cookie = response
            .header("set-cookie")
            .split(';')
            .next()
            .expect("a session cookie")
            .to_owned();
        let mut session = StaffSession {
            user,
            email: email.into(),
            cookie,
            csrf: String::new(),
        };
        let page = self.get_as(&session, "/admin/account").await;
        assert_eq!(page.status.as_u16(), 200, "{}", page.body);
        session.csrf = csrf_in(&page.body).expect("a CSRF token in the page");
        session
    }

    /// A GET with the staff member's cookie.
    pub async fn get_as(&self, staff: &StaffSession, uri: &str) -> TestResponse {
        self.request(
            Request::get(uri)
                .header("cookie", &staff.cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// A form POST with the staff member's cookie and CSRF token.
    pub async fn post_as(
        &self,
        staff: &StaffSession,
        uri: &str,
        pairs: &[(&str, &str)],
    ) -> TestResponse {
        let mut all: Vec<(&str, &str)> = vec![("csrf", staff.csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post_raw(uri, &staff.cookie, &form_body(&all)).await
    }

    /// A form POST with exactly this cookie (may be empty) and body.
    pub async fn post_raw(&self, uri: &str, cookie: &str, body: &str) -> TestResponse {
        let mut request =
            Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::from(body.to_owned())).expect("request"))
            .await
    }
}

/// The CSRF token in a desk page's forms.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

/// The boundary [`multipart_body`] uses.
const BOUNDARY: &str = "masthead-test-7f3a9c";

/// A `multipart/form-data` body from `(name, file name, content)` parts, with its
/// `Content-Type` value: `(content type, body)`.
pub fn multipart_body(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}
