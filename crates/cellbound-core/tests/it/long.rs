//! The long reader and SDMX-CSV (docs/formats.md, "Long files and
//! SDMX-CSV"): the structure it builds, its hierarchies, every error it
//! names, and synthetic tables read back as long files.

use cellbound_core::io::hierarchy::{prefix_parents, HierarchySpec, Tree};
use cellbound_core::io::long::{self, InputLayout, LongOptions};
use cellbound_core::io::{Format, GridOptions};
use cellbound_core::synth::{Params, Shape, Synth};
use cellbound_core::{Entry, InputError, Model};
use proptest::prelude::*;

fn read_with(text: &str, options: &GridOptions) -> Result<Model, InputError> {
    long::read_with_warnings(text.as_bytes(), "t.csv", "t", options).map(|(m, ..)| m)
}

fn read(text: &str) -> Model {
    read_with(text, &GridOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn err_with(text: &str, options: &GridOptions) -> InputError {
    match read_with(text, options) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e,
    }
}

fn err(text: &str) -> InputError {
    err_with(text, &GridOptions::default())
}

fn with_long(long: LongOptions) -> GridOptions {
    GridOptions {
        long,
        ..GridOptions::default()
    }
}

fn codes(model: &Model, d: usize) -> Vec<String> {
    model.tables[0].dimensions[d].codes().to_vec()
}

fn parent_of(model: &Model, d: usize, code: &str) -> Option<String> {
    let dim = &model.tables[0].dimensions[d];
    dim.parent(dim.find(code).unwrap())
        .map(|p| dim.code(p).to_string())
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cellbound-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

// ---------------------------------------------------------------- reading

#[test]
fn columns_totals_and_entries() {
    let m = read("GEO,SEX,VALUE,STATUS\nA,M,3,\nA,F,,x\nA,Total,7,\n");
    let t = &m.tables[0];
    assert_eq!(t.dimensions.len(), 2);
    assert_eq!(t.dimensions[0].name(), "GEO");
    assert_eq!(codes(&m, 1), ["M", "F", "Total"]);
    assert_eq!(parent_of(&m, 1, "M").as_deref(), Some("Total"));
    assert_eq!(parent_of(&m, 0, "A"), None);
    assert_eq!(t.cells[0].entry, Entry::Published(3));
    assert_eq!(t.cells[1].entry, Entry::Hidden);
    assert_eq!(t.cells[2].line, Some(4));
    assert_eq!(t.cells[2].origin, "line 4");
}

#[test]
fn known_metadata_columns_are_ignored_and_listed_once() {
    let text = "REF_DATE,GEO,DGUID,UOM,VALUE,STATUS,SYMBOL,TERMINATED,DECIMALS\n\
                2020,A,d1,Number,1,,,,0\n2020,B,d2,Number,2,,,,0\n2020,Total,d0,Number,3,,,,0\n";
    let (m, warnings, _) =
        long::read_with_warnings(text.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
    assert_eq!(m.tables[0].dimensions.len(), 2, "REF_DATE and GEO");
    assert_eq!(codes(&m, 0), ["2020"]);
    assert_eq!(warnings.len(), 1);
    let w = warnings[0].to_string();
    assert!(
        w.contains("ignored: DGUID, UOM, SYMBOL, TERMINATED, DECIMALS"),
        "{w}"
    );
}

#[test]
fn dims_value_and_flag_options() {
    let text = "a;b;x;n;f\n1;p;9;3;\n1;q;9;;s\n1;Tous;9;5;\n";
    let options = with_long(LongOptions {
        dims: Some(vec!["b".into()]),
        value: Some("n".into()),
        flag: Some("f".into()),
        ..LongOptions::default()
    });
    let e = err_with(text, &options);
    assert_eq!(e.line, Some(3));
    assert_eq!(e.field.as_deref(), Some("column \"f\""));
    assert!(
        e.message.contains("the flag \"s\" has no known meaning"),
        "{e}"
    );
    let text = text.replace(";s\n", ";x\n");
    let m = read_with(&text, &options).unwrap();
    assert_eq!(m.tables[0].dimensions.len(), 1);
    assert_eq!(m.tables[0].cells[1].entry, Entry::Hidden);
}

#[test]
fn the_value_column_must_exist() {
    let e = err_with(
        "GEO,V\nA,1\n",
        &with_long(LongOptions {
            dims: Some(vec!["GEO".into()]),
            ..LongOptions::default()
        }),
    );
    assert!(e.message.contains("no value column"), "{e}");
    assert!(e.message.contains("--value"), "{e}");
    let e = err_with(
        "GEO,V\nA,1\n",
        &with_long(LongOptions {
            value: Some("W".into()),
            ..LongOptions::default()
        }),
    );
    assert!(
        e.message
            .starts_with("--value W: the header has no such column"),
        "{e}"
    );
}

#[test]
fn a_cell_on_two_rows_names_both_lines() {
    let e = err("GEO,VALUE\nA,1\nB,2\nA,3\n");
    assert_eq!(e.line, Some(4));
    assert!(
        e.message.contains("has two rows, line 2 and this one"),
        "{e}"
    );
}

#[test]
fn a_missing_cell_names_its_codes_and_the_way_out() {
    let text = "GEO,SEX,VALUE\nA,M,1\nA,F,2\nB,M,3\n";
    let e = err(text);
    assert!(e.message.contains("\"B\", \"F\""), "{e}");
    assert!(e.message.contains("has no row"), "{e}");
    assert!(e.message.contains("--absent zero"), "{e}");
    let m = read_with(
        text,
        &with_long(LongOptions {
            absent_zero: true,
            ..LongOptions::default()
        }),
    )
    .unwrap();
    assert_eq!(m.tables[0].cells.len(), 3);
}

#[test]
fn two_total_codes_in_one_dimension() {
    let e = err("GEO,VALUE\nTotal,3\nA,1\nAll,2\n");
    assert_eq!(e.line, Some(4));
    assert!(
        e.message
            .contains("two total codes, \"Total\" (line 2) and \"All\""),
        "{e}"
    );
    assert!(e.message.contains("--total-code"), "{e}");
}

#[test]
fn total_codes_replace_the_defaults() {
    let options = with_long(LongOptions {
        total_codes: vec!["canada".into()],
        ..LongOptions::default()
    });
    let m = read_with("GEO,VALUE\nCanada,3\nON,1\nQC,2\n", &options).unwrap();
    assert_eq!(parent_of(&m, 0, "QC").as_deref(), Some("Canada"));
    let m = read_with("GEO,VALUE\nTotal,3\nON,1\nQC,2\n", &options).unwrap();
    assert_eq!(
        parent_of(&m, 0, "QC"),
        None,
        "Total is not a total code now"
    );
}

#[test]
fn ragged_rows_and_empty_codes() {
    let e = err("GEO,VALUE\nA,1\nB,2,3\n");
    assert_eq!(e.line, Some(3));
    assert!(
        e.message
            .contains("this row has 3 fields but the header has 2"),
        "{e}"
    );
    let e = err("GEO,SEX,VALUE\nA,,1\n");
    assert_eq!(e.field.as_deref(), Some("column \"SEX\""));
    assert!(e.message.contains("code is empty"), "{e}");
}

#[test]
fn line_numbers_count_blank_lines_and_crlf() {
    let m = read("GEO,VALUE\r\n\r\nA,1\r\nB,2\r\n\r\nTotal,3\r\n");
    let lines: Vec<_> = m.tables[0].cells.iter().map(|c| c.line).collect();
    assert_eq!(lines, [Some(3), Some(4), Some(6)]);
    let m = read("GEO,VALUE\n\nA,1\nB,\"2\"\n\n\nTotal,3\n");
    let lines: Vec<_> = m.tables[0].cells.iter().map(|c| c.line).collect();
    assert_eq!(lines, [Some(3), Some(4), Some(7)]);
}

// ---------------------------------------------------------------- SDMX

#[test]
fn sdmx_v1_dimensions_flags_and_attributes() {
    let text = "DATAFLOW,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS,UNIT_MULT\n\
                E:X(1.0),AT,F,2020,4,A,,0\nE:X(1.0),AT,M,2020,,,C,0\nE:X(1.0),AT,_T,2020,9,A,F,0\n";
    let (m, warnings, info) =
        long::read_with_warnings(text.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
    let t = &m.tables[0];
    let names: Vec<_> = t.dimensions.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["REF_AREA", "SEX", "TIME_PERIOD"]);
    assert_eq!(parent_of(&m, 1, "F").as_deref(), Some("_T"));
    // Read with the sdmx profile: CONF_STATUS C (confidential, identifiable
    // respondents) is not assumed small.
    assert_eq!(
        t.cells[1].entry,
        Entry::Range {
            lo: Some(0),
            hi: None
        }
    );
    assert_eq!(info.sdmx, Some(long::Sdmx::V1));
    assert_eq!(info.meaning(1), "secondary");
    assert_eq!(info.meaning(0), "published");
    assert!(warnings[0].to_string().contains("--profile sdmx"));
    assert!(warnings
        .iter()
        .any(|w| w.to_string().contains("ignored: UNIT_MULT")));
}

#[test]
fn sdmx_v2_labels_both_uses_the_codes() {
    let text =
        "STRUCTURE,STRUCTURE_ID,ACTION,SEX:Sex,TIME_PERIOD:Time,OBS_VALUE:Value,CONF_STATUS:Conf\n\
                dataflow,E:X(1.0),I,F: Female,2020,4,F: Free\n\
                dataflow,E:X(1.0),I,M: Male,2020,,D: Secondary\n\
                dataflow,E:X(1.0),I,_T: Total,2020,9,F: Free\n";
    let (m, warnings, _) =
        long::read_with_warnings(text.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
    assert_eq!(codes(&m, 0), ["F", "M", "_T"]);
    assert_eq!(
        m.tables[0].cells[1].entry,
        Entry::Range {
            lo: Some(0),
            hi: None
        },
        "D is secondary confidentiality"
    );
    assert!(warnings
        .iter()
        .any(|w| w.to_string().contains("labels=both")));
}

#[test]
fn eurostat_last_update_is_not_a_dimension() {
    let text = "DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n\
                ESTAT:X(1.0),01/02/24 23:00:00,A,AT,2020,5,\n\
                ESTAT:X(1.0),03/02/24 23:00:00,A,BE,2020,7,p\n";
    let (m, warnings, _) =
        long::read_with_warnings(text.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
    let names: Vec<_> = m.tables[0].dimensions.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["freq", "geo", "TIME_PERIOD"]);
    // OBS_FLAG is Eurostat's flag column (read with the sdmx profile):
    // `p` (provisional) is published.
    assert!(!warnings
        .iter()
        .any(|w| w.to_string().contains("ignored: OBS_FLAG")));
    assert_eq!(m.tables[0].cells[1].entry, Entry::Published(7));
}

#[test]
fn colons_are_kept_outside_sdmx() {
    let m = read("Region: name,VALUE\nOttawa: Centre,1\nOttawa: West,2\n");
    assert_eq!(m.tables[0].dimensions[0].name(), "Region: name");
    assert_eq!(codes(&m, 0), ["Ottawa: Centre", "Ottawa: West"]);
}

#[test]
fn sdmx_refuses_deletions_and_several_dataflows() {
    let e =
        err("STRUCTURE,STRUCTURE_ID,ACTION,SEX,OBS_VALUE\ndataflow,X,I,F,1\ndataflow,X,D,M,2\n");
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(3), Some("column \"ACTION\""))
    );
    assert!(e.message.contains("ACTION D deletes observations"), "{e}");
    let e = err("DATAFLOW,SEX,OBS_VALUE\nX,F,1\nY,M,2\n");
    assert_eq!(e.line, Some(3));
    assert!(
        e.message.contains("a second dataflow, \"Y\" after \"X\""),
        "{e}"
    );
}

#[test]
fn unmapped_sdmx_flag_names_its_column() {
    let e = err("DATAFLOW,SEX,OBS_VALUE,OBS_STATUS\nX,F,1,Z9\n");
    assert_eq!(e.field.as_deref(), Some("column \"OBS_STATUS\""));
    assert!(e.message.contains("--flag-meaning Z9="), "{e}");
}

// ---------------------------------------------------------------- detection

#[test]
fn which_csv_files_are_long() {
    let o = GridOptions::default();
    let p = std::path::Path::new("t.csv");
    let detect = |text: &str, o: &GridOptions| Format::detect_with(p, text.as_bytes(), o);
    assert_eq!(detect("GEO,VALUE\nA,1\n", &o), Format::Long);
    assert_eq!(detect("\u{feff}geo;obs_value\nA;1\n", &o), Format::Long);
    assert_eq!(detect("DATAFLOW,A,B\n", &o), Format::Long);
    assert_eq!(
        detect("STRUCTURE,STRUCTURE_ID,ACTION,A\n", &o),
        Format::Long
    );
    assert_eq!(detect("Region,Volet 1,Total\nA,1,1\n", &o), Format::CsvGrid);
    assert_eq!(detect("GEO,count\nA,1\n", &o), Format::CsvGrid);
    let forced = GridOptions {
        layout: Some(InputLayout::Grid),
        ..GridOptions::default()
    };
    assert_eq!(detect("GEO,VALUE\nA,1\n", &forced), Format::CsvGrid);
    let value = with_long(LongOptions {
        value: Some("count".into()),
        ..LongOptions::default()
    });
    assert_eq!(detect("GEO,count\nA,1\n", &value), Format::Long);
    assert_eq!(
        Format::detect_with(std::path::Path::new("t.json"), b"{}", &value),
        Format::JsonModel
    );
}

// ---------------------------------------------------------------- hierarchies

#[test]
fn hrc_levels_and_errors() {
    let t = Tree::hrc("A\n@A1\n@@A11\n@A2\nB\n", "h.hrc").unwrap();
    let parents: Vec<_> = t.nodes.iter().map(|n| n.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(1), Some(0), None]);
    let e = Tree::hrc("A\n@@A1\n", "h.hrc").unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("h.hrc", Some(2)));
    assert!(e.message.contains("at most one '@' deeper"), "{e}");
    let e = Tree::hrc("A\n@A1\nB\n@A1\n", "h.hrc").unwrap_err();
    assert_eq!(e.line, Some(4));
    assert!(
        e.message
            .contains("\"A1\" is listed twice (first on line 2)"),
        "{e}"
    );
    let e = Tree::hrc("A\n@\n", "h.hrc").unwrap_err();
    assert!(e.message.contains("no code after its '@'"), "{e}");
}

