#!/usr/bin/env python3
"""τ-ARGUS's audit and `cellbound audit` on the JJ files τ-ARGUS writes
from its own test data.

Run by benches/tauargus_audit_vs_cellbound.sh (which checks the data and
makes the venv). For each table: a batch file (.arb) over τ-ARGUS's
`tau_testW` microdata and its `.rda` metadata computes the table of a
response variable (`--response`, default Var1) with a frequency rule (and, for the 2-D and 3-D tables, τ-ARGUS's modular
suppression); pytauargus writes the table's JJ file as τ-ARGUS writes it
for its audit (`WriteJJFormat`); then τ-ARGUS's audit (`audit_jj`, the
port of `intervalle.exe`) and `cellbound audit FILE.jj` run on that file,
each in its own process with a timeout. Prints one Markdown row per table:
cells, hidden cells, each audit's exit, wall time and peak memory, and how
the intervals of the cells both audits finished compare.

Nothing of τ-ARGUS's data is copied: the batch files name the files where
they are, and the JJ files go to the output folder.
"""

import argparse
import json
import os
import subprocess
import sys
import time

# name, explanatory variables, suppression after the safety rule (None:
# the primary cells alone, as the JJ of the 4-D table of the issue).
TABLES = [
    ("2d-size-region", ["Size", "Region"], "MOD(1,5,1,1,1)"),
    ("3d-year-size-region", ["Year", "Size", "Region"], "MOD(1,5,1,1,1)"),
    ("4d-year-size-region-industry", ["Year", "Size", "Region", "IndustryCode"], None),
]

# τ-ARGUS's audit of one JJ file, in a process of its own so that a
# timeout can stop it: writes the rows `audit_jj` returns as JSON.
TAU_AUDIT = """
import json, sys
from pytauargus._tauargus import audit_jj
json.dump(audit_jj(sys.argv[1]), open(sys.argv[2], "w"))
"""


def find(folder, name):
    """`name` in `folder`, whatever the case of its letters (τ-ARGUS's
    repository has `tau_testW.asc` next to `Tau_TestW.rda`)."""
    for entry in os.listdir(folder):
        if entry.lower() == name.lower():
            return os.path.join(folder, entry)
    return None


def stage(data, out):
    """A folder of links to the data's files, where the batch files go:
    the .rda names its .hrc and .cdl files relative to the batch file's
    folder, and nothing is written into the data's own folder."""
    folder = os.path.join(out, "tau-data")
    os.makedirs(folder, exist_ok=True)
    for entry in os.listdir(data):
        link = os.path.join(folder, entry)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join(data, entry), link)
    return folder


def write_jj(data, out, name, variables, response, safety, suppress):
    """Computes the table with pytauargus and writes its JJ file; returns
    its path and the seconds it took."""
    from pytauargus.engine import run_batch

    asc, rda = find(data, "tau_testW.asc"), find(data, "tau_testW.rda")
    arb = os.path.join(data, f"{name}.arb")
    spec = "".join(f'"{v}"' for v in variables)
    lines = [
        f'<OPENMICRODATA> "{os.path.basename(asc)}"',
        f'<OPENMETADATA> "{os.path.basename(rda)}"',
        f'<SPECIFYTABLE> {spec}|"{response}"||',
        f"<SAFETYRULE> {safety}",
        "<READMICRODATA>",
    ]
    if suppress:
        lines.append(f"<SUPPRESS> {suppress}")
    with open(arb, "w") as f:
        f.write("\n".join(lines) + "\n")
    t0 = time.monotonic()
    eng = run_batch(arb)
    lo, hi = eng._table_cell_bounds(0)
    jj = os.path.join(out, f"{name}.jj")
    if not eng._tau.write_jj_format(0, jj, lo, hi, False, False, False):
        raise RuntimeError(f"{name}: pytauargus could not write the JJ file")
    return jj, time.monotonic() - t0


def jj_size(jj):
    """(cells, hidden cells) of a JJ file."""
    with open(jj) as f:
        f.readline()
        n = int(f.readline())
        hidden = sum(1 for _ in range(n) if f.readline().split()[3] in ("u", "m"))
    return n, hidden


def timed(argv, timeout):
    """Runs argv: (exit status or "timeout", seconds, peak MiB or None,
    standard error)."""
    peak_file, wrapper = None, []
    if os.path.exists("/usr/bin/time"):
        peak_file = os.path.join(os.path.dirname(os.path.abspath(argv[-1])), ".peak")
        wrapper = ["/usr/bin/time", "-f", "%M", "-o", peak_file]
    t0 = time.monotonic()
    try:
        p = subprocess.run(wrapper + argv, capture_output=True, text=True, timeout=timeout)
        status = p.returncode
        err = p.stderr
    except subprocess.TimeoutExpired as e:
        status, err = "timeout", (e.stderr or b"").decode(errors="replace")
    wall = time.monotonic() - t0
    peak = None
    if peak_file and os.path.exists(peak_file) and status != "timeout":
        with open(peak_file) as f:
            text = f.read().split()
        if text and text[-1].isdigit():
            peak = int(text[-1]) / 1024
        os.remove(peak_file)
    return status, wall, peak, err


