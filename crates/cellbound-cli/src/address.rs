//! Finding the cell `explain --cell` names.
//!
//! `--table NAME --cell LABELS` is the unambiguous form: the table by its
//! name, the cell's labels as one CSV record (quote a label that holds a
//! comma). Without `--table`, the first label may start with `TABLE:`, as
//! before; since a label or a table's name may itself hold a colon, every
//! reading is tried (the labels as they are, and the first label cut at
//! each colon whose left side names a table), and an address that names
//! two cells is refused, naming both, rather than one of them picked.

use cellbound_core::{CellRef, Entry, Model};

/// One way of reading an address: a table and the labels in it.
struct Reading {
    table: usize,
    labels: Vec<String>,
    /// The `TABLE:` prefix this reading took off the first label.
    prefix: Option<String>,
}

/// The hidden cell an address names, or why it names none (or two).
pub fn find_cell(model: &Model, table: Option<&str>, spec: &str) -> Result<CellRef, String> {
    find_with(model, table, spec, hidden)
}

/// Any listed cell an address names, published or hidden (`protect`'s
/// `--keep-published` and `--primary`).
pub fn find_listed_cell(model: &Model, spec: &str) -> Result<CellRef, String> {
    find_with(model, None, spec, listed)
}

type Accept = fn(&Model, usize, &[usize]) -> Result<CellRef, String>;

fn find_with(
    model: &Model,
    table: Option<&str>,
    spec: &str,
    accept: Accept,
) -> Result<CellRef, String> {
    let labels = parse(spec)?;
    let names: Vec<&str> = model.tables.iter().map(|t| t.name.as_str()).collect();
    if let Some(name) = table {
        let t = model
            .table_index(name)
            .ok_or_else(|| format!("--table {name:?}: no such table; the tables are {names:?}"))?;
        let at = model.tables[t].locate(&labels).map_err(|e| e.to_string())?;
        return accept(model, t, &at);
    }
    let mut readings = Vec::new();
    // The labels as they are: in the one table, or in any table.
    for t in 0..model.tables.len() {
        readings.push(Reading {
            table: t,
            labels: labels.clone(),
            prefix: None,
        });
    }
    // `TABLE:` cut at each colon of the first label.
    for (i, _) in labels[0].match_indices(':') {
        let name = labels[0][..i].trim();
        if let Some(t) = model.table_index(name) {
            let mut rest = labels.clone();
            rest[0] = labels[0][i + 1..].trim().to_string();
            readings.push(Reading {
                table: t,
                labels: rest,
                prefix: Some(name.to_string()),
            });
        }
    }
    let mut found: Vec<(&Reading, Vec<usize>)> = Vec::new();
    let mut errors = Vec::new();
    for r in &readings {
        match model.tables[r.table].locate(&r.labels) {
            Ok(at) => {
                if !found.iter().any(|(f, a)| f.table == r.table && *a == at) {
                    found.push((r, at));
                }
            }
            Err(e) => errors.push((r, e.to_string())),
        }
    }
    match found.as_slice() {
        [(r, at)] => accept(model, r.table, at),
        [] => {
            // The most specific complaint: a reading with a table's name
            // first, else the one table's, else which table to name.
            if let Some((_, e)) = errors.iter().rev().find(|(r, _)| r.prefix.is_some()) {
                Err(e.clone())
            } else if model.tables.len() == 1 {
                Err(errors.first().map(|(_, e)| e.clone()).unwrap_or_default())
            } else {
                Err(format!(
                    "no table has that cell; the model has several tables: pass --table NAME (one of {names:?}) with the cell's labels, or put the table's name and a colon first"
                ))
            }
        }
        several => {
            let candidates: Vec<String> = several
                .iter()
                .map(|(r, _)| {
                    let how = match &r.prefix {
                        Some(p) => format!(" (reading {:?} as the table's name)", format!("{p}:")),
                        None => String::new(),
                    };
                    format!(
                        "table {:?}, cell {}{how}",
                        model.tables[r.table].name,
                        record(&r.labels)
                    )
                })
                .collect();
            let (r, _) = &several[0];
            Err(format!(
                "names {} cells: {}. Say which with --table and the cell's labels alone, e.g. --table {} --cell {}",
                several.len(),
                candidates.join("; "),
                quote(&model.tables[r.table].name),
                quote(&record(&r.labels))
            ))
        }
    }
}

/// The labels of `--cell`, one CSV record, each trimmed.
fn parse(spec: &str) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(spec.as_bytes());
    let record = reader
        .records()
        .next()
        .ok_or("give the cell's labels, comma separated")?
        .map_err(|e| e.to_string())?;
    Ok(record.iter().map(|s| s.trim().to_string()).collect())
}

/// Labels written back as one CSV record, as `--cell` takes them.
fn record(labels: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(labels).expect("writing to memory");
    let bytes = w.into_inner().expect("writing to memory");
    String::from_utf8(bytes)
        .expect("UTF-8 in, UTF-8 out")
        .trim_end_matches('\n')
        .to_string()
}

/// A word for a shell: single-quoted, a quote inside written `'\''`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn hidden(model: &Model, t: usize, at: &[usize]) -> Result<CellRef, String> {
    let tab = &model.tables[t];
    let c = tab
        .cell_at(at)
        .ok_or("that cell is not listed (a structural zero)")?;
    match tab.cells[c].entry {
        Entry::Published(v) => Err(format!("that cell is published: {v}")),
        _ => Ok(CellRef { table: t, cell: c }),
    }
}

fn listed(model: &Model, t: usize, at: &[usize]) -> Result<CellRef, String> {
    let c = model.tables[t]
        .cell_at(at)
        .ok_or("that cell is not listed (a structural zero)")?;
    Ok(CellRef { table: t, cell: c })
}
