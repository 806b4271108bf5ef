//! HTTPS end to end, on the real binary: certificates obtained over ACME from Debian's
//! `pebble` test server on loopback (HTTP-01 and TLS-ALPN-01, both validated for real by
//! pebble connecting back), kept across restarts, renewed when due and swapped in without a
//! restart, served without the ACME server; HTTP/2 and HTTP/1.1 by ALPN; port 80 redirecting
//! to HTTPS; and `tls = "files"`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::{RunningBinary, run_command};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

/// A free port on loopback (bound, read, released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A certificate authority of the test's own, and a leaf for `localhost` and 127.0.0.1
/// signed by it (pebble's own HTTPS).
struct TestCa {
    ca_pem: String,
    leaf_pem: String,
    leaf_key_pem: String,
}

fn test_ca(names: &[&str]) -> TestCa {
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "masthead test CA");
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().expect("key");
    let leaf_params =
        rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("params");
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).expect("leaf");
    TestCa {
        ca_pem: ca.pem(),
        leaf_pem: leaf.pem(),
        leaf_key_pem: leaf_key.serialize_pem(),
    }
}

/// Debian's pebble (ACME test server) on loopback, validating challenges against the given
/// ports for real: `http_port` for HTTP-01, `tls_port` for TLS-ALPN-01.
struct Pebble {
    child: Child,
    directory: String,
    management: u16,
    /// The CA pebble's own HTTPS certificate comes from (`acme_ca_file`).
    ca_file: PathBuf,
}

impl Pebble {
    fn start(dir: &Path, http_port: u16, tls_port: u16) -> Self {
        let pebble = which("pebble").unwrap_or_else(|| {
            panic!("pebble (Debian's ACME test server) is not installed: apt-get install pebble")
        });
        let ca = test_ca(&["localhost", "127.0.0.1"]);
        std::fs::create_dir_all(dir).expect("dir");
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, &ca.ca_pem).expect("write");
        std::fs::write(dir.join("cert.pem"), &ca.leaf_pem).expect("write");
        std::fs::write(dir.join("key.pem"), &ca.leaf_key_pem).expect("write");
        let (port, management) = (free_port(), free_port());
        let config = serde_json::json!({ "pebble": {
            "listenAddress": format!("127.0.0.1:{port}"),
            "managementListenAddress": format!("127.0.0.1:{management}"),
            "certificate": dir.join("cert.pem"),
            "privateKey": dir.join("key.pem"),
            "httpPort": http_port,
            "tlsPort": tls_port,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
            // Three days, so a renewal window of one day is not due and one of four is.
            "certificateValidityPeriod": 259_200,
        }});
        std::fs::write(dir.join("pebble.json"), config.to_string()).expect("write");
        let log = std::fs::File::create(dir.join("pebble.log")).expect("log");
        let child = Command::new(pebble)
            .arg("-config")
            .arg(dir.join("pebble.json"))
            .env("PEBBLE_VA_NOSLEEP", "1")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start pebble");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "pebble did not start: {}",
                pebble_log(dir)
            );
            #[allow(
                clippy::disallowed_methods,
                reason = "a plain test thread waits for a port"
            )]
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            directory: format!("https://127.0.0.1:{port}/dir"),
            management,
            ca_file,
        }
    }

    /// The root pebble issues under (made anew at each start), as PEM.
    async fn root(&self) -> String {
        let ca = std::fs::read(&self.ca_file).expect("ca");
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).expect("pem")])
            .build()
            .expect("client");
        client
            .get(format!("https://127.0.0.1:{}/roots/0", self.management))
            .send()
            .await
            .expect("pebble root")
            .text()
            .await
            .expect("text")
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pebble_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("pebble.log")).unwrap_or_default()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// A client that trusts only `root`, sends every name to `addr`, opens a new connection per
/// request and reports the certificate it was shown.
fn client(root: &str, addr: SocketAddr, http1: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(root.as_bytes()).expect("pem")])
        .resolve("localhost", addr)
        .tls_info(true)
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none());
    let builder = if http1 { builder.http1_only() } else { builder };
    builder.build().expect("client")
}

/// The leaf certificate (DER) a GET of the home page was served with, and the response.
async fn fetch(
    client: &reqwest::Client,
    port: u16,
) -> reqwest::Result<(Vec<u8>, reqwest::Response)> {
    let response = client
        .get(format!("https://localhost:{port}/"))
        .send()
        .await?;
    let leaf = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .map(<[u8]>::to_vec)
        .expect("TLS info");
    Ok((leaf, response))
}

