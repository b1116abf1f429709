//! The table's lines as relations on perturbations of the true table:
//! every cell numbered once across the model, every additivity line and
//! extra constraint as `sum(coef * d) op slack`, where `d` is how far a
//! table the attacker could believe moves each cell from the truth.

use cellbound_core::{CellRef, Count, Line, Model, Op};

/// One relation on perturbations: `sum(coef * d[cell]) op slack`.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    pub terms: Vec<(usize, i64)>,
    pub op: Op,
    /// The room the truth leaves: 0 for an equality the truth satisfies.
    pub slack: i128,
    pub line: Line,
}

/// Every cell of the model numbered once (`global`), and its relations.
#[derive(Debug, Clone)]
pub(crate) struct Structure {
    offsets: Vec<usize>,
    pub refs: Vec<CellRef>,
    pub relations: Vec<Relation>,
    /// Per cell, the relations it is on, with its coefficient.
    pub on: Vec<Vec<(usize, i64)>>,
    /// Per cell, the number of dimensions along which it is a total.
    pub margin_dims: Vec<usize>,
    /// Per cell, the cells an extra constraint says are the same cell in
    /// another table (`a - b = 0`): linked tables, where a cell common to
    /// two tables has one status.
    pub twins: Vec<Vec<usize>>,
}

impl Structure {
    pub fn new(model: &Model, truth: &[Vec<Count>]) -> Structure {
        let mut offsets = Vec::with_capacity(model.tables.len());
        let mut refs = Vec::new();
        let mut margin_dims = Vec::new();
        for (t, table) in model.tables.iter().enumerate() {
            offsets.push(refs.len());
            for (c, cell) in table.cells.iter().enumerate() {
                refs.push(CellRef { table: t, cell: c });
                margin_dims.push(
                    cell.at
                        .iter()
                        .zip(&table.dimensions)
                        .filter(|(&i, d)| !d.is_leaf(i))
                        .count(),
                );
            }
        }
        let mut relations = Vec::new();
        for (t, table) in model.tables.iter().enumerate() {
            for (d, at) in table.sum_lines() {
                let (total, parts) = table.line_cells(d, &at);
                let mut terms: Vec<(usize, i64)> =
                    parts.iter().map(|&c| (offsets[t] + c, 1)).collect();
                if let Some(c) = total {
                    terms.push((offsets[t] + c, -1));
                }
                relations.push(Relation {
                    terms,
                    op: Op::Eq,
                    slack: 0,
                    line: Line::Sum {
                        table: t,
                        dim: d,
                        at,
                    },
                });
            }
        }
        for (k, constraint) in model.constraints.iter().enumerate() {
            let mut terms = Vec::new();
            let mut lhs: i128 = 0;
            for term in &constraint.terms {
                let table = &model.tables[term.table];
                if let Some(c) = table.cell_at(&term.at) {
                    terms.push((offsets[term.table] + c, term.coef));
                    lhs += term.coef as i128 * truth[term.table][c] as i128;
                }
            }
            relations.push(Relation {
                terms,
                op: constraint.op,
                slack: constraint.rhs as i128 - lhs,
                line: Line::Constraint(k),
            });
        }
        let mut on = vec![Vec::new(); refs.len()];
        let mut twins = vec![Vec::new(); refs.len()];
        for (r, rel) in relations.iter().enumerate() {
            for &(g, coef) in &rel.terms {
                on[g].push((r, coef));
            }
            if let (Line::Constraint(_), Op::Eq, [(a, ca), (b, cb)]) =
                (&rel.line, rel.op, rel.terms.as_slice())
            {
                if *ca == -*cb && ca.abs() == 1 && a != b && rel.slack == 0 {
                    twins[*a].push(*b);
                    twins[*b].push(*a);
                }
            }
        }
        Structure {
            offsets,
            refs,
            relations,
            on,
            margin_dims,
            twins,
        }
    }

    pub fn global(&self, cell: CellRef) -> usize {
        self.offsets[cell.table] + cell.cell
    }

    pub fn len(&self) -> usize {
        self.refs.len()
    }
}

/// A network view of the structure: each relation a node, each cell an
/// arc from `tail` to `head` (`None`: the ground node), when every
/// relation is an equality with coefficients ±1, every cell is on at most
/// two relations, and the relations can be signed so that each cell
/// enters one and leaves the other. A 2-D table with its margins is one;
/// a hierarchy along both dimensions is not.
#[derive(Debug, Clone)]
pub(crate) struct Network {
    /// Nodes: the relations, then the ground node.
    pub nodes: usize,
    pub tail: Vec<usize>,
    pub head: Vec<usize>,
    /// Per node, the arcs touching it.
    pub arcs_at: Vec<Vec<usize>>,
}

impl Network {
    pub fn of(s: &Structure) -> Option<Network> {
        if s.relations
            .iter()
            .any(|r| r.op != Op::Eq || r.slack != 0 || r.terms.iter().any(|&(_, c)| c.abs() != 1))
        {
            return None;
        }
        if s.on.iter().any(|o| o.len() > 2) {
            return None;
        }
        // Sign each relation (+1 or -1) so that a cell on two relations
        // has opposite signed coefficients: a 2-colouring, by search.
        let n = s.relations.len();
        let mut sign: Vec<i64> = vec![0; n];
        for start in 0..n {
            if sign[start] != 0 {
                continue;
            }
            sign[start] = 1;
            let mut stack = vec![start];
            while let Some(r) = stack.pop() {
                for &(g, coef) in &s.relations[r].terms {
                    for &(r2, coef2) in &s.on[g] {
                        if r2 == r {
                            continue;
                        }
                        // sign[r] * coef = -(sign[r2] * coef2)
                        let want = -sign[r] * coef * coef2;
                        if sign[r2] == 0 {
                            sign[r2] = want;
                            stack.push(r2);
                        } else if sign[r2] != want {
                            return None;
                        }
                    }
                }
            }
        }
        let ground = n;
        let mut tail = vec![ground; s.len()];
        let mut head = vec![ground; s.len()];
        for (g, on) in s.on.iter().enumerate() {
            for &(r, coef) in on {
                if sign[r] * coef > 0 {
                    head[g] = r;
                } else {
                    tail[g] = r;
                }
            }
            if on.len() == 2 && (head[g] == ground || tail[g] == ground) {
                return None;
            }
        }
        let mut arcs_at = vec![Vec::new(); n + 1];
        for g in 0..s.len() {
            if s.on[g].is_empty() {
                continue;
            }
            arcs_at[tail[g]].push(g);
            if head[g] != tail[g] {
                arcs_at[head[g]].push(g);
            }
        }
        Some(Network {
            nodes: n + 1,
            tail,
            head,
            arcs_at,
        })
    }
}
