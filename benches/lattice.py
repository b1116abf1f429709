#!/usr/bin/env python3
"""Looks for an integer table of a reduced system through its lattice.

An experiment, not part of cellbound: it measures whether a lattice
reformulation (Aardal, Hurkens and Lenstra, 2000) finds the integer tables
that branch and bound misses on the large synthetic cubes. Steps:

1. eliminate the equality rows with a coefficient of 1 or -1, exactly;
2. solve the rows left over the integers with an LLL-reduced embedding:
   a particular solution and a basis of the integer kernel;
3. reduce that kernel again in the space of the variables, each scaled by
   the inverse of its range, so that a step along a basis vector is short
   compared with the box;
4. hand the problem in the kernel coordinates (a few hundred integers
   instead of thousands of variables) to HiGHS's MIP solver;
5. check any table found against every row and bound, in exact integers.

Input: the output of `cargo run --release --example reduced_system -- FILE
--open` (docs/benchmarks.md, "Why the large cubes are hard").

    python3 -m venv /tmp/lat && /tmp/lat/bin/pip install fpylll cysignals highspy numpy
    /tmp/lat/bin/python benches/lattice.py SYS [--time-limit SECONDS]
"""

import argparse
import sys
import time

import highspy
import numpy as np
from fpylll import LLL, IntegerMatrix

NO_UPPER = 10**9


def load(path):
    words = iter(open(path).read().split("\n"))
    n = int(next(words))
    dom = []
    for _ in range(n):
        lo, hi = next(words).split()
        dom.append((int(lo), NO_UPPER if hi == "inf" else int(hi)))
    rows = []
    for _ in range(int(next(words))):
        t = next(words).split()
        op, rhs, k = t[0], int(t[1]), int(t[2])
        rows.append((op, rhs, {int(t[3 + 2 * i]): int(t[4 + 2 * i]) for i in range(k)}))
    return dom, rows


def eliminate(n, rows):
    """Substitutes unit pivots away. Returns the free variables, each
    eliminated variable as `const + sum(coef * free)`, and the equality
    rows left over the free variables."""
    eqs = [(rhs, dict(t)) for op, rhs, t in rows if op == "="]
    alive = [True] * len(eqs)
    occurs = {}
    for i, (_, t) in enumerate(eqs):
        for v in t:
            occurs.setdefault(v, set()).add(i)
    order, elim = [], {}
    while True:
        best = None
        for i, (rhs, t) in enumerate(eqs):
            if not alive[i]:
                continue
            if not t:
                alive[i] = False
                if rhs != 0:
                    sys.exit("the rows contradict each other")
                continue
            for v, c in t.items():
                if abs(c) == 1:
                    # Markowitz: the pivot that touches the fewest entries.
                    cost = (len(t) - 1) * (len(occurs[v]) - 1)
                    if best is None or cost < best[0]:
                        best = (cost, i, v)
        if best is None:
            break
        _, i, v = best
        rhs, t = eqs[i]
        c = t[v]
        const, terms = rhs * c, {w: -a * c for w, a in t.items() if w != v}
        alive[i] = False
        for j in list(occurs[v]):
            if j == i or not alive[j]:
                continue
            r2, t2 = eqs[j]
            a = t2.pop(v)
            r2 -= a * const
            for w, b in terms.items():
                s = t2.get(w, 0) + a * b
                if s:
                    t2[w] = s
                    occurs.setdefault(w, set()).add(j)
                elif w in t2:
                    del t2[w]
                    occurs[w].discard(j)
            eqs[j] = (r2, t2)
        for w in t:
            occurs[w].discard(i)
        del occurs[v]
        elim[v] = (const, terms)
        order.append(v)
    free = sorted(set(range(n)) - set(elim))
    expr = {}
    for v in reversed(order):
        const, terms = elim[v]
        out = {}
        for w, a in terms.items():
            if w in expr:
                c2, t2 = expr[w]
                const += a * c2
                for u, b in t2.items():
                    out[u] = out.get(u, 0) + a * b
            else:
                out[w] = out.get(w, 0) + a
        expr[v] = (const, {u: b for u, b in out.items() if b})
    left = [(rhs, t) for i, (rhs, t) in enumerate(eqs) if alive[i]]
    return free, expr, left


