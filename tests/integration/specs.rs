//! The spec corpus: every file in tests/specs/invalid with its exact expected output, the
//! examples, and hostile inputs. Each test reports every failing case, not just the first.
//!
//! `TRAILCTL_BLESS=1 cargo test --features fake --test integration specs` rewrites the `.expected` files.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs trailctl with `args` in process; returns (exit code, stdout, stderr).
pub fn run_in_process(args: &[&std::ffi::OsStr]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = trailctl::Io {
        stdin: &mut std::io::empty(),
        stdin_is_terminal: false,
        stdout: &mut out,
        stderr: &mut err,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
    };
    let mut argv = vec![std::ffi::OsStr::new("trailctl")];
    argv.extend_from_slice(args);
    let code = trailctl::run(argv, &mut io);
    (
        code.as_u8(),
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// Runs `trailctl validate -f FILE` in process; returns (exit code, stdout, stderr).
pub fn validate(file: &Path) -> (u8, String, String) {
    run_in_process(&["validate".as_ref(), "-f".as_ref(), file.as_os_str()])
}

/// The `.yaml` files of `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn invalid_specs_report_exactly_the_expected_diagnostics() {
    let dir = Path::new("tests/specs/invalid");
    let bless = std::env::var_os("TRAILCTL_BLESS").is_some();
    let files = yaml_files(&root().join(dir));
    assert!(
        files.len() >= 25,
        "the corpus shrank to {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for path in files {
        // Relative paths (cargo runs tests from the package root), so the expected output does
        // not depend on where the repo lives.
        let rel = dir.join(path.file_name().unwrap());
        let (code, _, stderr) = validate(&rel);
        let actual = format!("{stderr}exit: {code}\n");
        let expected_path = path.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "--- {}\nexpected:\n{expected}actual:\n{actual}",
                rel.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_invalid_case_points_at_file_line_and_column() {
    let mut failures = Vec::new();
    for path in yaml_files(&root().join("tests/specs/invalid")) {
        let (code, _, stderr) = validate(&path);
        let shown = path.display().to_string();
        for line in stderr
            .lines()
            .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        {
            let rest = line.strip_prefix(&format!("{shown}:")).unwrap_or("");
            let mut parts = rest.splitn(3, ':');
            let ok = parts.next().is_some_and(|l| l.parse::<usize>().is_ok())
                && parts.next().is_some_and(|c| c.parse::<usize>().is_ok());
            if !ok {
                failures.push(format!("{shown}: no line:col in `{line}`"));
            }
        }
        let has_error = stderr.contains(": error: ");
        if has_error != (code == 1) {
            failures.push(format!("{shown}: exit {code} with errors={has_error}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Examples are valid without warnings; notes (CIS advice) are allowed where an example keeps
/// things simple on purpose, and the baselines have none.
#[test]
fn examples_are_valid_without_warnings() {
    let files = yaml_files(&root().join("examples"));
    assert!(files.len() >= 2);
    for path in files {
        let (code, stdout, stderr) = validate(&path);
        assert_eq!(code, 0, "{}: {stderr}", path.display());
        assert!(
            !stderr.contains(": warning: ") && !stderr.contains(": error: "),
            "{}: {stderr}",
            path.display()
        );
        assert!(
            stdout.contains(": valid (") && stdout.contains("0 warnings"),
            "{stdout}"
        );
        let name = path.file_name().unwrap().to_string_lossy();
        if name.contains("baseline") {
            assert_eq!(stderr, "", "{name} is lint-clean, notes included");
        }
    }
}

/// Writes `bytes` to a fresh file under target/ and validates it.
fn validate_bytes(name: &str, bytes: &[u8]) -> (u8, String) {
    let dir = root().join("target/hostile-specs");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let (code, _, stderr) = validate(&path);
    (code, stderr)
}

#[test]
fn hostile_input_gets_a_clear_error_never_a_panic_or_a_hang() {
    let mut garbage = Vec::new();
    let mut x: u32 = 2_463_534_242;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push(x.to_le_bytes()[0]);
    }
    let big = format!("version: 1\n{}", "# padding line\n".repeat(700_000));
    let deep_flow = format!(
        "version: 1\nx: {}{}\n",
        "[".repeat(500_000),
        "]".repeat(500_000)
    );
    let deep_block: String = (0..300)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let mut bomb =
        String::from("version: 1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, cur) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{cur}: &{cur} [{refs}]\n"));
    }
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("garbage.yaml", garbage, "binary file"),
        (
            "latin1.yaml",
            b"version: 1\nstack: caf\xe9\n".to_vec(),
            "not UTF-8",
        ),
        ("big.yaml", big.into_bytes(), "larger than 1024 KiB"),
        (
            "deep-flow.yaml",
            deep_flow.into_bytes(),
            "nests more than 128 levels",
        ),
        (
            "deep-block.yaml",
            deep_block.into_bytes(),
            "nests too deeply",
        ),
        (
            "bomb.yaml",
            bomb.into_bytes(),
            "aliases expand to too many nodes",
        ),
    ];
    let mut failures = Vec::new();
    for (name, bytes, needle) in cases {
        let (code, stderr) = validate_bytes(name, &bytes);
        let first = stderr.lines().next().unwrap_or("");
        let located = first.contains(&format!("{name}:")) && first.contains(": error: ");
        if code != 1 || !first.contains(needle) || !located {
            failures.push(format!("{name}: exit {code}: {stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
