//! The CSV grid reader (docs/formats.md, section 1): the seed tables, the
//! structure it builds, every bad input, and no panic on any bytes.

use cellbound_core::io::{csv_grid, GridOptions, GridRange};
use cellbound_core::{Absent, Dimension, Entry, InputError, Layout, Model, Table, MAX_COUNT};
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

fn read_bytes_with(bytes: &[u8], options: &GridOptions) -> Result<Model, InputError> {
    csv_grid::read(bytes, "t.csv", "t", options)
}

fn table_with(text: &str, options: &GridOptions) -> Table {
    let model = read_bytes_with(text.as_bytes(), options)
        .unwrap_or_else(|e| panic!("expected a grid, got: {e}"));
    assert_eq!(model.tables.len(), 1);
    assert!(model.constraints.is_empty());
    assert_eq!(model.source, "t.csv");
    model.tables.into_iter().next().unwrap()
}

fn table(text: &str) -> Table {
    table_with(text, &GridOptions::default())
}

fn err_bytes_with(bytes: &[u8], options: &GridOptions) -> InputError {
    match read_bytes_with(bytes, options) {
        Ok(_) => panic!("expected an error for {:?}", String::from_utf8_lossy(bytes)),
        Err(e) => {
            assert_eq!(e.file, "t.csv");
            e
        }
    }
}

fn err_with(text: &str, options: &GridOptions) -> InputError {
    err_bytes_with(text.as_bytes(), options)
}

fn err(text: &str) -> InputError {
    err_with(text, &GridOptions::default())
}

/// Asserts where an error points and that its message says `fragment`.
#[track_caller]
fn check(e: &InputError, line: Option<usize>, field: Option<&str>, fragment: &str) {
    assert_eq!(e.line, line, "line of: {e}");
    assert_eq!(e.field.as_deref(), field, "field of: {e}");
    assert!(
        e.message.contains(fragment),
        "message {:?} lacks {fragment:?}",
        e.message
    );
}

fn entry(t: &Table, row: &str, column: &str) -> Entry {
    let at = t.locate(&[row, column]).expect("known codes");
    t.cells[t.cell_at(&at).expect("listed cell")].entry
}

fn parent<'a>(d: &'a Dimension, code: &str) -> Option<&'a str> {
    d.parent(d.find(code).expect("known code"))
        .map(|p| d.code(p))
}

fn delimiter(d: u8) -> GridOptions {
    GridOptions {
        delimiter: Some(d),
        ..GridOptions::default()
    }
}

fn range(lo: i64, hi: i64) -> Entry {
    Entry::Range {
        lo: Some(lo),
        hi: Some(hi),
    }
}

// ------------------------------------------------------------ seed tables

const TABLE1: &str = "\
MRC,Volet 1,Volet 2,Volet 3,Total
MRC Kamouraska,25,45,15,85
MRC La Matanie,39,38,9,86
MRC La Matapédia,14,20,9,43
MRC La Mitis,x,9,x,20
MRC Les Basques,x,15,x,25
MRC Rimouski-Neigette,153,145,58,356
MRC Rivière-du-Loup,70,195,42,307
MRC Témiscouata,23,22,7,52
Total,337,489,148,974
";

const TABLE2: &str = "\
MRC,Volet 1,Volet 2,Volet 3,Total
MRC Kamouraska,x,7,x,13
MRC La Matanie,x,8,x,15
MRC La Matapédia,x,x,x,6
MRC La Mitis,x,x,x,7
MRC Les Basques,0,x,0,x
MRC Rimouski-Neigette,33,34,27,94
MRC Rivière-du-Loup,12,22,18,52
MRC Témiscouata,x,0,x,x
Total,61,77,56,194
";

const TABLE3: &str = "\
MRC de destination,2023,2024,2025
MRC de Kamouraska,15,x,x
MRC de la Matanie,x,x,0
MRC de la Matapédia,x,0,x
MRC de La Mitis,0,0,0
MRC des Basques,0,0,x
MRC de Rimouski-Neigette,16,20,13
MRC de Rivière-du-Loup,17,48,6
MRC de Témiscouata,x,x,0
MRC de destination inconnue,0,x,111
TOTAL,58,78,136
";

const TABLE4: &str = "\
MRC de destination,2023,2024,2025
MRC de Kamouraska,x,6,x
MRC de la Matanie,6,10,x
MRC de la Matapédia,0,x,0
MRC de La Mitis,0,0,0
MRC des Basques,0,0,0
MRC de Rimouski-Neigette,12,61,12
MRC de Rivière-du-Loup,7,12,5
MRC de Témiscouata,0,x,0
MRC de destination inconnue,x,21,9
TOTAL,28,114,30
";

fn hidden(t: &Table) -> Vec<(String, String)> {
    t.cells
        .iter()
        .filter(|c| c.entry.is_hidden())
        .map(|c| {
            let codes = t.codes_of(&c.at);
            (codes[0].clone(), codes[1].clone())
        })
        .collect()
}

#[test]
fn seed_table1_declarations() {
    let t = table(TABLE1);
    assert_eq!(t.name, "t");
    assert_eq!(t.layout, Layout::Grid);
    assert_eq!(t.absent, Absent::Error);
    let (rows, cols) = (&t.dimensions[0], &t.dimensions[1]);
    assert_eq!(rows.name(), "MRC");
    assert_eq!(cols.name(), "column");
    assert_eq!(rows.len(), 9);
    assert_eq!(rows.code(0), "MRC Kamouraska");
    assert_eq!(rows.code(2), "MRC La Matapédia");
    assert_eq!(rows.code(8), "Total");
    assert_eq!(
        cols.codes(),
        &["Volet 1", "Volet 2", "Volet 3", "Total"].map(String::from)
    );
    assert_eq!(parent(rows, "MRC La Mitis"), Some("Total"));
    assert_eq!(parent(rows, "Total"), None);
    assert_eq!(rows.children(8).len(), 8);
    assert_eq!(parent(cols, "Volet 2"), Some("Total"));
    assert_eq!(cols.children(3), &[0, 1, 2]);
    assert_eq!(t.cells.len(), 36);
    assert_eq!(
        hidden(&t),
        vec![
            ("MRC La Mitis".into(), "Volet 1".into()),
            ("MRC La Mitis".into(), "Volet 3".into()),
            ("MRC Les Basques".into(), "Volet 1".into()),
            ("MRC Les Basques".into(), "Volet 3".into()),
        ]
    );
    assert_eq!(entry(&t, "MRC La Mitis", "Volet 2"), Entry::Published(9));
    assert_eq!(entry(&t, "Total", "Total"), Entry::Published(974));
    // Cells line by line, left to right, named by line and column.
    let mitis1 = &t.cells[12];
    assert_eq!(mitis1.at, vec![3, 0]);
    assert_eq!(mitis1.entry, Entry::Hidden);
    assert_eq!(mitis1.origin, "line 5, column \"Volet 1\"");
    assert_eq!(mitis1.line, Some(5));
    for (k, cell) in t.cells.iter().enumerate() {
        assert_eq!(cell.at, vec![k / 4, k % 4]);
        assert_eq!(cell.line, Some(k / 4 + 2));
    }
}

