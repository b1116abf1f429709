//! The pruning's questions asked of warm LPs: one per component of the
//! pattern as the pruning starts. Publishing a complement again only
//! fixes its variable at its true value (components only split, never
//! merge), so a trial is a few dual simplex pivots from the vertex the
//! last one left, instead of a new system, new components and a phase 1
//! per complement tried.
//!
//! In a component of over [`PROGRAM_CELLS`] cells, the LP is of the
//! moves away from the true values, each unit costing 1: its vertex is
//! the truth until a question holds a cell away from it, and the answer
//! is then the cheapest way the other cells follow.
//! Such a table moves few cells, so few requirements lean on each
//! complement later, and it is whole more often than an arbitrary
//! vertex; but each question costs more dual simplex pivots, which is
//! why smaller components keep an LP of the cells' values
//! (docs/benchmarks.md, "Protected workloads", has the figures). For
//! the final audit's requirements ([`WarmPattern::diving`]), where its
//! vertex is not whole, a dive from it fixes the fractional cells nearest
//! the asked one first: the moves stay near the cell, and the dive
//! usually ends in a table (there, integer programs never did).
//!
//! Invariant: every table an answer names has passed the exact check
//! (every row and domain of its component, every published cell at its
//! true value); the LP only ever says "no" (a proof: the relaxation
//! bounds every integer table) or proposes.

use std::time::Duration;

use cellbound_core::{Count, LinearSystem, Model, Rule};

use super::prune::Moved;
use super::structure::Structure;
use crate::components::{self, Component};
use crate::lp::{first_fractional, nearer_first, WarmLp};
use crate::presolve::Intervals;
use crate::witness;

/// The time the first LP of a component may take: past it, its
/// questions are left to the caller.
const FIRST_LP_TIME: Duration = Duration::from_secs(10);

/// Up to this many cells, a component's LP is of the cells' values, and
/// what its vertex leaves unsure goes to an integer program; past it, the
/// LP is of the moves, and an unsure requirement is not met.
///
/// On the cubes of `synth --protect` (docs/benchmarks.md, "Protected
/// workloads"), integer programs nearly always found a table in groups
/// of a few hundred cells and never in groups of over 1,000. Where they
/// do, the LP of the values with them is the faster pair for the same
/// pattern; where they do not, the LP of the moves is what finds tables.
/// A count, not a clock: the same pattern on any machine.
pub(crate) const PROGRAM_CELLS: usize = 1_000;

/// The warm LP of one component and the local variables fixed in it.
struct Part {
    lp: WarmLp,
    fixed: Vec<usize>,
    /// Whether the LP is of the moves (else of the values).
    moves: bool,
}

impl Part {
    /// This LP with local variable `v` (true value `truth`) held `d` from
    /// it as well; `None` when the LP cannot hold it there.
    fn fixing(&self, v: usize, truth: Count, d: i128) -> Option<Part> {
        let lp = self.held(v, truth, d).ok().flatten()?;
        let mut fixed = self.fixed.clone();
        fixed.push(v);
        Some(Part {
            lp,
            fixed,
            moves: self.moves,
        })
    }

    /// The LP re-solved with local variable `v` (true value `truth`) held
    /// `d` from it; `None` when no point of the relaxation is there.
    fn held(&self, v: usize, truth: Count, d: i128) -> Result<Option<WarmLp>, crate::SolveError> {
        self.held_in(&self.lp, v, truth, d)
    }

    /// As [`Self::held`], from `lp` (this LP already re-solved).
    fn held_in(
        &self,
        lp: &WarmLp,
        v: usize,
        truth: Count,
        d: i128,
    ) -> Result<Option<WarmLp>, crate::SolveError> {
        if self.moves {
            at_move(lp, v, d)
        } else {
            lp.probe(v, truth as i128 + d)
        }
    }

