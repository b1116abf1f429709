#!/usr/bin/env python3
"""The per-cell HiGHS baseline: the script an analyst writes.

Reads a CSV grid as `cellbound bounds` does (a header line, one line per
row, a `Total` row and/or column as margins, hidden cells marked `x`, `X`,
`..`, `...`, `F`, `*` or empty), solves two LPs per hidden cell with
scipy.optimize.linprog(method="highs") (minimise it, maximise it), and
writes the bounds JSON of docs/formats.md section 4 (the same cells, in the same
order, as `cellbound bounds --format json`).

On a table whose margins make it a transportation problem the LP bounds
are integers; they are rounded to the nearest integer.

Usage: highs_baseline.py FILE.csv [--open] [--threshold T] [--zeros-shown]
                         [-o OUT.json]
"""

import argparse
import csv
import json
import os
import sys
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

TOTALS = {"total", "ensemble", "all", "tous", "totaux"}
MARKERS = {"", "x", "X", "..", "...", "F", "*"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--open", action="store_true")
    ap.add_argument("--threshold", type=int, default=5)
    ap.add_argument("--zeros-shown", action="store_true")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()

    with open(args.file, newline="", encoding="utf-8-sig") as f:
        lines = [l for l in csv.reader(f) if any(x.strip() for x in l)]
    header = [h.strip() for h in lines[0]]
    cols = header[1:]
    rows = [l[0].strip() for l in lines[1:]]
    grid = [[x.strip() for x in l[1:]] for l in lines[1:]]
    total_row = next((i for i, r in enumerate(rows) if r.lower() in TOTALS), None)
    total_col = next((j for j, c in enumerate(cols) if c.lower() in TOTALS), None)

    hidden = []  # (i, j) in input order
    var = {}
    for i in range(len(rows)):
        for j in range(len(cols)):
            if grid[i][j] in MARKERS:
                var[(i, j)] = len(hidden)
                hidden.append((i, j))
    n = len(hidden)

    # Equations: each line's total minus its parts is zero; published
    # cells move to the right-hand side.
    data, indices, indptr, rhs = [], [], [0], []

    def line(cells, total):
        r = 0
        terms = {}
        for cell, coef in [(c, 1) for c in cells] + [(total, -1)]:
            if cell in var:
                terms[var[cell]] = terms.get(var[cell], 0) + coef
            else:
                r -= coef * int(grid[cell[0]][cell[1]].replace(" ", ""))
        if terms:
            for v, c in terms.items():
                indices.append(v)
                data.append(c)
            indptr.append(len(indices))
            rhs.append(r)

    if total_col is not None:
        for i in range(len(rows)):
            line([(i, j) for j in range(len(cols)) if j != total_col], (i, total_col))
    if total_row is not None:
        for j in range(len(cols)):
            line([(i, j) for i in range(len(rows)) if i != total_row], (total_row, j))
    a_eq = csr_matrix((data, indices, indptr), shape=(len(rhs), n))
    b_eq = np.array(rhs, dtype=float)

    floor = 1 if args.zeros_shown else 0
    bounds = []
    for i, j in hidden:
        interior = i != total_row and j != total_col
        if interior and not args.open:
            bounds.append((floor, args.threshold - 1))
        else:
            bounds.append((floor, None))

    start = time.perf_counter()
    stem = os.path.splitext(os.path.basename(args.file))[0]
    cells = []
    summary = {"hidden": n, "exact": 0, "bounded": 0, "unbounded": 0}
    for v, (i, j) in enumerate(hidden):
        c = np.zeros(n)
        c[v] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if lo.status == 2:
            out = {"rule": rule(args), "feasible": False,
                   "explanation": "the LP is infeasible"}
            write(args.output, out)
            return 3
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        lower = int(round(lo.x[v]))
        upper = None if hi.status == 3 else int(round(hi.x[v]))
        status = "unbounded" if upper is None else ("exact" if upper == lower else "bounded")
        summary[status] += 1
        cells.append({"table": stem, "at": [rows[i], cols[j]], "lower": lower,
                      "upper": upper, "status": status})
    elapsed = time.perf_counter() - start
    write(args.output, {"rule": rule(args), "feasible": True, "cells": cells,
                        "summary": summary})
    print(f"highs_baseline: {n} hidden cells, {2 * n} LPs in {elapsed:.2f} s",
          file=sys.stderr)
    return 0


def rule(args):
    return {"threshold": args.threshold, "zeros_shown": args.zeros_shown,
            "open": args.open}


def write(path, obj):
    text = json.dumps(obj, indent=2) + "\n"
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    sys.exit(main())
