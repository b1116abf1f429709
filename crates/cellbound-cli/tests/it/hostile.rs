//! Hostile input: bad and extreme files given to the `cellbound`
//! binary. Bad input must give exit 2 and a message naming the file and
//! where (line, field), with nothing on stdout and no output file; big
//! valid input must give the right answer. Every run has a wall-clock
//! guard of [`HANG_GUARD`]: a hang detector, not a timing assertion.
//!
//! The small files are in `tests/hostile/` (at the repository root); the big ones (a 1 GB line, a
//! tree nested 100,000 deep, grids of 1 and 10 million cells) are written
//! into a temporary directory by the tests themselves.
//!
//! The 10-million-cell grid is `#[ignore]`d: its memory and time (see
//! docs/benchmarks.md, "Test workloads") are too much to run beside the
//! other tests by default. Run it in release with
//!
//! ```text
//! cargo test --release -p cellbound-cli -- --ignored hostile::
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Kill a run after this long and fail: only a hang detector.
const HANG_GUARD: Duration = Duration::from_secs(120);

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/hostile")
        .join(name)
}

/// Runs the binary with its outputs in files (no pipe can fill up), kills
/// it after [`HANG_GUARD`].
fn run(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("stdout file"))
        .stderr(File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("spawn cellbound");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("cellbound {args:?} still running after {HANG_GUARD:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        status: status.code().expect("exited by a signal (a crash?)"),
        stdout: std::fs::read_to_string(&out_path).expect("stdout is UTF-8"),
        stderr: std::fs::read_to_string(&err_path).expect("stderr is UTF-8"),
    }
}

fn bounds_args(path: &Path) -> Vec<String> {
    vec![
        "bounds".into(),
        path.display().to_string(),
        "--format".into(),
        "json".into(),
    ]
}

/// `bounds FILE`: exit 2, a message `FILE:LINE: ...` holding each of
/// `needles`, nothing on stdout; and with `-o`, no output file.
fn assert_bad(path: &Path, line: Option<usize>, needles: &[&str]) -> String {
    let args = bounds_args(path);
    let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.status, 2, "{}: stderr {}", path.display(), r.stderr);
    assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let file = path.display().to_string();
    let place = match line {
        Some(l) => format!("{file}:{l}:"),
        None => format!("{file}:"),
    };
    assert!(
        r.stderr.contains(&place),
        "expected {place:?} in {}",
        r.stderr
    );
    for needle in needles {
        assert!(
            r.stderr.contains(needle),
            "expected {needle:?} in {}",
            r.stderr
        );
    }
    // No partial output file either.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.json");
    let out_s = out.display().to_string();
    let mut with_o = args.clone();
    with_o.extend(["-o".to_string(), out_s]);
    let r2 = run(&with_o.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r2.status, 2, "{}", r2.stderr);
    assert!(!out.exists(), "a bad input left an output file");
    r.stderr
}

fn bounds_json(path: &Path, extra: &[&str]) -> Value {
    let mut args = bounds_args(path);
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.status, 0, "{}: {}", path.display(), r.stderr);
    serde_json::from_str(&r.stdout).expect("bounds JSON")
}