#[test]
fn seed_table2_invitations() {
    let t = table(TABLE2);
    assert_eq!(hidden(&t).len(), 15);
    assert_eq!(entry(&t, "MRC Les Basques", "Total"), Entry::Hidden);
    assert_eq!(entry(&t, "MRC Témiscouata", "Total"), Entry::Hidden);
    assert_eq!(entry(&t, "MRC Les Basques", "Volet 1"), Entry::Published(0));
    assert_eq!(parent(&t.dimensions[0], "MRC Témiscouata"), Some("Total"));
}

#[test]
fn seed_tables_3_and_4_have_an_upper_case_total_row_and_no_total_column() {
    for (text, hidden_cells) in [(TABLE3, 10), (TABLE4, 6)] {
        let t = table(text);
        let (rows, cols) = (&t.dimensions[0], &t.dimensions[1]);
        assert_eq!(rows.name(), "MRC de destination");
        assert_eq!(rows.len(), 10);
        assert_eq!(parent(rows, "MRC de destination inconnue"), Some("TOTAL"));
        assert_eq!(rows.parents().collect::<Vec<_>>(), vec![9]);
        assert_eq!(cols.codes(), &["2023", "2024", "2025"].map(String::from));
        assert_eq!(cols.parents().count(), 0);
        assert_eq!(t.cells.len(), 30);
        assert_eq!(hidden(&t).len(), hidden_cells);
    }
    let t = table(TABLE3);
    assert_eq!(
        entry(&t, "MRC de destination inconnue", "2025"),
        Entry::Published(111)
    );
}

// -------------------------------------------------------------- structure

#[test]
fn total_row_first_and_total_column_in_the_middle() {
    let t = table("r,a,Ensemble,b\nTotal,3,7,4\np,1,3,2\nq,2,4,2\n");
    let (rows, cols) = (&t.dimensions[0], &t.dimensions[1]);
    assert_eq!(rows.codes(), &["Total", "p", "q"].map(String::from));
    assert_eq!(rows.parent(0), None);
    assert_eq!(rows.parent(1), Some(0));
    assert_eq!(rows.parent(2), Some(0));
    assert_eq!(cols.codes(), &["a", "Ensemble", "b"].map(String::from));
    assert_eq!(cols.parent(0), Some(1));
    assert_eq!(cols.parent(1), None);
    assert_eq!(cols.parent(2), Some(1));
    assert_eq!(cols.children(1), &[0, 2]);
    assert_eq!(t.cells[0].at, vec![0, 0]);
    assert_eq!(t.cells[1].at, vec![0, 1]);
    assert_eq!(t.cells[3].at, vec![1, 0]);
}

#[test]
fn no_margins_gives_flat_dimensions() {
    let t = table("r,a,b\np,1,x\nq,x,2\n");
    assert!(t.dimensions.iter().all(|d| d.parents().count() == 0));
    assert_eq!(entry(&t, "q", "a"), Entry::Hidden);
    assert_eq!(entry(&t, "q", "b"), Entry::Published(2));
}

#[test]
fn one_margin_only_a_total_column() {
    let t = table("r,a,b,All\np,1,x,3\nq,x,2,5\n");
    assert_eq!(t.dimensions[0].parents().count(), 0);
    assert_eq!(t.dimensions[1].parents().collect::<Vec<_>>(), vec![2]);
    assert_eq!(parent(&t.dimensions[1], "b"), Some("All"));
}

#[test]
fn empty_first_header_field_names_the_rows_row() {
    let t = table(",a,b\np,1,2\n");
    assert_eq!(t.dimensions[0].name(), "row");
    assert_eq!(t.dimensions[1].name(), "column");
}

#[test]
fn semicolon_delimiter_with_commas_and_unquoted_ranges() {
    let t = table("Région;a;b;Total\nMontréal, QC;[3,7];2;x\nLaval, QC;1;<5;x\nTotal;x;x;20\n");
    assert_eq!(
        t.dimensions[0].codes(),
        &["Montréal, QC", "Laval, QC", "Total"].map(String::from)
    );
    assert_eq!(entry(&t, "Montréal, QC", "a"), range(3, 7));
    assert_eq!(entry(&t, "Laval, QC", "b"), range(0, 4));
}

#[test]
fn tab_delimiter() {
    let t = table("r\ta\tb\np, q\t1\t2\nr, s\t3\t4\n");
    assert_eq!(t.dimensions[0].codes(), &["p, q", "r, s"].map(String::from));
    assert_eq!(entry(&t, "r, s", "b"), Entry::Published(4));
}

#[test]
fn detection_respects_quotes() {
    let t = table("r;\"a;b\";c\n\"p;q\";1;2\n");
    assert_eq!(t.dimensions[1].codes(), &["a;b", "c"].map(String::from));
    assert_eq!(t.dimensions[0].codes(), &["p;q"].map(String::from));
}

#[test]
fn explicit_delimiter_overrides_detection() {
    let text = "r\ta,b\np,q\t7\n";
    // Detection picks the comma, which splits both lines in two.
    let e = err(text);
    check(
        &e,
        Some(2),
        Some("column \"b\""),
        "\"q\\t7\" is not a count",
    );
    let t = table_with(text, &delimiter(b'\t'));
    assert_eq!(t.dimensions[1].codes(), &["a,b"].map(String::from));
    assert_eq!(entry(&t, "p,q", "a,b"), Entry::Published(7));
}

