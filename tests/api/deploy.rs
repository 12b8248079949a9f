//! The systemd unit shipped in deploy/: systemd reads it without a complaint, its sandbox rates
//! a low exposure in systemd's own assessment, and the command line it runs serves the API.

use crate::helpers::{send, server_binary, spawn_command};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the unit expects the binary (its install steps put it there).
const INSTALLED_AT: &str = "/usr/local/bin/hitchpost";
/// The most exposure `systemd-analyze security` may rate the unit (0 best, 10 worst): this
/// project's bar, stricter than the band systemd itself labels "OK".
const MAX_EXPOSURE: f64 = 2.0;

fn unit_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/hitchpost.service"))
        .expect("deploy/hitchpost.service")
}

/// The unit's value for `key` in [Service], each line it is set on.
fn values(unit: &str, key: &str) -> Vec<String> {
    unit.lines().filter_map(|l| l.strip_prefix(&format!("{key}="))).map(str::to_owned).collect()
}

/// `systemd-analyze`, or None where it is not installed (CI installs it: then that fails).
fn systemd_analyze() -> Option<&'static str> {
    if Command::new("systemd-analyze").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Some("systemd-analyze");
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but systemd-analyze is missing");
    eprintln!("skipping: systemd-analyze is not installed");
    None
}

/// The unit as systemd would load it here: the binary this test run built, where the
/// installed one would be (verify checks that ExecStart names an executable).
fn unit_for_this_build(dir: &Path) -> PathBuf {
    let text = unit_text().replace(INSTALLED_AT, &server_binary().to_string_lossy());
    let path = dir.join("hitchpost.service");
    std::fs::write(&path, text).expect("write the unit");
    path
}

#[test]
fn the_systemd_unit_passes_systemd_analyze_verify_without_a_warning() {
    let Some(analyze) = systemd_analyze() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(analyze).arg("verify").arg(unit_for_this_build(dir.path())).output().expect("run verify");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "systemd-analyze verify refused the unit:\n{said}");
    // An unknown or misspelt key is only a warning to systemd, and would weaken the sandbox
    // silently: any word from verify fails the test.
    assert!(said.trim().is_empty(), "systemd-analyze verify warned:\n{said}");
}

#[test]
fn the_systemd_units_sandbox_rates_at_most_2_in_systemd_analyze_security() {
    let Some(analyze) = systemd_analyze() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(analyze)
        .args(["security", "--offline=true", "--no-pager"])
        .arg(unit_for_this_build(dir.path()))
        .output()
        .expect("run security");
    let said = String::from_utf8_lossy(&out.stdout);
    let level: f64 = said
        .lines()
        .find_map(|l| l.split("Overall exposure level for hitchpost.service: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{said}"));
    assert!(level <= MAX_EXPOSURE, "exposure {level} > {MAX_EXPOSURE}:\n{said}");
}

#[test]
fn the_systemd_units_command_line_serves_the_api() {
    let unit = unit_text();
    let exec = values(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "one ExecStart");
    let mut words = exec[0].split_whitespace();
    assert_eq!(words.next(), Some(INSTALLED_AT));
    // The unit's own arguments, with the address and the database moved to this test's.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    let mut swapped = (false, false);
    while let Some(w) = words.next() {
        args.push(w.into());
        match w {
            "--bind" => {
                words.next().expect("an address after --bind");
                args.push("127.0.0.1:0".into());
                swapped.0 = true;
            }
            "--db" => {
                let db = words.next().expect("a path after --db");
                assert!(db.starts_with("/var/lib/hitchpost/"), "the database is in the StateDirectory: {db}");
                args.push(dir.path().join("hitchpost.db").into());
                swapped.1 = true;
            }
            _ => {}
        }
    }
    assert_eq!(swapped, (true, true), "the unit names its address and its database");
    let env: Vec<(String, String)> = values(&unit, "Environment")
        .iter()
        .map(|kv| kv.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).expect("KEY=value"))
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = spawn_command(&args, &env, Stdio::inherit(), false);
    let res = send(&server.base, "GET", "/healthz", &[], None);
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "ok", "{}", res.text);
    assert!(dir.path().join("hitchpost.db.secret").exists(), "the secret is kept beside the database");
}
