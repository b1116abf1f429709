//! The README's examples are run and their shown output checked, so that
//! they cannot drift from what the program prints.
//!
//! In every fenced block, a line `$ COMMAND` is run and the lines after it,
//! up to the next `$ ` line or the end of the block, are its expected
//! output: standard output, then standard error. A line `...` stands for
//! any number of lines. `$ echo $?` checks the previous command's exit
//! status. The commands:
//!
//! - `cellbound ARGS` and `cargo run --release -- ARGS` run the binary.
//!   The README shows what a terminal shows, where `table` is the default
//!   format, so `bounds`, `explain`, `audit` and `protect` without `--format` get
//!   `--format table` (the tests run with no terminal, where JSON is the
//!   default).
//! - `cat FILE` followed by its content writes FILE, as the README
//!   creates it inline, for the commands after it.
//! - `cargo run --example library` runs the example's binary when cargo
//!   has built it (`cargo test` builds the examples; `cargo test --test
//!   readme` alone does not, and then it is skipped with a note).
//! - A command with no output shown (`cargo test --workspace`) is not run.
//!
//! Commands run in a temporary folder in which `examples` and `tests` are
//! the repository's, so that paths and messages read as in the README.

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One `$` line and what the README shows after it.
#[derive(Debug)]
struct Example {
    /// The README's line number of the `$` line.
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// The examples of every fenced block, in order.
fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut fence: Option<usize> = None;
    let mut current: Option<Example> = None;
    for (i, raw) in readme.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") {
            match fence {
                None => fence = Some(raw.len() - trimmed.len()),
                Some(_) => {
                    fence = None;
                    out.extend(current.take());
                }
            }
            continue;
        }
        let Some(indent) = fence else { continue };
        // Strip the block's indentation (a block inside a list item).
        let text = raw.get(indent..).unwrap_or(raw.trim_start());
        if let Some(command) = text.strip_prefix("$ ") {
            out.extend(current.take());
            current = Some(Example {
                line: i + 1,
                command: command.to_string(),
                expected: Vec::new(),
            });
        } else if let Some(ex) = current.as_mut() {
            ex.expected.push(text.to_string());
        }
    }
    out
}

/// Splits a command line as a shell would, for the quoting the README
/// uses: `"..."` and `'...'`.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut any = false;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, ' ') => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (None, c) => {
                word.push(c);
                any = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in {command:?}");
    if any {
        words.push(word);
    }
    words
}

/// Whether `actual` matches `expected`, where a line `...` in `expected`
/// stands for any number of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.first() == Some(&first.as_str()) && matches(rest, &actual[1..])
        }
    }
}

