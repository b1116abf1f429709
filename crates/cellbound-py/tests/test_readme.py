"""The README's Python example runs as shown, from the repository root."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_readme_example_runs(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "the README shows a Python example"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope: dict = {}
        exec(compile(blocks[0], "README.md", "exec"), scope)
    finally:
        os.chdir(cwd)
    b = scope["b"]
    mitis = b[(b.iloc[:, 0] == "MRC La Mitis") & (b.iloc[:, 1] == "Volet 1")]
    assert (int(mitis["lower"].iloc[0]), int(mitis["upper"].iloc[0])) == (3, 11)
    assert "lower bound 3" in scope["e"].text
    filled = scope["filled"]
    assert filled["imputed"].sum() == 4
