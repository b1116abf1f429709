import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


def cli_path():
    env = os.environ.get("CELLBOUND_BIN")
    if env:
        return env
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "release" / "cellbound")


@pytest.fixture(scope="session")
def cli():
    path = cli_path()
    if not Path(path).exists():
        pytest.fail(f"no CLI at {path}: cargo build --release -p cellbound-cli, or set CELLBOUND_BIN")

    def run(*args, check=True):
        p = subprocess.run([path, *map(str, args)], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"cellbound {' '.join(map(str, args))}: {p.returncode}\n{p.stderr}")
        return p

    run.json = lambda *args: json.loads(run(*args, "--format", "json").stdout)
    return run
