"""Checks the HTML reports written by run.sh in headless Chromium.

Usage: check.py CHROMIUM OUT_DIR [SCREENSHOT_COPY]

For each report, the DOM after the page's script ran (--dump-dom, with
#cell=N selecting a cell) must show every hidden cell with the interval
of the bounds JSON of the same file, the audit verdicts, and the selected
cell's derivation; a screenshot must not be blank. Standard library only.
"""

import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

CHROMIUM, OUT = sys.argv[1], sys.argv[2]
COPY = sys.argv[3] if len(sys.argv) > 3 else ""
FAILURES = []


def fail(report, message):
    FAILURES.append(f"{report}: {message}")
    print(f"FAIL {report}: {message}", file=sys.stderr)


def chromium(*args):
    with tempfile.TemporaryDirectory() as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}",
               "--hide-scrollbars", *args]
        r = subprocess.run(cmd, capture_output=True, timeout=180)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: {' '.join(cmd)} exited {r.returncode}:\n{r.stderr.decode(errors='replace')}")
        return r.stdout.decode()


class Dom(html.parser.HTMLParser):
    """The hidden cells (data-h -> attributes and text) and the texts of
    elements with an id."""

    def __init__(self):
        super().__init__()
        self.cells = {}
        self.ids = {}
        self.attrs_by_id = {}
        self.stack = []  # (tag, id or None, data-h or None)
        self.texts = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("br", "input", "meta"):
            return
        h = a.get("data-h") if tag == "td" else None
        if h is not None:
            self.cells[int(h)] = a
            self.texts[("h", int(h))] = ""
        if a.get("id"):
            self.ids[a["id"]] = ""
            self.attrs_by_id[a["id"]] = a
        self.stack.append((tag, a.get("id"), h))

    def handle_endtag(self, tag):
        while self.stack:
            t, _, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, i, h in self.stack:
            if i:
                self.ids[i] += data
            if h is not None:
                self.texts[("h", int(h))] += data


def dom(name, cell):
    page = os.path.join(OUT, name)
    text = chromium("--dump-dom", f"file://{page}#cell={cell}")
    d = Dom()
    d.feed(text)
    return d


def interval(c):
    lo, hi = c["lower"], c.get("upper")
    if hi is None:
        return f"{lo}.."
    if hi == lo:
        return f"={lo}"
    return f"{lo}..{hi}"


def check_cells(name, d, cells):
    if len(d.cells) != len(cells):
        fail(name, f"{len(d.cells)} hidden cells in the page, {len(cells)} in the JSON")
    for i, c in enumerate(cells):
        a = d.cells.get(i)
        if a is None:
            fail(name, f"hidden cell {i} ({c['at']}) is missing")
            continue
        iv = a.get("data-iv", "").rstrip("^?")
        if iv != interval(c):
            fail(name, f"cell {i} ({c['at']}): interval {iv!r} in the page, {interval(c)!r} in the JSON")
        if not d.texts[("h", i)].startswith(a.get("data-iv", "")):
            fail(name, f"cell {i}: the cell shows {d.texts[('h', i)]!r}")


def selected(name, d, cell, iv):
    if d.attrs_by_id.get("detail", {}).get("data-cell") != str(cell):
        fail(name, f"#cell={cell} selected nothing")
        return False
    if d.ids.get("sel-iv", "").rstrip("^?") != iv:
        fail(name, f"the selection shows {d.ids.get('sel-iv')!r}, not {iv!r}")
    return True


def explain_sides(path):
    """The derivation texts of `explain --format table`: the lines under
    "lower bound N:" and "upper bound N:", unindented."""
    sides, current = {}, None
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("lower bound ") or line.startswith("upper bound "):
            current = line.split()[0]
            sides[current] = []
        elif current and line.startswith("  "):
            sides[current].append(line[2:])
        else:
            current = None
    return {k: "\n".join(v) for k, v in sides.items()}