/// Polls until the site answers over HTTPS with a certificate other than `not` (any when
/// `None`), and returns that certificate.
async fn served_certificate(
    root: &str,
    port: u16,
    not: Option<&[u8]>,
    server: &RunningBinary,
    pebble_dir: &Path,
) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last;
    loop {
        // A new client each time: a resumed TLS session would report the old certificate.
        let client = client(root, ([127, 0, 0, 1], port).into(), false);
        match fetch(&client, port).await {
            Ok((leaf, response)) if not != Some(leaf.as_slice()) => {
                assert_eq!(response.status(), 200);
                return leaf;
            }
            Ok(_) => last = "the same certificate".into(),
            Err(e) => last = format!("{e:?}"),
        }
        assert!(
            Instant::now() < deadline,
            "no (new) certificate within 90 s ({last}); masthead:\n{}\npebble:\n{}",
            server.log_so_far(),
            pebble_log(pebble_dir)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// One TLS connection to `port` with `config` (a GET of `/healthz`, read to the end, so the
/// session tickets sent after the handshake arrive): whether its handshake was full or
/// resumed a session.
async fn handshake_kind(
    config: &std::sync::Arc<rustls::ClientConfig>,
    port: u16,
) -> rustls::HandshakeKind {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut tls = tokio_rustls::TlsConnector::from(config.clone())
        .connect(name, tcp)
        .await
        .expect("handshake");
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    tls.get_ref().1.handshake_kind().expect("handshake done")
}

/// The DER of the first certificate in a PEM file.
fn first_der(pem_file: &Path) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::from_pem_file(pem_file)
        .expect("a certificate in PEM")
        .to_vec()
}

fn acme_config(
    data: &Path,
    pebble: &Pebble,
    https_port: u16,
    http_addr: &str,
    challenge: &str,
    renew_before_days: u32,
) -> PathBuf {
    let file = data.parent().expect("parent").join("masthead.toml");
    std::fs::write(
        &file,
        format!(
            "addr = \"127.0.0.1:{https_port}\"\n\
             data_dir = \"{data}\"\n\
             tls = \"acme\"\n\
             tls_domains = [\"localhost\"]\n\
             tls_email = \"ops@example.org\"\n\
             http_addr = \"{http_addr}\"\n\
             acme_directory = \"{directory}\"\n\
             acme_ca_file = \"{ca}\"\n\
             acme_challenge = \"{challenge}\"\n\
             acme_renew_before_days = {renew_before_days}\n\
             acme_check_interval = 1\n",
            data = data.display(),
            directory = pebble.directory,
            ca = pebble.ca_file.display(),
        ),
    )
    .expect("config");
    file
}

fn start(config: &Path) -> RunningBinary {
    RunningBinary::start_https(BIN, &["--config", config.to_str().expect("utf-8")], &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_01_issues_keeps_renews_and_serves_without_the_acme_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (https_port, http_port) = (free_port(), free_port());
    let pebble_dir = dir.path().join("pebble");
    let pebble = Pebble::start(&pebble_dir, http_port, https_port);
    let data = dir.path().join("data");
    let http_addr = format!("127.0.0.1:{http_port}");
    let config = acme_config(&data, &pebble, https_port, &http_addr, "http-01", 1);

    // First start: no certificate; one is obtained over HTTP-01 and served.
    let server = start(&config);
    let root = pebble.root().await;
    let first = served_certificate(&root, https_port, None, &server, &pebble_dir).await;
    let tls = data.join("tls");
    assert_eq!(
        first,
        first_der(&tls.join("cert.pem")),
        "the served certificate is the stored one"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for private in ["key.pem", "account.json"] {
            let mode = std::fs::metadata(tls.join(private))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{private} is readable by its owner only");
        }
    }
    assert!(server.log_so_far().contains("answering the ACME challenge"));

    // HTTP/2 and HTTP/1.1, by ALPN, on the same port.
    let h2 = client(&root, ([127, 0, 0, 1], https_port).into(), false);
    let (_, response) = fetch(&h2, https_port).await.expect("h2");
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000",
        "the site's address is https:// by default, so browsers are told to stay on HTTPS"
    );
    let h1 = client(&root, ([127, 0, 0, 1], https_port).into(), true);
    let (_, response) = fetch(&h1, https_port).await.expect("h1");
    assert_eq!(response.version(), reqwest::Version::HTTP_11);
    assert!(response.text().await.expect("body").contains("<html"));

    // Port 80's companion: everything else goes to HTTPS, on the site's own host only.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for (method, host, status) in [
        (reqwest::Method::GET, format!("localhost:{http_port}"), 301),
        (reqwest::Method::POST, "evil.example".to_owned(), 308),
    ] {
        let response = plain
            .request(method, format!("http://{http_addr}/news/some-story?page=2"))
            .header("host", host)
            .send()
            .await
            .expect("plain");
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(
            response.headers()["location"],
            format!("https://localhost:{https_port}/news/some-story?page=2").as_str()
        );
    }
    let unknown = plain
        .get(format!(
            "http://{http_addr}/.well-known/acme-challenge/not-a-token"
        ))
        .send()
        .await
        .expect("plain");
    assert_eq!(unknown.status(), 404);

    // Not due (valid three days, renewed one day before): a restart serves the stored one
    // and orders nothing over several checks.
    server.stop();
    let server = start(&config);
    assert_eq!(
        served_certificate(&root, https_port, None, &server, &pebble_dir).await,
        first
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let fresh = client(&root, ([127, 0, 0, 1], https_port).into(), false);
    let (leaf, _) = fetch(&fresh, https_port).await.expect("h2");
    assert_eq!(leaf, first, "a certificate that is not due is kept");
    assert!(!server.log_so_far().contains("obtained a certificate"));
    server.stop();

    // Due (renewed four days before): the stored one is served at once, a new one is
    // obtained and swapped in without a restart.
    let config = acme_config(&data, &pebble, https_port, &http_addr, "http-01", 4);
    let server = start(&config);
    let renewed = served_certificate(&root, https_port, Some(&first), &server, &pebble_dir).await;
    assert_ne!(renewed, first);
    assert_eq!(renewed, first_der(&tls.join("cert.pem")));
    server.stop();

    // The ACME server gone: the stored certificate still serves.
    drop(pebble);
    let config_text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        config_text.replace("acme_renew_before_days = 4", "acme_renew_before_days = 1"),
    )
    .expect("config");
    let server = start(&config);
    assert_eq!(
        served_certificate(&root, https_port, None, &server, &pebble_dir).await,
        renewed
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_alpn_01_issues_a_certificate_without_port_80() {
    let dir = tempfile::tempdir().expect("tempdir");
    let https_port = free_port();
    let pebble_dir = dir.path().join("pebble");
    // Nothing listens on pebble's HTTP-01 port: only TLS-ALPN-01 can succeed.
    let pebble = Pebble::start(&pebble_dir, free_port(), https_port);
    let data = dir.path().join("data");
    let config = acme_config(&data, &pebble, https_port, "off", "tls-alpn-01", 30);
    let server = start(&config);
    let root = pebble.root().await;
    let leaf = served_certificate(&root, https_port, None, &server, &pebble_dir).await;
    assert_eq!(leaf, first_der(&data.join("tls/cert.pem")));
    let log = server.stop();
    assert!(
        log.contains("answering the ACME challenge") && log.contains("tls-alpn-01"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_serve_https_and_a_bad_key_is_refused_with_the_fix() {
    use rustls::pki_types::pem::PemObject;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = test_ca(&["localhost"]);
    let (cert, key) = (dir.path().join("site.pem"), dir.path().join("site.key"));
    std::fs::write(&cert, &ca.leaf_pem).expect("write");
    std::fs::write(&key, &ca.leaf_key_pem).expect("write");
    let port = free_port();
    let config = dir.path().join("masthead.toml");
    let write = |key_file: &Path| {
        std::fs::write(
            &config,
            format!(
                "addr = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\ntls = \"files\"\nheader_timeout = 1\n\
                 tls_cert = \"{}\"\ntls_key = \"{}\"\nhttp_addr = \"off\"\n\
                 base_url = \"https://localhost:{port}\"\n",
                dir.path().join("data").display(),
                cert.display(),
                key_file.display()
            ),
        )
        .expect("config")
    };
    write(&key);
    let server = start(&config);
    let client = client(&ca.ca_pem, ([127, 0, 0, 1], port).into(), false);
    let (leaf, response) = fetch(&client, port).await.expect("https");
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(leaf, first_der(&cert));

    // A returning visitor resumes its session from a ticket: no full handshake.
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(ca.ca_pem.as_bytes()).expect("pem"))
        .expect("root");
    let tls_client = std::sync::Arc::new(
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth(),
    );
    assert_eq!(
        handshake_kind(&tls_client, port).await,
        rustls::HandshakeKind::Full
    );
    assert_eq!(
        handshake_kind(&tls_client, port).await,
        rustls::HandshakeKind::Resumed
    );

    // A client that connects and never says hello is let go after header_timeout.
    let mut silent = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let started = Instant::now();
    let mut buf = [0u8; 16];
    let read = std::io::Read::read(&mut silent, &mut buf);
    // Closed (or reset) by the server well before the client's own 10 s timeout.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{read:?} after {:?}",
        started.elapsed()
    );
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");

    // Renewed by another tool: SIGHUP (systemctl reload) serves the new files, no restart.
    let renewed = test_ca(&["localhost"]);
    std::fs::write(&cert, &renewed.leaf_pem).expect("write");
    std::fs::write(&key, &renewed.leaf_key_pem).expect("write");
    let pid = rustix::process::Pid::from_raw(server.pid() as i32).expect("pid");
    rustix::process::kill_process(pid, rustix::process::Signal::HUP).expect("SIGHUP");
    server.wait_for_log("read the certificate files again", Duration::from_secs(10));
    let client = self::client(&renewed.ca_pem, ([127, 0, 0, 1], port).into(), false);
    let (leaf, _) = fetch(&client, port).await.expect("https after reload");
    assert_eq!(leaf, first_der(&cert));
    server.stop();

    // A key that is not the certificate's: refused at start, naming both files.
    let other = test_ca(&["localhost"]);
    let wrong = dir.path().join("wrong.key");
    std::fs::write(&wrong, &other.leaf_key_pem).expect("write");
    write(&wrong);
    let out = run_command(
        BIN,
        &["serve", "--config", config.to_str().expect("utf-8")],
        dir.path(),
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not fit the certificate") && stderr.contains("wrong.key"),
        "{stderr}"
    );
}

/// The issue's "fresh machine": `masthead init`, then HTTPS settings in the file it wrote,
/// then `masthead serve`: the site answers over HTTPS with a certificate from the ACME
/// server, and the admin logs in over it (with the `__Host-` secure session cookie).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_then_serve_gives_an_https_site_with_an_acme_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (https_port, http_port) = (free_port(), free_port());
    let pebble_dir = dir.path().join("pebble");
    let pebble = Pebble::start(&pebble_dir, http_port, https_port);
    let password = "correct horse battery staple";
    std::fs::write(dir.path().join("password"), format!("{password}\n")).expect("write");
    let site = format!("https://localhost:{https_port}");
    let out = run_command(
        BIN,
        &[
            "init",
            "news",
            "--name",
            "Riverside Ledger",
            "--url",
            &site,
            "--timezone",
            "America/Chicago",
            "--admin-email",
            "jane@example.org",
            "--admin-password-file",
            "password",
        ],
        dir.path(),
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = dir.path().join("news/masthead.toml");
    let written = std::fs::read_to_string(&config).expect("masthead.toml");
    assert!(
        written.contains("# tls = \"acme\""),
        "init shows the HTTPS lines:\n{written}"
    );
    let edited = written.replace(
        "addr = \"127.0.0.1:8080\"",
        &format!(
            "addr = \"127.0.0.1:{https_port}\"\n\
             tls = \"acme\"\n\
             tls_email = \"jane@example.org\"\n\
             http_addr = \"127.0.0.1:{http_port}\"\n\
             acme_directory = \"{}\"\n\
             acme_ca_file = \"{}\"",
            pebble.directory,
            pebble.ca_file.display()
        ),
    );
    assert_ne!(
        edited, written,
        "init wrote addr = \"127.0.0.1:8080\":\n{written}"
    );
    std::fs::write(&config, edited).expect("write");

    let server = start(&config);
    let root = pebble.root().await;
    served_certificate(&root, https_port, None, &server, &pebble_dir).await;
    let client = client(&root, ([127, 0, 0, 1], https_port).into(), false);
    let home = client.get(&site).send().await.expect("home");
    assert_eq!(home.status(), 200);
    assert!(
        home.text()
            .await
            .expect("body")
            .contains("Riverside Ledger")
    );
    let login = client
        .post(format!("{site}/admin/login"))
        .header("origin", &site)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(masthead_testkit::form_body(&[
            ("email", "jane@example.org"),
            ("password", password),
            ("next", "/admin"),
        ]))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 303);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-masthead_session="))
        .expect("a __Host- session cookie")
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    let desk = client
        .get(format!("{site}/admin"))
        .header("cookie", cookie.split(';').next().expect("pair"))
        .send()
        .await
        .expect("desk");
    assert_eq!(desk.status(), 200);
    server.stop();
}

/// A certificate from files that has run out still serves (browsers will say why), and the
/// log says so and what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_from_files_is_named_in_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2020, 4, 1);
    let cert = params.self_signed(&key).expect("cert");
    std::fs::write(dir.path().join("site.pem"), cert.pem()).expect("write");
    std::fs::write(dir.path().join("site.key"), key.serialize_pem()).expect("write");
    let port = free_port();
    let config = dir.path().join("masthead.toml");
    std::fs::write(
        &config,
        format!(
            "addr = \"127.0.0.1:{port}\"\ndata_dir = \"{0}/data\"\ntls = \"files\"\n\
             tls_cert = \"{0}/site.pem\"\ntls_key = \"{0}/site.key\"\nhttp_addr = \"off\"\n",
            dir.path().display()
        ),
    )
    .expect("config");
    let server = start(&config);
    server.wait_for_log("the certificate has run out", Duration::from_secs(10));
    server.stop();
}
