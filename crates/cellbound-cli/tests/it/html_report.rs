//! The HTML report (`--format html`) without a browser: the page is self-
//! contained, carries every hidden cell with its interval and the
//! derivations `explain` gives, escapes what the input says, and exits as
//! the other formats do. `tests/browser/run.sh` checks it in Chromium.

use serde_json::Value;

use crate::common::{path, run, run_in, write};

const T1: &str = "examples/table1-declarations.csv";
const T4: &str = "examples/table4-peq-graduates.csv";
const TRUTH4: &str = "tests/data/audit/table4-truth.csv";

/// The JSON the page draws itself from.
fn data(page: &str) -> Value {
    serde_json::from_str(split(page).1).expect("the data block is JSON")
}

/// The page without its data block, and the data block.
fn split(page: &str) -> (String, &str) {
    let start = r#"<script type="application/json" id="data">"#;
    let from = page.find(start).expect("the data block") + start.len();
    let to = from + page[from..].find("</script>").expect("its end");
    (format!("{}{}", &page[..from], &page[to..]), &page[from..to])
}

/// Nothing the page could fetch: no address, no `src`, no stylesheet link
/// outside the data, and no markup inside it.
fn assert_self_contained(page: &str) {
    let (outside, inside) = split(page);
    assert!(
        !inside.contains(['<', '>', '&']),
        "markup characters in the data block"
    );
    let lower = outside.to_lowercase();
    for bad in [
        "http://", "https://", "src=", "<link", "@import", "url(", "//cdn",
    ] {
        assert!(!lower.contains(bad), "the page contains {bad:?}");
    }
    assert_eq!(
        lower.matches("<script").count(),
        2,
        "the data and the script"
    );
}

fn interval(c: &Value) -> String {
    let lo = c["lower"].as_i64().unwrap();
    match c["upper"].as_i64() {
        None => format!("{lo}.."),
        Some(hi) if hi == lo => format!("={lo}"),
        Some(hi) => format!("{lo}..{hi}"),
    }
}