#[test]
fn quoted_ranges_and_ranges_with_spaces() {
    let t = table("r,a,b,c\np,\"[3,7]\",\"[3, 7]\",\" [ 0 , 2 ] \"\nq,<5,< 1,\"[1 000,12 000]\"\ns,\"[4,4]\",<1 001,x\n");
    assert_eq!(entry(&t, "p", "a"), range(3, 7));
    assert_eq!(entry(&t, "p", "b"), range(3, 7));
    assert_eq!(entry(&t, "p", "c"), range(0, 2));
    assert_eq!(entry(&t, "q", "a"), range(0, 4));
    assert_eq!(entry(&t, "q", "b"), range(0, 0));
    assert_eq!(entry(&t, "q", "c"), range(1000, 12000));
    assert_eq!(entry(&t, "s", "a"), range(4, 4));
    assert_eq!(entry(&t, "s", "b"), range(0, 1000));
}

#[test]
fn quoted_labels_may_hold_the_delimiter_and_quotes() {
    let t = table("r,\"a,b\",\"say \"\"hi\"\"\"\n\"p,q\",1,2\n");
    assert_eq!(
        t.dimensions[1].codes(),
        &["a,b", "say \"hi\""].map(String::from)
    );
    assert_eq!(entry(&t, "p,q", "say \"hi\""), Entry::Published(2));
}

#[test]
fn bom_is_ignored() {
    let t = table("\u{FEFF}MRC,a\nr,1\n");
    assert_eq!(t.dimensions[0].name(), "MRC");
    assert_eq!(t.cells[0].line, Some(2));
}

#[test]
fn crlf_and_blank_lines_keep_physical_line_numbers() {
    let t = table("\r\nr,a\r\n\r\np,1\r\n  \r\n,\r\nq,x\r\n\r\n");
    assert_eq!(t.dimensions[0].codes(), &["p", "q"].map(String::from));
    assert_eq!(t.cells[0].line, Some(4));
    assert_eq!(t.cells[0].origin, "line 4, column \"a\"");
    assert_eq!(t.cells[1].line, Some(7));
    let e = err("r,a\r\n\r\np,1\r\nq,-1\r\n");
    check(&e, Some(4), Some("column \"a\""), "negative");
}

#[test]
fn blank_lines_and_empty_field_lines_are_ignored_with_lf() {
    let t = table("r,a,b\n\n , \np,1,2\n,,\n\"\",\"\", \nq,3,4");
    assert_eq!(t.cells.len(), 4);
    assert_eq!(t.cells[0].line, Some(4));
    assert_eq!(t.cells[2].line, Some(7));
}

#[test]
fn lone_cr_ends_a_line() {
    let t = table("r,a\rp,1\rq,2\r");
    assert_eq!(t.cells[0].line, Some(2));
    assert_eq!(t.cells[1].line, Some(3));
}

#[test]
fn a_quoted_line_break_keeps_the_first_line() {
    let t = table("r,a\n\"p\nq\",1\ns,2\n");
    assert_eq!(t.dimensions[0].codes(), &["p\nq", "s"].map(String::from));
    assert_eq!(t.cells[0].line, Some(2));
    assert_eq!(t.cells[1].line, Some(4));
}

#[test]
fn fields_are_trimmed_including_no_break_spaces() {
    let t = table(" r , a ,\u{a0}b\u{a0}\n\tp\t,\u{a0}x\u{a0}, 1 200 \n");
    assert_eq!(t.dimensions[0].name(), "r");
    assert_eq!(t.dimensions[1].codes(), &["a", "b"].map(String::from));
    assert_eq!(entry(&t, "p", "a"), Entry::Hidden);
    assert_eq!(entry(&t, "p", "b"), Entry::Published(1200));
}

#[test]
fn grouped_thousands_with_each_separator() {
    let t = table(
        "r,a,b,c,d\n\
         p,1 200,1\u{a0}200,1\u{2009}200,1\u{202F}200\n\
         q,12 345 678,0,007,9007199254740991\n\
         s,\"123 456\",999,1 000 000,12\u{a0}345\u{202F}678\n",
    );
    for c in ["a", "b", "c", "d"] {
        assert_eq!(entry(&t, "p", c), Entry::Published(1200), "column {c}");
    }
    assert_eq!(entry(&t, "q", "a"), Entry::Published(12_345_678));
    assert_eq!(entry(&t, "q", "b"), Entry::Published(0));
    assert_eq!(entry(&t, "q", "c"), Entry::Published(7));
    assert_eq!(entry(&t, "q", "d"), Entry::Published(MAX_COUNT));
    assert_eq!(entry(&t, "s", "a"), Entry::Published(123_456));
    assert_eq!(entry(&t, "s", "c"), Entry::Published(1_000_000));
    assert_eq!(entry(&t, "s", "d"), Entry::Published(12_345_678));
}

#[test]
fn every_built_in_marker() {
    let t = table("r,a,b,c,d,e,f,g\np,,x,X,..,...,F,*\n");
    assert!(t.cells.iter().all(|c| c.entry == Entry::Hidden));
    assert_eq!(t.cells.len(), 7);
    // Markers are case-sensitive.
    check(
        &err("r,a\np,f\n"),
        Some(2),
        Some("column \"a\""),
        "--marker \"f\"",
    );
    check(
        &err("r,a\np,....\n"),
        Some(2),
        Some("column \"a\""),
        "not a count",
    );
}

#[test]
fn custom_markers_are_exact_and_trimmed() {
    let options = GridOptions {
        markers: vec!["n.d.".into(), " - ".into(), "0".into()],
        ..GridOptions::default()
    };
    let t = table_with("r,a,b,c,d\np,n.d.,-,0,x\n", &options);
    assert!(t.cells.iter().all(|c| c.entry == Entry::Hidden));
    let e = err_with("r,a\np,N.D.\n", &options);
    check(&e, Some(2), Some("column \"a\""), "\"N.D.\" is not a count");
    // Without the option, "n.d." is an error that suggests it.
    check(
        &err("r,a\np,n.d.\n"),
        Some(2),
        Some("column \"a\""),
        "use --marker \"n.d.\"",
    );
}

