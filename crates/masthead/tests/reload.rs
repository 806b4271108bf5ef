//! SIGHUP to the real `masthead serve`: the configuration file is read again, the new site
//! name is on the home page at once (the page cache does not serve the old one), a changed
//! key that needs a restart is named in the log, and a broken file is logged while the
//! site keeps serving with the settings it had.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::RunningBinary;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

fn write_config(path: &Path, data: &Path, extra: &str) {
    std::fs::write(path, format!("data_dir = \"{}\"\n{extra}", data.display())).unwrap();
}

fn hangup(server: &RunningBinary) {
    let pid = rustix::process::Pid::from_raw(server.pid() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::HUP).unwrap();
}

/// The home page's `<title>`.
fn title(server: &RunningBinary) -> String {
    let (status, body) = server.get("/");
    assert_eq!(status, 200);
    body.split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(t, _)| t.to_owned())
        .unwrap_or_else(|| panic!("no title in {body}"))
}

#[test]
fn sighup_applies_the_new_site_name_and_a_broken_file_keeps_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("masthead.toml");
    let data = dir.path().join("data");
    write_config(
        &config,
        &data,
        "site_name = \"Riverside Ledger\"\ntagline = \"News of the valley\"\n",
    );
    let server = RunningBinary::start(BIN, &["--config", config.to_str().unwrap()], &[]);
    // Twice: the second answer comes from the page cache.
    assert!(title(&server).contains("Riverside Ledger"));
    assert!(title(&server).contains("Riverside Ledger"));

    write_config(
        &config,
        &data,
        "site_name = \"Hilltop Herald\"\ntagline = \"News of the hills\"\nshutdown_timeout = 9\n",
    );
    hangup(&server);
    let log = server.wait_for_log("reloaded the configuration", Duration::from_secs(30));
    let restart = log
        .lines()
        .find(|l| l.contains("take effect only after a restart"))
        .unwrap_or_else(|| panic!("no restart warning in\n{log}"));
    assert!(restart.contains("shutdown_timeout"), "{restart}");
    let applied = log
        .lines()
        .find(|l| l.contains("reloaded the configuration"))
        .unwrap();
    assert!(
        applied.contains("site_name") && applied.contains("tagline"),
        "{applied}"
    );
    assert!(!applied.contains("shutdown_timeout"), "{applied}");
    let home = title(&server);
    assert!(home.contains("Hilltop Herald"), "{home}");
    assert!(!home.contains("Riverside Ledger"), "{home}");
    let (_, body) = server.get("/");
    assert!(body.contains("News of the hills"));

    // A file that does not parse, then one with a bad value: logged, the old name stays.
    std::fs::write(&config, "site_name = \n").unwrap();
    hangup(&server);
    let log = server.wait_for_log("cannot reload the configuration", Duration::from_secs(30));
    assert!(log.contains("TOML parse error"), "{log}");
    assert!(title(&server).contains("Hilltop Herald"));

    write_config(
        &config,
        &data,
        "site_name = \"Mars Gazette\"\ntimezone = \"Mars/Olympus_Mons\"\n",
    );
    hangup(&server);
    let log = server.wait_for_log("cannot reload the configuration", Duration::from_secs(30));
    assert!(log.contains("Mars/Olympus_Mons"), "{log}");
    assert!(title(&server).contains("Hilltop Herald"));

    // Still serving, and it stops cleanly.
    server.stop();
}
