//! One linear or integer program over a component, through good_lp and its
//! pure-Rust microlp backend. Values come back as floats; nothing here is
//! trusted until [`crate::witness`] has checked it exactly.

use cellbound_core::Op;
use good_lp::{
    microlp, variable, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus,
    SolverModel, Variable, WithTimeLimit,
};

use crate::components::LocalRow;
use crate::presolve::Box;
use crate::SolveError;

/// Which way to push a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    Min,
    Max,
}

/// The answer of one program.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// An optimal (or, without objective, feasible) point.
    Point(Vec<f64>),
    Infeasible,
    Unbounded,
    /// An integer program ran out of time before proving its answer.
    OutOfTime,
}

/// How long one integer program may run. Branch and bound can wander on
/// unbounded integer variables; an answer that is not proved is no answer.
pub const INTEGER_TIME_LIMIT: f64 = 60.0;

/// microlp keeps integer variables within i32; past it, it silently caps
/// them. An integer program is only run when every bound fits below this.
pub const INTEGER_LIMIT: i128 = i32::MAX as i128 - 1;

/// Solves `objective` over the rows `active` (indices into `rows`) within
/// `bounds`, over integers when `integer` is set.
pub fn solve(
    rows: &[LocalRow],
    active: &[usize],
    bounds: &Box,
    objective: Option<(usize, Sense)>,
    integer: bool,
) -> Result<Answer, SolveError> {
    let n = bounds.lo.len();
    let mut problem = ProblemVariables::new();
    let vars: Vec<Variable> = (0..n)
        .map(|i| {
            let mut def = variable().min(bounds.lo[i] as f64);
            if let Some(h) = bounds.hi[i] {
                def = def.max(h as f64);
            }
            if integer {
                def = def.integer();
            }
            problem.add(def)
        })
        .collect();
    let objective_expr: Expression = match objective {
        Some((v, _)) => vars[v].into(),
        None => Expression::default(),
    };
    let unsolved = match objective {
        Some((_, Sense::Max)) => problem.maximise(objective_expr),
        _ => problem.minimise(objective_expr),
    };
    let mut model = unsolved.using(microlp);
    if integer {
        model = model.with_time_limit(INTEGER_TIME_LIMIT);
    }
    for &r in active {
        let row = &rows[r];
        let mut lhs = Expression::with_capacity(row.terms.len());
        for &(v, c) in &row.terms {
            lhs.add_mul(c as f64, vars[v]);
        }
        let rhs = row.rhs as f64;
        model.add_constraint(match row.op {
            Op::Eq => lhs.eq(rhs),
            Op::Le => lhs.leq(rhs),
            Op::Ge => lhs.geq(rhs),
        });
    }
    match model.solve() {
        Ok(solution) if matches!(solution.status(), SolutionStatus::Optimal) => Ok(Answer::Point(
            vars.iter().map(|&v| solution.value(v)).collect(),
        )),
        Ok(_) => Ok(Answer::OutOfTime),
        Err(ResolutionError::Infeasible) => Ok(Answer::Infeasible),
        Err(ResolutionError::Unbounded) => Ok(Answer::Unbounded),
        Err(ResolutionError::Other(m)) if m.starts_with("Time limit") => Ok(Answer::OutOfTime),
        Err(e) => Err(SolveError::Solver(e.to_string())),
    }
}