#[test]
fn custom_total_labels_match_case_insensitively() {
    let options = GridOptions {
        total_labels: vec![" Bas-Saint-Laurent ".into(), "Somme".into()],
        ..GridOptions::default()
    };
    let t = table_with(
        "MRC,a,b,SOMME\np,1,2,3\nq,x,x,4\nBAS-SAINT-LAURENT,x,x,7\n",
        &options,
    );
    assert_eq!(parent(&t.dimensions[0], "p"), Some("BAS-SAINT-LAURENT"));
    assert_eq!(parent(&t.dimensions[1], "a"), Some("SOMME"));
    // Without the option these are ordinary labels.
    let t = table("MRC,a,b,SOMME\np,1,2,3\nBas-Saint-Laurent,x,x,7\n");
    assert!(t.dimensions.iter().all(|d| d.parents().count() == 0));
}

#[test]
fn built_in_total_labels_match_case_insensitively() {
    for (row, column) in [
        ("TOTAL", "total"),
        ("ensemble", "ENSEMBLE"),
        ("aLL", "All"),
        ("Tous", "TOUS"),
        ("TOTAUX", "totaux"),
    ] {
        let t = table(&format!("r,a,{column}\np,1,1\n{row},1,1\n"));
        assert_eq!(parent(&t.dimensions[0], "p"), Some(row));
        assert_eq!(parent(&t.dimensions[1], "a"), Some(column));
    }
    // Exact labels only: "Grand total" is an ordinary row.
    let t = table("r,a\np,1\nGrand total,1\n");
    assert_eq!(t.dimensions[0].parents().count(), 0);
}

// ------------------------------------------------------------- bad inputs

#[test]
fn error_display_names_file_line_and_column() {
    let e = err("r,Volet 1\np,-3\n");
    assert_eq!(
        e.to_string(),
        "t.csv:2: column \"Volet 1\": \"-3\" is not a count: counts cannot be negative (if \
         the table holds negative values, pass --allow-negative)"
    );
}

#[test]
fn ragged_rows_are_an_error_naming_the_line() {
    let e = err("r,a,b\np,1,2\n\nq,1\ns,1,2\n");
    check(&e, Some(4), None, "no delimiter splits every line");
    assert!(e.message.contains(
        "the delimiter looks like ',' (it splits 4 of 4 lines), but this line has 2 fields \
         and the header (line 1) has 3"
    ));
    assert!(e.message.contains("use --delimiter"));
    let e = err("r,a,b\np,1,2,3\n");
    check(&e, Some(2), None, "this line has 4 fields");
}

#[test]
fn ragged_rows_with_an_explicit_delimiter_name_both_counts() {
    let e = err_with("r,a,b\np,1,2\nq,1\n", &delimiter(b','));
    check(
        &e,
        Some(3),
        None,
        "this line has 2 fields but the header (line 1) has 3 (delimiter ',')",
    );
    let e = err_with("r;a;b\np;1;2;3;4\n", &delimiter(b';'));
    check(&e, Some(2), None, "5 fields but the header (line 1) has 3");
}

#[test]
fn explicit_delimiter_that_splits_nothing() {
    let e = err_with("r,a\np,1\n", &delimiter(b';'));
    check(&e, Some(1), None, "every line is a single field");
    let e = err_with("r,a\np,1\n", &delimiter(b'"'));
    check(&e, None, None, "cannot be the delimiter");
    let e = err_with("r,a\np,1\n", &delimiter(0xC3));
    check(&e, None, None, "cannot be the delimiter");
}

#[test]
fn unquoted_range_in_a_comma_file_says_to_quote_it() {
    let e = err("r,a,b\np,[3,7],2\nq,1,2\n");
    check(
        &e,
        Some(2),
        None,
        "quote ranges in comma-delimited files: \"[3,7]\"",
    );
    // Same field count by accident: the cell itself says so.
    let e = err("r,a,b,c\np,[3,7],2\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "quote ranges in comma-delimited files",
    );
}

#[test]
fn unclosed_quote_is_reported_on_its_line() {
    let e = err("r,a,b\n\"p,1,2\nq,1,2\n");
    check(&e, Some(2), None, "is a closing quote missing?");
}

#[test]
fn no_consistent_delimiter() {
    let e = err("a,b\nc;d\ne\tf\n");
    check(&e, Some(2), None, "no delimiter splits every line");
    let e = err("just some text\nand more\n");
    check(&e, Some(1), None, "no delimiter found");
    assert!(e.message.contains("--delimiter"));
}

#[test]
fn duplicate_row_label() {
    let e = err("r,a\np,1\nq,2\n\np,3\n");
    check(&e, Some(5), Some("row \"p\""), "already used on line 2");
}

#[test]
fn duplicate_column_label() {
    let e = err("r,a,b,a\np,1,2,3\n");
    check(
        &e,
        Some(1),
        Some("column \"a\""),
        "appears twice in the header, as fields 2 and 4",
    );
}

#[test]
fn two_total_rows() {
    let e = err("r,a\np,1\nTotal,1\nTOTAL,1\n");
    check(
        &e,
        Some(4),
        Some("row \"TOTAL\""),
        "two total rows, \"Total\" (line 3) and \"TOTAL\"",
    );
}

#[test]
fn two_total_columns() {
    let e = err("r,Total,a,Tous\np,1,1,1\n");
    check(
        &e,
        Some(1),
        Some("column \"Tous\""),
        "two total columns, \"Total\" and \"Tous\"",
    );
}

#[test]
fn lone_total_row_or_column() {
    let e = err("r,a,b\nTotal,1,2\n");
    check(&e, Some(2), Some("row \"Total\""), "the only row");
    let e = err("r,Total\np,1\nq,2\n");
    check(&e, Some(1), Some("column \"Total\""), "the only column");
}

#[test]
fn empty_labels() {
    let e = err("r,a,,b\np,1,2,3\n");
    check(
        &e,
        Some(1),
        Some("column 3"),
        "column label (field 3 of the header) is empty",
    );
    let e = err("r,a,b,\np,1,2,\nq,1,2,\n");
    check(&e, Some(1), Some("column 4"), "stray delimiter");
    let e = err("r,a\np,1\n\"\",2\n");
    check(&e, Some(3), Some("row label"), "the row label is empty");
}

#[test]
fn negative_count() {
    let e = err("r,a,b\np,1,-3\n");
    check(
        &e,
        Some(2),
        Some("column \"b\""),
        "\"-3\" is not a count: counts cannot be negative",
    );
    let e = err("r,a\np,\u{2212}3\n");
    check(&e, Some(2), Some("column \"a\""), "cannot be negative");
}

