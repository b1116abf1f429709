#!/usr/bin/env python3
"""The cheapest protection of a small table, by an exact integer program.

A reference for `cellbound protect`, not a competitor: how far its
pattern is from the cheapest one under the benchmark's rule (counts 1..4
primary, every primary able to move up and down by max(1, ceil(30% of its
value))). Run by benches/protect_optimum.sh, which makes a venv with
highspy (HiGHS 1.16).

The model is the compact one: a 0/1 variable per cell (1: hidden;
primaries fixed at 1) and, per primary and direction, a copy of the table's
moves z (every line's cells sum to 0), each cell's move within
[-value * hidden, cap * hidden] (a hidden count can fall to 0 and rise),
and the primary's move at least its requirement. The attacker is
continuous. On a 2-D table with its margins alone this is exact: the LP
of the published lines is a transportation problem, whose bounds are
integers, and a cycle through the primary carrying the requirement (cap =
the requirement) is all a move needs. Elsewhere (hierarchies, cubes,
linked tables) the attacker's LP may be wider than the integer one, and
the cap (10 times the requirement) may bind: the pattern is then only a
candidate, and `cellbound audit` of it says whether it is safe.

Each run prints the model's optimum, HiGHS's bound and gap, the pattern's
complements and value, and the exact audit's verdict on it; the pattern is
written beside the truth (`NAME-optimum-COST.csv` / `.json`).

    protect_optimum.py --bin target/release/cellbound --cost unity TRUTH...

Costs: `unity` (the count), `value` (the total hidden), `inner` (cellbound's
default reading of `--cost value`: a cell that is a total along k
dimensions priced (1 + k) times its value). Under `value` and `inner`
every cell also costs 0.001, as in cellbound, so that a zero is not free.
"""

import argparse
import csv
import itertools
import json
import os
import subprocess
import sys
import time

import highspy
import numpy as np

PROTECTION = ["--threshold", "5", "--upper-protection", "30", "--lower-protection", "30"]


def walk(tree, pairs):
    """Every code of a tree, and (parent, children) for its inner nodes."""
    codes = []
    for code, sub in tree.items():
        codes.append(code)
        if sub:
            pairs.append((code, list(sub)))
            codes += walk(sub, pairs)
    return codes


def read(path):
    """(tables, links, grid): tables a list of (name, codes per dimension,
    (parent, children) per dimension, {codes: value}); links the pairs of
    cells a linked model makes one; grid whether the model is one 2-D
    table with its margins alone."""
    tables, links = [], []
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        cols, names = rows[0][1:], [r[0] for r in rows[1:]]
        values = {(r[0], c): int(v) for r in rows[1:] for c, v in zip(cols, r[1:])}
        tables.append(("", [names, cols], [[(names[-1], names[:-1])], [(cols[-1], cols[:-1])]], values))
    else:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        for t in d.get("tables", [dict(d, name="")]):
            codes, pairs = [], []
            for dim in t["dimensions"]:
                p = []
                codes.append(walk(dim["tree"], p))
                pairs.append(p)
            tables.append((t["name"], codes, pairs,
                           {tuple(c["at"]): int(c["value"]) for c in t["cells"]}))
        for c in d.get("constraints", []):
            (a, b) = c["terms"]
            links.append(((a["table"], tuple(a["at"])), (b["table"], tuple(b["at"]))))
    grid = len(tables) == 1 and len(tables[0][1]) == 2 and all(len(p) == 1 for p in tables[0][2])
    return tables, links, grid