def integer_kernel(free, left):
    """A particular integer solution and an integer kernel basis of the
    rows left, over the free variables, from one LLL of the embedding
    `[I 0 N*C^T; 0 M -N*d]`."""
    k, m = len(free), len(left)
    at = {v: i for i, v in enumerate(free)}
    big, mark = 10**8, 10**4
    basis = IntegerMatrix(k + 1, k + 1 + m)
    for j in range(k):
        basis[j, j] = 1
    for r, (rhs, t) in enumerate(left):
        for v, a in t.items():
            basis[at[v], k + 1 + r] = big * a
        basis[k, k + 1 + r] = -big * rhs
    basis[k, k] = mark
    LLL.reduction(basis)
    kernel, z0 = [], None
    for i in range(k + 1):
        row = [basis[i, j] for j in range(k + 1 + m)]
        if any(row[k + 1:]):
            continue
        if row[k] == 0:
            kernel.append(row[:k])
        elif abs(row[k]) == mark and z0 is None:
            z0 = [row[k] // mark * x for x in row[:k]]
    if z0 is None:
        sys.exit("no integer solution of the equality rows")
    return at, z0, kernel


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("system")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument(
        "--unique",
        action="store_true",
        help="then ask whether the table found is the only one: the LP range "
        "of each kernel coordinate must hold a single integer",
    )
    args = ap.parse_args()
    t0 = time.time()
    dom, rows = load(args.system)
    n = len(dom)
    free, expr, left = eliminate(n, rows)
    at, z0, kernel = integer_kernel(free, left)
    d = len(kernel)
    # Each variable as `const + coef . y` over the kernel coordinates y.
    const, coef = [0] * n, [[0] * d for _ in range(n)]
    for v in range(n):
        terms = {v: 1} if v in at else expr[v][1]
        const[v] = 0 if v in at else expr[v][0]
        for u, b in terms.items():
            const[v] += b * z0[at[u]]
            for q in range(d):
                coef[v][q] += b * kernel[q][at[u]]
    t_kernel = time.time() - t0
    # Reduce the kernel with each variable scaled by 1/range, so that the
    # basis vectors are short relative to the box.
    cap = 1000
    scale = [cap * 10 // min(cap, max(1, hi - lo)) for lo, hi in dom]
    scaled = IntegerMatrix(d, n)
    for v in range(n):
        for q in range(d):
            scaled[q, v] = coef[v][q] * scale[v]
    LLL.reduction(scaled)
    coef = [[scaled[q, v] // scale[v] for q in range(d)] for v in range(n)]
    longest_step = sorted(
        max(abs(coef[v][q]) / max(1, min(cap, dom[v][1] - dom[v][0])) for v in range(n))
        for q in range(d)
    )
    t_reduce = time.time() - t0
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", args.time_limit)
    for _ in range(d):
        h.addVar(-highspy.kHighsInf, highspy.kHighsInf)
    h.changeColsIntegrality(
        d, np.arange(d, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * d)
    )
    for v in range(n):
        nz = [(q, a) for q, a in enumerate(coef[v]) if a]
        lo, hi = dom[v]
        if nz:
            h.addRow(
                lo - const[v],
                hi - const[v],
                len(nz),
                np.array([q for q, _ in nz], dtype=np.int32),
                np.array([float(a) for _, a in nz]),
            )
        elif not lo <= const[v] <= hi:
            sys.exit(f"variable {v} is fixed outside its bounds")
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    found = None
    if h.getInfo().primal_solution_status == 2:
        y = [round(s) for s in h.getSolution().col_value]
        x = [const[v] + sum(c * yq for c, yq in zip(coef[v], y)) for v in range(n)]
        ops = {"=": lambda a, b: a == b, "<": lambda a, b: a <= b, ">": lambda a, b: a >= b}
        rows_ok = all(ops[op](sum(c * x[v] for v, c in t.items()), rhs) for op, rhs, t in rows)
        box_ok = all(lo <= xv <= hi for xv, (lo, hi) in zip(x, dom))
        found = rows_ok and box_ok
    print(f"variables {n}, rows {len(rows)}, unit pivots {n - len(free)}, rows left {len(left)}")
    print(f"kernel dimension {d} (found in {t_kernel:.1f} s, reduced by {t_reduce:.1f} s)")
    if d:
        print(
            "shortest basis step, in ranges of the variable it moves most: "
            f"{longest_step[0]:.1f} (longest {longest_step[-1]:.1f})"
        )
    print(f"HiGHS: {status} after {time.time() - t0:.1f} s in all")
    if found is None:
        print("no integer table found")
        return 1
    print("integer table found, checked exactly" if found else "the table found FAILED the check")
    if found and args.unique:
        print(only_table(h, d))
    return 0 if found else 3


def only_table(h, d):
    """Whether the LP relaxation, in the kernel coordinates, leaves each
    coordinate a range with one integer in it: then the integer table is
    the only one, and every hidden cell is determined. Up to the LP's
    tolerance: this is evidence, not a proof that cellbound would report."""
    h.changeColsIntegrality(
        d, np.arange(d, dtype=np.int32), np.array([highspy.HighsVarType.kContinuous] * d)
    )
    wide = 0
    for q in range(d):
        ends = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h.changeColsCost(d, np.arange(d, dtype=np.int32), np.zeros(d))
            h.changeColCost(q, 1.0)
            h.changeObjectiveSense(sense)
            h.run()
            ends.append(h.getInfo().objective_function_value)
        lo, hi = np.ceil(ends[0] - 1e-6), np.floor(ends[1] + 1e-6)
        wide += hi > lo
    if wide:
        return f"{wide} of {d} kernel coordinates have room for more than one integer"
    return f"each of the {d} kernel coordinates has room for one integer only: the table is unique"


if __name__ == "__main__":
    sys.exit(main())
