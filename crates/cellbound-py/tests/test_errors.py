"""Every error type, with the command line's messages."""
import pandas as pd
import pytest

import cellbound
from conftest import EXAMPLES, ROOT


def test_bad_input_file_has_file_line_field(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("MRC,A,B,Total\nr1,3,-4,7\nTotal,3,4,7\n")
    with pytest.raises(cellbound.BadInput) as e:
        cellbound.bounds(bad)
    p = cli("bounds", bad, check=False)
    assert p.returncode == 2
    assert f"cellbound: error: {e.value}" in p.stderr
    assert e.value.file == str(bad) and e.value.line == 2 and e.value.field


def test_bad_input_inconsistent_published(cli, tmp_path):
    bad = tmp_path / "sum.csv"
    bad.write_text("MRC,A,B,Total\nr1,3,4,8\nTotal,3,4,8\n")
    with pytest.raises(cellbound.BadInput) as e:
        cellbound.bounds(bad)
    p = cli("bounds", bad, check=False)
    assert p.returncode == 2 and str(e.value) in p.stderr


def test_bad_input_frames():
    df = pd.DataFrame({"a": ["p", "q"], "v": [1.5, 3]})
    with pytest.raises(cellbound.BadInput) as e:
        cellbound.bounds(df, dims=["a"], value="v")
    assert e.value.field == "v" and e.value.line == 0
    with pytest.raises(cellbound.BadInput):
        cellbound.bounds(df, dims=["nope"], value="v")
    df = pd.DataFrame({"a": ["p", "zz"], "v": [None, 3]})
    with pytest.raises(cellbound.BadInput) as e:
        cellbound.bounds(df, dims=["a"], value="v", hierarchies={"a": {"Total": ["p", "q"]}})
    assert "zz" in str(e.value)
    # A cell listed twice is the model's error.
    df = pd.DataFrame({"a": ["p", "p"], "v": [None, 3]})
    with pytest.raises(cellbound.BadInput, match="twice|duplicate|listed"):
        cellbound.bounds(df, dims=["a"], value="v")


def test_bad_explain_cell():
    with pytest.raises(cellbound.BadInput, match="--cell"):
        cellbound.explain(EXAMPLES / "table1-declarations.csv", cell=("Nowhere", "Volet 1"), open=True)


def test_missing_file():
    with pytest.raises(cellbound.BadInput) as e:
        cellbound.read(ROOT / "no-such-file.csv")
    assert e.value.file.endswith("no-such-file.csv")


def test_infeasible_frame():
    df = pd.DataFrame({"a": ["p", "q", "T"], "v": [None, None, 20]})
    with pytest.raises(cellbound.Infeasible) as e:
        cellbound.bounds(df, dims=["a"], value="v", hierarchies={"a": {"T": ["p", "q"]}})
    assert e.value.lines and "needs 20" in e.value.explanation


def test_unproved_on_time_limit(cli, tmp_path):
    cube = tmp_path / "cube.json"
    cli("synth", "--shape", "cube", "--seed", "1", "-o", cube)
    with pytest.raises(cellbound.Unproved) as e:
        cellbound.bounds(cube, open=True, time_limit=0, require_tight=True)
    assert "not proved tight" in str(e.value)
    assert (~e.value.result.tight).any()
    assert issubclass(cellbound.Unproved, cellbound.CellboundError)
