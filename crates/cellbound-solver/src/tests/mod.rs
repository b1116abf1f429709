//! Tests that reach into the crate's internals: the flow path against the
//! LP path, and the fast LP path against an integer program per bound.
//! The helpers here run one path alone.

mod flow_vs_lp;
mod lp_paths;

use cellbound_core::Count;

use crate::components::Component;
use crate::error::SolveError;
use crate::flow::Network;

/// `(lower, upper)` per variable.
pub(crate) type Intervals = (Vec<Option<Count>>, Vec<Option<Count>>);

/// The LP path alone (the reference the flow path is tested against);
/// `None` when infeasible.
pub(crate) fn lp_bounds(component: &Component) -> Result<Option<Intervals>, SolveError> {
    Ok(
        crate::lp_path::solve(component, false, None, None, &|_| {})?
            .map(|b| (b.lower(), b.upper())),
    )
}

/// The flow path alone; `Ok(None)` when infeasible, `Err` when the
/// component is not a network.
pub(crate) fn flow_bounds(component: &Component) -> Result<Option<Intervals>, SolveError> {
    let net = Network::of(component)
        .ok_or_else(|| SolveError::Solver("the component is not a network".into()))?;
    Ok(net
        .bounds(component, crate::solved::Keep::None, None, &|_| {})?
        .map(|b| (b.lower(), b.upper())))
}

/// Whether a component takes the flow path.
pub(crate) fn is_network(component: &Component) -> bool {
    Network::of(component).is_some()
}
