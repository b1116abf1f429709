//! Why a model has no integer table: a minimal set of lines that cannot
//! hold together, told in the user's terms.
//!
//! The set comes from a deletion filter: drop each line in turn and keep
//! it out when the rest still admit no table. What remains is irreducible:
//! every line in it is needed for the contradiction.

use cellbound_core::system::{describe_cell, describe_line};
use cellbound_core::{DomainSource, Line, LinearSystem, Model, Op, Row};

use crate::bounds::admits_some_table;
use crate::components::Component;
use crate::error::SolveError;
use crate::report::{Infeasibility, Stats};

/// Past this many lines, the conflict is reported whole rather than
/// reduced (each step of the reduction solves a program).
const MAX_LINES_TO_REDUCE: usize = 400;

/// A line made of published cells only that fails.
pub fn constant_row(model: &Model, row: &Row) -> Infeasibility {
    // The row holds what is left once the published cells are moved to
    // the right: put them back to say it as the user wrote it.
    let (published, rhs) = match row.line {
        Line::Constraint(k) => {
            let rhs = model.constraints[k].rhs as i128;
            (rhs - row.rhs, rhs)
        }
        Line::Sum { .. } => (0, row.rhs),
    };
    Infeasibility {
        lines: vec![format!(
            "{}: the published cells alone give {published} {} {rhs}, which is false",
            describe_line(model, &row.line),
            row.op,
        )],
        minimal: true,
        hint: None,
        about_a_cell: false,
        stats: Stats::default(),
    }
}

/// Explains an infeasible component.
pub fn explain(
    model: &Model,
    system: &LinearSystem,
    component: &Component,
) -> Result<Infeasibility, SolveError> {
    // A cell whose own domain is empty needs no line at all.
    for (i, &v) in component.vars.iter().enumerate() {
        if component.hi[i].is_some_and(|h| h < component.lo[i]) {
            let var = &system.vars[v];
            return Ok(Infeasibility {
                lines: vec![format!(
                    "cell {}: the rule leaves it no value (at least {}, at most {})",
                    describe_cell(model, var.cell),
                    component.lo[i],
                    component.hi[i].unwrap_or_default()
                )],
                minimal: true,
                hint: hint(system, component.vars.iter().copied()),
                about_a_cell: true,
                stats: Stats::default(),
            });
        }
    }
    let mut active: Vec<usize> = (0..component.rows.len()).collect();
    let mut minimal = false;
    // One line on its own is the most common and the clearest conflict.
    if let Some(r) =
        (0..component.rows.len()).find(|&r| matches!(admits_some_table(component, &[r]), Ok(false)))
    {
        active = vec![r];
        minimal = true;
    } else if active.len() <= MAX_LINES_TO_REDUCE {
        let mut k = 0;
        while k < active.len() {
            let mut without = active.clone();
            without.remove(k);
            if !admits_some_table(component, &without)? {
                active = without;
            } else {
                k += 1;
            }
        }
        minimal = true;
    }
    let rows: Vec<&Row> = active
        .iter()
        .map(|&r| &system.rows[component.rows[r].row])
        .collect();
    let vars = rows
        .iter()
        .flat_map(|row| row.terms.iter().map(|&(v, _)| v));
    Ok(Infeasibility {
        lines: rows
            .iter()
            .map(|row| describe_row(model, system, row))
            .collect(),
        minimal,
        hint: hint(system, vars),
        about_a_cell: false,
        stats: Stats::default(),
    })
}

/// What the user may relax, given the variables in the conflict.
fn hint(system: &LinearSystem, vars: impl Iterator<Item = usize>) -> Option<String> {
    let mut threshold = false;
    let mut floor_one = false;
    for v in vars {
        let d = system.vars[v].domain;
        threshold |= d.source == DomainSource::Threshold;
        floor_one |= d.source != DomainSource::Range && d.lo >= 1;
    }
    let mut hints = Vec::new();
    if threshold {
        hints.push(format!(
            "Hidden cells are assumed below the threshold {} (--threshold); if some were suppressed only to protect others and may be larger, rerun with --open",
            system.rule.threshold
        ));
    }
    if floor_one {
        hints.push(
            "--zeros-shown assumes every hidden cell is at least 1; drop it if zeros may be hidden"
                .to_string(),
        );
    }
    (!hints.is_empty()).then(|| hints.join(". "))
}

