#!/usr/bin/env python3
"""`cellbound protect` against τ-ARGUS's modular and optimal methods.

Run by benches/protect_vs_tauargus.sh (which makes the venv). For each
workload: `cellbound synth --truth` writes the true table; it becomes a
τ-ARGUS tabular input (.tab of the leaf cells, .rda metadata, .hrc files
for hierarchies) and a batch file per method; `tauargus run` protects it;
the statuses it writes are turned back into a cellbound table (hidden cells
`x`) and audited with `cellbound audit` under the same requirements;
`cellbound protect` protects the same truth. Prints one Markdown row per
method and workload.

Linked pairs: two tables with common cells (the same rows, and so the
same row totals, by two column variables), one JSON model whose
constraints `a - b = 0` make each common cell one cell. cellbound protects
them together. pytauargus runs τ-ARGUS headless, without its GUI's linked
tables procedure ("The GUI's heavy LinkedTables machinery ... is out of
scope for the headless CLI", pytauargus 0.6.0, engine.py), so each table is
protected alone, as an agency without that procedure would, and the two
patterns are audited together: a common cell hidden in one table and
published in the other is published.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time

WORKLOADS = [
    ("grid-50x10", ["--shape", "grid", "--rows", "50", "--cols", "10"], "csv"),
    ("grid-200x20", ["--shape", "grid", "--rows", "200", "--cols", "20"], "csv"),
    ("grid-1000x40", ["--shape", "grid", "--rows", "1000", "--cols", "40"], "csv"),
    ("hier-3.9.27x3.6.12", ["--shape", "hier", "--geo", "3,9,27", "--ind", "3,6,12"], "json"),
    ("hier-5.25.100x5.20.60", ["--shape", "hier", "--geo", "5,25,100", "--ind", "5,20,60"], "json"),
    ("cube-10x8x6", ["--shape", "cube", "--dims", "10,8,6"], "json"),
    ("cube-15x10x8", ["--shape", "cube", "--dims", "15,10,8"], "json"),
    ("cube-20x15x10", ["--shape", "cube", "--dims", "20,15,10"], "json"),
    # A grid and a second table of the same rows (each row's total split
    # over 6 or 8 columns of its own, skewed): the row totals are common.
    ("linked-50x10+50x6", ["--shape", "grid", "--rows", "50", "--cols", "10"], "linked"),
    ("linked-200x20+200x8", ["--shape", "grid", "--rows", "200", "--cols", "20"], "linked"),
]
PROTECTION = ["--threshold", "5", "--upper-protection", "30", "--lower-protection", "30"]
METHODS = [("τ-ARGUS modular (MOD)", "MOD(1,{t},1,1,1)"), ("τ-ARGUS optimal (OPT)", "OPT(1,{t})")]
PUBLISHED_STATUS = {"V", "S", "Z", "E"}


def read_truth(path, ext):
    """(dims, cells): dims a list of (name, tree), tree {code: subtree or
    None}; cells {codes tuple: value}."""
    if ext == "csv":
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        cols = rows[0][1:]
        names = [r[0] for r in rows[1:]]
        leaf_r = {n: None for n in names if n != "Total"}
        leaf_c = {c: None for c in cols if c != "Total"}
        dims = [(rows[0][0] or "row", {"Total": leaf_r}), ("col", {"Total": leaf_c})]
        cells = {}
        for r in rows[1:]:
            for c, v in zip(cols, r[1:]):
                cells[(r[0], c)] = int(v)
        return dims, cells
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    table = doc["tables"][0] if "tables" in doc else doc
    dims = [(d["name"], d["tree"]) for d in table["dimensions"]]
    cells = {tuple(c["at"]): c["value"] for c in table["cells"]}
    return dims, cells


def leaves(tree):
    out = []
    for code, sub in tree.items():
        if sub:
            out.extend(leaves(sub))
        else:
            out.append(code)
    return out


def codes_of(tree):
    out = []
    for code, sub in tree.items():
        out.append(code)
        if sub:
            out.extend(codes_of(sub))
    return out


def depth(tree):
    return max((1 + depth(sub) if sub else 1) for sub in tree.values())


def tau(code):
    """τ-ARGUS's modular method (HiTaS) crashes on codes with a dot
    (segmentation fault, pytauargus 0.6.0): they are written with `_`."""
    return code.replace(".", "_")


def hrc_lines(tree, level, out):
    for code, sub in tree.items():
        out.append("@" * level + tau(code))
        if sub:
            hrc_lines(sub, level + 1, out)


def write_tau_input(stem, dims, cells, out):
    """.tab (leaf cells: codes;value;value), .rda, and .hrc per hierarchy."""
    names = [f"V{k}" for k in range(len(dims))]
    rda = ['    <SEPARATOR> ";"']
    for k, (_, tree) in enumerate(dims):
        rda.append(names[k])
        rda.append("    <RECODEABLE>")
        rda.append('    <TOTCODE> "Total"')
        (root_sub,) = tree.values()
        if depth(root_sub) > 1:
            hrc = f"{stem}.{names[k]}.hrc"
            lines = []
            hrc_lines(root_sub, 0, lines)
            with open(os.path.join(out, hrc), "w") as f:
                f.write("\n".join(lines) + "\n")
            rda.append("    <HIERARCHICAL>")
            rda.append(f'    <HIERCODELIST> "{hrc}"')
            rda.append('    <HIERLEADSTRING> "@"')
    rda += ["VAL", "    <NUMERIC>", "FREQ", "    <FREQUENCY>"]
    with open(os.path.join(out, f"{stem}.rda"), "w") as f:
        f.write("\n".join(rda) + "\n")
    leaf_sets = [set(leaves(tree)) for _, tree in dims]
    with open(os.path.join(out, f"{stem}.tab"), "w") as f:
        for codes, v in cells.items():
            if all(c in leaf_sets[k] for k, c in enumerate(codes)):
                f.write(";".join(tau(c) for c in codes) + f";{v};{v}\n")
    return names


def run_tau(tauargus, stem, names, method, out, timeout, back):
    arb = os.path.join(out, f"{stem}.{method[:3]}.arb")
    result = f"{stem}.{method[:3]}.out"
    spec = "".join(f'"{n}"' for n in names)
    with open(arb, "w") as f:
        f.write(f'<OPENTABLEDATA> "{stem}.tab"\n<OPENMETADATA> "{stem}.rda"\n')
        f.write(f'<SPECIFYTABLE> {spec}|"FREQ"||\n<SAFETYRULE> FREQ(5,30)\n<READTABLE> 1\n')
        f.write(f"<SUPPRESS> {method}\n<WRITETABLE> (1,4,AS+,\"{result}\")\n")
    t0 = time.monotonic()
    try:
        p = subprocess.run([tauargus, "run", os.path.basename(arb)], cwd=out,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    wall = time.monotonic() - t0
    if p.returncode != 0:
        said = (p.stderr.strip() or p.stdout.strip()).splitlines()
        return None, f"exit {p.returncode}" + (f": {said[-1][:200]}" if said else "")
    hidden = set()
    with open(os.path.join(out, result), newline="") as f:
        for row in csv.reader(f):
            codes = tuple(back[k].get(c, c) for k, c in enumerate(row[: len(names)]))
            if row[-1].strip() not in PUBLISHED_STATUS:
                hidden.add(codes)
    return (wall, hidden), None


def linked_pair(grid_truth, columns, seed=1):
    """[(name, dims, cells)] of a grid and a second table of its rows:
    each row's total split over `columns` columns of its own by skewed
    weights (seeded), so that some of its cells are small."""
    import random
    rng = random.Random(seed)
    dims, cells = read_truth(grid_truth, "csv")
    (rname, rtree), _ = dims
    rows = list(rtree["Total"])
    sizes = [f"S{j + 1:02}" for j in range(columns)]
    split = {}
    for r in rows:
        total = cells[(r, "Total")]
        w = [rng.paretovariate(1.0) for _ in sizes]
        share = [total * x / sum(w) for x in w]
        parts = [int(x) for x in share]
        by_rest = sorted(range(columns), key=lambda j: parts[j] - share[j])
        for j in by_rest[: total - sum(parts)]:
            parts[j] += 1
        for z, v in zip(sizes, parts):
            split[(r, z)] = v
        split[(r, "Total")] = total
    for z in sizes + ["Total"]:
        split[("Total", z)] = sum(split[(r, z)] for r in rows)
    second = [(rname, rtree), ("size", {"Total": {z: None for z in sizes}})]
    return [("a", dims, cells), ("b", second, split)]


def write_linked(path, tables, hidden):
    """The pair as one model: `hidden[k]` the hidden cells of table k;
    the row totals of both tables one cell each."""
    doc = {"tables": [], "constraints": []}
    for (name, dims, cells), hid in zip(tables, hidden):
        doc["tables"].append({
            "name": name,
            "dimensions": [{"name": n, "tree": t} for n, t in dims],
            "cells": [{"at": list(k), "hidden": True} if k in hid else {"at": list(k), "value": v}
                      for k, v in cells.items()]})
    (first, dims, _), (second, _, _) = tables
    for x in codes_of(dims[0][1]):
        doc["constraints"].append({
            "terms": [{"table": first, "at": [x, "Total"], "coef": 1},
                      {"table": second, "at": [x, "Total"], "coef": -1}],
            "op": "=", "rhs": 0})
    with open(path, "w") as f:
        json.dump(doc, f)


def write_published(path, ext, dims, cells, hidden):
    if ext == "csv":
        rows = list(dims[0][1]["Total"].keys()) + ["Total"]
        cols = list(dims[1][1]["Total"].keys()) + ["Total"]
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow([dims[0][0]] + cols)
            for r in rows:
                w.writerow([r] + ["x" if (r, c) in hidden else cells[(r, c)] for c in cols])
        return
    doc = {"name": "t", "dimensions": [{"name": n, "tree": t} for n, t in dims],
           "cells": [{"at": list(k), "hidden": True} if k in hidden else {"at": list(k), "value": v}
                     for k, v in cells.items()]}
    with open(path, "w") as f:
        json.dump(doc, f)


def audit(bin_, published, truth, timeout):
    try:
        p = subprocess.run([bin_, "audit", published, "--truth", truth, "--format", "json",
                            "--time-limit", str(timeout)] + PROTECTION,
                           capture_output=True, text=True, timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        return "audit timed out"
    if p.returncode not in (0, 1):
        return f"audit exit {p.returncode}: {p.stderr.strip()[:150]}"
    r = json.loads(p.stdout)
    if r["verdict"] == "pass":
        return "pass"
    failing = [c for c in r["cells"] if c["verdict"] == "fail"]
    exact = sum(1 for c in failing if c["status"] == "exact")
    shown = "; ".join(",".join(c["at"]) for c in failing[:3])
    more = f" and {len(failing) - 3} more" if len(failing) > 3 else ""
    return f"**fails**: {len(failing)} cells ({exact} exactly disclosed): {shown}{more}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tauargus", required=True)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--tau-minutes", type=int, default=5,
                    help="the max time (minutes) given to τ-ARGUS's MOD and OPT")
    ap.add_argument("--cellbound-only", action="store_true",
                    help="run cellbound protect alone (τ-ARGUS rows left out)")
    ap.add_argument("only", nargs="*")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    a.tauargus = os.path.abspath(a.tauargus)
    a.bin = os.path.abspath(a.bin)
    print("| workload | cells | primary | method | complements | their value | time | exact audit |")
    print("|---|---|---|---|---|---|---|---|")
    for name, synth, ext in WORKLOADS:
        if a.only and name not in a.only:
            continue
        truth = os.path.join(out, f"{name}-truth.{'json' if ext == 'linked' else ext}")
        if ext == "linked":
            grid = os.path.join(out, f"{name}-grid.csv")
            subprocess.run([a.bin, "synth", *synth, "-o", os.path.join(out, f"{name}-synth.csv"),
                            "--truth", grid], check=True, capture_output=True)
            tables = linked_pair(grid, int(name.rsplit("x", 1)[1]))
            write_linked(truth, tables, [set(), set()])
            ext = "json"
            cells = {(t, k): v for t, _, tcells in tables for k, v in tcells.items()}
        else:
            subprocess.run([a.bin, "synth", *synth, "-o", os.path.join(out, f"{name}-synth.{ext}"),
                            "--truth", truth], check=True, capture_output=True)
            dims, cells = read_truth(truth, ext)
            tables = None
        primary = {k for k, v in cells.items() if 1 <= v <= 4}
        # cellbound protect
        pub = os.path.join(out, f"{name}-cellbound.{ext}")
        t0 = time.monotonic()
        try:
            p = subprocess.run([a.bin, "protect", truth, "--format", "json", "--cost", "value",
                                "--time-limit", str(a.timeout), "-o", pub] + PROTECTION,
                               capture_output=True, text=True, timeout=a.timeout + 60)
            wall = time.monotonic() - t0
            if p.returncode == 0:
                r = json.loads(p.stdout)
                s = r["summary"]
                verdict = audit(a.bin, pub, truth, a.timeout)
                print(f"| {name} | {len(cells)} | {s['primary']} | cellbound protect | {s['complements']} "
                      f"| {s['complement_value']} | {wall:.2f} s | {verdict} |", flush=True)
            else:
                print(f"| {name} | {len(cells)} | {len(primary)} | cellbound protect | | | {wall:.2f} s "
                      f"| exit {p.returncode}: {p.stderr.strip()[:150]} |", flush=True)
        except subprocess.TimeoutExpired:
            print(f"| {name} | {len(cells)} | {len(primary)} | cellbound protect | | | timed out | |", flush=True)
        if a.cellbound_only:
            continue
        # τ-ARGUS
        for label, method in METHODS:
            m = method.format(t=a.tau_minutes)
            if tables is None:
                names = write_tau_input(name, dims, cells, out)
                back = [{tau(c): c for c in codes_of(tree)} for _, tree in dims]
                got, err = run_tau(a.tauargus, name, names, m, out, a.timeout, back)
            else:
                # Each table alone (see the docstring), the times added.
                got, err, wall, hid = None, None, 0.0, []
                for t, tdims, tcells in tables:
                    stem = f"{name}-{t}"
                    names = write_tau_input(stem, tdims, tcells, out)
                    back = [{tau(c): c for c in codes_of(tree)} for _, tree in tdims]
                    one, err = run_tau(a.tauargus, stem, names, m, out, a.timeout, back)
                    if err:
                        break
                    wall += one[0]
                    hid.append(one[1])
                if not err:
                    got = (wall, {(t, k) for (t, _, _), h in zip(tables, hid) for k in h})
            if err:
                print(f"| {name} | {len(cells)} | {len(primary)} | {label} | | | | {err} |", flush=True)
                continue
            wall, hidden = got
            comp = [k for k in hidden if k not in primary]
            pub = os.path.join(out, f"{name}-{method[:3]}.{ext}")
            if tables is None:
                write_published(pub, ext, dims, cells, hidden)
            else:
                write_linked(pub, tables, [{k for (tt, k) in hidden if tt == t} for t, _, _ in tables])
            verdict = audit(a.bin, pub, truth, a.timeout)
            print(f"| {name} | {len(cells)} | {len(primary)} | {label} | {len(comp)} "
                  f"| {sum(cells[k] for k in comp)} | {wall:.2f} s | {verdict} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
