//! The golden check: every case of `tests/golden/cases.txt` is run through
//! the binary and its exit status, standard output and standard error are
//! compared byte for byte with `tests/golden/expected/NAME.txt`.
//!
//! It pins the behaviour of `bounds`, `audit`, `explain` and `verify` on the
//! seed tables, the examples and synthetic workloads of every shape (grid,
//! hierarchy, cube; flow path, LP path, witnesses, derivations), so that a
//! change meant to move code, not behaviour, can show it moved nothing.
//! `CELLBOUND_GOLDEN=record` writes the expected files anew instead.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root: the cases name their files relative to it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Splits a case line on spaces; `'...'` keeps spaces.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' | '\t' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            _ => {
                word.push(c);
                any = true;
            }
        }
    }
    assert!(!quoted, "unclosed quote in case line: {line}");
    if any {
        words.push(word);
    }
    words
}

/// `solved in 0.123 s` becomes `solved in _ s`: the only part of any
/// output that depends on the machine.
fn mask_time(text: &str) -> String {
    const KEY: &str = "solved in ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (head, tail) = rest.split_at(at + KEY.len());
        out.push_str(head);
        let number = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        if number > 0 {
            out.push('_');
        }
        rest = &tail[number..];
    }
    out.push_str(rest);
    out
}

fn run(args: &[String], tmp: &Path) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("$TMP", tmp.to_str().expect("UTF-8 temporary path")))
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(&args)
        .current_dir(ROOT)
        .output()
        .expect("the binary runs");
    let text = format!(
        "status: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    mask_time(&text).replace(tmp.to_str().unwrap(), "$TMP")
}

#[test]
fn golden() {
    let dir = PathBuf::from(ROOT).join("tests/golden");
    let cases = std::fs::read_to_string(dir.join("cases.txt")).expect("cases.txt");
    let record = std::env::var("CELLBOUND_GOLDEN").as_deref() == Ok("record");
    let tmp = tempfile::tempdir().unwrap();
    let mut failed = Vec::new();
    let mut count = 0;
    for line in cases.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = split(line);
        let name = words.remove(0);
        let got = run(&words, tmp.path());
        let path = dir.join("expected").join(format!("{name}.txt"));
        count += 1;
        if record {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; record it first", path.display()));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            let near = |s: &str| {
                let lines: Vec<&str> = s.lines().skip(line.saturating_sub(3)).take(7).collect();
                lines.join("\n")
            };
            failed.push(format!(
                "{name} ({}) differs at line {}:\n--- expected\n{}\n--- got\n{}",
                words.join(" "),
                line + 1,
                near(&want),
                near(&got)
            ));
        }
    }
    assert!(count > 50, "only {count} cases read");
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