#[test]
fn json_tree_errors() {
    let e = Tree::json(r#"{"T": ["A", "A"]}"#, "h.json").unwrap_err();
    assert!(e.message.contains("\"A\" is listed twice"), "{e}");
    assert!(Tree::json("[1]", "h.json").is_err());
    assert!(Tree::json("{", "h.json").is_err());
}

#[test]
fn prefixes_and_ranges() {
    let codes = [
        "31-33", "31", "311", "3111", "32", "321", "44-45", "441", "4411", "52",
    ];
    let p = prefix_parents(&codes);
    let name = |i: Option<usize>| i.map(|i| codes[i]);
    let got: Vec<_> = p.iter().map(|&i| name(i)).collect();
    assert_eq!(
        got,
        [
            None,
            Some("31-33"),
            Some("31"),
            Some("311"),
            Some("31-33"),
            Some("32"),
            None,
            Some("44-45"),
            Some("441"),
            None
        ]
    );
}

#[test]
fn hierarchy_file_in_a_long_file() {
    let hrc = temp_file("geo.hrc", "East\n@A\n@B\nWest\n@C\n");
    let options = |path: &std::path::Path| {
        with_long(LongOptions {
            hierarchies: vec![("GEO".into(), HierarchySpec::File(path.to_path_buf()))],
            ..LongOptions::default()
        })
    };
    let text = "GEO,VALUE\nTotal,6\nEast,3\nA,1\nB,2\nWest,3\nC,3\n";
    let m = read_with(text, &options(&hrc)).unwrap();
    assert_eq!(parent_of(&m, 0, "A").as_deref(), Some("East"));
    assert_eq!(parent_of(&m, 0, "West").as_deref(), Some("Total"));
    assert_eq!(codes(&m, 0)[0], "Total");

    let e = err_with(&format!("{text}D,1\n"), &options(&hrc));
    assert_eq!(e.line, Some(8));
    assert!(
        e.message
            .contains("\"D\" is not a code of the hierarchy of \"GEO\""),
        "{e}"
    );
    let e = err_with(
        "GEO,VALUE\nTotal,6\nEast,3\nA,1\nB,2\nWest,3\n",
        &options(&hrc),
    );
    assert!(e.message.contains("the code \"C\" of the hierarchy"), "{e}");
    assert!(e.message.contains("(line 5) has no row"), "{e}");

    let bad = temp_file("bad.hrc", "East\n@@A\n");
    let e = err_with(text, &options(&bad));
    assert!(e.file.ends_with("bad.hrc"), "{e}");
    assert_eq!(e.line, Some(2));

    let e = err_with(
        text,
        &with_long(LongOptions {
            hierarchies: vec![("REGION".into(), HierarchySpec::Prefix)],
            ..LongOptions::default()
        }),
    );
    assert!(
        e.message.contains("\"REGION\" is not a dimension column"),
        "{e}"
    );
}

// ---------------------------------------------------------------- round trips

fn same_table(long_model: &Model, synth: &Synth) {
    let want = synth.model(false);
    let (a, b) = (&long_model.tables[0], &want.tables[0]);
    assert_eq!(a.dimensions.len(), b.dimensions.len());
    for (x, y) in a.dimensions.iter().zip(&b.dimensions) {
        assert_eq!(x.codes(), y.codes());
        for i in 0..x.len() {
            assert_eq!(x.parent(i), y.parent(i), "parent of {}", x.code(i));
        }
    }
    assert_eq!(a.cells.len(), b.cells.len());
    for (x, y) in a.cells.iter().zip(&b.cells) {
        assert_eq!((&x.at, x.entry), (&y.at, y.entry));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A synthetic table written as a long file reads back to its model.
    #[test]
    fn synthetic_tables_read_back(seed in 0u64..1000, shape in 0usize..3, a in 1usize..5, b in 1usize..5) {
        let shape = match shape {
            0 => Shape::Grid { rows: a + 1, cols: b + 1 },
            1 => Shape::Hier { geo: [a, a + b, 2 * a + b], ind: [b, a + b, 3 * b] },
            _ => Shape::Cube { dims: [a, b, 2] },
        };
        let synth = Synth::generate(&Params::new(shape, seed));
        let options = with_long(LongOptions {
            hierarchies: vec![
                ("geography".into(), HierarchySpec::Prefix),
                ("industry".into(), HierarchySpec::Prefix),
            ],
            ..LongOptions::default()
        });
        let options = if synth.name == "hier" { options } else { GridOptions::default() };
        let text = synth.long_csv(false);
        let model = read_with(&text, &options).unwrap();
        same_table(&model, &synth);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text made of a long file's pieces gives a model or an error,
    /// never a panic.
    #[test]
    fn no_panic_on_any_rows(
        rows in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    Just("A"), Just("B"), Just("Total"), Just("_T"), Just(""), Just("x"),
                    Just("3"), Just("<5"), Just("D"), Just("\""), Just("F: Free"), Just("1-2"),
                ],
                0..5,
            ),
            0..8,
        ),
        header in 0usize..4,
        absent in proptest::bool::ANY,
    ) {
        let head = ["GEO,SEX,VALUE,STATUS", "DATAFLOW,GEO,OBS_VALUE,CONF_STATUS",
                    "STRUCTURE,STRUCTURE_ID,ACTION,GEO:Geo,OBS_VALUE", "a;b;value"][header];
        let mut text = head.to_string();
        for r in &rows {
            text.push('\n');
            text.push_str(&r.join(","));
        }
        let options = with_long(LongOptions {
            absent_zero: absent,
            hierarchies: vec![("GEO".into(), HierarchySpec::Prefix)],
            ..LongOptions::default()
        });
        let _ = read_with(&text, &options);
        let _ = read_with(&text, &GridOptions::default());
    }
}

#[test]
fn cbp_noise_flags_are_not_size_classes() {
    use cellbound_core::io::cell_text::FlagMeaning;
    use cellbound_core::io::profile::Profile;
    let cbp = Profile::named("census-cbp").unwrap();
    let meaning = |column: Option<&str>, flag: &str| {
        cbp.flags_for(column)
            .into_iter()
            .find(|(f, _)| f == flag)
            .map(|(_, m)| m)
    };
    // In the noise flag column, G is low noise: published.
    assert_eq!(meaning(Some("emp_nf"), "G"), Some(FlagMeaning::Published));
    assert_eq!(meaning(Some("EMP_NF"), "D"), Some(FlagMeaning::Secondary));
    // In the size class column and in a value field, G is 1,000-2,499.
    let g = Some(FlagMeaning::Range {
        lo: 1_000,
        hi: Some(2_499),
    });
    assert_eq!(meaning(Some("EMPFLAG"), "G"), g);
    assert_eq!(meaning(None, "G"), g);
}