/// `(row, column, lower, upper)` of every hidden cell, in output order.
fn cells(v: &Value) -> Vec<(String, String, i64, Option<i64>)> {
    v["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            (
                c["at"][0].as_str().expect("row").to_string(),
                c["at"][1].as_str().expect("column").to_string(),
                c["lower"].as_i64().expect("lower"),
                c["upper"].as_i64(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- CSV

#[test]
fn csv_unclosed_quote_names_the_line() {
    assert_bad(
        &corpus("csv_unclosed_quote.csv"),
        Some(2),
        &["is a closing quote missing?"],
    );
}

#[test]
fn csv_ragged_line_names_the_line_and_counts() {
    assert_bad(
        &corpus("csv_ragged.csv"),
        Some(3),
        &["3 fields", "header (line 1) has 4"],
    );
}

#[test]
fn csv_stray_delimiter_names_the_line() {
    assert_bad(
        &corpus("csv_stray_delimiter.csv"),
        Some(2),
        &["5 fields", "header (line 1) has 4"],
    );
}

#[test]
fn csv_numbers_beyond_64_and_53_bits() {
    for name in ["csv_beyond_64_bits.csv", "csv_beyond_53_bits.csv"] {
        assert_bad(&corpus(name), Some(4), &["column \"Total\"", "(2^53 - 1)"]);
    }
}

#[test]
fn csv_invalid_utf8_names_the_line() {
    assert_bad(
        &corpus("invalid_utf8.csv"),
        Some(3),
        &["not valid UTF-8", "0xFF"],
    );
}

/// Labels with control characters other than white space are refused
/// (they would garble grids and terminals); JSON output escapes the white
/// space ones (tab, a line break in a quoted field), which are kept.
#[test]
fn control_characters_in_labels_are_refused() {
    assert_bad(
        &corpus("control_chars.csv"),
        Some(2),
        &["row label", "U+0001"],
    );
    assert_bad(
        &corpus("json_control_chars.json"),
        Some(1),
        &["dimensions[1].tree.T[0]", "U+0007"],
    );
}

#[test]
fn crlf_and_bom_give_the_same_bounds_as_lf() {
    let expected = cells(&bounds_json(&corpus("lf.csv"), &[]));
    assert_eq!(
        expected,
        vec![
            ("r1".to_string(), "B".to_string(), 4, Some(4)),
            ("r2".to_string(), "A".to_string(), 1, Some(1)),
        ]
    );
    for name in ["crlf.csv", "bom.csv", "bom_crlf.csv"] {
        let v = bounds_json(&corpus(name), &[]);
        assert_eq!(cells(&v), expected, "{name}");
        // The BOM is not part of the first label.
        assert_eq!(v["cells"][0]["at"][0], "r1", "{name}");
    }
}

/// Every cell hidden, margins included. The default rule puts each of the
/// 2 x 3 interior cells in 0..4, so a row total is in 0..12, a column
/// total in 0..8, the grand total in 0..24, all reached. With `--open`
/// nothing bounds any cell from above.
#[test]
fn a_hidden_cell_in_every_position() {
    let path = corpus("all_hidden.csv");
    let v = bounds_json(&path, &[]);
    let got = cells(&v);
    assert_eq!(got.len(), 12);
    for (row, column, lower, upper) in &got {
        let expected = match (row == "Total", column == "Total") {
            (false, false) => 4,
            (false, true) => 12,
            (true, false) => 8,
            (true, true) => 24,
        };
        assert_eq!((*lower, *upper), (0, Some(expected)), "{row}, {column}");
    }
    assert_eq!(v["summary"]["bounded"], 12);

    let open = bounds_json(&path, &["--open"]);
    for (row, column, lower, upper) in cells(&open) {
        assert_eq!((lower, upper), (0, None), "{row}, {column}");
    }
    assert_eq!(open["summary"]["unbounded"], 12);

    // Zeros shown: every cell at least 1, so the interior stays 1..4.
    let zeros = bounds_json(&path, &["--zeros-shown"]);
    for (row, column, lower, upper) in cells(&zeros) {
        let expected = match (row == "Total", column == "Total") {
            (false, false) => (1, 4),
            (false, true) => (3, 12),
            (true, false) => (2, 8),
            (true, true) => (6, 24),
        };
        assert_eq!(
            (lower, upper),
            (expected.0, Some(expected.1)),
            "{row}, {column}"
        );
    }
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_truncated_and_trailing_garbage() {
    assert_bad(&corpus("json_truncated.json"), Some(2), &["EOF"]);
    assert_bad(
        &corpus("json_trailing_garbage.json"),
        Some(5),
        &["trailing characters"],
    );
}

#[test]
fn json_wrong_types_name_the_field() {
    assert_bad(
        &corpus("json_wrong_type_value.json"),
        Some(2),
        &["cells[0].value", "found a string"],
    );
    assert_bad(
        &corpus("json_wrong_type_hidden.json"),
        Some(2),
        &["cells[1].hidden", "found a string"],
    );
    assert_bad(
        &corpus("json_wrong_type_code.json"),
        Some(1),
        &["dimensions[0].tree.T[1]", "found a number"],
    );
    assert_bad(
        &corpus("json_float.json"),
        Some(4),
        &["cells[8].value", "whole number"],
    );
}

#[test]
fn json_numbers_beyond_64_and_53_bits() {
    for name in ["json_beyond_64_bits.json", "json_beyond_53_bits.json"] {
        assert_bad(&corpus(name), Some(4), &["cells[8].value", "(2^53 - 1)"]);
    }
}

#[test]
fn json_invalid_utf8() {
    assert_bad(&corpus("invalid_utf8.json"), Some(1), &["not valid UTF-8"]);
}

#[test]
fn json_file_that_is_an_array() {
    assert_bad(
        &corpus("json_array.json"),
        Some(1),
        &["must be a JSON object", "found an array"],
    );
}

#[test]
fn json_duplicate_keys() {
    assert_bad(
        &corpus("json_duplicate_keys.json"),
        Some(1),
        &["dimensions[0].name", "appears twice"],
    );
    assert_bad(
        &corpus("json_duplicate_tree_keys.json"),
        Some(1),
        &["dimensions[1].tree.T", "appears twice"],
    );
    assert_bad(
        &corpus("json_duplicate_cell_keys.json"),
        Some(2),
        &["cells[1].hidden", "appears twice"],
    );
}

#[test]
fn json_valid_control_case_works() {
    let v = bounds_json(&corpus("json_valid.json"), &[]);
    assert_eq!(
        cells(&v),
        vec![
            ("a".to_string(), "y".to_string(), 4, Some(4)),
            ("b".to_string(), "x".to_string(), 1, Some(1)),
        ]
    );
}

#[test]
fn json_nested_100000_deep() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 100_000;
    let arrays = dir.path().join("deep_arrays.json");
    let text = format!(
        "{{\"dimensions\": [{{\"name\": \"r\", \"tree\": {}{}}}], \"cells\": []}}",
        "[".repeat(n),
        "]".repeat(n)
    );
    std::fs::write(&arrays, text).expect("write");
    assert_bad(&arrays, Some(1), &["nested more than"]);

    let objects = dir.path().join("deep_objects.json");
    let text = format!(
        "{{\"dimensions\": [{{\"name\": \"r\", \"tree\": {}null{}}}], \"cells\": []}}",
        "{\"a\": ".repeat(n),
        "}".repeat(n)
    );
    std::fs::write(&objects, text).expect("write");
    assert_bad(&objects, Some(1), &["nested more than"]);
}

// ---------------------------------------------------------------- size

/// Writes `head`, then `len` bytes of `fill`, then `tail`.
fn write_long(path: &Path, head: &[u8], fill: u8, len: usize, tail: &[u8]) {
    let mut w = BufWriter::new(File::create(path).expect("create"));
    w.write_all(head).expect("write");
    let buffer = vec![fill; 1 << 20];
    let mut left = len;
    while left > 0 {
        let k = left.min(buffer.len());
        w.write_all(&buffer[..k]).expect("write");
        left -= k;
    }
    w.write_all(tail).expect("write");
    w.flush().expect("flush");
}

/// A 1 GB line is refused once it passes 16 MiB (the line limit), naming
/// its line; a JSON file of 1 GB is refused from its size before it is
/// read. Neither is held in memory.
#[test]
fn a_one_gigabyte_line_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("long.csv");
    write_long(&csv, b"r,a,Total\nr1,", b'7', 1_000_000_000, b",7,7\n");
    let started = Instant::now();
    assert_bad(&csv, Some(2), &["longer than 16 MiB"]);
    eprintln!(
        "1 GB CSV line refused in {:?} (two runs)",
        started.elapsed()
    );
    std::fs::remove_file(&csv).expect("remove");

    let json = dir.path().join("long.json");
    write_long(&json, b"{\"name\": \"", b'a', 1_000_000_000, b"\"}");
    assert_bad(&json, None, &["larger than 256 MiB"]);
    std::fs::remove_file(&json).expect("remove");
}

/// A file that is not JSON by name but starts like JSON is known to be
/// JSON from its first bytes: then refused from its size.
#[test]
fn a_large_file_detected_as_json_is_refused_at_the_file_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("long.model");
    write_long(&path, b"{\"name\": \"", b'a', 300 << 20, b"\"}");
    assert_bad(&path, None, &["larger than 256 MiB"]);
}

// ---------------------------------------------------------------- big grids

/// A `rows x columns` grid with a total row and a total column, and two
/// 2 x 2 blocks of hidden cells whose bounds are known: in the top-left
/// block (values 4 1 / 1 4) every cell is in 1..4; in the bottom-right one
/// (values 0 3 / 2 1) the cells are in 0..2, 1..3 / 0..2, 1..3.
fn write_grid(path: &Path, rows: usize, columns: usize) {
    let value = |r: usize, c: usize| -> u64 {
        match (r, c) {
            (1, 1) | (2, 2) => 4,
            (1, 2) | (2, 1) => 1,
            _ if (r, c) == (rows - 2, columns - 2) => 0,
            _ if (r, c) == (rows - 2, columns - 1) => 3,
            _ if (r, c) == (rows - 1, columns - 2) => 2,
            _ if (r, c) == (rows - 1, columns - 1) => 1,
            _ => ((r * 7 + c * 3) % 10 + 1) as u64,
        }
    };
    let hidden = |r: usize, c: usize| {
        (1..=2).contains(&r) && (1..=2).contains(&c)
            || (rows - 2..rows).contains(&r) && (columns - 2..columns).contains(&c)
    };
    let mut w = BufWriter::new(File::create(path).expect("create"));
    write!(w, "r").expect("write");
    for c in 0..columns {
        write!(w, ",c{c}").expect("write");
    }
    writeln!(w, ",Total").expect("write");
    let mut column_totals = vec![0u64; columns];
    for r in 0..rows {
        write!(w, "r{r}").expect("write");
        let mut row_total = 0;
        for (c, total) in column_totals.iter_mut().enumerate() {
            let v = value(r, c);
            row_total += v;
            *total += v;
            if hidden(r, c) {
                write!(w, ",x").expect("write");
            } else {
                write!(w, ",{v}").expect("write");
            }
        }
        writeln!(w, ",{row_total}").expect("write");
    }
    write!(w, "Total").expect("write");
    for t in &column_totals {
        write!(w, ",{t}").expect("write");
    }
    writeln!(w, ",{}", column_totals.iter().sum::<u64>()).expect("write");
    w.flush().expect("flush");
}

fn check_big_grid(rows: usize, columns: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.csv");
    write_grid(&path, rows, columns);
    let started = Instant::now();
    let v = bounds_json(&path, &[]);
    eprintln!(
        "{rows} x {columns} grid ({} cells with margins): {:?}",
        (rows + 1) * (columns + 1),
        started.elapsed()
    );
    let (r1, r2) = (format!("r{}", rows - 2), format!("r{}", rows - 1));
    let (c1, c2) = (format!("c{}", columns - 2), format!("c{}", columns - 1));
    let s = |x: &str| x.to_string();
    assert_eq!(
        cells(&v),
        vec![
            (s("r1"), s("c1"), 1, Some(4)),
            (s("r1"), s("c2"), 1, Some(4)),
            (s("r2"), s("c1"), 1, Some(4)),
            (s("r2"), s("c2"), 1, Some(4)),
            (r1.clone(), c1.clone(), 0, Some(2)),
            (r1, c2.clone(), 1, Some(3)),
            (r2.clone(), c1, 0, Some(2)),
            (r2, c2, 1, Some(3)),
        ]
    );
}

#[test]
fn a_grid_of_one_million_cells() {
    check_big_grid(1000, 1000);
}

/// 10,000 x 1,000 with both margins: 10,011,001 cells (its time and peak
/// memory are in docs/benchmarks.md, "Test workloads").
#[test]
#[ignore = "10 million cells: run in release, `cargo test --release -p cellbound-cli -- --ignored hostile::`"]
fn a_grid_of_ten_million_cells() {
    check_big_grid(10_000, 1000);
}

/// A grid of more fields than cellbound reads (here 5,000 x 4,100, 20.5
/// million, in 41 MB) is refused while it is read, exit 2 naming the line
/// where the limit passed, instead of growing past the machine's memory.
#[test]
fn a_grid_past_the_field_limit_is_refused_while_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.csv");
    let columns = 4_100;
    let mut text = String::from("r");
    for c in 0..columns {
        text.push_str(&format!(",c{c}"));
    }
    text.push('\n');
    let row = ",1".repeat(columns);
    for r in 0..5_000 {
        text.push_str(&format!("r{r}{row}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let out = run(&["bounds", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("more than 20000000 fields"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("huge.csv:4877"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}