#[test]
fn decimal_count() {
    let e = err("r,a\np,1.5\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "\"1.5\" is not a count: counts are whole numbers",
    );
    let e = err("r;a\np;2,5\n");
    check(&e, Some(2), Some("column \"a\""), "whole numbers");
    let e = err("r;a\np;1,200\n");
    check(&e, Some(2), Some("column \"a\""), "not by ',' or '.'");
}

#[test]
fn text_in_a_cell() {
    let e = err("r,a,b\np,1,abc\n");
    check(
        &e,
        Some(2),
        Some("column \"b\""),
        "\"abc\" is not a count, a suppression marker",
    );
    assert!(e.message.contains("use --marker \"abc\""));
    let e = err("r,a\np,+3\n");
    check(&e, Some(2), Some("column \"a\""), "\"+3\" is not a count");
}

#[test]
fn bad_grouping() {
    for bad in ["1 20", "1  200", "1234 567", "12 34 567", "1 2000"] {
        let e = err(&format!("r,a\np,{bad}\n"));
        check(
            &e,
            Some(2),
            Some("column \"a\""),
            "digit groups must have three digits",
        );
        assert!(e.message.contains(&format!("{bad:?}")), "{e}");
    }
}

#[test]
fn count_above_2_to_the_53_minus_1() {
    let e = err("r,a\np,9007199254740992\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "\"9007199254740992\" is larger than 9007199254740991",
    );
    let e = err("r,a\np,99 999 999 999 999 999 999 999\n");
    check(&e, Some(2), Some("column \"a\""), "is larger than");
    let e = err("r,a\np,\"[0,9007199254740992]\"\n");
    check(&e, Some(2), Some("column \"a\""), "is larger than");
}

#[test]
fn range_with_lower_end_above_upper_end() {
    let e = err("r,a\np,\"[7,3]\"\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "\"[7,3]\" is an empty range: its lower end 7 is above its upper end 3",
    );
}

#[test]
fn range_below_zero() {
    let e = err("r,a\np,<0\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "\"<0\" is an empty range",
    );
    assert!(e.message.contains("at least 1"));
}

#[test]
fn malformed_ranges() {
    for bad in ["<x", "<", "<-1", "<1.5"] {
        let e = err(&format!("r,a\np,{bad}\n"));
        check(&e, Some(2), Some("column \"a\""), "needs a count N");
    }
    for bad in ["\"[3,]\"", "\"[a,7]\"", "\"[,]\""] {
        let e = err(&format!("r,a\np,{bad}\n"));
        check(
            &e,
            Some(2),
            Some("column \"a\""),
            "is not a count; a range is written [A,B]",
        );
    }
    let e = err("r,a\np,<1 20\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "digit groups must have three digits",
    );
    let e = err("r,a\np,<9007199254740993\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "is larger than 9007199254740991",
    );
    let e = err("r,a\np,\"[1,2,3]\"\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "two counts separated by a comma",
    );
    let e = err("r;a\np;[3;7]\n");
    // "[3" and "7]" are then two fields: a field-count problem.
    check(&e, Some(2), None, "3 fields");
    let e = err("r;a\np;[3\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "a range is written [A,B]",
    );
    let e = err("r;a\np;[3 7]\n");
    check(
        &e,
        Some(2),
        Some("column \"a\""),
        "two counts separated by a comma",
    );
}

#[test]
fn empty_file() {
    for text in [
        "",
        "\n\n",
        " \r\n\t\n",
        "\u{FEFF}",
        ",,\n , ,\n",
        "\"\"\n",
        "\"\",\" \"\r\n",
    ] {
        let e = err(text);
        check(&e, None, None, "no data line");
    }
}

#[test]
fn header_only() {
    let e = err("r,a,b\n");
    check(&e, Some(1), None, "no data line");
    let e = err("\n\nr,a,b\n,,\n");
    check(&e, Some(3), None, "no data line");
}

#[test]
fn invalid_utf8_names_the_line_of_the_first_bad_byte() {
    let e = err_bytes_with(b"r,a\np,1\nq,\xff\ns,\xe9\n", &GridOptions::default());
    check(&e, Some(3), None, "not valid UTF-8");
    assert!(e.message.contains("0xFF"));
    let e = err_bytes_with(
        b"\xEF\xBB\xBFr,a\r\n\r\np,\xe9t\xe9\r\n",
        &GridOptions::default(),
    );
    check(&e, Some(3), None, "not valid UTF-8");
    // A truncated sequence at the end of the file.
    let e = err_bytes_with(b"r,a\np,1\n\xc3", &GridOptions::default());
    check(&e, Some(3), None, "not valid UTF-8");
}

// ------------------------------------------------------------ no panics

