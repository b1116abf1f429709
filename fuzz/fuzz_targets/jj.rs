//! Bytes to the τ-ARGUS JJ reader: a model or an error, never a panic.
#![no_main]

use cellbound_core::io::jj;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = jj::read(data, "fuzz.jj", "fuzz");
});
