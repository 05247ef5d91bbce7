"""Two stores holding the same data export the same N-Quads (the ontology's blank nodes were
relabelled on every load)."""
from __future__ import annotations

import io

from kg import OxigraphStore, ensure_reference_graphs


def _export(store: OxigraphStore) -> bytes:
    out = io.BytesIO()
    store.export(out, "nquads")
    return out.getvalue()


def test_two_stores_with_the_same_data_export_the_same_nquads(tmp_path):
    first = OxigraphStore(tmp_path / "a")
    second = OxigraphStore.in_memory()
    try:
        ensure_reference_graphs(first)
        ensure_reference_graphs(second)
        a, b = _export(first), _export(second)
        assert sorted(a.splitlines()) == sorted(b.splitlines())
        assert b"_:" not in a  # no blank node left to be relabelled
        assert b".well-known/genid/ontology/" in a  # the ontology's anonymous nodes became stable IRIs
    finally:
        first.close()
        second.close()
