//! Every link in the README and the docs resolves: relative files exist, and an anchor names a
//! heading of its file (GitHub's slugs: lower case, punctuation dropped, spaces as `-`, a
//! repeated heading numbered `-1`, `-2`…). Links inside code blocks and to the web are not
//! followed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose links are checked.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![
        root().join("README.md"),
        root().join("policies/README.md"),
        root().join("tests/emulator/KNOWN-GAPS.md"),
    ];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Text outside fenced code blocks and inline code spans.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let s = slug(line.trim_start_matches('#'));
        let n = seen.entry(s.clone()).or_insert(0);
        out.insert(if *n == 0 {
            s.clone()
        } else {
            format!("{s}-{n}")
        });
        *n += 1;
    }
    out
}

/// `(target)` of every `[text](target)` in the prose.
fn links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_owned());
        }
    }
    out
}

#[test]
fn every_link_in_the_readme_and_the_docs_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        for link in links(&text) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            checked += 1;
            let (path, anchor) = link.split_once('#').unwrap_or((link.as_str(), ""));
            let target: PathBuf = if path.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap_or(Path::new(".")).join(path)
            };
            let shown = format!("{}: ({link})", doc.strip_prefix(root()).unwrap().display());
            if !target.exists() {
                broken.push(format!("{shown}: no such file"));
                continue;
            }
            if anchor.is_empty() || target.extension().is_none_or(|x| x != "md") {
                continue;
            }
            let heads = anchors(&std::fs::read_to_string(&target).unwrap());
            if !heads.contains(anchor) {
                broken.push(format!("{shown}: no heading `#{anchor}`"));
            }
        }
    }
    assert!(checked > 50, "only {checked} links checked");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// `scripts/check-layers.py` (run by `scripts/test.sh`) passes on `src/`, and fails, naming the
/// file and line, on a module that imports one it may not, on a cycle between modules, and on
/// one between files.
#[test]
fn the_layer_check_passes_here_and_catches_a_breach() {
    let run = |src: &Path| {
        std::process::Command::new("python3")
            .arg(root().join("scripts/check-layers.py"))
            .arg(src)
            .output()
            .unwrap()
    };
    let ok = run(&root().join("src"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layers");
    let _ = std::fs::remove_dir_all(&bad);
    std::fs::create_dir_all(bad.join("model")).unwrap();
    std::fs::create_dir_all(bad.join("plan")).unwrap();
    std::fs::write(bad.join("model/x.rs"), "use crate::plan::Plan;\n").unwrap();
    std::fs::write(
        bad.join("plan/y.rs"),
        "use crate::model::X;\n#[cfg(test)]\nmod tests { use crate::cli::Io; }\n",
    )
    .unwrap();
    // Two files of one module that use each other.
    std::fs::write(bad.join("plan/a.rs"), "use super::b::B;\n").unwrap();
    std::fs::write(bad.join("plan/b.rs"), "use crate::plan::a::A;\n").unwrap();
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("src/model/x.rs:1: `model` may not import `plan`"),
        "{err}"
    );
    assert!(err.contains("import cycle: "), "{err}");
    assert!(err.contains("file import cycle: plan::a, plan::b"), "{err}");
    assert!(!err.contains("cli"), "test code is not checked: {err}");
}
