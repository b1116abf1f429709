//! Extra constraints with extreme coefficients, and audit protections with
//! extreme values. The bytes pick, from a palette of edge values
//! (`i64::MIN`, `i64::MAX`, `2^62`, `2^53`, ...) or raw from the input,
//! the coefficients of up to six terms over three hidden cells `p`, `q`,
//! `r` under a published total (a term may name a cell already named:
//! `2^62` twice), the operator and the right-hand side; then the truth
//! values and protection levels of a 2x2 audit. Nothing may panic or
//! overflow (cargo fuzz builds with debug assertions); every bound the
//! solver reports tight must equal what brute force over the small domain
//! finds, and an infeasible answer must match brute force finding no
//! table.
#![no_main]

use std::time::Duration;

use cellbound_core::io::{read_bytes, Format, GridOptions};
use cellbound_core::Rule;
use cellbound_solver::{audit, CellPolicy, Protection};
use cellbound_solver::{Options, Outcome};
use libfuzzer_sys::fuzz_target;

const PALETTE: [i64; 16] = [
    i64::MIN,
    i64::MIN + 1,
    i64::MAX,
    i64::MAX - 1,
    1 << 62,
    -(1 << 62),
    (1 << 53) - 1,
    1 << 53,
    -(1 << 53),
    0,
    1,
    -1,
    2,
    -2,
    3,
    1 << 32,
];

/// Reads bytes one by one; zeros past the end.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn raw(&mut self) -> i64 {
        let mut v = [0u8; 8];
        for b in &mut v {
            *b = self.byte();
        }
        i64::from_le_bytes(v)
    }
    /// A number from the palette (most often) or raw from the input.
    fn number(&mut self) -> i64 {
        let b = self.byte();
        if b < 240 {
            PALETTE[usize::from(b) % PALETTE.len()]
        } else {
            self.raw()
        }
    }
}

const CELLS: [&str; 3] = ["p", "q", "r"];

