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
    /// The domain of each local variable (`None` for no limit on that
    /// side).
    pub lo: Vec<Option<Count>>,
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

    /// `sources`, then the variables they reach over the rows `active`,
    /// breadth first (each row's variables in order), until `size` in
    /// all, in the order reached: the variables nearest the sources
    /// first.
    pub fn breadth_first(&self, active: &[usize], sources: &[usize], size: usize) -> Vec<usize> {
        let n = self.vars.len();
        let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &r in active {
            for &(x, _) in &self.rows[r].terms {
                rows_of[x].push(r);
            }
        }
        let mut reached = vec![false; n];
        let mut order = Vec::with_capacity(size.max(sources.len()));
        for &v in sources {
            if !reached[v] {
                reached[v] = true;
                order.push(v);
            }
        }
        let mut head = 0;
        'search: while head < order.len() {
            let x = order[head];
            head += 1;
            for &r in &rows_of[x] {
                for &(y, _) in &self.rows[r].terms {
                    if order.len() >= size {
                        break 'search;
                    }
                    if !reached[y] {
                        reached[y] = true;
                        order.push(y);
                    }
                }
            }
        }
        order
    }
}

/// The components of a system, numbered in order of their first
/// variable, in two lists: those some row touches (or whose domain is
/// empty, for the solver to explain), built whole, and the variables no
/// row touches, each a component of its own, named by its variable alone:
/// a grid with no margin has millions of them, and no [`Component`] is
/// built for any (see [`Split::components`] for the plain list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// `(component number, component)`, in order.
    pub linked: Vec<(usize, Component)>,
    /// `(component number, variable)`, in order.
    pub free: Vec<(usize, usize)>,
}

impl Split {
    /// How many components there are in all.
    pub fn count(&self) -> usize {
        self.linked.len() + self.free.len()
    }

    /// Every component, in order, a free variable as a component with no
    /// row.
    pub fn components(self, system: &LinearSystem) -> Vec<Component> {
        let mut out = Vec::with_capacity(self.count());
        let mut free = self.free.into_iter().peekable();
        for (k, c) in self.linked {
            while let Some((_, v)) = free.next_if(|&(j, _)| j < k) {
                out.push(alone(system, v));
            }
            out.push(c);
        }
        out.extend(free.map(|(_, v)| alone(system, v)));
        out
    }
}

/// The component of a variable no row touches.
fn alone(system: &LinearSystem, v: usize) -> Component {
    let domain = system.vars[v].domain;
    Component {
        vars: vec![v],
        rows: Vec::new(),
        lo: vec![domain.lo],
        hi: vec![domain.hi],
    }
}

/// Splits the system into components, in order of their first variable.
/// Rows without variables belong to none (the caller checks them).
pub fn split(system: &LinearSystem) -> Vec<Component> {
    split_free(system).components(system)
}

/// The union of the variables each row links, and which variables some
/// row touches: what [`split_free`] and [`linked_sizes`] both start from.
fn links(system: &LinearSystem) -> (UnionFind<usize>, Vec<bool>) {
    let n = system.vars.len();
    let mut uf = UnionFind::<usize>::new(n);
    let mut touched = vec![false; n];
    for row in &system.rows {
        if let Some(&(first, _)) = row.terms.first() {
            touched[first] = true;
            for &(v, _) in &row.terms[1..] {
                touched[v] = true;
                uf.union(first, v);
            }
        }
    }
    (uf, touched)
}

/// The sizes of the components some row touches, in no particular order,
/// each with whether it may be a network (every row an equality with ±1
/// coefficients, every cell on two rows at most and with a lower limit:
/// the flow path's shape, short of the orientation it checks too): what
/// [`split_free`] would build, counted without building it.
pub fn linked_sizes(system: &LinearSystem) -> Vec<(usize, bool)> {
    let (uf, touched) = links(system);
    let n = touched.len();
    let mut rows_of = vec![0u32; n];
    let mut network = vec![true; n];
    for row in &system.rows {
        let plain =
            row.op == cellbound_core::Op::Eq && row.terms.iter().all(|&(_, c)| c.abs() == 1);
        for &(v, _) in &row.terms {
            rows_of[v] += 1;
            if !plain {
                network[uf.find(v)] = false;
            }
        }
    }
    let mut size = vec![0usize; n];
    for v in (0..n).filter(|&v| touched[v]) {
        let root = uf.find(v);
        size[root] += 1;
        if rows_of[v] > 2 || system.vars[v].domain.lo.is_none() {
            network[root] = false;
        }
    }
    size.into_iter()
        .zip(network)
        .filter(|&(s, _)| s > 0)
        .collect()
}

/// [`split`], with the variables no row touches left apart ([`Split`]).
pub fn split_free(system: &LinearSystem) -> Split {
    let n = system.vars.len();
    let (uf, touched) = links(system);
    let mut component_of_root = vec![usize::MAX; n];
    let mut local = vec![0usize; n];
    let mut components: Vec<(usize, Component)> = Vec::new();
    let mut free = Vec::new();
    let mut count = 0;
    for (v, slot) in local.iter_mut().enumerate() {
        let domain = system.vars[v].domain;
        if !touched[v] && !matches!((domain.lo, domain.hi), (Some(l), Some(h)) if h < l) {
            free.push((count, v));
            count += 1;
            continue;
        }
        let root = uf.find(v);
        if component_of_root[root] == usize::MAX {
            component_of_root[root] = components.len();
            components.push((
                count,
                Component {
                    vars: Vec::new(),
                    rows: Vec::new(),
                    lo: Vec::new(),
                    hi: Vec::new(),
                },
            ));
            count += 1;
        }
        let c = &mut components[component_of_root[root]].1;
        *slot = c.vars.len();
        c.vars.push(v);
        c.lo.push(domain.lo);
        c.hi.push(domain.hi);
    }
    for (r, row) in system.rows.iter().enumerate() {
        let Some(&(first, _)) = row.terms.first() else {
            continue;
        };
        let c = component_of_root[uf.find(first)];
        components[c].1.rows.push(LocalRow {
            terms: row.terms.iter().map(|&(v, k)| (local[v], k)).collect(),
            op: row.op,
            rhs: row.rhs,
            origin: r,
        });
    }
    Split {
        linked: components,
        free,
    }
}
