"""DataFrames in, DataFrames out: round trips, hierarchies, markers, ranges."""
import json

import numpy as np
import pandas as pd
import pytest

import cellbound
from conftest import EXAMPLES

T1 = EXAMPLES / "table1-declarations.csv"


def small():
    return pd.DataFrame({
        "mrc": ["La Mitis"] * 4 + ["Les Basques"] * 4 + ["Total"] * 4,
        "volet": ["V1", "V2", "V3", "Total"] * 3,
        "v": [None, 9, None, 20, None, 15, None, 25, 13, 24, 8, 45],
        "f": ["x", None, "x", None, "..", None, "x", None, None, None, None, None],
    })


HIER = {"mrc": {"Total": ["La Mitis", "Les Basques"]}, "volet": {"Total": ["V1", "V2", "V3"]}}


def test_read_round_trip_table1():
    df = cellbound.read(T1)
    assert list(df.columns) == ["MRC", "column", "value", "flag"]
    assert df.value.dtype == "Int64" and df.value.isna().sum() == 4
    assert (df.flag[df.value.isna()] == "x").all()
    b1 = cellbound.bounds(df, open=True)
    b2 = cellbound.bounds(T1, open=True)
    assert b1.reset_index(drop=True).equals(b2.reset_index(drop=True))
    # The same frame with explicit arguments, and a hand-built copy.
    b3 = cellbound.bounds(df.copy(), dims=["MRC", "column"], value="value", flag="flag",
                          hierarchies=df.attrs["cellbound"]["hierarchies"], open=True)
    assert b3.equals(b1)
    assert list(b1.index) == list(df.index[df.value.isna()])


def test_read_hierarchy_json_round_trip(cli):
    path = EXAMPLES / "hierarchy.json"
    df = cellbound.read(path)
    assert "territoire" in df.attrs["cellbound"]["hierarchies"]
    doc = cli.json("bounds", path, "--open")
    b = cellbound.bounds(df, open=True)
    dims = df.attrs["cellbound"]["dims"]
    assert [list(r) for r in b[dims].itertuples(index=False)] == [c["at"] for c in doc["cells"]]
    assert b.lower.tolist() == [c["lower"] for c in doc["cells"]]
    assert [None if pd.isna(u) else int(u) for u in b.upper] == [c["upper"] for c in doc["cells"]]


def test_hand_built_frame():
    b = cellbound.bounds(small(), dims=["mrc", "volet"], value="v", flag="f", hierarchies=HIER, open=True)
    assert b[["mrc", "volet", "lower", "upper"]].values.tolist() == [
        ["La Mitis", "V1", 3, 11], ["La Mitis", "V3", 0, 8],
        ["Les Basques", "V1", 2, 10], ["Les Basques", "V3", 0, 8]]
    assert str(b.upper.dtype) == "Int64"


def test_flag_hides_a_published_value_and_markers_override():
    df = small()
    df.loc[1, "f"] = "F"  # La Mitis V2 flagged: hidden even though a value is given
    b = cellbound.bounds(df, dims=["mrc", "volet"], value="v", flag="f", hierarchies=HIER, open=True)
    assert ("La Mitis", "V2") in set(zip(b.mrc, b.volet))
    b = cellbound.bounds(df, dims=["mrc", "volet"], value="v", flag="f", hierarchies=HIER, open=True,
                         markers=["x"])
    assert ("La Mitis", "V2") not in set(zip(b.mrc, b.volet))


def test_range_flags():
    df = small()
    df.loc[0, "f"] = "[4,6]"
    b = cellbound.bounds(df, dims=["mrc", "volet"], value="v", flag="f", hierarchies=HIER, open=True)
    assert b.set_index(["mrc", "volet"]).loc[("La Mitis", "V1"), ["lower", "upper"]].tolist() == [4, 6]


def test_unbounded_upper_is_missing():
    df = pd.DataFrame({"a": ["p", "q"], "v": [None, 3]})
    b = cellbound.bounds(df, dims=["a"], value="v", open=True)
    assert b.status.tolist() == ["unbounded"] and pd.isna(b.upper.iloc[0])


