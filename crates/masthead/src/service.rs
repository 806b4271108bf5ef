//! `masthead service install`: writes a hardened systemd unit that serves the site named by
//! `--config`, as its own system user, able to write only the data directory and to bind
//! ports 80 and 443 and nothing else privileged. `--print` writes it to standard output.
//!
//! The unit runs as a fixed user (`User=`/`Group=`, default `masthead`) rather than with
//! `DynamicUser=`: the data directory is wherever `masthead init` put it, and the operator's
//! own commands (`masthead backup`, `masthead user add`, run as that user) must own the same
//! files across restarts. A dynamic user would need the data under `StateDirectory=`
//! (`/var/lib/…`), which systemd re-owns to a changing id.

use crate::config::{Config, Overrides};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

/// The flags of `masthead service install`.
#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// The system user (and group) the service runs as; create it first (see the output).
    #[arg(long, value_name = "NAME", default_value = "masthead")]
    user: String,
    /// Where the unit file is written.
    #[arg(long, value_name = "DIR", default_value = "/etc/systemd/system")]
    unit_dir: PathBuf,
    /// The masthead binary the service runs. [default: this one]
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
    /// The unit's name, for several sites on one machine.
    #[arg(long, value_name = "NAME", default_value = "masthead")]
    name: String,
    /// Write the unit to standard output instead of the unit directory.
    #[arg(long)]
    print: bool,
}

/// What the unit is made from.
struct Unit {
    binary: PathBuf,
    config: PathBuf,
    data_dir: PathBuf,
    user: String,
    site: String,
    stop_seconds: u64,
}

/// Runs `masthead service install` for the configuration file `config` (the global
/// `--config`, else `./masthead.toml`).
pub fn install(config: Option<&Path>, args: InstallArgs) -> anyhow::Result<()> {
    let config_path = match config {
        Some(path) => path.to_path_buf(),
        None if Path::new("masthead.toml").is_file() => PathBuf::from("masthead.toml"),
        None => bail!(
            "no configuration: give the site's file with --config PATH (masthead init wrote \
             one), e.g. masthead service install --config /srv/news/masthead.toml"
        ),
    };
    let config_path = std::fs::canonicalize(&config_path)
        .with_context(|| format!("cannot find {}", config_path.display()))?;
    let config = Config::load(Some(&config_path), Overrides::default())?;
    let dir = config_path.parent().unwrap_or(Path::new("/"));
    // The service starts in the configuration's directory, so a relative data_dir means
    // the same there as in the file.
    let data_dir = dir.join(&config.data_dir);
    let binary = match args.binary {
        Some(path) => path,
        None => {
            std::env::current_exe().context("cannot tell where this binary is; give --binary")?
        }
    };
    let binary = std::fs::canonicalize(&binary)
        .with_context(|| format!("--binary: cannot find {}", binary.display()))?;
    if !valid_name(&args.user) {
        bail!(
            "--user must be a system user name (letters, digits, - and _), not {:?}",
            args.user
        );
    }
    if !valid_name(&args.name) {
        bail!(
            "--name must be a unit name (letters, digits, - and _), not {:?}",
            args.name
        );
    }
    for path in [&binary, &config_path, &data_dir] {
        if path
            .to_str()
            .is_none_or(|p| p.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            bail!(
                "{} has spaces or unusual characters, which a unit file cannot hold safely: \
                 move it to a plain path",
                path.display()
            );
        }
    }
    let unit = Unit {
        binary,
        config: config_path.clone(),
        data_dir: data_dir.clone(),
        user: args.user.clone(),
        site: if config.site_name.is_empty() {
            "the site".to_owned()
        } else {
            config.site_name.clone()
        },
        stop_seconds: config.shutdown_timeout + 5,
    };
    let text = unit_text(&unit);
    if args.print {
        print!("{text}");
        return Ok(());
    }
    let path = args.unit_dir.join(format!("{}.service", args.name));
    std::fs::write(&path, text).with_context(|| {
        format!(
            "cannot write {}: run as root (sudo), or choose another --unit-dir, or use --print",
            path.display()
        )
    })?;
    let user = &args.user;
    println!("wrote {}", path.display());
    println!();
    println!("Then, as root:");
    println!(
        "  id {user} >/dev/null 2>&1 || useradd --system --user-group --no-create-home \
         --shell /usr/sbin/nologin {user}"
    );
    println!(
        "  chown -R {user}:{user} {} && chown {user}:{user} {}",
        data_dir.display(),
        config_path.display()
    );
    println!(
        "  systemctl daemon-reload && systemctl enable --now {}",
        args.name
    );
    println!(
        "Reload settings after editing {} with: systemctl reload {}",
        config_path.display(),
        args.name
    );
    Ok(())
}

/// A name systemd and useradd both take: starts with a letter or `_`, then letters, digits,
/// `-` and `_`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 32
}

/// The unit file.
fn unit_text(unit: &Unit) -> String {
    let Unit {
        binary,
        config,
        data_dir,
        user,
        site,
        stop_seconds,
    } = unit;
    let binary = binary.display();
    let config = config.display();
    let workdir = unit
        .config
        .parent()
        .map_or_else(|| "/".to_owned(), |d| d.display().to_string());
    let data_dir = data_dir.display();
    let site = site.replace(['\n', '\r', '%'], " ");
    format!(
        "# Written by `masthead service install` (masthead {version}). Regenerate it rather than
# editing it; local changes belong in `systemctl edit`.
[Unit]
Description=masthead: {site}
After=network-online.target
Wants=network-online.target

[Service]
Type=exec
User={user}
Group={user}
WorkingDirectory={workdir}
ExecStart={binary} serve --config {config}
# Re-reads the configuration: the site's name, tagline, time zone, language and page size
# change at once; the log names the changed keys that need a restart.
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=2s
# In-flight requests get shutdown_timeout seconds to finish.
TimeoutStopSec={stop_seconds}
LimitNOFILE=65536
UMask=0077

# Writes only to the data directory (database, media, certificates).
ProtectSystem=strict
ReadWritePaths={data_dir}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateMounts=yes
# May bind ports 80 and 443, and has no other privilege.
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
SystemCallFilter=@system-service
SystemCallFilter=~@privileged
SystemCallErrorNumber=EPERM
SystemCallArchitectures=native
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
KeyringMode=private
DevicePolicy=closed

[Install]
WantedBy=multi-user.target
",
        version = env!("CARGO_PKG_VERSION"),
    )
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn user_and_unit_names_are_plain() {
        for ok in ["masthead", "news_site", "_svc", "ledger-2"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "1site", "a b", "a;b", "root\n", "x/y"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