    /// A whole table from the fractional vertex `at` of this LP of the
    /// moves: the cell it leaves fractional that lies nearest `v` (breadth
    /// first over the rows) fixed at its nearer integer (else the
    /// farther), re-solved warm, and so on. The table, once the vertex is
    /// whole and passes the exact check; `None` at a dead end (both
    /// integers refused) or after a fix per cell.
    fn dive_from(
        &self,
        component: &Component,
        truth: &[Count],
        v: usize,
        mut at: WarmLp,
    ) -> Option<Vec<Count>> {
        let all: Vec<usize> = (0..component.rows.len()).collect();
        let order = component.breadth_first(&all, &[v], truth.len());
        for _ in 0..=order.len() {
            let vertex = self.values(&at, truth);
            let Some((u, x)) = first_fractional(&order, &vertex) else {
                return self.whole(component, truth, &vertex);
            };
            at = nearer_first(x).into_iter().find_map(|t| {
                self.held_in(&at, u, truth[u], t - truth[u] as i128)
                    .ok()
                    .flatten()
            })?;
        }
        None
    }

    /// The vertex `vertex` rounded, when it is a table of `component`
    /// with every cell fixed in this LP at its true value.
    fn whole(&self, component: &Component, truth: &[Count], vertex: &[f64]) -> Option<Vec<Count>> {
        witness::round(vertex).filter(|values| {
            component.admits(values) && self.fixed.iter().all(|&f| values[f] == truth[f])
        })
    }

    /// The cells' values at the vertex of `at` (this LP re-solved).
    fn values(&self, at: &WarmLp, truth: &[Count]) -> Vec<f64> {
        let point = at.point();
        if !self.moves {
            return point;
        }
        truth
            .iter()
            .enumerate()
            .map(|(i, &t)| t as f64 + point[2 * i] - point[2 * i + 1])
            .collect()
    }
}

/// What a warm LP says of one requirement.
pub(crate) enum Answer {
    /// This verified table meets it.
    Met(Moved),
    /// The LP relaxation has no point that does: a proof that no table
    /// does.
    Short,
    /// The LP has such points, but its vertex there is not a whole table
    /// that passes the exact check: the local variables that vertex moves
    /// from their true values (by any amount), where an integer program
    /// may look.
    Fractional(Vec<usize>),
    /// The LP is not available.
    Unsure,
}

/// One warm LP per component of a pattern, built when first asked.
pub(crate) struct WarmPattern {
    components: Vec<Component>,
    /// Per global cell, its component and local number (hidden cells
    /// only).
    place: Vec<Option<(usize, usize)>>,
    /// Per component, its true values.
    truth: Vec<Vec<Count>>,
    /// Per component: not built yet, built, or not buildable (every
    /// question then answers "unsure").
    parts: Vec<Option<Option<Part>>>,
    /// Per component, its cells' global numbers.
    cells: Vec<Vec<usize>>,
    /// Per component, the local variables published and not yet fixed
    /// in its LP.
    pending: Vec<Vec<usize>>,
    /// Components of more cells than this have an LP of the moves
    /// ([`PROGRAM_CELLS`]).
    moves_past: usize,
    /// Whether a vertex of an LP of the moves that is not whole is dived
    /// from ([`Self::diving`]).
    dives: bool,
}

/// A trial publication of one cell: its component and that component's
/// LP with the cell fixed (`None`: the cell is in no component), to be
/// kept by [`WarmPattern::keep`] when every requirement still finds its
/// table.
pub(crate) struct Trial(Option<(usize, Part)>);

impl WarmPattern {
    /// The components of `pattern`'s system under `rule`, their LPs not
    /// yet built (of the moves for components of over `moves_past`
    /// cells, else of the values). `None` when the system cannot be built (the truth does
    /// not fit: the caller's audit names the line).
    pub(crate) fn new(
        s: &Structure,
        pattern: &Model,
        truth: &[Vec<Count>],
        rule: Rule,
        moves_past: usize,
    ) -> Option<Self> {
        let system = LinearSystem::build(pattern, rule).ok()?;
        let components = components::split(&system);
        let mut place = vec![None; s.len()];
        let mut cells = Vec::with_capacity(components.len());
        let mut truths = Vec::with_capacity(components.len());
        for (k, c) in components.iter().enumerate() {
            let mut globals = Vec::with_capacity(c.vars.len());
            let mut values = Vec::with_capacity(c.vars.len());
            for (i, &var) in c.vars.iter().enumerate() {
                let r = system.vars[var].cell;
                let g = s.global(r);
                place[g] = Some((k, i));
                globals.push(g);
                values.push(truth[r.table][r.cell]);
            }
            cells.push(globals);
            truths.push(values);
        }
        let parts = (0..components.len()).map(|_| None).collect();
        Some(WarmPattern {
            pending: vec![Vec::new(); components.len()],
            components,
            place,
            truth: truths,
            parts,
            cells,
            moves_past,
            dives: false,
        })
    }