fn constraints(bytes: &mut Bytes<'_>) {
    let total = i64::from(bytes.byte() % 9);
    let threshold = 1 + i64::from(bytes.byte() % 6);
    let terms: Vec<(usize, i64)> = (0..1 + bytes.byte() % 6)
        .map(|_| (usize::from(bytes.byte() % 3), bytes.number()))
        .collect();
    let op = ["=", "<=", ">="][usize::from(bytes.byte() % 3)];
    let rhs = bytes.number();
    let json = format!(
        r#"{{"name":"t","dimensions":[{{"name":"d","tree":{{"T":["p","q","r"]}}}}],
 "cells":[{{"at":["T"],"value":{total}}},{{"at":["p"],"hidden":true}},{{"at":["q"],"hidden":true}},{{"at":["r"],"hidden":true}}],
 "constraints":[{{"terms":[{}],"op":"{op}","rhs":{rhs}}}]}}"#,
        terms
            .iter()
            .map(|(c, k)| format!(r#"{{"at":["{}"],"coef":{k}}}"#, CELLS[*c]))
            .collect::<Vec<_>>()
            .join(",")
    );
    let Ok(model) = read_bytes(
        json.as_bytes(),
        Format::JsonModel,
        "fuzz",
        "fuzz",
        &GridOptions::default(),
    ) else {
        return;
    };
    let rule = Rule {
        threshold,
        zeros_shown: false,
        open: false,
    };
    let options = Options {
        time_limit: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let Ok(outcome) = cellbound_solver::bounds(&model, rule, &options) else {
        return; // an input error (a coefficient out of range) or the solver giving up
    };
    // Brute force: p + q + r = total, each in 0..threshold-1, and the
    // constraint, in exact arithmetic.
    let holds = |v: [i64; 3]| {
        let lhs: i128 = terms
            .iter()
            .map(|&(c, k)| i128::from(k) * i128::from(v[c]))
            .sum();
        let rhs = i128::from(rhs);
        match op {
            "=" => lhs == rhs,
            "<=" => lhs <= rhs,
            _ => lhs >= rhs,
        }
    };
    let mut range: [Option<(i64, i64)>; 3] = [None; 3];
    for p in 0..threshold {
        for q in 0..threshold {
            let r = total - p - q;
            if !(0..threshold).contains(&r) || !holds([p, q, r]) {
                continue;
            }
            for (slot, v) in range.iter_mut().zip([p, q, r]) {
                *slot = Some(slot.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
            }
        }
    }
    match outcome {
        Outcome::Infeasible(_) => assert!(range[0].is_none(), "infeasible, yet {range:?} fits"),
        Outcome::Feasible(report) => {
            if report.feasibility_proved() {
                assert!(range[0].is_some(), "feasible, yet no table fits: {json}");
            }
            for c in &report.cells {
                let i = model.tables[0].cells[c.cell.cell].at[0];
                let code = model.tables[0].dimensions[0].code(i);
                let k = CELLS
                    .iter()
                    .position(|n| *n == code)
                    .expect("a hidden leaf");
                let Some((lo, hi)) = range[k] else {
                    panic!("{code}: bounds {:?} with no table: {json}", c.bounds)
                };
                if c.tight {
                    assert_eq!(
                        (c.bounds.lower, c.bounds.upper),
                        (lo, Some(hi)),
                        "{code}: {json}"
                    );
                } else {
                    assert!(
                        c.bounds.lower <= lo && c.bounds.upper.is_none_or(|u| u >= hi),
                        "{code}: {json}"
                    );
                }
            }
        }
    }
}

fn protections(bytes: &mut Bytes<'_>) {
    // A 2x2 grid, every interior cell hidden, the margins published from
    // the truth; the values near the edge of what a count may be.
    let v: Vec<i64> = (0..4).map(|_| bytes.number().rem_euclid(1 << 50)).collect();
    let text = format!(
        "R,A,B,Total\nr1,x,x,{}\nr2,x,x,{}\nTotal,{},{},{}\n",
        v[0] + v[1],
        v[2] + v[3],
        v[0] + v[2],
        v[1] + v[3],
        v.iter().sum::<i64>()
    );
    let Ok(model) = read_bytes(
        text.as_bytes(),
        Format::CsvGrid,
        "fuzz.csv",
        "fuzz",
        &GridOptions::default(),
    ) else {
        return;
    };
    let table = &model.tables[0];
    let mut hidden = v.iter();
    let truth: Vec<i64> = table
        .cells
        .iter()
        .map(|c| {
            c.entry
                .published()
                .unwrap_or_else(|| *hidden.next().expect("four hidden cells"))
        })
        .collect();
    let percent = |b: u8, raw: u32| match b % 4 {
        0 => None,
        1 => Some(u32::MAX),
        2 => Some(raw),
        _ => Some(raw % 1000),
    };
    let raw = u32::from_le_bytes([bytes.byte(), bytes.byte(), bytes.byte(), bytes.byte()]);
    let flags = bytes.byte();
    let protection = Protection {
        threshold: bytes.number(),
        zero_sensitive: flags & 1 != 0,
        min_width: (flags & 2 != 0).then(|| bytes.number()),
        upper_protection: percent(flags >> 2, raw),
        lower_protection: percent(flags >> 4, raw.rotate_left(7)),
        protect_all: flags & 64 != 0,
        strict: flags & 128 != 0,
    };
    let policies: Option<Vec<Vec<CellPolicy>>> = (bytes.byte() % 2 == 1).then(|| {
        vec![table
            .cells
            .iter()
            .map(|_| CellPolicy {
                sensitive: bytes.byte() % 2 == 1,
                lower_protection: bytes.number(),
                upper_protection: bytes.number(),
            })
            .collect()]
    });
    let _ = audit(
        &model,
        &[truth],
        flags & 1 != 0,
        &protection,
        policies.as_deref(),
        &Options {
            time_limit: Some(Duration::from_secs(2)),
            ..Default::default()
        },
    );
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    if bytes.byte() % 2 == 0 {
        constraints(&mut bytes);
    } else {
        protections(&mut bytes);
    }
});
