"""Tight integer bounds for the suppressed cells of published tables.

Tables are pandas DataFrames in the long layout: one column per dimension,
a value column and a flag column, one row per cell::

    >>> import pandas as pd, cellbound
    >>> df = pd.DataFrame({
    ...     "mrc": ["La Mitis"] * 3 + ["Les Basques"] * 3 + ["Total"] * 3,
    ...     "volet": ["V1", "V2", "V3"] * 3,
    ...     "v": [None, 9, None, None, 15, None, 13, 24, 8],
    ... })
    >>> b = cellbound.bounds(df, dims=["mrc", "volet"], value="v", open=True,
    ...     hierarchies={"mrc": {"Total": ["La Mitis", "Les Basques"]}})
    >>> b[["lower", "upper"]].values.tolist()[0]
    [0, 11]

Every function also takes a file path (anything the command line reads)
in place of a DataFrame. Errors are :class:`BadInput`, :class:`Infeasible`
and :class:`Unproved`, with the command line's messages.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import warnings
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _native
from ._native import BadInput, CellboundError, Infeasible, Unproved

__all__ = [
    "bounds",
    "audit",
    "explain",
    "verify",
    "impute",
    "read",
    "Explanation",
    "BadInput",
    "Infeasible",
    "Unproved",
    "CellboundError",
    "MARKERS",
]

#: The suppression markers the CSV reader knows (the empty flag too: a
#: cell whose value is missing is hidden whatever its flag).
MARKERS = ("x", "X", "..", "...", "F", "*", "")

_STATUS = np.array(["exact", "bounded", "unbounded"], dtype=object)
_RANGE = re.compile(r"^\s*(?:<\s*(\d+)|\[\s*(\d+)\s*,\s*(\d*)\s*\])\s*$")

PathLike = Union[str, "os.PathLike[str]"]


def _bad(message: str, file: str = "DataFrame", line=None, field=None) -> BadInput:
    e = BadInput(f"{file}: {field}: {message}" if field else f"{file}: {message}")
    e.file, e.line, e.field, e.message = file, line, field, message
    return e


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def _tree_to_pairs(name: str, tree: Any) -> Tuple[List[str], List[int]]:
    """A tree of the JSON model format as (codes, parent indexes)."""
    codes: List[str] = []
    parents: List[int] = []

    def walk(node: Any, parent: int) -> None:
        if isinstance(node, dict):
            if parent >= 0 and not node:
                raise _bad(f"dimension {name!r}: parent {codes[parent]!r} has no child")
            for key, sub in node.items():
                codes.append(str(key))
                parents.append(parent)
                if sub is not None:
                    walk(sub, len(codes) - 1)
        elif isinstance(node, (list, tuple)):
            if parent >= 0 and not node:
                raise _bad(f"dimension {name!r}: parent {codes[parent]!r} has no child")
            for item in node:
                if isinstance(item, (dict, list, tuple)):
                    walk(item, parent)
                else:
                    codes.append(str(item))
                    parents.append(parent)
        else:
            raise _bad(f"dimension {name!r}: a tree is a dict or a list, not {node!r}")

    walk(tree, -1)
    return codes, parents


def _pairs_to_tree(codes: Sequence[str], parents: Sequence[int]) -> Any:
    """The inverse of `_tree_to_pairs`: nested dicts and lists."""
    children: Dict[int, List[int]] = {}
    for i, p in enumerate(parents):
        children.setdefault(p, []).append(i)

    def sub(i: int) -> Any:
        kids = children.get(i, [])
        if all(k not in children for k in kids):
            return [codes[k] for k in kids]
        return {codes[k]: (sub(k) if k in children else None) for k in kids}

    return sub(-1)


def _as_model(
    df: Union[pd.DataFrame, PathLike],
    dims: Optional[Sequence[str]],
    value: Optional[str],
    flag: Optional[str],
    hierarchies: Optional[Dict[str, Any]],
    markers: Optional[Iterable[str]],
    absent: str,
    read_options: Dict[str, Any],
):
    """A native model and, for a DataFrame, the row positions of its cells."""
    if _is_path(df):
        model, warns = _native.read_model(os.fspath(df), **_grid_options(read_options))
        for w in warns:
            warnings.warn(w, stacklevel=3)
        return model, None
    if not isinstance(df, pd.DataFrame):
        raise TypeError("give a pandas DataFrame or a file path")
    meta = df.attrs.get("cellbound", {})
    dims = list(dims if dims is not None else meta.get("dims", []))
    value = value if value is not None else meta.get("value", "value")
    flag = flag if flag is not None else meta.get("flag")
    if hierarchies is None:
        hierarchies = meta.get("hierarchies")
    hierarchies = hierarchies or {}
    if not dims:
        raise _bad("dims: name the dimension columns, e.g. dims=['region', 'sex']")
    for col in dims + [value] + ([flag] if flag else []):
        if col not in df.columns:
            raise _bad(f"no column {col!r} (columns: {list(df.columns)})", field=col)
    for d in hierarchies:
        if d not in dims:
            raise _bad(f"hierarchies: {d!r} is not one of dims {dims}", field="hierarchies")
    n = len(df)
    dim_specs = []
    at = np.empty((n, len(dims)), dtype="<i8")
    for j, d in enumerate(dims):
        codes_idx, uniques = pd.factorize(df[d], use_na_sentinel=True)
        if (codes_idx < 0).any():
            row = int(np.argmax(codes_idx < 0))
            raise _bad(f"row {row}: a missing label", line=row, field=d)
        labels = [str(u) for u in uniques]
        if d in hierarchies:
            tree_codes, parents = _tree_to_pairs(d, hierarchies[d])
            pos = {c: i for i, c in enumerate(tree_codes)}
            missing = [u for u in labels if u not in pos]
            if missing:
                row = int(np.argmax(df[d].astype(str).to_numpy() == missing[0]))
                raise _bad(
                    f"row {row}: label {missing[0]!r} is not in the hierarchy of {d!r}",
                    line=row,
                    field=d,
                )
            remap = np.array([pos[u] for u in labels], dtype="<i8")
            at[:, j] = remap[codes_idx]
            dim_specs.append((d, tree_codes, parents))
        else:
            at[:, j] = codes_idx
            dim_specs.append((d, labels, [-1] * len(labels)))
    marks = set(MARKERS if markers is None else markers) | {""}
    vals = pd.to_numeric(df[value], errors="coerce")
    raw_missing = df[value].isna().to_numpy()
    bad = vals.isna().to_numpy() & ~raw_missing
    if bad.any():
        row = int(np.argmax(bad))
        raise _bad(
            f"row {row}: {df[value].iloc[row]!r} is not a count (a whole number, 0 or more)",
            line=row,
            field=value,
        )
    v = vals.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(v)
    ok = ~missing
    if ((v[ok] < 0) | (v[ok] != np.floor(v[ok])) | (v[ok] >= 2.0**53)).any():
        row = int(np.flatnonzero(ok & ((v < 0) | (v != np.floor(v)) | (v >= 2.0**53)))[0])
        raise _bad(
            f"row {row}: {df[value].iloc[row]!r} is not a count (a whole number, 0 or more, below 2^53)",
            line=row,
            field=value,
        )
    kind = np.where(missing, 1, 0).astype("u1")
    lo = np.zeros(n, dtype="<i8")
    hi = np.full(n, -1, dtype="<i8")
    if flag:
        f = df[flag]
        present = f.notna().to_numpy()
        fs = f.where(f.notna(), "").astype(str).str.strip()
        marked = present & fs.isin(marks).to_numpy() & (fs != "").to_numpy()
        kind[marked] = 1
        ranged = present & fs.str.match(_RANGE).to_numpy()
        for i in np.flatnonzero(ranged):
            m = _RANGE.match(fs.iloc[i])
            if m.group(1) is not None:
                lo[i], hi[i] = 0, int(m.group(1)) - 1
            else:
                lo[i] = int(m.group(2))
                hi[i] = int(m.group(3)) if m.group(3) else -1
            if hi[i] >= 0 and hi[i] < lo[i]:
                raise _bad(f"row {i}: empty range {fs.iloc[i]!r}", line=int(i), field=flag)
            kind[i] = 2
    value_arr = np.where(kind == 0, np.nan_to_num(v), 0).astype("<i8")
    model = _native.model_from_arrays(
        meta.get("table", "DataFrame"),
        "DataFrame",
        dim_specs,
        at.tobytes(),
        kind.tobytes(),
        value_arr.tobytes(),
        lo.tobytes(),
        hi.tobytes(),
        absent == "zero",
    )
    return model, dims


def _grid_options(options: Dict[str, Any]) -> Dict[str, Any]:
    allowed = {"delimiter", "total_labels", "markers", "skip_lines", "range"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"unknown read options {sorted(unknown)}; known: {sorted(allowed)}")
    out = dict(options)
    for k in ("total_labels", "markers"):
        if k in out and isinstance(out[k], str):
            out[k] = [out[k]]
        if k in out:
            out[k] = list(out[k])
    return out


def _i64(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype="<i8")


def _cells_frame(model, source_df, dims, table_idx, cell_idx) -> pd.DataFrame:
    """The dimension columns of the given cells."""
    if source_df is not None:
        out = source_df.iloc[cell_idx][dims].copy()
        return out
    tables = model.tables()
    if len(tables) == 1:
        name, tdims, at, *_ = tables[0]
        nd = len(tdims)
        at = _i64(at).reshape(-1, nd) if nd else np.zeros((0, 0), dtype="<i8")
        cols = {}
        for j, (dname, codes, _) in enumerate(tdims):
            cols[dname] = np.asarray(codes, dtype=object)[at[cell_idx, j]]
        return pd.DataFrame(cols)
    rows = []
    for t, c in zip(table_idx, cell_idx):
        name, tdims, at, *_ = tables[t]
        nd = len(tdims)
        codes = _i64(at)[c * nd : (c + 1) * nd]
        row = {"table": name}
        for j, (dname, dcodes, _) in enumerate(tdims):
            row[dname] = dcodes[codes[j]]
        rows.append(row)
    return pd.DataFrame(rows)


def bounds(
    df: Union[pd.DataFrame, PathLike],
    dims: Optional[Sequence[str]] = None,
    value: Optional[str] = None,
    flag: Optional[str] = None,
    hierarchies: Optional[Dict[str, Any]] = None,
    threshold: int = 5,
    zeros_shown: bool = False,
    open: bool = False,
    markers: Optional[Iterable[str]] = None,
    absent: str = "error",
    time_limit: Optional[float] = None,
    require_tight: bool = False,
    **read_options: Any,
) -> pd.DataFrame:
    """The tight integer bounds of every hidden cell, in input order.

    Returns the hidden cells' dimension columns (the input's index kept)
    plus ``lower``, ``upper`` (nullable ``Int64``: missing when unbounded;
    ``lower`` is ``Int64`` too, missing, only for a model whose values may
    be negative),
    ``status`` (``exact``, ``bounded``, ``unbounded``) and ``tight``.

    >>> cellbound.bounds(df, dims=["mrc", "volet"], value="v", flag="f",
    ...                  hierarchies={"mrc": {"Total": ["A", "B"]}}, open=True)
    >>> cellbound.bounds("examples/table1-declarations.csv", open=True)

    A cell is hidden when its value is missing or its flag is a marker
    (``MARKERS``, or ``markers=``); a flag ``<N`` or ``[A,B]`` is a known
    range. ``absent="zero"`` makes unlisted cells structural zeros.
    Raises :class:`Infeasible`, :class:`BadInput`, and :class:`Unproved`
    when the solver gives up (or, with ``require_tight``, when a time limit
    left bounds loose); the exception's ``result`` holds the sound bounds.
    """
    model, dims = _as_model(df, dims, value, flag, hierarchies, markers, absent, read_options)
    t, c, lo, up, has_up, has_lo, status, tight, loose = _native.bounds(
        model, threshold, zeros_shown, open, time_limit, require_tight
    )
    t, c = _i64(t), _i64(c)
    out = _cells_frame(model, df if dims else None, dims, t, c)
    upper = pd.array(_i64(up), dtype="Int64")
    upper[np.frombuffer(has_up, dtype="u1") == 0] = pd.NA
    lower = _i64(lo).copy()
    no_lower = np.frombuffer(has_lo, dtype="u1") == 0
    if no_lower.any():
        # Values that may be negative: a cell with no lower bound.
        lower = pd.array(lower, dtype="Int64")
        lower[no_lower] = pd.NA
    out["lower"] = lower
    out["upper"] = upper
    out["status"] = _STATUS[np.frombuffer(status, dtype="u1")]
    out["tight"] = np.frombuffer(tight, dtype="u1").astype(bool)
    if loose is not None:
        e = Unproved(loose)
        e.result = out
        raise e
    return out


def audit(
    published: Union[pd.DataFrame, PathLike],
    truth: Union[pd.DataFrame, PathLike],
    dims: Optional[Sequence[str]] = None,
    value: Optional[str] = None,
    flag: Optional[str] = None,
    hierarchies: Optional[Dict[str, Any]] = None,
    truth_value: Optional[str] = None,
    threshold: int = 5,
    zero_sensitive: bool = False,
    zeros_shown: bool = False,
    min_width: Optional[int] = None,
    upper_protection: Optional[int] = None,
    lower_protection: Optional[int] = None,
    protect_all: bool = False,
    strict: bool = False,
    markers: Optional[Iterable[str]] = None,
    absent: str = "error",
    time_limit: Optional[float] = None,
    **read_options: Any,
) -> pd.DataFrame:
    """Audits a suppression against the true table: one verdict per hidden cell.

    >>> v = cellbound.audit(published_df, truth_df, dims=["mrc", "volet"],
    ...                     value="v", flag="f", threshold=5, min_width=3)
    >>> v.attrs["summary"]["verdict"]          # "pass" or "fail"

    The flags are the command line's (``threshold``, ``zero_sensitive``,
    ``zeros_shown``, ``min_width``, ``upper_protection``,
    ``lower_protection``, ``protect_all``, ``strict``). ``truth`` is a
    DataFrame with the same dimension columns and a value for every cell
    (its value column is ``truth_value``, else ``value``), or a file.
    Returns the hidden cells with ``value``, ``lower``, ``upper``,
    ``status``, ``sensitive``, ``audited``, ``verdict``, ``failures``,
    ``pinned_by``; ``attrs["summary"]`` holds the counts and the verdict.
    """
    model, dims = _as_model(published, dims, value, flag, hierarchies, markers, absent, read_options)
    tables = model.tables()
    if _is_path(truth):
        tmodel, _ = _as_model(truth, None, None, None, None, None, "error", read_options)
        ttabs = tmodel.tables()
        tv = []
        for (name, tdims, at, kind, val, *_), (tn, tdd, tat, tkind, tval, *_) in zip(tables, ttabs):
            idx = {}
            nd = len(tdd)
            tat = _i64(tat).reshape(-1, nd)
            tcodes = [tuple(tdd[j][1][a[j]] for j in range(nd)) for a in tat]
            idx = dict(zip(tcodes, _i64(tval)))
            nd = len(tdims)
            pat = _i64(at).reshape(-1, nd)
            vals = []
            for a in pat:
                key = tuple(tdims[j][1][a[j]] for j in range(nd))
                if key not in idx:
                    raise _bad(f"the true table has no cell {list(key)}", file=os.fspath(truth))
                vals.append(int(idx[key]))
            tv.append(vals)
    else:
        if dims is None:
            raise _bad("a truth DataFrame needs a published DataFrame with dims")
        src = published
        tcol = truth_value or (value if value is not None else src.attrs.get("cellbound", {}).get("value", "value"))
        if tcol not in truth.columns:
            raise _bad(f"no column {tcol!r} in the truth", field=tcol)
        keys = src[dims].astype(str)
        tkeys = truth[dims].astype(str)
        merged = keys.merge(
            tkeys.assign(_truth=truth[tcol].to_numpy()), on=list(dims), how="left", validate="many_to_one"
        )
        if merged["_truth"].isna().any():
            row = int(np.argmax(merged["_truth"].isna().to_numpy()))
            raise _bad(
                f"the true table has no value for {list(keys.iloc[row])} (row {row} of the published table)",
                file="truth",
                field=tcol,
            )
        tv = [merged["_truth"].astype("int64").tolist()]
    cells, summary = _native.audit(
        model, tv, threshold, zero_sensitive, zeros_shown, min_width,
        upper_protection, lower_protection, protect_all, strict, time_limit,
    )
    t = np.array([c["table"] for c in cells], dtype="<i8")
    c = np.array([c["cell"] for c in cells], dtype="<i8")
    out = _cells_frame(model, published if dims else None, dims, t, c)
    for k in ("value", "lower", "upper", "status", "sensitive", "audited", "verdict",
              "failures", "existence_disclosed", "pinned_by"):
        col = [x[k] for x in cells]
        out[k] = pd.array(col, dtype="Int64") if k == "upper" else col
    out.attrs["summary"] = summary
    return out


class Explanation:
    """What ``explain`` says of one cell: ``text`` (the command's table
    output), ``lower`` and ``upper`` (the tables reaching each bound, as
    DataFrames of every hidden cell with ``value``), ``json`` (the
    command's JSON, as a dict), ``assumes`` (a line when the bounds rest
    on the threshold, else None)."""

    def __init__(self, text: str, doc: Dict[str, Any], assumes: Optional[str]):
        self.text = text
        self.json = doc
        self.assumes = assumes
        self.bounds = (doc["lower"]["bound"], (doc.get("upper") or {}).get("bound"))
        self.status = doc["status"]
        self.lower = self._table(doc["lower"])
        self.upper = self._table(doc["upper"]) if doc.get("upper") else None
        self.derivations = (
            (doc["lower"].get("derivation") or {}).get("text"),
            ((doc.get("upper") or {}).get("derivation") or {}).get("text"),
        )

    @staticmethod
    def _table(side: Dict[str, Any]) -> pd.DataFrame:
        return pd.DataFrame(
            [{"table": w["table"], "at": tuple(w["at"]), "value": w["value"]} for w in side["witness"]]
        )

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<Explanation {self.json['at']} {self.bounds[0]}..{self.bounds[1]}>"


def explain(
    df: Union[pd.DataFrame, PathLike],
    cell: Union[Sequence[str], str],
    table: Optional[str] = None,
    dims: Optional[Sequence[str]] = None,
    value: Optional[str] = None,
    flag: Optional[str] = None,
    hierarchies: Optional[Dict[str, Any]] = None,
    threshold: int = 5,
    zeros_shown: bool = False,
    open: bool = False,
    markers: Optional[Iterable[str]] = None,
    absent: str = "error",
    time_limit: Optional[float] = None,
    **read_options: Any,
) -> Explanation:
    """One hidden cell: its bounds, the derivation of each, the two tables.

    >>> e = cellbound.explain("examples/table1-declarations.csv",
    ...                       cell=("MRC La Mitis", "Volet 1"), open=True)
    >>> print(e.text); e.lower; e.upper; e.derivations

    ``cell`` is a tuple of labels, one per dimension (or the command
    line's ``"A,B"`` text). Returns an :class:`Explanation`.
    """
    model, _ = _as_model(df, dims, value, flag, hierarchies, markers, absent, read_options)
    spec = cell if isinstance(cell, str) else ",".join(
        '"' + str(c).replace('"', '""') + '"' if ("," in str(c) or '"' in str(c)) else str(c) for c in cell
    )
    text, doc, assumes = _native.explain(model, spec, table, threshold, zeros_shown, open, time_limit)
    return Explanation(text, json.loads(doc), assumes)


def verify(
    df: Union[pd.DataFrame, PathLike],
    bounds_json: Union[PathLike, Dict[str, Any]],
    dims: Optional[Sequence[str]] = None,
    value: Optional[str] = None,
    flag: Optional[str] = None,
    hierarchies: Optional[Dict[str, Any]] = None,
    markers: Optional[Iterable[str]] = None,
    absent: str = "error",
    **read_options: Any,
) -> Tuple[bool, List[str]]:
    """Checks a bounds file (``cellbound bounds --witnesses --format json``)
    with no LP: every witness table and derivation, exactly.

    >>> ok, lines = cellbound.verify("examples/table1-declarations.csv", "b.json")

    ``bounds_json`` is a path or the parsed dict. Returns ``(ok, lines)``,
    the lines being what the command prints.
    """
    model, _ = _as_model(df, dims, value, flag, hierarchies, markers, absent, read_options)
    if isinstance(bounds_json, dict):
        data, display = json.dumps(bounds_json).encode(), "bounds"
    else:
        display = os.fspath(bounds_json)
        try:
            with builtins.open(display, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise _bad(f"cannot read: {e.strerror}", file=display) from None
    ok, out, err = _native.verify(model, data, display)
    return ok, list(err) + list(out)


def impute(
    df: Union[pd.DataFrame, PathLike],
    dims: Optional[Sequence[str]] = None,
    value: Optional[str] = None,
    flag: Optional[str] = None,
    hierarchies: Optional[Dict[str, Any]] = None,
    threshold: int = 5,
    zeros_shown: bool = False,
    open: bool = False,
    method: str = "fit",
    prior: Optional[Union[pd.DataFrame, Sequence[Optional[float]]]] = None,
    means: bool = False,
    markers: Optional[Iterable[str]] = None,
    absent: str = "error",
    time_limit: Optional[float] = None,
    allow_unproved: bool = False,
    **read_options: Any,
) -> pd.DataFrame:
    """Fills every hidden cell with a whole number, one complete table.

    >>> filled = cellbound.impute(df, dims=["mrc", "volet"], value="v",
    ...                           method="fit", open=True)
    >>> filled[filled.imputed]

    Returns the DataFrame (a file is read with :func:`read` first) with the
    value column filled, ``imputed`` True where it was hidden, and
    ``source`` (and ``mean`` with ``means=True``) for those cells.
    ``prior``: one value per hidden cell in input order, or a DataFrame
    with the same dimension columns and a value column (same name).
    """
    if _is_path(df):
        frame = read(df, **read_options)
        read_options = {}
    else:
        frame = df
    model, dims = _as_model(frame, dims, value, flag, hierarchies, markers, absent, read_options)
    meta = frame.attrs.get("cellbound", {})
    value = value if value is not None else meta.get("value", "value")
    if isinstance(prior, pd.DataFrame):
        pv = frame[dims].astype(str).merge(
            prior[dims].astype(str).assign(_p=pd.to_numeric(prior[value], errors="coerce").to_numpy()),
            on=list(dims), how="left", validate="many_to_one",
        )["_p"].to_numpy(dtype="float64")
        prior = None  # filled below, per hidden cell
        prior_cells = pv
    else:
        prior_cells = None
    if prior_cells is not None:
        t, c, *_ = _native.bounds(model, threshold, zeros_shown, open, time_limit, False)
        prior = [None if np.isnan(x) else float(x) for x in prior_cells[_i64(c)]]
    elif prior is not None:
        prior = [None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x) for x in prior]
    t, c, v, source, mean = _native.impute(
        model, threshold, zeros_shown, open, method, prior, means, time_limit, allow_unproved
    )
    c = _i64(c)
    out = frame.copy()
    col = pd.array(pd.to_numeric(out[value], errors="coerce"), dtype="Int64")
    col[c] = _i64(v)
    out[value] = col
    imputed = np.zeros(len(out), dtype=bool)
    imputed[c] = True
    out["imputed"] = imputed
    src = np.full(len(out), None, dtype=object)
    src[c] = source
    out["source"] = src
    if means:
        m = np.full(len(out), np.nan)
        m[c] = [np.nan if x is None else x for x in mean]
        out["mean"] = m
    return out


def read(path: PathLike, **options: Any) -> pd.DataFrame:
    """Reads any file the command line reads (CSV grid, JSON model, τ-ARGUS
    JJ) into a long DataFrame.

    >>> df = cellbound.read("examples/table1-declarations.csv")
    >>> cellbound.bounds(df, open=True)      # dims etc. come from df.attrs

    Options are the command line's: ``delimiter`` (``","``, ``";"``,
    ``"tab"``), ``total_labels``, ``markers``, ``skip_lines``, ``range``
    (``"A5:F40"``). Columns: one per dimension, ``value`` (``Int64``,
    missing when hidden), ``flag`` (``"x"`` hidden, ``"[A,B]"`` a known
    range, missing when published); with several tables, a ``table``
    column first. ``df.attrs["cellbound"]`` holds the dimension names and
    hierarchies, so that :func:`bounds` needs no more arguments. Reader
    warnings are Python warnings.
    """
    model, warns = _native.read_model(os.fspath(path), **_grid_options(options))
    for w in warns:
        warnings.warn(w, stacklevel=2)
    frames = []
    hier: Dict[str, Any] = {}
    dim_names: List[str] = []
    tables = model.tables()
    for name, tdims, at, kind, val, lo, hi in tables:
        nd = len(tdims)
        at = _i64(at).reshape(-1, nd) if nd else np.zeros((0, 0), dtype="<i8")
        kind = np.frombuffer(kind, dtype="u1")
        cols: Dict[str, Any] = {}
        if len(tables) > 1:
            cols["table"] = name
        for j, (dname, codes, parents) in enumerate(tdims):
            cols[dname] = np.asarray(codes, dtype=object)[at[:, j]]
            if dname not in dim_names:
                dim_names.append(dname)
            if any(p >= 0 for p in parents):
                hier[dname] = _pairs_to_tree(codes, parents)
        v = pd.array(_i64(val), dtype="Int64")
        v[kind != 0] = pd.NA
        cols["value"] = v
        flag = np.full(len(kind), None, dtype=object)
        flag[kind == 1] = "x"
        lo, hi = _i64(lo), _i64(hi)
        for i in np.flatnonzero(kind == 2):
            flag[i] = f"[{lo[i]},{hi[i] if hi[i] >= 0 else ''}]"
        cols["flag"] = flag
        frames.append(pd.DataFrame(cols))
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df.attrs["cellbound"] = {
        "dims": dim_names,
        "value": "value",
        "flag": "flag",
        "hierarchies": hier,
        "source": model.source,
        "tables": len(tables),
        "table": tables[0][0],
        "constraints": model.constraints,
    }
    return df
