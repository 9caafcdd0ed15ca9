//! A draft as the spec file `init` writes: header comments, the spec's keys, each section as
//! YAML, and what was left out (with why) as comments at the end.

use serde_yaml::Value as Yaml;

use crate::init::draft::{Draft, Entry};

/// The modeline editors read (`trailctl schema > trailctl.schema.json` next to the spec).
pub const MODELINE: &str = "# yaml-language-server: $schema=trailctl.schema.json";

impl Draft {
    /// The spec text, or why YAML could not say a part of it (never a spec with a part missing).
    pub fn to_yaml(&self) -> Result<String, serde_yaml::Error> {
        let read_in = self.regions.join(", ");
        let mut out = format!(
            "{MODELINE}\n\
             # Account {} as `trailctl init --from-account` found it: trails homed in {}, the\n\
             # buckets they deliver to, the CloudTrail rules of {read_in} and the topics they notify.\n\
             # `trailctl plan --adopt` of this spec adds trailctl's ownership tags and changes nothing\n\
             # else; `apply --adopt` takes these resources over. Left out, with why: at the end.\n\
             version: 1\n\
             stack: {}\n\
             account: \"{}\"\n\
             home_region: {}\n\
             regions: [{read_in}]\n",
            self.account,
            self.home,
            scalar(&self.stack)?,
            self.account,
            scalar(&self.home)?,
        );
        for (name, entries) in self.sections() {
            out.push_str(&section(name, entries)?);
        }
        if !self.left_out.is_empty() {
            out.push_str("\n# Not in this spec (trailctl leaves them as they are):\n");
            for l in &self.left_out {
                out.push_str(&format!("# - {}: {}\n", l.what, l.reason));
            }
        }
        Ok(out)
    }
}

/// A string as YAML writes it (quoted when it would read as something else).
fn scalar(s: &str) -> Result<String, serde_yaml::Error> {
    serde_yaml::to_string(&Yaml::String(s.to_owned())).map(|t| t.trim_end().to_owned())
}

/// `NAME:` and its entries as a list indented under it; nothing for no entries.
fn section(name: &str, entries: &[Entry]) -> Result<String, serde_yaml::Error> {
    if entries.is_empty() {
        return Ok(String::new());
    }
    let items = Yaml::Sequence(
        entries
            .iter()
            .map(|e| Yaml::Mapping(e.yaml.clone()))
            .collect(),
    );
    let text = serde_yaml::to_string(&items)?;
    let mut out = format!("\n{name}:\n");
    for line in text.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    Ok(out)
}