    /// This pattern's LPs with a dive from each vertex of an LP of the
    /// moves that is not whole: for the final audit's requirements, each
    /// asked once. The pruning asks each requirement again for every
    /// complement it tries, and goes without (a dive costs up to a warm
    /// re-solve per cell it fixes).
    pub(crate) fn diving(mut self) -> Self {
        self.dives = true;
        self
    }

    /// Builds component `k`'s LP if not yet tried, and fixes every cell
    /// published since.
    fn prepare(&mut self, k: usize) {
        if self.parts[k].is_none() {
            let c = &self.components[k];
            let moves = self.of_moves(k);
            let lp = if moves {
                moves_lp(c, &self.truth[k])
            } else {
                let active: Vec<usize> = (0..c.rows.len()).collect();
                let bounds = Intervals::new(&c.lo, &c.hi);
                WarmLp::new(&c.rows, &active, &bounds, Some(FIRST_LP_TIME))
                    .ok()
                    .flatten()
            };
            self.parts[k] = Some(lp.map(|lp| Part {
                lp,
                fixed: Vec::new(),
                moves,
            }));
        }
        for v in std::mem::take(&mut self.pending[k]) {
            let t = self.truth[k][v];
            let slot = self.parts[k].as_mut().expect("built above");
            // An LP that cannot fix a published cell no longer stands
            // for the pattern: its questions go to the caller.
            *slot = slot.as_ref().and_then(|part| part.fixing(v, t, 0));
        }
    }

    /// Component `k`'s LP as [`Self::prepare`] left it; `None` when it is
    /// not available.
    fn part(&self, k: usize) -> Option<&Part> {
        self.parts[k].as_ref().and_then(Option::as_ref)
    }

    /// How many cells share global cell `g`'s component (as the pruning
    /// started); 0 for a cell in none.
    fn cells_with(&self, g: usize) -> usize {
        self.place[g].map_or(0, |(k, _)| self.cells[k].len())
    }

    /// The work counted for a question about global cell `g`: the cells
    /// of its component when its LP is of the moves, whose questions
    /// take many pivots; 0 for an LP of the values, whose questions take
    /// a few.
    pub(crate) fn work_of(&self, g: usize) -> usize {
        if self.by_moves(g) {
            self.cells_with(g)
        } else {
            0
        }
    }

    /// Whether global cell `g`'s component has an LP of the moves (and
    /// what it leaves unsure is not met, rather than solved by an integer
    /// program).
    pub(crate) fn by_moves(&self, g: usize) -> bool {
        self.place[g].is_some_and(|(k, _)| self.of_moves(k))
    }

    /// Whether component `k` has an LP of the moves.
    fn of_moves(&self, k: usize) -> bool {
        self.cells[k].len() > self.moves_past
    }

    /// No trial: questions asked of the pattern as it stands.
    pub(crate) fn no_trial() -> Trial {
        Trial(None)
    }

    /// Global cell `h` published at its true value, on trial; `None`
    /// when its component's LP is not available.
    pub(crate) fn publish(&mut self, h: usize) -> Option<Trial> {
        let Some((k, v)) = self.place[h] else {
            return Some(Trial(None));
        };
        self.prepare(k);
        let part = self.part(k)?.fixing(v, self.truth[k][v], 0)?;
        Some(Trial(Some((k, part))))
    }

