//! Long files and SDMX-CSV through the binary: each file of
//! `tests/data/long/` gives the bounds of the same table written as a grid
//! or a JSON model; `--format long` writes the input's rows back; `audit`,
//! `explain` and `verify` read long files as `bounds` does.

use crate::common::{path, run, write};

/// `lower,upper,status` of every hidden cell, in input order, from the
/// CSV output of `bounds` (the label columns differ between layouts).
fn bounds(file: &str, extra: &[&str]) -> Vec<String> {
    let p = path(file);
    let mut args = vec!["bounds", p.as_str(), "--open", "--format", "csv"];
    args.extend(extra);
    let (status, out, err) = run(&args);
    assert_eq!(status, 0, "{file}: {err}");
    let rows: Vec<String> = out
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f[f.len() - 3..].join(",")
        })
        .collect();
    assert!(!rows.is_empty(), "{file}: no hidden cell");
    rows
}

#[test]
fn statcan_full_table_gives_the_grid_bounds() {
    assert_eq!(
        bounds(
            "tests/data/long/statcan-declarations.csv",
            &["--total-code", "Bas-Saint-Laurent", "--total-code", "Total"]
        ),
        bounds("examples/table1-declarations.csv", &[])
    );
}

#[test]
fn sdmx_v2_with_labels_gives_the_grid_bounds() {
    assert_eq!(
        bounds("tests/data/long/sdmx2-declarations.csv", &[]),
        bounds("examples/table1-declarations.csv", &[])
    );
}

#[test]
fn sdmx_v1_with_an_hrc_hierarchy_gives_the_model_bounds() {
    let hrc = path("tests/data/long/territoire.hrc");
    assert_eq!(
        bounds(
            "tests/data/long/sdmx1-declarations.csv",
            &["--hierarchy", &format!("TERRITOIRE={hrc}")]
        ),
        bounds("examples/hierarchy.json", &[])
    );
}

#[test]
fn json_tree_hierarchy_and_a_named_value_column() {
    let tree = path("tests/data/long/territoire.json");
    assert_eq!(
        bounds(
            "tests/data/long/declarations-semicolon.csv",
            &[
                "--hierarchy",
                &format!("territoire={tree}"),
                "--value",
                "count"
            ]
        ),
        bounds("examples/hierarchy.json", &[])
    );
}

#[test]
fn prefix_hierarchy_with_naics_ranges() {
    assert_eq!(
        bounds(
            "tests/data/long/naics-prefix.csv",
            &[
                "--hierarchy",
                "NAICS=prefix",
                "--total-code",
                "Total",
                "--total-code",
                "Canada"
            ]
        ),
        bounds("tests/data/long/naics-model.json", &[])
    );
}

#[test]
fn long_in_long_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let file = path("tests/data/long/statcan-declarations.csv");
    let (status, _, err) = run(&[
        "bounds",
        &file,
        "--open",
        "--total-code",
        "Bas-Saint-Laurent",
        "--total-code",
        "Total",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(status, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let input = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), input.lines().count());
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("REF_DATE,GEO,DGUID,Volet,")
            && header.ends_with(",DECIMALS,lower,upper,status,meaning"),
        "{header}"
    );
    // The hidden cells of La Mitis: Volet 1 and 3 (9 published, 20 in all).
    let mitis: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("MRC La Mitis"))
        .collect();
    assert_eq!(mitis.len(), 4);
    assert!(
        mitis[0].ends_with(",x,,,0,3,11,bounded,hidden"),
        "{}",
        mitis[0]
    );
    assert!(mitis[1].ends_with(",9,,,,0,9,9,published,"), "{}", mitis[1]);
    // --format long on a grid is refused, naming the way out.
    let grid = path("examples/table1-declarations.csv");
    let (status, _, err) = run(&["bounds", &grid, "--open", "--format", "long"]);
    assert_eq!(status, 2);
    assert!(err.contains("this input is not a long file"), "{err}");
}