def png_not_blank(name, path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(name, "the screenshot is not a PNG")
        return
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or color not in (2, 6):
        fail(name, f"unexpected PNG format (depth {depth}, color type {color})")
        return
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colors, nonwhite, pos = set(), 0, 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            ul = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else ul)
                line[i] = (line[i] + pred) & 255
        for x in range(0, stride, bpp * 7):
            px = bytes(line[x:x + 3])
            colors.add(px)
            if px != b"\xff\xff\xff":
                nonwhite += 1
        prev = line
    sampled = height * ((stride + bpp * 7 - 1) // (bpp * 7))
    if len(colors) < 8 or nonwhite < sampled // 100:
        fail(name, f"the screenshot looks blank ({len(colors)} colours, {nonwhite} of {sampled} sampled pixels not white)")
    else:
        print(f"ok   {name}: screenshot {width}x{height}, {len(colors)} colours")


def load(name):
    return json.load(open(os.path.join(OUT, name), encoding="utf-8"))


# Table 1 under --open: four intervals, and La Mitis, Volet 1 selected
# shows 3..11 and the derivations explain gives.
t1 = load("t1.json")["cells"]
mitis = next(i for i, c in enumerate(t1) if c["at"] == ["MRC La Mitis", "Volet 1"])
d = dom("t1.html", mitis)
check_cells("t1.html", d, t1)
if selected("t1.html", d, mitis, "3..11"):
    if "MRC La Mitis, Volet 1" not in d.ids.get("sel-name", ""):
        fail("t1.html", f"the selection is named {d.ids.get('sel-name')!r}")
    sides = explain_sides(os.path.join(OUT, "t1-explain.txt"))
    for side, ident in (("lower", "sel-lower"), ("upper", "sel-upper")):
        want, got = sides.get(side, "").strip(), d.ids.get(ident, "").strip()
        if not want or want != got:
            fail("t1.html", f"the {side} derivation shown is\n{got}\nnot, as explain says,\n{want}")
print(f"ok   t1.html: {len(t1)} hidden cells, La Mitis / Volet 1 3..11 with its derivations")

# Table 4 with --zeros-shown.
t4 = load("t4.json")["cells"]
d = dom("t4.html", 0)
check_cells("t4.html", d, t4)
if selected("t4.html", d, 0, interval(t4[0])) and not d.ids.get("sel-lower"):
    fail("t4.html", "the selection shows no derivation")
print(f"ok   t4.html: {len(t4)} hidden cells")

# Audits: the verdict on top, per cell, failing cells marked.
for page, js in (("a4.html", "a4.json"), ("a4w.html", "a4w.json")):
    a = load(js)
    fails = [i for i, c in enumerate(a["cells"]) if c["verdict"] == "fail"]
    cell = fails[0] if fails else 0
    d = dom(page, cell)
    check_cells(page, d, a["cells"])
    if d.ids.get("verdict", "").strip() != a["verdict"].upper():
        fail(page, f"the verdict shown is {d.ids.get('verdict')!r}, the audit says {a['verdict']}")
    marked = sorted(i for i, at in d.cells.items() if "fail" in at.get("class", "").split())
    if marked != fails:
        fail(page, f"cells marked failing {marked}, failing in the audit {fails}")
    if selected(page, d, cell, interval(a["cells"][cell])):
        if d.ids.get("sel-verdict") != a["cells"][cell]["verdict"]:
            fail(page, f"the selection's verdict is {d.ids.get('sel-verdict')!r}")
        if not d.ids.get("sel-lower"):
            fail(page, "the selection shows no derivation")
    print(f"ok   {page}: {a['verdict']}, {len(fails)} failing cells marked")
if load("a4w.json")["verdict"] != "fail":
    fail("a4w.html", "the --min-width 2 audit was meant to fail")

# Impute: each cell's estimate with its interval.
imp = load("i4.json")["cells"]
d = dom("i4.html", 0)
check_cells("i4.html", d, imp)
for i, c in enumerate(imp):
    shown = d.texts.get(("h", i), "")
    if not shown.endswith(f"\u2248{c['estimate']}"):
        fail("i4.html", f"cell {i}: shows {shown!r}, estimate {c['estimate']}")
if selected("i4.html", d, 0, interval(imp[0])) and d.ids.get("sel-estimate") != str(imp[0]["estimate"]):
    fail("i4.html", f"the selection's estimate is {d.ids.get('sel-estimate')!r}")
print(f"ok   i4.html: {len(imp)} estimates")

# A large grid: every cell, and the note when derivations are left out.
big = load("big.json")["cells"]
d = dom("big.html", len(big) - 1)
check_cells("big.html", d, big)
selected("big.html", d, len(big) - 1, interval(big[-1]))
if len(big) > 5000 and "cellbound explain" not in d.ids.get("note", ""):
    fail("big.html", "derivations are left out and the page does not say how to get them")
print(f"ok   big.html: {len(big)} hidden cells")

# Screenshots.
for page in ("t1.html", "big.html"):
    shot = os.path.join(OUT, page + ".png")
    cell = mitis if page == "t1.html" else 0
    chromium(f"--screenshot={shot}", "--window-size=1280,720", f"file://{os.path.join(OUT, page)}#cell={cell}")
    png_not_blank(page, shot)
    if COPY and page == "t1.html":
        shutil.copyfile(shot, COPY)

if FAILURES:
    print(f"\n{len(FAILURES)} browser check(s) failed", file=sys.stderr)
    sys.exit(1)
print("all browser checks passed")