def solve(path, cost, time_limit):
    tables, links, grid = read(path)
    cells = [(t[0], at) for t in tables for at in t[3]]
    idx = {c: i for i, c in enumerate(cells)}
    n = len(cells)
    a = np.array([t[3][at] for t in tables for at in t[3]], dtype=float)
    k = np.zeros(n)
    lines = []
    for name, codes, pairs, values in tables:
        for j in range(len(codes)):
            parents = {p for p, _ in pairs[j]}
            for at in values:
                k[idx[(name, at)]] += at[j] in parents
            others = [codes[i] for i in range(len(codes)) if i != j]
            for o in itertools.product(*others):
                for parent, kids in pairs[j]:
                    def cell(x):
                        t = list(o)
                        t.insert(j, x)
                        return idx[(name, tuple(t))]
                    lines.append([cell(x) for x in kids] + [cell(parent)])
    same = [(idx[x], idx[y]) for x, y in links]
    primary = [i for i in range(n) if 1 <= a[i] <= 4]
    need = {i: max(1, (int(a[i]) * 30 + 99) // 100) for i in primary}
    price = {"unity": np.ones(n), "value": a + 1e-3, "inner": a * (1 + k) + 1e-3}[cost]

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", 1)
    inf = highspy.kHighsInf
    row = lambda lo, hi, ix, co: h.addRow(lo, hi, len(ix), np.array(ix, dtype=np.int32),
                                           np.array(co, dtype=float))
    for i in range(n):
        h.addVar(1.0 if i in need else 0.0, 1.0)
        h.changeColCost(i, 0.0 if i in need else float(price[i]))
        h.changeColIntegrality(i, highspy.HighsVarType.kInteger)
    for i, j in same:
        row(0.0, 0.0, [i, j], [1.0, -1.0])
    nv = n
    for p in primary:
        cap = need[p] if grid else 10 * need[p]
        for sign in (1, -1):
            z = nv
            for _ in range(n):
                h.addVar(-inf, inf)
            nv += n
            for i in range(n):
                row(-inf, 0.0, [z + i, i], [1.0, -float(cap)])
                row(0.0, inf, [z + i, i], [1.0, float(a[i])])
            for line in lines:
                row(0.0, 0.0, [z + x for x in line], [1.0] * (len(line) - 1) + [-1.0])
            for i, j in same:
                row(0.0, 0.0, [z + i, z + j], [1.0, -1.0])
            if sign > 0:
                row(float(need[p]), inf, [z + p], [1.0])
            else:
                row(-inf, -float(need[p]), [z + p], [1.0])
    t0 = time.monotonic()
    h.run()
    wall = time.monotonic() - t0
    info = h.getInfo()
    x = h.getSolution().col_value
    hidden = {cells[i] for i in range(n) if x[i] > 0.5}
    comps = [i for i in range(n) if x[i] > 0.5 and i not in need]
    return dict(status=h.modelStatusToString(h.getModelStatus()), wall=wall,
                objective=info.objective_function_value, bound=info.mip_dual_bound,
                gap=info.mip_gap, complements=len(comps), value=int(a[comps].sum()),
                hidden=hidden, grid=grid, primaries=len(primary), cells=n)


def write(path, hidden, out):
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        for r in rows[1:]:
            for j, c in enumerate(rows[0][1:]):
                if ("", (r[0], c)) in hidden:
                    r[j + 1] = "x"
        with open(out, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    else:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        for t in d.get("tables", [d]):
            name = t["name"] if "tables" in d else ""
            for c in t["cells"]:
                if (name, tuple(c["at"])) in hidden:
                    del c["value"]
                    c["hidden"] = True
        with open(out, "w", encoding="utf-8") as f:
            json.dump(d, f)


def audit(bin_, published, truth):
    p = subprocess.run([bin_, "audit", published, "--truth", truth, "--format", "json"] + PROTECTION,
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        return f"audit exit {p.returncode}"
    r = json.loads(p.stdout)
    return r["verdict"] if r["verdict"] == "pass" else f"fail ({r['summary']['failed']} cells)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--cost", choices=["unity", "value", "inner"], default="unity")
    ap.add_argument("--time-limit", type=float, default=600)
    ap.add_argument("truth", nargs="+")
    a = ap.parse_args()
    print("| truth | cost | model | status | optimum | HiGHS bound | complements | value | time | exact audit |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for truth in a.truth:
        r = solve(truth, a.cost, a.time_limit)
        stem, ext = os.path.splitext(truth)
        out = f"{stem}-optimum-{a.cost}{ext}"
        write(truth, r["hidden"], out)
        model = "exact (2-D, margins)" if r["grid"] else "continuous attacker, moves capped"
        print(f"| {os.path.basename(truth)} | {a.cost} | {model} | {r['status']} | {r['objective']:.3f} "
              f"| {r['bound']:.3f} | {r['complements']} | {r['value']} | {r['wall']:.1f} s "
              f"| {audit(a.bin, out, truth)} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