#[test]
fn explain_audit_and_verify_read_long_files() {
    let file = path("tests/data/long/sdmx2-declarations.csv");
    let (status, out, err) = run(&["explain", &file, "--open", "--cell", "A,M04,V1,2023"]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("11"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("b.json");
    let (status, _, err) = run(&[
        "bounds",
        &file,
        "--open",
        "--witnesses",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(status, 0, "{err}");
    let (status, _, err) = run(&["verify", &file, json.to_str().unwrap()]);
    assert_eq!(status, 0, "{err}");
    // The truth as a long file too.
    // La Mitis 6 and 5 (11), Les Basques 7 and 3 (10): the columns add up.
    let mut truth = std::fs::read_to_string(&file).unwrap();
    for v in ["6", "5", "7", "3"] {
        truth = truth.replacen(
            ",,,C: Confidential,",
            &format!(",{v},A: Normal value,F: Free,"),
            1,
        );
    }
    let truth = write(dir.path(), "truth.csv", &truth);
    let (status, out, err) = run(&["audit", &file, "--truth", &truth, "--format", "csv"]);
    assert!(status == 0 || status == 1, "{err}");
    assert_eq!(out.lines().count(), 5, "{out}");
}

#[test]
fn errors_exit_2_naming_line_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "dup.csv", "GEO,VALUE\nA,1\nB,2\nA,3\n");
    let (status, _, err) = run(&["bounds", &f]);
    assert_eq!(status, 2);
    assert!(
        err.contains("dup.csv:4: the cell") && err.contains("line 2 and this one"),
        "{err}"
    );
    let f = write(
        dir.path(),
        "miss.csv",
        "GEO,SEX,VALUE\nA,M,1\nA,F,\nB,M,3\n",
    );
    let (status, _, err) = run(&["bounds", &f]);
    assert_eq!(status, 2);
    assert!(
        err.contains("has no row") && err.contains("--absent zero"),
        "{err}"
    );
    let (status, _, err) = run(&["bounds", &f, "--absent", "zero", "--format", "csv"]);
    assert_eq!(status, 0, "{err}");
    let f = write(dir.path(), "flag.csv", "GEO,VALUE,STATUS\nA,1,\nB,,E\n");
    let (status, _, err) = run(&["bounds", &f]);
    assert_eq!(status, 2);
    assert!(
        err.contains("flag.csv:3: column \"STATUS\": the flag \"E\" has no known meaning"),
        "{err}"
    );
    let grid = path("examples/table1-declarations.csv");
    let (status, _, err) = run(&["bounds", &grid, "--hierarchy", "MRC=prefix"]);
    assert_eq!(status, 2);
    assert!(
        err.contains("--hierarchy applies to long files") && err.contains("--layout long"),
        "{err}"
    );
    let (status, _, err) = run(&["bounds", &f, "--hierarchy", "GEO"]);
    assert_eq!(status, 2);
    assert!(err.contains("DIM=prefix"), "{err}");
}

#[test]
fn synth_long_reads_back_to_the_same_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("h.csv");
    let json = dir.path().join("h.json");
    for (out, layout) in [(&long, Some("long")), (&json, None)] {
        let mut args = vec![
            "synth",
            "--shape",
            "hier",
            "--geo",
            "2,6,20",
            "--ind",
            "2,5,12",
            "--seed",
            "7",
            "-o",
            out.to_str().unwrap(),
        ];
        if let Some(l) = layout {
            args.extend(["--layout", l]);
        }
        let (status, _, err) = run(&args);
        assert_eq!(status, 0, "{err}");
    }
    let l = long.to_str().unwrap().to_string();
    let j = json.to_str().unwrap().to_string();
    let read = |args: &[&str]| {
        let (status, out, err) = run(args);
        assert_eq!(status, 0, "{err}");
        out.lines()
            .skip(1)
            .map(|l| l.rsplitn(4, ',').take(3).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        read(&[
            "bounds",
            &l,
            "--open",
            "--hierarchy",
            "geography=prefix",
            "--hierarchy",
            "industry=prefix",
            "--format",
            "csv"
        ]),
        read(&["bounds", &j, "--open", "--format", "csv"])
    );
}

#[test]
fn impute_fills_a_long_file_in_its_own_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("filled.csv");
    let file = path("tests/data/long/naics-prefix.csv");
    let flags = [
        "--hierarchy",
        "NAICS=prefix",
        "--total-code",
        "Total",
        "--total-code",
        "Canada",
    ];
    let mut args = vec![
        "impute",
        file.as_str(),
        "--open",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(flags);
    let (status, _, err) = run(&args);
    assert_eq!(status, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let input = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), input.lines().count());
    assert!(!text.contains(",x"), "{text}");
    for (a, b) in input.lines().zip(text.lines()) {
        if !a.ends_with(",x") {
            assert_eq!(a, b);
        }
    }
    // The filled table reads back with every cell published and every
    // line adding up.
    let out = out.to_str().unwrap().to_string();
    let mut args = vec!["bounds", out.as_str(), "--format", "csv"];
    args.extend(flags);
    let (status, stdout, err) = run(&args);
    assert_eq!(status, 0, "{err}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}
