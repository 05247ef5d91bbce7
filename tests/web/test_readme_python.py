"""The README's Python snippet runs as written while `kgqa serve` runs on its data directory (it used
to fail on the store's lock), and `kgqa.connect` goes through the server as the CLI does."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_python() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "the README has one Python snippet"
    return blocks[0]


def test_the_readme_python_snippet_runs_beside_kgqa_serve(live, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    env.update(KGQA_DATA_DIR=str(live.data_dir), KGQA_EMBEDDING_MODEL="none")
    script = tmp_path / "snippet.py"
    script.write_text(readme_python(), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("answered ") and "324.5" in lines[0]
    assert any("百度" in line and "Revenue" in line and "324.5" in line for line in lines[1:])  # a fact and its quote
    assert re.fullmatch(r"\[\{'n': \d+\}\]", lines[-1])
    assert live.process.poll() is None  # the server is still serving


def test_connect_goes_through_the_running_server(live):
    import kgqa

    with kgqa.connect(live.data_dir, embedding_model="none") as kg:
        assert type(kg.store).__name__ == "SparqlServerStore"
        assert kg.ask("百度2025年Q1营收是多少?").status == "answered"
