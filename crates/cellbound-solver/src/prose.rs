//! The sentences users read about a conflict: each part of an
//! [`Infeasibility`](crate::Infeasibility) and each hint, in the user's
//! terms (the model's names, the published numbers). Only the API's
//! `describe`/`explanation` methods call this; no solving happens here.

use cellbound_core::model::show_value;
use cellbound_core::system::{describe_cell, describe_line};
use cellbound_core::{Line, Model, Op};

use crate::reason::{Conflict, ConflictLine, Hint};

/// One part of a conflict as a sentence.
pub(crate) fn conflict(model: &Model, conflict: &Conflict) -> String {
    match conflict {
        Conflict::PublishedOnly { line, op, rhs } => published_only(model, line, *op, *rhs),
        Conflict::EmptyDomain { cell, lo, hi } => format!(
            "cell {}: the rule leaves it no value (at least {}, at most {})",
            describe_cell(model, *cell),
            show_value(*lo as i128, model.decimals),
            show_value(*hi as i128, model.decimals),
        ),
        Conflict::Line(row) => describe_row(model, row),
    }
}

/// A hint as a sentence.
pub(crate) fn hint(model: &Model, hint: &Hint) -> String {
    match hint {
        Hint::Open { threshold } => format!(
            "Hidden cells are assumed below the threshold {} (--threshold); if some were suppressed only to protect others and may be larger, rerun with --open",
            show_value(i128::from(*threshold), model.decimals)
        ),
        Hint::DropZerosShown => {
            "--zeros-shown assumes every hidden cell is at least 1; drop it if zeros may be hidden"
                .to_string()
        }
    }
}

/// A line made of published cells only that fails.
fn published_only(model: &Model, line: &Line, op: Op, left: i128) -> String {
    // `left` is what is left once the published cells are moved to the
    // right: put them back to say it as the user wrote it.
    let (published, rhs) = match *line {
        Line::Constraint(k) => {
            let rhs = model.constraints[k].rhs as i128;
            (rhs - left, rhs)
        }
        Line::Sum { .. } => (0, left),
    };
    let v = |x: i128| show_value(x, model.decimals);
    format!(
        "{}: the published cells alone give {} {op} {}, which is false",
        describe_line(model, line),
        v(published),
        v(rhs),
    )
}

/// One line of a conflict: for a total whose parts are short or over, the
/// arithmetic (`total 20, published 9, needs 11 from 2 hidden cells of at
/// most 4 each`); otherwise its equation over the hidden cells.
fn describe_row(model: &Model, row: &ConflictLine) -> String {
    let name = describe_line(model, &row.line);
    if let Some(s) = describe_sum_shortfall(model, row) {
        return format!("{name}: {s}");
    }
    let mut lhs = String::new();
    for (i, &(cell, c, _)) in row.terms.iter().enumerate() {
        let cell = describe_cell(model, cell);
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
    let v = |x: i64| show_value(x as i128, model.decimals);
    let domains: Vec<String> = row
        .terms
        .iter()
        .map(|&(_, _, d)| match (d.lo, d.hi) {
            (Some(l), Some(h)) => format!("{}..{}", v(l), v(h)),
            (Some(l), None) => format!(">= {}", v(l)),
            (None, Some(h)) => format!("<= {}", v(h)),
            (None, None) => "any value".to_string(),
        })
        .collect();
    let same = domains.windows(2).all(|w| w[0] == w[1]);
    let domain_note = if same && !domains.is_empty() {
        format!(" (each hidden cell {})", domains[0])
    } else {
        format!(" (hidden cells {})", domains.join(", "))
    };
    format!(
        "{name}: {lhs} {} {}{domain_note}",
        row.op,
        show_value(row.rhs, model.decimals)
    )
}

fn describe_sum_shortfall(model: &Model, row: &ConflictLine) -> Option<String> {
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
    let domains: Vec<_> = row.terms.iter().map(|&(_, _, d)| d).collect();
    let k = domains.len();
    let cells = if k == 1 {
        "hidden cell"
    } else {
        "hidden cells"
    };
    let all_same_hi = domains.windows(2).all(|w| w[0].hi == w[1].hi);
    let all_same_lo = domains.windows(2).all(|w| w[0].lo == w[1].lo);
    let max_sum: Option<i128> = domains.iter().map(|d| d.hi.map(|h| h as i128)).sum();
    let min_sum: Option<i128> = domains.iter().map(|d| d.lo.map(|l| l as i128)).sum();
    let v = |x: i128| show_value(x, model.decimals);
    let head = format!("total {}, published {}", v(total as i128), v(published));
    if max_sum.is_some_and(|m| m < need) {
        let limit = match (all_same_hi, domains[0].hi) {
            (true, Some(h)) if k > 1 => format!("of at most {} each", v(h as i128)),
            (true, Some(h)) => format!("of at most {}", v(h as i128)),
            _ => format!("that add up to at most {}", v(max_sum.unwrap_or_default())),
        };
        return Some(format!(
            "{head}, needs {} from {k} {cells} {limit}",
            v(need)
        ));
    }
    if let Some(min_sum) = min_sum.filter(|&m| m > need) {
        // Every domain has a lower end here: `min_sum` is their sum.
        let lo = domains[0].lo.unwrap_or_default() as i128;
        let limit = if all_same_lo && k > 1 {
            format!("of at least {} each", v(lo))
        } else if k == 1 {
            format!("of at least {}", v(lo))
        } else {
            format!("that add up to at least {}", v(min_sum))
        };
        return Some(format!(
            "{head}, leaves {} for {k} {cells} {limit}",
            v(need)
        ));
    }
    None
}
