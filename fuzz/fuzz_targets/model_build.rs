//! Bytes to a model (the first byte picks the reader and the rule), then
//! the linear system, then, for small systems, the bounds under a time
//! limit. Nothing may panic: bad input is an error, a contradiction is an
//! infeasible outcome.
#![no_main]

use std::time::Duration;

use cellbound_core::io::{read_bytes, Format, GridOptions};
use cellbound_core::{LinearSystem, Rule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let format = match first % 3 {
        0 => Format::CsvGrid,
        1 => Format::JsonModel,
        _ => Format::Jj,
    };
    let rule = Rule {
        threshold: 1 + i64::from((first >> 2) & 0b111),
        zeros_shown: first & 0b10_0000 != 0,
        open: first & 0b100_0000 != 0,
    };
    let Ok(model) = read_bytes(body, format, "fuzz", "fuzz", &GridOptions::default()) else {
        return;
    };
    let Ok(system) = LinearSystem::build(&model, rule) else {
        return;
    };
    if system.vars.len() <= 12 && system.rows.len() <= 24 {
        let options = cellbound_solver::Options {
            time_limit: Some(Duration::from_secs(2)),
            ..Default::default()
        };
        let _ = cellbound_solver::bounds(&model, rule, &options);
    }
});
