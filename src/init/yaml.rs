//! A draft as the spec file `init` writes: header comments, the spec's keys, each section as
//! YAML, and what was left out (with why) as comments at the end.

use std::fmt::Write as _;

use serde_yaml::Value as Yaml;

use crate::init::draft::{Draft, Entry};

/// The modeline editors read (`trailctl schema > trailctl.schema.json` next to the spec).
pub const MODELINE: &str = "# yaml-language-server: $schema=trailctl.schema.json";

impl Draft {
    /// The spec text.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        let read_in = self.regions.join(", ");
        let _ = writeln!(out, "{MODELINE}");
        let _ = writeln!(
            out,
            "# Account {} as `trailctl init --from-account` found it: trails homed in {}, the\n\
             # buckets they deliver to, the CloudTrail rules of {read_in} and the topics they notify.\n\
             # `trailctl plan --adopt` of this spec adds trailctl's ownership tags and changes nothing\n\
             # else; `apply --adopt` takes these resources over. Left out, with why: at the end.",
            self.account, self.home
        );
        let _ = writeln!(out, "version: 1");
        let _ = writeln!(out, "stack: {}", scalar(&self.stack));
        let _ = writeln!(out, "account: \"{}\"", self.account);
        let _ = writeln!(out, "home_region: {}", scalar(&self.home));
        let _ = writeln!(out, "regions: [{}]", read_in);
        for (name, entries) in self.sections() {
            section(&mut out, name, entries);
        }
        if !self.left_out.is_empty() {
            let _ = writeln!(
                out,
                "\n# Not in this spec (trailctl leaves them as they are):"
            );
            for l in &self.left_out {
                let _ = writeln!(out, "# - {}: {}", l.what, l.reason);
            }
        }
        out
    }
}

/// A string as YAML writes it (quoted when it would read as something else).
fn scalar(s: &str) -> String {
    serde_yaml::to_string(&Yaml::String(s.to_owned()))
        .map(|t| t.trim_end().to_owned())
        .unwrap_or_else(|_| format!("{s:?}"))
}

fn section(out: &mut String, name: &str, entries: &[Entry]) {
    if entries.is_empty() {
        return;
    }
    let items = Yaml::Sequence(
        entries
            .iter()
            .map(|e| Yaml::Mapping(e.yaml.clone()))
            .collect(),
    );
    let Ok(text) = serde_yaml::to_string(&items) else {
        return;
    };
    let _ = writeln!(out, "\n{name}:");
    for line in text.lines() {
        let _ = writeln!(out, "  {line}");
    }
}
