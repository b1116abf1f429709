//! From a float point to an integer table that provably satisfies the
//! component: round, then check every row and domain exactly.

use cellbound_core::Count;

/// Rounds an LP point to integers, or `None` when a coordinate is not
/// within `1e-6` of an integer or out of the exactly representable range.
pub fn round(point: &[f64]) -> Option<Vec<Count>> {
    point
        .iter()
        .map(|&x| {
            let r = x.round();
            let ok = x.is_finite()
                && (x - r).abs() <= 1e-6 * r.abs().max(1.0)
                && r.abs() <= cellbound_core::MAX_COUNT as f64;
            ok.then_some(r as Count)
        })
        .collect()
}