def show(status, wall, peak):
    if status == "timeout":
        return f"timed out after {wall:.0f} s"
    mem = f", {peak:.0f} MiB" if peak is not None else ""
    return f"exit {status}, {wall:.1f} s{mem}"


def compare(tau_rows, cb_cells):
    """How the intervals of the cells both audits gave compare."""
    tau = {str(r["cell"]): (r["min"], r["max"]) for r in tau_rows}
    same = narrower = other = 0
    shown = []
    for c in cb_cells:
        key = c["at"][0]
        if key not in tau or c.get("lower") is None or c.get("upper") is None:
            continue
        lo, hi = tau[key]
        # τ-ARGUS's audit is a linear program's: a real interval that holds
        # the integer one.
        if (round(lo), round(hi)) == (c["lower"], c["upper"]):
            same += 1
        elif lo <= c["lower"] + 1e-6 and c["upper"] <= hi + 1e-6:
            narrower += 1
        else:
            other += 1
            if len(shown) < 3:
                shown.append(f"cell {key}: τ-ARGUS [{lo:g}, {hi:g}], cellbound "
                             f"[{c['lower']}, {c['upper']}]")
    text = f"{same} same, {narrower} narrower in cellbound (integer), {other} other"
    return text + ("; " + "; ".join(shown) if shown else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the cellbound binary")
    ap.add_argument("--data", required=True, help="τ-ARGUS's test data folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--response", default="Var1",
                    help="the response variable: pytauargus 0.6.0 takes no `<freq>` "
                         "for microdata, so a magnitude table whose primary cells the "
                         "frequency rule picks (Var1: whole numbers)")
    ap.add_argument("--safety", default="FREQ(5,30)",
                    help="τ-ARGUS's safety rule (counts 1..4 primary with FREQ(5,30))")
    ap.add_argument("--timeout", type=int, default=900,
                    help="seconds each audit may take")
    ap.add_argument("--time-limit", type=int, default=600,
                    help="cellbound audit --time-limit (seconds)")
    ap.add_argument("only", nargs="*", help="table names (default: every one)")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    a.bin, a.data = os.path.abspath(a.bin), os.path.abspath(a.data)
    # τ-ARGUS's engine writes its work files (HiTaS.log, JJUit.dat, ...)
    # into the current folder: the output folder, not the repository.
    os.chdir(out)
    names = [t[0] for t in TABLES]
    unknown = [n for n in a.only if n not in names]
    if unknown:
        print(f"unknown table {', '.join(unknown)}: the tables are {', '.join(names)}",
              file=sys.stderr)
        return 2
    data = stage(a.data, out)
    print("| table | cells | hidden | JJ written by pytauargus | τ-ARGUS audit "
          "| cellbound audit | intervals of the cells both gave |")
    print("|---|---|---|---|---|---|---|")
    for name, variables, suppress in TABLES:
        if a.only and name not in a.only:
            continue
        try:
            jj, built = write_jj(data, out, name, variables, a.response, a.safety, suppress)
        except Exception as e:  # pytauargus raises its own errors and RuntimeError
            print(f"| {name} | | | failed: {str(e)[:200]} | | | |", flush=True)
            continue
        cells, hidden = jj_size(jj)
        tau_json = os.path.join(out, f"{name}.tau-audit.json")
        tau = timed([sys.executable, "-c", TAU_AUDIT, jj, tau_json], a.timeout)
        cb_json = os.path.join(out, f"{name}.cellbound-audit.json")
        cb = timed([a.bin, "audit", jj, "--format", "json", "--time-limit", str(a.time_limit),
                    "-q", "-o", cb_json], a.timeout)
        agreement = ""
        if tau[0] == 0 and cb[0] in (0, 1):
            with open(tau_json) as f:
                tau_rows = json.load(f)
            with open(cb_json) as f:
                cb_cells = json.load(f)["cells"]
            agreement = compare(tau_rows, cb_cells)
        elif cb[0] not in (0, 1, "timeout") and cb[3].strip():
            said = cb[3].strip().splitlines()
            said = next((l for l in said if "error" in l), said[0])
            agreement = said[:300]
        print(f"| {name} | {cells} | {hidden} | {built:.1f} s | {show(*tau[:3])} "
              f"| {show(*cb[:3])} | {agreement} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
