"""The seed tables and the README's worked example."""
import pandas as pd
import pytest

import cellbound
from conftest import EXAMPLES, ROOT

T1 = EXAMPLES / "table1-declarations.csv"


def rows(df):
    return {tuple(r[:-4]): (r[-4], None if pd.isna(r[-3]) else int(r[-3])) for r in df.itertuples(index=False)}


def test_table1_open_la_mitis_volet1():
    b = cellbound.bounds(T1, open=True)
    got = rows(b)
    assert got[("MRC La Mitis", "Volet 1")] == (3, 11)
    assert got[("MRC La Mitis", "Volet 3")] == (0, 8)
    assert got[("MRC Les Basques", "Volet 1")] == (2, 10)
    assert got[("MRC Les Basques", "Volet 3")] == (0, 8)
    assert list(b.columns) == ["MRC", "column", "lower", "upper", "status", "tight"]
    assert (b.status == "bounded").all() and b.tight.all()


def test_table1_under_threshold_is_infeasible(cli):
    # La Mitis needs 11 from two hidden cells of at most 4 each.
    with pytest.raises(cellbound.Infeasible) as e:
        cellbound.bounds(T1)
    p = cli("bounds", T1, check=False)
    assert p.returncode == 3
    assert p.stderr.strip() == f"cellbound: infeasible: {e.value}"
    assert e.value.explanation == str(e.value)
    assert any('row "MRC La Mitis"' in line for line in e.value.lines)
    assert "--open" in e.value.explanation


def test_table4_zeros_shown_readme():
    b = cellbound.bounds(EXAMPLES / "table4-peq-graduates.csv", zeros_shown=True)
    got = {(r[0], r[1]): (r.lower, r.upper) for r in b.itertuples(index=False)}
    assert got[("MRC de Kamouraska", "2023")] == (1, 2)
    assert got[("MRC de la Matapédia", "2024")] == (1, 3)
    assert len(b) == 6 and (b.status == "bounded").all()


@pytest.mark.parametrize("name", ["table1-declarations.csv", "table2-invitations.csv",
                                  "table3-peq-workers.csv", "table4-peq-graduates.csv",
                                  "hierarchy.json", "linked.json"])
@pytest.mark.parametrize("open_", [False, True])
def test_examples_agree_with_cli(cli, name, open_):
    path = EXAMPLES / name
    args = ["bounds", path] + (["--open"] if open_ else [])
    p = cli(*args, "--format", "json", check=False)
    if p.returncode == 3:
        with pytest.raises(cellbound.Infeasible):
            cellbound.bounds(path, open=open_)
        return
    doc = __import__("json").loads(p.stdout)
    b = cellbound.bounds(path, open=open_)
    dims = [c for c in b.columns if c not in ("table", "lower", "upper", "status", "tight")]
    ours = [([str(x) for x in r[dims]], r["lower"], None if pd.isna(r["upper"]) else int(r["upper"]), r["status"])
            for _, r in b.iterrows()]
    theirs = [(c["at"], c["lower"], c["upper"], c["status"]) for c in doc["cells"]]
    assert ours == theirs


def test_explain_la_mitis():
    e = cellbound.explain(T1, cell=("MRC La Mitis", "Volet 1"), open=True)
    assert e.bounds == (3, 11)
    assert "so [MRC La Mitis/Volet 1] >= 3" in e.derivations[0]
    assert "so [MRC La Mitis/Volet 1] <= 11" in e.derivations[1]
    assert "lower bound 3" in e.text and "upper bound 11" in e.text
    lo = e.lower.set_index("at")["value"]
    assert lo[("MRC La Mitis", "Volet 1")] == 3
    assert e.upper.set_index("at")["value"][("MRC La Mitis", "Volet 1")] == 11


def test_explain_agrees_with_cli_text(cli):
    e = cellbound.explain(T1, cell="MRC La Mitis,Volet 1", open=True)
    p = cli("explain", T1, "--cell", "MRC La Mitis,Volet 1", "--open", "--format", "table")
    assert e.text == p.stdout
    p = cli("explain", T1, "--cell", "MRC La Mitis,Volet 1", "--open", "--format", "json")
    assert e.json == __import__("json").loads(p.stdout)