fn any_options() -> impl Strategy<Value = GridOptions> {
    (
        prop_oneof![
            Just(None),
            Just(Some(b',')),
            Just(Some(b';')),
            Just(Some(b'\t')),
            any::<u8>().prop_map(Some),
        ],
        prop::collection::vec("[a-zA-Z0-9 .,<\\[\\]-]{0,4}", 0..3),
        prop::collection::vec("[a-zA-Z .]{0,6}", 0..3),
        // Any range, even one parse refuses: none may panic.
        prop::option::of((0..5usize, 0..5usize, 0..8usize, 0..8usize).prop_map(
            |(first_column, last_column, first_line, last_line)| GridRange {
                first_column,
                last_column,
                first_line,
                last_line,
            },
        )),
    )
        .prop_map(|(delimiter, markers, total_labels, range)| GridOptions {
            delimiter,
            total_labels,
            markers,
            range,
            ..GridOptions::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        options in any_options(),
    ) {
        let _ = read_bytes_with(&bytes, &options);
    }

    #[test]
    fn grid_like_text_never_panics(
        text in "(\u{FEFF})?([a-cxTt0-9 ,;\t\"\\[\\]<.\r\n\u{a0}\u{202F}-]|Total|tous|999999999999999999){0,120}",
        options in any_options(),
    ) {
        let _ = read_bytes_with(text.as_bytes(), &options);
    }

    /// Well-formed grids read back exactly.
    #[test]
    fn generated_grids_read_back(
        values in prop::collection::vec(
            prop::collection::vec(
                prop_oneof![
                    (0..MAX_COUNT).prop_map(Entry::Published),
                    Just(Entry::Hidden),
                    (1..1000i64).prop_map(|n| Entry::Range { lo: Some(0), hi: Some(n - 1) }),
                    (0..100i64, 0..100i64).prop_map(|(a, d)| Entry::Range { lo: Some(a), hi: Some(a + d) }),
                ],
                3,
            ),
            1..6,
        ),
    ) {
        let mut text = String::from("r,a,b,c\n");
        for (i, line) in values.iter().enumerate() {
            text.push_str(&format!("row {i}"));
            for e in line {
                let field = match *e {
                    Entry::Published(v) => v.to_string(),
                    Entry::Hidden => "x".to_string(),
                    Entry::Range { lo: Some(0), hi: Some(h) } if h % 2 == 0 => format!("<{}", h + 1),
                    Entry::Range { lo: Some(lo), hi: Some(h) } => format!("\"[{lo}, {h}]\""),
                    _ => unreachable!(),
                };
                text.push(',');
                text.push_str(&field);
            }
            text.push('\n');
        }
        let t = table(&text);
        let read: Vec<Entry> = t.cells.iter().map(|c| c.entry).collect();
        let expected: Vec<Entry> = values.into_iter().flatten().collect();
        prop_assert_eq!(read, expected);
    }
}

// ---- finding the table, unrecognised totals, label columns ----

fn warnings(text: &str, options: &GridOptions) -> (Model, Vec<String>) {
    let (m, w) = csv_grid::read_with_warnings(text.as_bytes(), "t.csv", "t", options)
        .unwrap_or_else(|e| panic!("expected a grid, got: {e}"));
    (m, w.iter().map(ToString::to_string).collect())
}

#[test]
fn a_label_with_a_total_word_is_read_as_data_with_a_warning() {
    for label in [
        "Total général",
        "Grand total",
        "Totals",
        "All industries",
        "Ensemble des régions",
    ] {
        let text = format!("R,A,B\nr1,x,9\nr2,x,15\n{label},13,24\n");
        let (m, w) = warnings(&text, &GridOptions::default());
        // Not guessed: the row stays data, no parent.
        let rows = &m.tables[0].dimensions[0];
        assert_eq!(rows.parent(rows.find(label).unwrap()), None);
        assert!(
            w.iter().any(|w| w
                .starts_with(&format!("t.csv:4: row {label:?}: it has a total word"))
                && w.ends_with(&format!("pass --total-label {label:?}"))),
            "{label}: {w:?}"
        );
        // Passing the label makes it the total, with no warning about it.
        let options = GridOptions {
            total_labels: vec![label.to_string()],
            ..GridOptions::default()
        };
        let (m, w) = warnings(&text, &options);
        let rows = &m.tables[0].dimensions[0];
        assert_eq!(rows.parent(rows.find("r1").unwrap()), rows.find(label));
        assert!(w.iter().all(|w| !w.contains("total word")), "{w:?}");
    }
}

#[test]
fn a_line_equal_to_the_sum_of_the_others_is_named() {
    let (_, w) = warnings(
        "R,A,B,C\nr1,x,9,20\nr2,x,15,25\nCanada,13,24,45\n",
        &GridOptions::default(),
    );
    assert!(
        w.contains(&"t.csv:4: row \"Canada\": it equals the sum of the others wherever all are published, yet it is read as data; if it is the total of the other rows, pass --total-label \"Canada\"".to_string()),
        "{w:?}"
    );
    assert!(
        w.iter().any(|w| w.contains("no total row or column")),
        "{w:?}"
    );
    // Rows that merely differ are not named.
    let (_, w) = warnings("R,A,B\nr1,1,2\nr2,3,4\nr3,5,7\n", &GridOptions::default());
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn a_grid_with_no_margin_says_its_bounds_come_from_the_rule() {
    let (_, w) = warnings("R,A,B\nr1,x,9\nr2,x,15\n", &GridOptions::default());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with(
        "t.csv:1: no total row or column: the hidden cells are bounded by the rule alone"
    ));
    // With a margin, or with nothing hidden, nothing to say.
    let (_, w) = warnings("R,A,Total\nr1,x,9\nr2,x,15\n", &GridOptions::default());
    assert!(w.is_empty(), "{w:?}");
    let (_, w) = warnings("R,A,B\nr1,1,9\nr2,2,15\n", &GridOptions::default());
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn titles_and_notes_around_the_table_are_skipped_with_a_warning() {
    let text = "Tableau 4 : certificats, par MRC\nMRC;2023;2024;Total\nA;x;5;8\nB;x;6;10\nTotal;7;11;18\n;;;\nSource : MIFI, 2024;;;\nNote : x = confidentiel;;;\n";
    let (m, w) = warnings(text, &GridOptions::default());
    let t = &m.tables[0];
    assert_eq!(
        t.dimensions[0].codes(),
        &["A", "B", "Total"].map(String::from)
    );
    assert_eq!(t.cells.iter().filter(|c| c.entry.is_hidden()).count(), 2);
    assert_eq!(
        w,
        vec![
            "t.csv:1: line 1 skipped as a title: the table starts at line 2 (to choose yourself, pass --skip-lines 1)".to_string(),
            "t.csv:7: 2 lines from line 7 to the end skipped as notes: after a blank line, only their first field holds text".to_string(),
        ]
    );
    // --skip-lines chooses: the title is gone without a word.
    let options = GridOptions {
        skip_lines: 1,
        ..GridOptions::default()
    };
    let (m, w) = warnings(text, &options);
    assert_eq!(
        m.tables[0].dimensions[1].codes(),
        &["2023", "2024", "Total"].map(String::from)
    );
    assert!(w.iter().all(|w| !w.contains("title")), "{w:?}");
    assert_eq!(m.tables[0].cells[0].line, Some(3));
}

#[test]
fn a_ragged_file_names_the_delimiter_that_splits_most_lines() {
    // Two titles with a comma in a semicolon file, then a ragged line.
    let e = err("R;A;B\nr1;1;2\nr2;3\nr3;4;5\n");
    check(
        &e,
        Some(3),
        None,
        "the delimiter looks like ';' (it splits 4 of 4 lines)",
    );
    let e = err("Title, with a comma\nR;A;B\nr1;1;2\nr2;3\n");
    assert!(e.message.contains("the delimiter looks like ';'"), "{e}");
}

#[test]
fn a_second_label_column_is_a_second_dimension_not_a_marker() {
    for text in [
        "Region,Sex,2023,2024\nA,M,5,x\nA,F,3,4\n",
        "Region,Sex,2023,2024\nA,M,5,x\n,F,3,4\nB,M,1,2\n,F,x,x\n",
    ] {
        let e = err(text);
        check(
            &e,
            Some(2),
            Some("column \"Sex\""),
            "the table has 2 row dimensions (\"Region\", \"Sex\")",
        );
        assert!(e.message.contains("JSON model"), "{e}");
        assert!(!e.message.contains("--marker"), "{e}");
    }
    // One unknown marker in a data column keeps the marker hint.
    check(
        &err("r,a\np,n.d.\nq,x\n"),
        Some(2),
        Some("column \"a\""),
        "use --marker \"n.d.\"",
    );
}

#[test]
fn a_huge_bad_field_is_quoted_by_its_start_only() {
    let field = "z".repeat(1_000_000);
    let e = err(&format!("R,A,Total\nr1,{field},5\nTotal,3,5\n"));
    check(
        &e,
        Some(2),
        Some("column \"A\""),
        "a field of 1000000 characters, starting \"zzz",
    );
    assert!(e.to_string().len() < 400, "{} bytes", e.to_string().len());
    assert!(!e.message.contains("--marker"), "{e}");
}

#[test]
fn utf16_input_is_named_utf16() {
    let text = "R,A,Total\nr1,x,5\nTotal,5,5\n";
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let with_bom = |bom: &[u8], body: &[u8]| [bom, body].concat();
    for (k, (bytes, name)) in [
        (be.clone(), "UTF-16BE"),
        (le.clone(), "UTF-16LE"),
        (with_bom(&[0xFE, 0xFF], &be), "UTF-16BE"),
        (with_bom(&[0xFF, 0xFE], &le), "UTF-16LE"),
    ]
    .into_iter()
    .enumerate()
    {
        let path =
            std::env::temp_dir().join(format!("cellbound-utf16-{}-{k}.csv", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let e = cellbound_core::io::read_path(&path, &GridOptions::default()).unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert!(
            e.message.starts_with(&format!("the file is {name}"))
                && e.message.contains(&format!("iconv -f {name} -t UTF-8")),
            "{e}"
        );
        assert!(!e.message.contains("control character"), "{e}");
    }
}

// ---------------------------------------------------------------- --range

/// A table in the middle of a sheet: a title, a column of notes on its
/// left, one of comments on its right, a blank line and notes below.
const SHEET: &str = include_str!("../../../../tests/data/grid/sheet.csv");

fn in_range(text: &str) -> GridOptions {
    GridOptions {
        range: Some(GridRange::parse(text).unwrap()),
        ..GridOptions::default()
    }
}

#[test]
fn a_range_names_a_block_as_a_spreadsheet_does() {
    let r = GridRange::parse("A5:F40").unwrap();
    assert_eq!(
        (r.first_column, r.last_column, r.first_line, r.last_line),
        (1, 6, 5, 40)
    );
    let r = GridRange::parse("z1:ab2").unwrap();
    assert_eq!((r.first_column, r.last_column), (26, 28));
    assert_eq!(r.to_string(), "Z1:AB2");
    for bad in [
        "A5",
        "5A:F40",
        "A0:F4",
        "A5:F40:G9",
        "A-5:F40",
        "É5:F40",
        "",
    ] {
        let e = GridRange::parse(bad).unwrap_err();
        assert!(e.contains("is not a range"), "{bad}: {e}");
        assert!(e.contains("as in A5:F40"), "{bad}: {e}");
    }
    let e = GridRange::parse("F40:A5").unwrap_err();
    assert!(e.contains("the top-left corner first"), "{e}");
    for small in ["A5:A40", "A5:F5"] {
        let e = GridRange::parse(small).unwrap_err();
        assert!(e.contains("too small for a table"), "{small}: {e}");
    }
    // A range built by hand that parse would refuse is an error, not a
    // panic.
    for (first_column, last_column, first_line, last_line) in
        [(0, 2, 1, 3), (1, 2, 0, 3), (3, 2, 1, 3), (1, 2, 3, 3)]
    {
        let range = GridRange {
            first_column,
            last_column,
            first_line,
            last_line,
        };
        let options = GridOptions {
            range: Some(range),
            ..GridOptions::default()
        };
        let e = err_with(SHEET, &options);
        check(&e, None, Some("--range"), "is not a range");
    }
}

#[test]
fn a_range_reads_its_block_and_nothing_else() {
    let (m, w) = warnings(SHEET, &in_range("B3:E6"));
    assert!(w.is_empty(), "no title or notes looked for: {w:?}");
    let t = &m.tables[0];
    assert_eq!(t.dimensions[0].name(), "MRC");
    assert_eq!(
        t.dimensions[0].codes(),
        &["A", "B", "Total"].map(String::from)
    );
    assert_eq!(
        t.dimensions[1].codes(),
        &["2023", "2024", "Total"].map(String::from)
    );
    assert_eq!(parent(&t.dimensions[0], "A"), Some("Total"));
    assert_eq!(entry(t, "A", "2023"), Entry::Hidden);
    assert_eq!(entry(t, "B", "2024"), Entry::Published(6));
    // Line numbers stay the file's.
    assert_eq!(t.cells[0].line, Some(4));
    // A smaller block: the total row left out is not read.
    let t = table_with(SHEET, &in_range("B3:D5"));
    assert_eq!(t.dimensions[0].codes(), &["A", "B"].map(String::from));
    assert_eq!(t.dimensions[1].codes(), &["2023", "2024"].map(String::from));
    // Without the range, the notes column on the left is read as a
    // second label column, and refused.
    let e = err(SHEET);
    assert!(e.message.contains("2 row dimensions"), "{e}");
}

#[test]
fn inside_a_range_nothing_is_skipped_as_a_title_or_notes() {
    // What the reader would skip as notes is a row of hidden cells when
    // the range says it is in the table.
    let text = "R,A,B,Total\nr1,x,9,20\nr2,x,15,25\nTotal,13,24,45\n\nnote,,,\n";
    let t = table(text);
    assert_eq!(t.dimensions[0].len(), 3);
    let t = table_with(text, &in_range("A1:D6"));
    assert_eq!(t.dimensions[0].len(), 4);
    assert_eq!(entry(&t, "note", "A"), Entry::Hidden);
}

#[test]
fn a_range_past_the_file_is_an_error_naming_the_flag() {
    let e = err_with(SHEET, &in_range("B3:E60"));
    check(
        &e,
        None,
        Some("--range"),
        "--range B3:E60 ends at line 60, but the file has 8 lines: end the range at line 8 or before (--range B3:E8)",
    );
    let e = err_with(SHEET, &in_range("B9:E12"));
    check(
        &e,
        None,
        Some("--range"),
        "start the range at the header's line",
    );
    // Past the fields of a line inside it: the line and the range to write.
    let e = err_with(SHEET, &in_range("B3:G6"));
    check(
        &e,
        Some(3),
        Some("--range"),
        "with the delimiter ';' (of ',', ';' and tab, the one that reaches furthest), this line has 6 fields, but --range B3:G6 reaches column G (field 7): end the range at column F or before (--range B3:F6)",
    );
    // A block with nothing in it.
    let e = err_with(SHEET, &in_range("B1:E2"));
    check(&e, Some(1), Some("--range"), "holds no data line");
    // The delimiter given is the one used.
    let options = GridOptions {
        delimiter: Some(b','),
        ..in_range("A3:E6")
    };
    let e = err_with(SHEET, &options);
    check(
        &e,
        Some(3),
        Some("--range"),
        "with the delimiter ',', this line has 1 field",
    );
}

// ------------------------------------------- numbers, flags and profiles

fn with_syntax(syntax: cellbound_core::io::cell_text::CellSyntax) -> GridOptions {
    GridOptions {
        syntax,
        ..GridOptions::default()
    }
}

#[test]
fn amounts_bring_the_grid_to_its_most_decimals() {
    use cellbound_core::io::cell_text::{CellSyntax, Thousands};
    let options = with_syntax(CellSyntax {
        thousands: Thousands::Comma,
        ..CellSyntax::default()
    });
    let model = read_bytes_with(b"r,a,b,Total\np,\"1,200.5\",<2,\"1,202\"\n", &options).unwrap();
    assert_eq!(model.decimals, 1);
    let t = &model.tables[0];
    assert_eq!(entry(t, "p", "a"), Entry::Published(12005));
    assert_eq!(entry(t, "p", "Total"), Entry::Published(12020));
    // "<2" is below 2: up to 1.9.
    assert_eq!(
        entry(t, "p", "b"),
        Entry::Range {
            lo: Some(0),
            hi: Some(19)
        }
    );
    // A whole grid keeps decimals 0.
    assert_eq!(
        read_bytes_with(b"r,a\np,1\n", &options).unwrap().decimals,
        0
    );
}

#[test]
fn declared_decimals_refuse_more_naming_line_and_column() {
    use cellbound_core::io::cell_text::CellSyntax;
    let options = with_syntax(CellSyntax {
        decimals: Some(1),
        ..CellSyntax::default()
    });
    let e = err_with("r,a,b\np,1.5,2\nq,3,4.25\n", &options);
    check(
        &e,
        Some(3),
        Some("column \"b\""),
        "\"4.25\" has 2 decimals, more than the 1 declared (--decimals 1)",
    );
    let e = err_with(
        "r,a\np,1\n",
        &with_syntax(CellSyntax {
            thousands: cellbound_core::io::cell_text::Thousands::Dot,
            decimal: Some(cellbound_core::io::cell_text::Decimal::Dot),
            ..CellSyntax::default()
        }),
    );
    assert!(e.message.contains("both '.'"), "{e}");
}

#[test]
fn a_profile_reads_its_flags_and_reports_them() {
    use cellbound_core::io::profile::Profile;
    let options = with_syntax(Profile::named("statcan").unwrap().syntax(None));
    let read = csv_grid::read_full(
        b"r,a,b,Total\np,x,\"1,204\",\"1,206\"\nq,F,12E,30\n",
        "t.csv",
        "t",
        &options,
    )
    .unwrap();
    let t = &read.model.tables[0];
    assert_eq!(entry(t, "p", "a"), Entry::Hidden);
    assert_eq!(
        entry(t, "q", "a"),
        Entry::Range {
            lo: Some(0),
            hi: None
        }
    );
    assert_eq!(entry(t, "q", "b"), Entry::Published(12));
    let said: Vec<(&str, usize, Option<usize>)> = read
        .flags
        .iter()
        .map(|f| (f.flag.as_str(), f.cells, f.first_line))
        .collect();
    assert_eq!(
        said,
        [("x", 1, Some(2)), ("F", 1, Some(3)), ("E", 1, Some(3))]
    );
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
}

#[test]
fn built_in_markers_that_agencies_read_differently_warn_once() {
    let read = csv_grid::read_full(
        b"r,a,b,Total\np,F,F,5\nq,...,1,3\n",
        "t.csv",
        "t",
        &GridOptions::default(),
    )
    .unwrap();
    let warnings: Vec<String> = read.warnings.iter().map(|w| w.to_string()).collect();
    let f: Vec<&String> = warnings.iter().filter(|w| w.contains("\"F\"")).collect();
    assert_eq!(f.len(), 1, "{warnings:?}");
    assert!(
        f[0].starts_with("t.csv:2: column \"a\": the marker \"F\""),
        "{}",
        f[0]
    );
    assert!(warnings
        .iter()
        .any(|w| w.contains("the marker \"...\"") && w.contains("--flag-meaning ...=absent")));
    // The cells are read as they always were.
    assert_eq!(entry(&read.model.tables[0], "p", "a"), Entry::Hidden);
    assert!(read.flags.is_empty());
}

#[test]
fn a_column_of_dash_ranges_is_a_label_column_not_ranges() {
    // Age groups next to the row label: a second row dimension.
    let e = err("State,Age,Deaths\nAlaska,15-24,12\nVermont,25-34,9\n");
    check(&e, Some(2), Some("column \"Age\""), "row dimensions");
    // A range among counts is a range.
    let t = table("r,a,b\np,1-9,3\nq,4,5\n");
    assert_eq!(
        entry(&t, "p", "a"),
        Entry::Range {
            lo: Some(1),
            hi: Some(9)
        }
    );
}
