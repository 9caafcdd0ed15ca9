//! The YAML nodes a draft is built of: a string, a key set in a mapping, a list of strings.

use serde_yaml::{Mapping, Value as Yaml};

pub(crate) fn text(s: &str) -> Yaml {
    Yaml::String(s.to_owned())
}

pub(crate) fn put(m: &mut Mapping, key: &str, v: Yaml) {
    m.insert(text(key), v);
}

pub(crate) fn list(items: &[String]) -> Yaml {
    Yaml::Sequence(items.iter().map(|s| text(s)).collect())
}