    /// Cell `h` stays published: its trial kept, or (none made) its
    /// variable fixed before the next question of its component.
    pub(crate) fn keep(&mut self, h: usize, trial: Option<Trial>) {
        match trial {
            Some(Trial(Some((k, part)))) => self.parts[k] = Some(Some(part)),
            Some(Trial(None)) => {}
            None => {
                if let Some((k, v)) = self.place[h] {
                    self.pending[k].push(v);
                }
            }
        }
    }

    /// With `trial` in force, whether some integer table moves global
    /// cell `g` from its true value by `t` in direction `dir`: the LP
    /// with `g` held there has no point ("short"), or its vertex is a
    /// verified table (the cells it moves and their values), or it is
    /// not (the variables it moves), or the LP is not available.
    pub(crate) fn reaches(&mut self, trial: &Trial, g: usize, dir: i64, t: i128) -> Answer {
        let Some((k, v)) = self.place[g] else {
            return Answer::Unsure;
        };
        let on_trial = match &trial.0 {
            Some((tk, part)) if *tk == k => Some(part),
            _ => None,
        };
        if on_trial.is_none() {
            self.prepare(k);
        }
        let Some(part) = on_trial.or_else(|| self.part(k)) else {
            return Answer::Unsure;
        };
        let truth = &self.truth[k];
        let at = match part.held(v, truth[v], dir as i128 * t) {
            Ok(Some(at)) => at,
            Ok(None) => return Answer::Short,
            Err(_) => return Answer::Unsure,
        };
        let component = &self.components[k];
        // The vertex itself, when whole (a search for an integer point
        // costs more than solving the question alone, the caller's).
        let vertex = part.values(&at, truth);
        // Else, on an LP of the moves and when asked for, a dive from
        // it, nearest cells first.
        let whole = part.whole(component, truth, &vertex).or_else(|| {
            (self.dives && part.moves)
                .then(|| part.dive_from(component, truth, v, at))
                .flatten()
        });
        let Some(values) = whole else {
            return Answer::Fractional(
                vertex
                    .iter()
                    .zip(truth)
                    .enumerate()
                    .filter(|&(_, (&x, &t))| (x - t as f64).abs() > 1e-6)
                    .map(|(i, _)| i)
                    .collect(),
            );
        };
        let mut moved: Moved = values
            .iter()
            .zip(truth)
            .zip(&self.cells[k])
            .filter(|((x, t), _)| x != t)
            .map(|((&x, _), &g)| (g, x))
            .collect();
        moved.sort_unstable();
        Answer::Met(moved)
    }
}

/// The LP of the moves from the true values: per local variable `i`, an
/// upward move `2i` and a downward `2i + 1`, each costing 1 a unit, with
/// every row kept; its vertex at the start is the truth.
fn moves_lp(c: &Component, truth: &[Count]) -> Option<WarmLp> {
    let n = truth.len();
    let mut lo = Vec::with_capacity(2 * n);
    let mut hi = Vec::with_capacity(2 * n);
    for (i, &t) in truth.iter().enumerate() {
        lo.push(Some(0));
        hi.push(c.hi[i].map(|h| h - t));
        lo.push(Some(0));
        hi.push(c.lo[i].map(|l| t - l));
    }
    let rows: Vec<crate::components::LocalRow> = c
        .rows
        .iter()
        .map(|r| crate::components::LocalRow {
            terms: r
                .terms
                .iter()
                .flat_map(|&(v, a)| [(2 * v, a), (2 * v + 1, -a)])
                .collect(),
            op: r.op,
            rhs: r.rhs - r.lhs(truth),
            origin: r.origin,
        })
        .collect();
    let active: Vec<usize> = (0..rows.len()).collect();
    let bounds = Intervals::new(&lo, &hi);
    let costs = vec![1.0; 2 * n];
    WarmLp::minimizing(&rows, &active, &bounds, &costs, Some(FIRST_LP_TIME))
        .ok()
        .flatten()
}

