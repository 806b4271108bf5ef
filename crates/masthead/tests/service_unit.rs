//! `masthead service install`: the unit it writes is read by systemd's own checker
//! (`systemd-analyze verify`, which also checks that the binary it starts exists; here the
//! real built binary) with no complaint, and scores as well hardened by
//! `systemd-analyze security`. A missing systemd-analyze fails the test: CI installs
//! Debian's `systemd` package.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::run_command;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

/// `systemd-analyze`: `MASTHEAD_TEST_SYSTEMD_ANALYZE`, else `/usr/bin/systemd-analyze`.
fn systemd_analyze() -> PathBuf {
    let path = std::env::var_os("MASTHEAD_TEST_SYSTEMD_ANALYZE")
        .map_or_else(|| PathBuf::from("/usr/bin/systemd-analyze"), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: install Debian's systemd package (apt-get install systemd), or point \
         MASTHEAD_TEST_SYSTEMD_ANALYZE at systemd-analyze",
        path.display()
    );
    path
}

/// A site's configuration in a temporary directory, its data directory made.
fn site() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let config = dir.path().join("masthead.toml");
    std::fs::write(
        &config,
        format!(
            "site_name = \"Riverside Ledger\"\ndata_dir = \"{}\"\nshutdown_timeout = 20\n",
            data.display()
        ),
    )
    .unwrap();
    (dir, config, data)
}

fn install(cwd: &Path, args: &[&str]) -> String {
    let out = run_command(BIN, args, cwd, None);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_unit_is_hardened_and_systemd_accepts_it() {
    let analyze = systemd_analyze();
    let (dir, config, data) = site();
    let bin = std::fs::canonicalize(BIN).unwrap();
    let unit = install(
        dir.path(),
        &[
            "service",
            "install",
            "--config",
            config.to_str().unwrap(),
            "--binary",
            bin.to_str().unwrap(),
            "--print",
        ],
    );
    for line in [
        "User=masthead".to_owned(),
        "Group=masthead".to_owned(),
        format!(
            "ExecStart={} serve --config {}",
            bin.display(),
            config.display()
        ),
        "ExecReload=/bin/kill -HUP $MAINPID".to_owned(),
        "Restart=on-failure".to_owned(),
        "ProtectSystem=strict".to_owned(),
        format!("ReadWritePaths={}", data.display()),
        "NoNewPrivileges=yes".to_owned(),
        "AmbientCapabilities=CAP_NET_BIND_SERVICE".to_owned(),
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE".to_owned(),
        "PrivateTmp=yes".to_owned(),
        "ProtectHome=yes".to_owned(),
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX".to_owned(),
        "SystemCallFilter=@system-service".to_owned(),
        "TimeoutStopSec=25".to_owned(),
        "Description=masthead: Riverside Ledger".to_owned(),
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} in\n{unit}");
    }
    // Exactly one capability, in both lists.
    for key in ["AmbientCapabilities=", "CapabilityBoundingSet="] {
        assert_eq!(unit.lines().filter(|l| l.starts_with(key)).count(), 1);
    }

    let file = dir.path().join("masthead.service");
    std::fs::write(&file, &unit).unwrap();
    let verify = Command::new(&analyze)
        .arg("verify")
        .arg(&file)
        .output()
        .unwrap();
    let complaints = String::from_utf8_lossy(&verify.stderr);
    assert!(verify.status.success(), "verify failed: {complaints}");
    // verify exits 0 on unknown keys and bad values, only warning: any output is a failure.
    assert!(complaints.trim().is_empty(), "verify warned: {complaints}");

    // The exposure score (0 best, 10 worst): under 2.0 ("OK").
    let security = Command::new(&analyze)
        .args(["security", "--offline=yes", "--threshold=20"])
        .arg(&file)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&security.stdout);
    assert!(security.status.success(), "exposure above 2.0:\n{report}");

    // A unit naming a binary that is not there fails verify: the check above is real.
    let broken = unit.replace(&bin.display().to_string(), "/nonexistent/masthead");
    let file = dir.path().join("broken.service");
    std::fs::write(&file, broken).unwrap();
    let verify = Command::new(&analyze)
        .arg("verify")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!verify.status.success());
}

#[test]
fn install_writes_the_unit_into_the_unit_directory() {
    let (dir, config, _) = site();
    let units = dir.path().join("units");
    std::fs::create_dir(&units).unwrap();
    let bin = std::fs::canonicalize(BIN).unwrap();
    let args = [
        "service",
        "install",
        "--config",
        config.to_str().unwrap(),
        "--binary",
        bin.to_str().unwrap(),
        "--user",
        "ledger",
        "--name",
        "ledger",
    ];
    let stdout = install(
        dir.path(),
        &[&args[..], &["--unit-dir", units.to_str().unwrap()]].concat(),
    );
    let file = units.join("ledger.service");
    assert!(
        stdout.contains(&format!("wrote {}", file.display())),
        "{stdout}"
    );
    assert!(stdout.contains("systemctl daemon-reload && systemctl enable --now ledger"));
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        written,
        install(dir.path(), &[&args[..], &["--print"]].concat())
    );
    assert!(written.contains("\nUser=ledger\n"));

    // A user name that would break the unit is refused.
    let out = run_command(
        BIN,
        &[
            "service",
            "install",
            "--config",
            config.to_str().unwrap(),
            "--user",
            "root\nExecStartPre=/bin/sh",
            "--print",
        ],
        dir.path(),
        None,
    );
    assert_eq!(out.status.code(), Some(1));
}
