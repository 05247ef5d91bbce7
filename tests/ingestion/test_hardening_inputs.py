"""Inputs that were taken wrongly or silently: UTF-16 without a byte-order mark, document
dates centuries away, a sub-folder ingest cannot open."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ingestion import DocumentReadError, iter_document_paths
from ingestion.decode import decode_bytes
from ingestion.document import parse_document, read_document

TEXT = "騰訊第二季度營收達1,842億元，同比增長13%。Tencent revenue rose 13% to RMB 184.2 billion.\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(encoding):
    decoded = decode_bytes(TEXT.encode(encoding), "a.txt")
    assert decoded.text == TEXT and decoded.encoding == encoding


def test_binary_data_is_still_binary():
    with pytest.raises(DocumentReadError, match="binary"):
        decode_bytes(bytes(range(256)) * 40, "a.bin")


@pytest.mark.parametrize("date", ["1800-01-01", "3000-01-01"])
def test_dates_centuries_away_are_refused(date, tmp_path):
    with pytest.raises(DocumentReadError, match="outside 1900-01-01"):
        parse_document(f"---\ndate: {date}\n---\n{TEXT}", name="a.txt")
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(DocumentReadError, match="outside"):
        read_document(path, date=date)
    assert parse_document(f"---\ndate: 2025-05-20\n---\n{TEXT}", name="a.txt").date.year == 2025


def test_an_unreadable_sub_folder_is_reported(tmp_path):
    """Run as a user the folder's mode shuts out (a user namespace with no mapping: even root is
    then 'nobody' to files of the machine)."""
    (tmp_path / "docs" / "locked").mkdir(parents=True)
    (tmp_path / "docs" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "locked" / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "locked").chmod(0)
    try:
        code = textwrap.dedent(f"""
            import ctypes
            from ingestion import DocumentReadError, iter_document_paths
            from ingestion.document import read_document
            assert ctypes.CDLL(None, use_errno=True).unshare(0x10000000) == 0
            for p in iter_document_paths([{str(tmp_path / "docs")!r}]):
                try:
                    read_document(p)
                    print("read", p.name)
                except DocumentReadError as exc:
                    print("error", exc)
        """)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    finally:
        (tmp_path / "docs" / "locked").chmod(0o755)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "read a.txt" in lines
    assert any(line.startswith("error") and "locked: a folder that cannot be read" in line for line in lines), lines
    assert [p.name for p in iter_document_paths([tmp_path / "docs"])] == ["a.txt", "b.txt"]
