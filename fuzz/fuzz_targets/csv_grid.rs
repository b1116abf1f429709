//! Bytes to the CSV grid reader. The first byte picks the options (the
//! delimiter, an extra marker, an extra total label); the rest is the
//! file. Any input must give a model or an error, never a panic.
#![no_main]

use cellbound_core::io::{csv_grid, GridOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (options, body) = match data.split_first() {
        Some((&first, rest)) => {
            let delimiter = match first & 0b111 {
                0 => Some(b','),
                1 => Some(b';'),
                2 => Some(b'\t'),
                3 => Some(b'|'),
                4 => Some(first), // anything, valid or not
                _ => None,
            };
            let mut options = GridOptions {
                delimiter,
                ..GridOptions::default()
            };
            if first & 0b1000 != 0 {
                options.markers.push("-".to_string());
            }
            if first & 0b1_0000 != 0 {
                options.total_labels.push(" Sum ".to_string());
            }
            (options, rest)
        }
        None => (GridOptions::default(), data),
    };
    let _ = csv_grid::read(body, "fuzz.csv", "fuzz", &options);
});