/// Every hidden cell of the bounds JSON is in the page, in order, with
/// its interval, and a grid's cell names it.
fn assert_cells(page: &Value, json: &Value) {
    let cells = json["cells"].as_array().unwrap();
    let hidden = page["hidden"].as_array().unwrap();
    assert_eq!(hidden.len(), cells.len());
    for (i, (h, c)) in hidden.iter().zip(cells).enumerate() {
        let iv = h["iv"].as_str().unwrap().trim_end_matches(['^', '?']);
        assert_eq!(iv, interval(c), "cell {i}");
        let at: Vec<&str> = c["at"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(h["name"], at.join(", "), "cell {i}");
    }
    let shown: usize = page["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap())
        .flat_map(|r| r["cells"].as_array().unwrap())
        .filter(|v| v.is_string())
        .count();
    assert_eq!(shown, cells.len(), "each hidden cell drawn once");
}

/// The text under `lower bound N:` or `upper bound N:` in explain's table.
fn explain_side(text: &str, side: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(side)).skip(1);
    let mut out = Vec::new();
    for l in lines.by_ref() {
        match l.strip_prefix("  ") {
            Some(l) => out.push(l),
            None => break,
        }
    }
    out.join("\n")
}

#[test]
fn table1_open_shows_the_four_intervals_and_the_derivations_explain_gives() {
    let (code, page, err) = run(&["bounds", &path(T1), "--open", "--format", "html"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_self_contained(&page);
    let (_, json, _) = run(&["bounds", &path(T1), "--open", "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let d = data(&page);
    assert_cells(&d, &json);
    assert_eq!(d["derivations"], true);
    // The summary in the table output's words.
    let (_, table, _) = run(&["bounds", &path(T1), "--open", "--format", "table"]);
    for line in d["summary"].as_array().unwrap() {
        assert!(table.contains(line.as_str().unwrap()), "{line}");
    }
    let mitis = d["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "MRC La Mitis, Volet 1")
        .unwrap();
    assert_eq!(mitis["iv"], "3..11");
    let (_, explained, _) = run(&[
        "explain",
        &path(T1),
        "--open",
        "--cell",
        "MRC La Mitis,Volet 1",
        "--format",
        "table",
    ]);
    assert_eq!(mitis["lower"], explain_side(&explained, "lower bound 3:"));
    assert_eq!(mitis["upper"], explain_side(&explained, "upper bound 11:"));
    let lines: Vec<&str> = mitis["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert!(lines.contains(&"row \"MRC La Mitis\""), "{lines:?}");
}

#[test]
fn the_extension_html_chooses_the_format() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["r.html", "R.HTM"] {
        let r = run_in(dir.path(), &["bounds", &path(T1), "--open", "-o", name]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        let page = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"), "{name}");
    }
}

#[test]
fn a_hostile_label_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let label = "<script>alert(1)</script>";
    let col = "</script><img src=x onerror=alert(2)>";
    let file = write(
        dir.path(),
        "evil.csv",
        &format!("R,A,\"{col}\",Total\n{label},x,x,8\nr2,5,7,12\nTotal,x,x,20\n"),
    );
    for args in [
        vec!["bounds", file.as_str(), "--open", "--format", "html"],
        vec!["impute", file.as_str(), "--open", "--format", "html"],
    ] {
        let (code, page, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        assert_self_contained(&page);
        // The labels are only in the data block, where no `<` is left.
        assert!(
            !split(&page).0.contains("alert("),
            "a label outside the data"
        );
        let d = data(&page);
        assert_eq!(d["tables"][0]["rows"][0]["labels"][0], label);
        assert_eq!(d["tables"][0]["cols"][1], col);
    }
    // The file name, the one text outside the data, is escaped too.
    let named = write(
        dir.path(),
        "<b>.csv",
        "R,A,B,Total\nr1,x,x,8\nr2,5,7,12\nTotal,x,x,20\n",
    );
    let (code, page, _) = run(&["bounds", &named, "--open", "--format", "html"]);
    assert_eq!(code, 0);
    assert!(page.contains("&lt;b&gt;.csv</title>") && !page.contains("<b>.csv"));
}

#[test]
fn infeasible_writes_the_infeasible_page_with_o_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    // Table 1 under the threshold has no integer table.
    let (code, out, err) = run(&["bounds", &path(T1), "--format", "html"]);
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    for args in [
        vec!["bounds", &path(T1), "-o", "r.html"],
        vec!["impute", &path(T1), "--format", "html", "-o", "r.html"],
    ] {
        std::fs::write(dir.path().join("r.html"), "an earlier run\n").unwrap();
        let r = run_in(dir.path(), &args);
        assert_eq!(r.status, 3, "{}", r.stderr);
        let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
        assert_self_contained(&page);
        let d = data(&page);
        assert!(
            d["infeasible"].as_str().unwrap().contains("MRC La Mitis"),
            "{d}"
        );
    }
}

#[test]
fn audit_shows_the_verdict_per_cell_and_exits_as_audit_does() {
    for (extra, verdict, want) in [
        (vec![], "pass", 0),
        (vec!["--zeros-shown", "--min-width", "2"], "fail", 1),
    ] {
        let mut args = vec!["audit", "--truth", TRUTH4];
        args.extend(&extra);
        let truth = path(TRUTH4);
        let file = path(T4);
        let args: Vec<&str> = args
            .iter()
            .map(|a| match *a {
                TRUTH4 => truth.as_str(),
                a => a,
            })
            .chain([file.as_str()])
            .collect();
        let (code, page, err) = run(&[args.as_slice(), &["--format", "html"]].concat());
        assert_eq!(code, want, "{err}");
        assert_self_contained(&page);
        let (_, json, _) = run(&[args.as_slice(), &["--format", "json"]].concat());
        let json: Value = serde_json::from_str(&json).unwrap();
        let d = data(&page);
        assert_cells(&d, &json);
        assert_eq!(d["passed"], verdict == "pass");
        assert!(d["summary"][0]
            .as_str()
            .unwrap()
            .starts_with(&verdict.to_uppercase()));
        for (h, c) in d["hidden"]
            .as_array()
            .unwrap()
            .iter()
            .zip(json["cells"].as_array().unwrap())
        {
            assert_eq!(h["verdict"], c["verdict"]);
            assert_eq!(h["value"], c["value"]);
            assert!(h["lower"].is_string(), "a derivation per cell");
        }
    }
}

#[test]
fn impute_shows_each_estimate_with_its_interval() {
    let (code, page, err) = run(&["impute", &path(T4), "--zeros-shown", "--format", "html"]);
    assert_eq!(code, 0, "{err}");
    let (_, json, _) = run(&["impute", &path(T4), "--zeros-shown", "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let d = data(&page);
    assert_cells(&d, &json);
    for (h, c) in d["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .zip(json["cells"].as_array().unwrap())
    {
        assert_eq!(h["estimate"], c["estimate"]);
    }
}

#[test]
fn past_the_limit_the_page_says_where_derivations_are() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["synth", "--rows", "400", "--cols", "40", "-o", "big.csv"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let r = run_in(
        dir.path(),
        &["bounds", "big.csv", "--open", "--format", "html"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let d = data(&r.stdout);
    let hidden = d["hidden"].as_array().unwrap().len();
    if hidden > 5000 {
        assert_eq!(d["derivations"], false);
        assert!(d["note"].as_str().unwrap().contains("cellbound explain"));
    } else {
        assert_eq!(d["derivations"], true);
        assert!(d["hidden"][0]["lower"].is_string());
    }
}