/// `lp` with local variable `v` moved by exactly `d` (both its moves
/// fixed).
fn at_move(lp: &WarmLp, v: usize, d: i128) -> Result<Option<WarmLp>, crate::SolveError> {
    let (up, down) = if d >= 0 { (d, 0) } else { (0, -d) };
    match lp.probe(2 * v, up)? {
        Some(lp) => lp.probe(2 * v + 1, down),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use cellbound_core::synth::{Params, Shape, Synth};
    use cellbound_core::{Entry, LinearSystem};

    use super::super::tests::truth_of;
    use super::*;
    use crate::audit::attacker_rule;
    use crate::{bounds, Options, Outcome};

    /// Whether `table` (cells moved, the rest at their true values) keeps
    /// every line of `pattern` and every hidden cell's domain.
    fn keeps_every_line(
        s: &Structure,
        pattern: &Model,
        truth: &[Vec<Count>],
        rule: Rule,
        table: &Moved,
    ) -> bool {
        let system = LinearSystem::build(pattern, rule).unwrap();
        let value = |var: usize| {
            let r = system.vars[var].cell;
            match table.binary_search_by_key(&s.global(r), |&(g, _)| g) {
                Ok(i) => table[i].1,
                Err(_) => truth[r.table][r.cell],
            }
        };
        // A moved cell that is not a variable is a published one.
        let hidden: Vec<usize> = system.vars.iter().map(|v| s.global(v.cell)).collect();
        table.iter().all(|(g, _)| hidden.contains(g))
            && components::split(&system).iter().all(|c| {
                let values: Vec<Count> = c.vars.iter().map(|&v| value(v)).collect();
                c.admits(&values)
            })
    }

    /// Publishing hidden cells one after the other, some tried and kept,
    /// some kept untried (fixed before the next question): every answer
    /// agrees with the exact bounds of the pattern as it then stands. A
    /// table only where they reach the move, and that table keeps every
    /// line with the cell at the value asked; "short" only where they do
    /// not reach it.
    #[test]
    fn answers_agree_with_exact_bounds_as_cells_are_published() {
        let mut met = 0;
        let mut short = 0;
        for seed in 0..6 {
            let mut params = Params::new(Shape::Cube { dims: [4, 3, 3] }, seed);
            params.small = 0.15;
            let synth = Synth::generate(&params);
            let whole = synth.model(true);
            let truth = truth_of(&whole);
            let mut pattern = synth.model(false);
            let rule = attacker_rule(false).for_model(&pattern);
            let s = Structure::new(&pattern, &truth);
            // Both LPs: of the moves on odd seeds, else of the values.
            let moves_past = if seed % 2 == 1 { 0 } else { PROGRAM_CELLS };
            // Dives too, on the LPs of the moves.
            let mut warm = WarmPattern::new(&s, &pattern, &truth, rule, moves_past)
                .unwrap()
                .diving();
            let hidden: Vec<usize> = (0..s.len())
                .filter(|&g| pattern.cell(s.refs[g]).entry.is_hidden())
                .collect();
            for (n, &h) in hidden.iter().enumerate() {
                let r = s.refs[h];
                pattern.tables[r.table].cells[r.cell].entry =
                    Entry::Published(truth[r.table][r.cell]);
                let Outcome::Feasible(report) =
                    bounds(&pattern, rule, &Options::default()).unwrap()
                else {
                    panic!("the truth fits")
                };
                let on = if n % 2 == 0 {
                    warm.publish(h).expect("the LP fixes a published cell")
                } else {
                    // Kept untried: fixed before the next question.
                    warm.keep(h, None);
                    Trial(None)
                };
                for c in &report.cells {
                    let g = s.global(c.cell);
                    let value = truth[c.cell.table][c.cell.cell];
                    for (dir, t) in [(1, 1), (-1, 1), (1, 3)] {
                        let need = value + dir * t as Count;
                        let reachable = if dir > 0 {
                            c.bounds.upper.is_none_or(|u| u >= need)
                        } else {
                            c.bounds.lower.is_none_or(|l| l <= need)
                        };
                        match warm.reaches(&on, g, dir, t) {
                            Answer::Met(table) => {
                                assert!(reachable, "cell {g}: a table past its bound");
                                let at = table.binary_search_by_key(&g, |&(x, _)| x);
                                assert_eq!(table[at.unwrap()].1, need);
                                assert!(keeps_every_line(&s, &pattern, &truth, rule, &table));
                                met += 1;
                            }
                            Answer::Short => {
                                assert!(!reachable, "cell {g}: short of a reachable move");
                                short += 1;
                            }
                            Answer::Fractional(_) | Answer::Unsure => {}
                        }
                    }
                }
                warm.keep(h, Some(on));
            }
        }
        assert!(met > 0 && short > 0, "met {met}, short {short}");
    }

    /// On cubes with an LP of the moves, where the vertex that moves a
    /// cell up by one is fractional, the dive from it (nearest cells
    /// first) finds whole tables, each keeping every line with the cell
    /// at the value asked.
    #[test]
    fn the_dive_from_a_fractional_vertex_finds_tables() {
        let (mut fractional, mut dived) = (0, 0);
        for seed in 0..4 {
            let mut params = Params::new(Shape::Cube { dims: [8, 6, 5] }, seed);
            params.small = 0.3;
            let synth = Synth::generate(&params);
            let truth = truth_of(&synth.model(true));
            let pattern = synth.model(false);
            let rule = attacker_rule(false).for_model(&pattern);
            let s = Structure::new(&pattern, &truth);
            let mut warm = WarmPattern::new(&s, &pattern, &truth, rule, 0).unwrap();
            for g in 0..s.len() {
                let Some((k, v)) = warm.place[g] else {
                    continue;
                };
                warm.prepare(k);
                let Some(part) = warm.part(k) else {
                    continue;
                };
                let (c, t) = (&warm.components[k], &warm.truth[k]);
                let Ok(Some(at)) = part.held(v, t[v], 1) else {
                    continue;
                };
                if part.whole(c, t, &part.values(&at, t)).is_some() {
                    continue;
                }
                fractional += 1;
                if let Some(values) = part.dive_from(c, t, v, at) {
                    assert!(c.admits(&values) && values[v] == t[v] + 1, "cell {g}");
                    dived += 1;
                }
            }
        }
        eprintln!("{dived} of {fractional} fractional vertices dived to a table");
        assert!(fractional > 0 && dived > 0, "{dived} of {fractional}");
    }

    /// A move of 1 asked of a cube whose inner cells are all hidden (its
    /// faces published) is met by a hypercube, the fewest cells a move of
    /// a 3-D table can take (8): the LP starts at the truth and goes the
    /// cheapest way from it, where a vertex of the cells' own relaxation
    /// could move every cell.
    #[test]
    fn a_move_is_met_by_the_fewest_cells() {
        let mut params = Params::new(Shape::Cube { dims: [5, 4, 4] }, 3);
        params.small = 0.0;
        let synth = Synth::generate(&params);
        let mut pattern = synth.model(true);
        let truth = truth_of(&pattern);
        let table = &mut pattern.tables[0];
        let inner: Vec<bool> = table
            .cells
            .iter()
            .map(|c| table.is_interior(&c.at))
            .collect();
        for (cell, &inner) in table.cells.iter_mut().zip(&inner) {
            if inner {
                cell.entry = Entry::Hidden;
            }
        }
        let rule = attacker_rule(false).for_model(&pattern);
        let s = Structure::new(&pattern, &truth);
        let mut warm = WarmPattern::new(&s, &pattern, &truth, rule, 0).unwrap();
        let (mut met, mut asked) = (0, 0);
        for g in (0..s.len()).filter(|&g| pattern.cell(s.refs[g]).entry.is_hidden()) {
            for dir in [1, -1] {
                asked += 1;
                if let Answer::Met(table) = warm.reaches(&Trial(None), g, dir, 1) {
                    assert_eq!(table.len(), 8, "{table:?}");
                    met += 1;
                }
            }
        }
        assert!(met * 10 >= asked * 9, "{met} of {asked}");
    }
}