/// The built example `name`, next to the binary, if cargo built it.
fn example_binary(name: &str) -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_BIN_EXE_cellbound"));
    let path = bin.parent()?.join("examples").join(name);
    path.exists().then_some(path)
}

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let examples = examples(&readme);
    let dir = tempfile::tempdir().unwrap();
    for name in ["examples", "tests"] {
        std::os::unix::fs::symlink(Path::new(ROOT).join(name), dir.path().join(name)).unwrap();
    }
    let mut last_status: Option<(usize, i32)> = None;
    let mut checked = 0;
    let mut failures = Vec::new();
    for ex in &examples {
        let words = words(&ex.command);
        let trailing_blank = ex.expected.iter().rev().take_while(|l| l.is_empty());
        let expected = &ex.expected[..ex.expected.len() - trailing_blank.count()];
        let program: Vec<String> = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["cat", file] => {
                let mut text = expected.join("\n");
                text.push('\n');
                std::fs::write(dir.path().join(file), text).unwrap();
                continue;
            }
            ["echo", "$?"] => {
                let (line, status) = last_status.expect("a command before `echo $?`");
                if expected != [status.to_string()] {
                    failures.push(format!(
                        "README.md:{}: the command on line {line} exits {status}, the README says {expected:?}",
                        ex.line
                    ));
                }
                checked += 1;
                continue;
            }
            ["cargo", "run", "--example", name] => match example_binary(name) {
                Some(path) => vec![path.to_str().unwrap().to_string()],
                None => {
                    eprintln!(
                        "README.md:{}: skipped: the example {name} is not built (cargo test builds it)",
                        ex.line
                    );
                    continue;
                }
            },
            ["cellbound", ..] => words[1..].to_vec(),
            ["cargo", "run", "--release", "--", ..] => words[4..].to_vec(),
            _ if expected.is_empty() => continue,
            _ => panic!(
                "README.md:{}: an example this test cannot run: {}",
                ex.line, ex.command
            ),
        };
        let (program, mut args) = match program.split_first() {
            Some((p, rest)) if p.ends_with("library") => (PathBuf::from(p), rest.to_vec()),
            _ => (PathBuf::from(env!("CARGO_BIN_EXE_cellbound")), program),
        };
        let shows_a_table = matches!(
            args.first().map(String::as_str),
            Some("bounds" | "explain" | "audit" | "protect")
        );
        if shows_a_table && !args.iter().any(|a| a == "--format" || a == "-o") {
            args.extend(["--format".to_string(), "table".to_string()]);
        }
        let out = Command::new(&program)
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let status = out.status.code().unwrap_or(-1);
        last_status = Some((ex.line, status));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let actual: Vec<&str> = text.lines().collect();
        if !matches(expected, &actual) {
            failures.push(format!(
                "README.md:{}: `{}` prints\n{text}\nthe README shows\n{}\n",
                ex.line,
                ex.command,
                expected.join("\n")
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The README has examples, and they were run.
    assert!(checked >= 10, "only {checked} examples checked");
}

#[test]
fn the_matcher_elides_only_where_told() {
    let lines = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    assert!(matches(&lines("a\n...\nd"), &["a", "b", "c", "d"]));
    assert!(matches(&lines("...\nb\n..."), &["a", "b", "c"]));
    assert!(matches(&lines("a\n...\nb"), &["a", "b"]));
    assert!(!matches(&lines("a\nd"), &["a", "b", "d"]));
    assert!(!matches(&lines("a\n\n\nb"), &["a", "", "b"]));
    assert_eq!(
        words(r#"explain f.csv --cell "MRC La Mitis,Volet 1" --open"#),
        [
            "explain",
            "f.csv",
            "--cell",
            "MRC La Mitis,Volet 1",
            "--open"
        ]
    );
}

/// The times the README quotes for the cubes are those of
/// docs/benchmarks.md: each `AxBxC with N` (or `AxBxC cube with N hidden
/// cells takes`) followed by `T s` in the README is the row `cube AxBxC`
/// of the benchmarks, with `N` hidden cells and a time of `T s`.
#[test]
fn readme_cube_times_are_the_benchmarks() {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let bench = std::fs::read_to_string(format!("{ROOT}/docs/benchmarks.md")).unwrap();
    let text = readme.split_whitespace().collect::<Vec<_>>();
    let mut checked = 0;
    for (i, w) in text.iter().enumerate() {
        let w = w.trim_end_matches(',');
        let is_cube = w.split('x').count() == 3 && w.split('x').all(|n| n.parse::<u32>().is_ok());
        if !is_cube {
            continue;
        }
        // The next number before "s" is the time; "with N" the hidden cells.
        let after = &text[i + 1..(i + 12).min(text.len())];
        let Some(s) = after.iter().position(|w| w.trim_end_matches(',') == "s") else {
            continue;
        };
        let time = after[s - 1];
        if time.parse::<f64>().is_err() {
            continue;
        }
        let hidden = after
            .iter()
            .position(|w| *w == "with")
            .map(|k| after[k + 1].trim_end_matches(','));
        let row = bench
            .lines()
            .find(|l| l.starts_with(&format!("| cube {w} |")))
            .unwrap_or_else(|| panic!("docs/benchmarks.md has no row for cube {w}"));
        assert!(
            row.contains(&format!("| {time} s")),
            "README says cube {w} takes {time} s; docs/benchmarks.md: {row}"
        );
        if let Some(hidden) = hidden {
            assert!(
                row.contains(&format!("| {hidden} |")),
                "README says cube {w} has {hidden} hidden cells; docs/benchmarks.md: {row}"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} cube times found in the README"
    );
}
