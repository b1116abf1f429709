//! Bytes to the JSON model reader: a model or an error, never a panic.
#![no_main]

use cellbound_core::io::json_model;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = json_model::read(data, "fuzz.json", "fuzz");
});
