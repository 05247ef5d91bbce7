"""Every golden file is used, and every file under tests/data is listed in its README."""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def test_every_article_has_a_golden_file_and_back():
    articles = {p.name for p in (DATA / "articles").iterdir()}
    goldens = {p.name[:-5] for p in (DATA / "golden").glob("*.json")}
    assert goldens - articles == {"ai-commercialization-2025q1.zh-Hant.txt"}  # the shared corpus
    assert articles <= goldens


def test_every_data_file_is_described_in_a_readme():
    readmes = (DATA / "README.md").read_text(encoding="utf-8") + (DATA / "shapes" / "README.md").read_text(encoding="utf-8")
    for p in DATA.rglob("*"):
        if p.is_file() and p.name != "README.md":
            assert p.name in readmes, f"{p} is not described in tests/data/README.md"