def test_impute_fills_and_verifies_lines():
    out = cellbound.impute(small(), dims=["mrc", "volet"], value="v", flag="f", hierarchies=HIER, open=True)
    assert out.imputed.sum() == 4 and out.v.notna().all()
    g = out.set_index(["mrc", "volet"]).v
    assert g[("La Mitis", "V1")] + g[("La Mitis", "V3")] == 11
    assert g[("La Mitis", "V1")] + g[("Les Basques", "V1")] == 13
    mid = cellbound.impute(small(), dims=["mrc", "volet"], value="v", flag="f", hierarchies=HIER,
                           open=True, method="midpoint", means=True)
    assert "mean" in mid.columns and mid.imputed.sum() == 4


def test_impute_agrees_with_cli(cli, tmp_path):
    doc = cli.json("impute", T1, "--open")
    out = cellbound.impute(T1, open=True)
    got = [int(v) for v in out.value[out.imputed]]
    assert got == [c["estimate"] for c in doc["cells"]]


def test_audit_frames():
    pub = small()
    truth = pub.copy()
    truth["v"] = [3, 9, 8, 20, 10, 15, 0, 25, 13, 24, 8, 45]
    a = cellbound.audit(pub, truth, dims=["mrc", "volet"], value="v", flag="f", hierarchies=HIER)
    assert len(a) == 4 and set(a.verdict) <= {"pass", "fail", "not audited"}
    assert a.attrs["summary"]["hidden"] == 4
    assert a.value.tolist() == [3, 8, 10, 0]


def test_audit_agrees_with_cli(cli, tmp_path):
    pub, truth = tmp_path / "p.csv", tmp_path / "t.csv"
    cli("synth", "--rows", "30", "--cols", "6", "--seed", "3", "-o", pub, "--truth", truth)
    doc = json.loads(cli("audit", pub, "--truth", truth, "--format", "json", check=False).stdout)
    a = cellbound.audit(pub, truth)
    assert a.verdict.tolist() == [c["verdict"] for c in doc["cells"]]
    assert a.lower.tolist() == [c["lower"] for c in doc["cells"]]
    assert a.attrs["summary"]["failed"] == doc["summary"]["failed"]


def test_verify_path_and_dict(cli, tmp_path):
    out = tmp_path / "b.json"
    cli("bounds", T1, "--open", "--witnesses", "-o", out)
    ok, lines = cellbound.verify(T1, out)
    assert ok and lines[-1].startswith("verified: 4 hidden cells")
    doc = json.loads(out.read_text())
    assert cellbound.verify(T1, doc)[0]
    doc["cells"][0]["lower"] = 4
    ok, lines = cellbound.verify(T1, doc)
    assert not ok and lines[-1].endswith("found")


def test_no_lower_bound_where_values_may_be_negative(tmp_path):
    # A JSON model whose values may be negative: hidden cells have no lower
    # limit; a 2x2 cycle of them is unbounded both ways, and a cell its
    # line pins gets its value. The lower column turns nullable.
    doc = {
        "negative": True,
        "tables": [{
            "name": "t",
            "dimensions": [{"name": "r", "tree": {"T": ["a", "b"]}},
                           {"name": "c", "tree": {"T": ["x", "y", "z"]}}],
            "cells": [
                {"at": ["a", "x"], "hidden": True}, {"at": ["a", "y"], "hidden": True},
                {"at": ["a", "z"], "value": -4}, {"at": ["a", "T"], "value": 3},
                {"at": ["b", "x"], "hidden": True}, {"at": ["b", "y"], "hidden": True},
                {"at": ["b", "z"], "hidden": True}, {"at": ["b", "T"], "value": 5},
                {"at": ["T", "x"], "value": 2}, {"at": ["T", "y"], "value": 12},
                {"at": ["T", "z"], "value": -6}, {"at": ["T", "T"], "value": 8},
            ],
        }],
    }
    path = tmp_path / "neg.json"
    path.write_text(json.dumps(doc))
    b = cellbound.bounds(path, open=True)
    assert str(b.lower.dtype) == "Int64"
    free = b[b.status == "unbounded"]
    assert len(free) == 4 and free.lower.isna().all() and free.upper.isna().all()
    pinned = b[b.status == "exact"]
    assert pinned.lower.tolist() == [-2] and pinned.upper.tolist() == [-2]