/// One line of a conflict: for a total whose parts are short or over, the
/// arithmetic (`total 20, published 9, needs 11 from 2 hidden cells of at
/// most 4 each`); otherwise its equation over the hidden cells.
pub fn describe_row(model: &Model, system: &LinearSystem, row: &Row) -> String {
    let name = describe_line(model, &row.line);
    if let Some(s) = describe_sum_shortfall(model, system, row) {
        return format!("{name}: {s}");
    }
    let mut lhs = String::new();
    for (i, &(v, c)) in row.terms.iter().enumerate() {
        let cell = describe_cell(model, system.vars[v].cell);
        let sign = if c < 0 {
            "-"
        } else if i > 0 {
            "+"
        } else {
            ""
        };
        let sep = if i > 0 { " " } else { "" };
        let mag = c.unsigned_abs();
        let coef = if mag == 1 {
            String::new()
        } else {
            format!("{mag}*")
        };
        let space = if i > 0 && !sign.is_empty() { " " } else { "" };
        lhs.push_str(&format!("{sep}{sign}{space}{coef}{cell}"));
    }
    let domains: Vec<String> = row
        .terms
        .iter()
        .map(|&(v, _)| {
            let d = system.vars[v].domain;
            match d.hi {
                Some(h) => format!("{}..{h}", d.lo),
                None => format!(">= {}", d.lo),
            }
        })
        .collect();
    let same = domains.windows(2).all(|w| w[0] == w[1]);
    let domain_note = if same && !domains.is_empty() {
        format!(" (each hidden cell {})", domains[0])
    } else {
        format!(" (hidden cells {})", domains.join(", "))
    };
    format!("{name}: {lhs} {} {}{domain_note}", row.op, row.rhs)
}

fn describe_sum_shortfall(model: &Model, system: &LinearSystem, row: &Row) -> Option<String> {
    let Line::Sum { table, dim, at } = &row.line else {
        return None;
    };
    if row.op != Op::Eq {
        return None;
    }
    let t = &model.tables[*table];
    let (total, parts) = t.line_cells(*dim, at);
    let total = t.cells[total?].entry.published()?;
    let published: i128 = parts
        .iter()
        .filter_map(|&ci| t.cells[ci].entry.published())
        .map(|v| v as i128)
        .sum();
    let need = total as i128 - published;
    let domains: Vec<_> = row
        .terms
        .iter()
        .map(|&(v, _)| system.vars[v].domain)
        .collect();
    let k = domains.len();
    let cells = if k == 1 {
        "hidden cell"
    } else {
        "hidden cells"
    };
    let all_same_hi = domains.windows(2).all(|w| w[0].hi == w[1].hi);
    let all_same_lo = domains.windows(2).all(|w| w[0].lo == w[1].lo);
    let max_sum: Option<i128> = domains.iter().map(|d| d.hi.map(|h| h as i128)).sum();
    let min_sum: i128 = domains.iter().map(|d| d.lo as i128).sum();
    let head = format!("total {total}, published {published}");
    if max_sum.is_some_and(|m| m < need) {
        let limit = match (all_same_hi, domains[0].hi) {
            (true, Some(h)) if k > 1 => format!("of at most {h} each"),
            (true, Some(h)) => format!("of at most {h}"),
            _ => format!("that add up to at most {}", max_sum.unwrap_or_default()),
        };
        return Some(format!("{head}, needs {need} from {k} {cells} {limit}"));
    }
    if min_sum > need {
        let limit = if all_same_lo && k > 1 {
            format!("of at least {} each", domains[0].lo)
        } else if k == 1 {
            format!("of at least {}", domains[0].lo)
        } else {
            format!("that add up to at least {min_sum}")
        };
        return Some(format!("{head}, leaves {need} for {k} {cells} {limit}"));
    }
    None
}
