//! Schemathesis (PyPI) against `/openapi.json`: every check, over a thousand generated cases,
//! no failure. Exceptions a schema cannot state are in tests/schemathesis.toml, with reasons.

use crate::clients::pip_install;
use crate::helpers::spawn_app_with;
use std::process::Command;

const SCHEMATHESIS: &str = "schemathesis==4.32.5";

#[test]
fn schemathesis_finds_no_failure_in_a_thousand_cases_against_the_openapi_document() {
    let Some(dir) = pip_install("schemathesis", &[SCHEMATHESIS]) else { return };
    // Bluesky sign-ins go to a fake PDS, not to bsky.social: the machine may have no network.
    let pds = crate::fakes::pds();
    let app = spawn_app_with(|c| {
        c.providers.sandbox = true;
        c.providers.bluesky_pds = pds.base.clone();
        c.api_key_rate = hitchpost::config::per_second(0);
        c.api_ip_rate = hitchpost::config::per_second(0);
    });
    // Every scope, `credentials` too, so that every route is reached.
    let all = hitchpost::auth::Scope::ALL.into_iter().collect();
    let key = crate::helpers::create_scoped_key(&app, "acme", None, all);
    // One worker: hypothesis's lambda descriptions call ast.parse, which CPython 3.11 can break
    // on ("AST constructor recursion depth mismatch") when two threads parse at once.
    let seed = std::env::var("HITCHPOST_SCHEMATHESIS_SEED").unwrap_or_else(|_| "20261123".into());
    let out = Command::new("python3")
        .env("PYTHONPATH", &dir)
        .env("SCHEMATHESIS_HOOKS", "")
        .args(["-m", "schemathesis.cli", "--no-color", "--config-file"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml"))
        .args(["run", &format!("{}/openapi.json", app.base)])
        .args(["--header", &format!("Authorization: Bearer {key}")])
        .args(["--max-examples", "60", "--seed", &seed, "--workers", "1"])
        .output()
        .expect("run schemathesis");
    let report = String::from_utf8_lossy(&out.stdout);
    let tail: String =
        report.lines().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(
        out.status.success(),
        "schemathesis failed (seed {seed}):\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated: u64 = report
        .lines()
        .find_map(|l| l.trim().split_once(" generated").and_then(|(n, _)| n.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no case count in:\n{tail}"));
    println!("schemathesis: {generated} cases, no failures");
    assert!(generated >= 1000, "only {generated} cases were generated:\n{tail}");
}
