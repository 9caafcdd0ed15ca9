//! Records the commit trailctl is built from, for `trailctl --version` (`unknown` outside a git
//! checkout). Re-run only when HEAD moves, so builds between commits are not redone for it.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!(
        "cargo:rustc-env=TRAILCTL_VERSION={} (commit {commit})",
        env!("CARGO_PKG_VERSION")
    );
    let mut watched = vec![".git/HEAD".to_owned(), ".git/packed-refs".to_owned()];
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(format!(".git/{reference}"));
    }
    // Only files that exist: a missing one would re-run this script on every build.
    for path in watched.iter().filter(|p| Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
}
