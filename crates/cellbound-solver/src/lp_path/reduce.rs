//! Reduction and expansion: the LP path solves a component with its
//! doubleton lines substituted away ([`collapse`](crate::collapse)), then
//! maps the reduced component's bounds and tables back to every variable.

use cellbound_core::Count;

use crate::collapse::Collapsed;
use crate::components::Component;
use crate::error::SolveError;
use crate::solved::{ComponentBounds, VarBounds};

/// The bounds of the original component from those of its reduced one:
/// `x = root + c` keeps the root's bounds and tables, shifted; `x = c -
/// root` swaps them. Every table is checked against the original rows.
pub(super) fn expand(
    component: &Component,
    collapsed: &Collapsed,
    reduced: ComponentBounds,
) -> Result<ComponentBounds, SolveError> {
    let witnesses = (0..reduced.witnesses.len())
        .map(|j| {
            let roots = crate::report::table_values(&reduced.witnesses, j);
            table(component, collapsed, &roots)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = ComponentBounds::empty(component.vars.len(), witnesses, reduced.programs);
    out.only_table = reduced.only_table;
    out.unproved = reduced.unproved;
    for a in &collapsed.alias {
        let root = reduced.vars[a.root];
        let (lo, hi) = (root.lower, root.upper);
        let (lo_by, hi_by) = root.reached_by;
        let value = |x: Option<Count>| x.map(|x| fit(a.value(x as i128))).transpose();
        // A mirrored variable (sign -1) takes the root's upper bound as its
        // lower one, and the other way round.
        let var = if a.sign == 1 {
            VarBounds {
                lower: value(lo)?,
                upper: value(hi)?,
                tight: root.tight,
                reached_by: (lo_by, hi_by),
            }
        } else {
            VarBounds {
                lower: value(hi)?,
                upper: value(lo)?,
                tight: root.tight,
                reached_by: (hi_by, lo_by),
            }
        };
        out.vars.push(var);
    }
    Ok(out)
}

/// A table of the reduced component (`roots`) as values of every variable
/// of `component`, checked against its rows and domains.
pub(super) fn table(
    component: &Component,
    collapsed: &Collapsed,
    roots: &[Count],
) -> Result<Vec<Count>, SolveError> {
    let values = collapsed
        .alias
        .iter()
        .map(|a| fit(a.value(roots[a.root] as i128)))
        .collect::<Result<Vec<Count>, _>>()?;
    if component.admits(&values) {
        Ok(values)
    } else {
        Err(SolveError::Numerical(
            "a table of the substituted lines fails the original ones".into(),
        ))
    }
}

/// A substituted value as a count.
fn fit(x: i128) -> Result<Count, SolveError> {
    Count::try_from(x)
        .map_err(|_| SolveError::Numerical("a substituted value passes 64 bits".into()))
}
