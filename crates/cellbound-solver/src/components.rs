//! Independent parts of a system: hidden cells linked through shared rows.
//! Each part is solved on its own, which costs less than solving the
//! whole system at once (docs/benchmarks.md has the figures).

use cellbound_core::model::within;
use cellbound_core::{Count, LinearSystem, Row};
use petgraph::unionfind::UnionFind;

/// A row of a component: its variables numbered locally, `origin` the
/// index of the system row it was taken from.
pub type LocalRow = Row<usize>;

/// A set of hidden cells that no row links to any other cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Variables of the system, in increasing order; the position in this
    /// list is the local number.
    pub vars: Vec<usize>,
    pub rows: Vec<LocalRow>,
    /// The domain of each local variable (`hi: None` for none).
    pub lo: Vec<Count>,
    pub hi: Vec<Option<Count>>,
}

impl Component {
    /// Whether integer values of the component's variables satisfy every
    /// row and every domain, in exact arithmetic.
    /// Whether every value lies in its variable's domain.
    pub fn within_domains(&self, values: &[Count]) -> bool {
        values
            .iter()
            .enumerate()
            .all(|(i, &v)| within(v, self.lo[i], self.hi[i]))
    }

    pub fn admits(&self, values: &[Count]) -> bool {
        values.len() == self.vars.len()
            && self.within_domains(values)
            && self.rows.iter().all(|r| r.holds(values))
    }
}

/// Splits the system into components, in order of their first variable.
/// Rows without variables belong to none (the caller checks them).
pub fn split(system: &LinearSystem) -> Vec<Component> {
    let n = system.vars.len();
    let mut uf = UnionFind::<usize>::new(n);
    for row in &system.rows {
        if let Some(&(first, _)) = row.terms.first() {
            for &(v, _) in &row.terms[1..] {
                uf.union(first, v);
            }
        }
    }
    let mut component_of_root = vec![usize::MAX; n];
    let mut local = vec![0usize; n];
    let mut components: Vec<Component> = Vec::new();
    for (v, slot) in local.iter_mut().enumerate() {
        let root = uf.find(v);
        if component_of_root[root] == usize::MAX {
            component_of_root[root] = components.len();
            components.push(Component {
                vars: Vec::new(),
                rows: Vec::new(),
                lo: Vec::new(),
                hi: Vec::new(),
            });
        }
        let c = &mut components[component_of_root[root]];
        *slot = c.vars.len();
        c.vars.push(v);
        c.lo.push(system.vars[v].domain.lo);
        c.hi.push(system.vars[v].domain.hi);
    }
    for (r, row) in system.rows.iter().enumerate() {
        let Some(&(first, _)) = row.terms.first() else {
            continue;
        };
        let c = component_of_root[uf.find(first)];
        components[c].rows.push(LocalRow {
            terms: row.terms.iter().map(|&(v, k)| (local[v], k)).collect(),
            op: row.op,
            rhs: row.rhs,
            origin: r,
        });
    }
    components
}
