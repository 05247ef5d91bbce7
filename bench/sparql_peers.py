"""SPARQL through `kgqa serve` against its peers: Oxigraph server and rdflib-endpoint, same queries, same data.

    python bench/sparql_peers.py [--sizes 100000,1000000] [--runs 20] [--rdflib-runs 5] [--timeout 60]

For each size, generates a graph (bench/generate.py), then loads it three times:
(a) a kgqa data directory (`kgqa load`, or the embedded store's bulk loader when the
command is missing) served by `kgqa serve` (its /sparql goes through the child Oxigraph
server); (b) an Oxigraph store of its own served by `oxigraph serve --union-default-graph`;
(c) an rdflib ``Dataset`` (default graph = union) parsed from the same N-Quads, served by
rdflib-endpoint's FastAPI app on uvicorn in a subprocess. Five queries (point lookup,
label lookup, neighbourhood, top-k aggregation, 2-hop join) go to each over HTTP with
keep-alive (httpx): one warm-up, then N timed runs, whole body read, JSON results. The
table shows medians and the ratios kgqa/oxigraph and rdflib/kgqa measured in the same
run; an rdflib query that runs past --timeout is shown as "> T s" (and its server is
restarted before the next query, since rdflib cannot stop it). Every peer must return
the same number of rows.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

PREFIXES = """PREFIX kgo: <https://w3id.org/kgqa/ontology#>
PREFIX kgm: <https://w3id.org/kgqa/metric/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
JSON_RESULTS = "application/sparql-results+json"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def queries(params: dict[str, str]) -> dict[str, str]:
    """The five benchmark queries, bound to entities picked from the graph."""
    return {
        "point lookup": f"SELECT DISTINCT ?p ?o WHERE {{ <{params['observation']}> ?p ?o }}",
        "label lookup": ("SELECT DISTINCT ?e WHERE { ?e skos:prefLabel|skos:altLabel ?l . "
                         f"FILTER(LCASE(STR(?l)) = {_literal(params['label_en'].lower())}) }}"),
        "neighbourhood": (f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ <{params['entity']}> ?p ?o }} "
                          f"UNION {{ ?s ?p <{params['entity']}> }} }}"),
        "top-k aggregation": ("SELECT ?s (COUNT(?o) AS ?n) (MAX(?v) AS ?max) WHERE { ?o kgo:metric kgm:Revenue ; "
                              "kgo:subject ?s ; kgo:value ?v } GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 10"),
        "2-hop join": (f"SELECT DISTINCT ?o ?v ?quote ?title WHERE {{ ?e skos:prefLabel {_literal(params['label_zh'])}@zh-hant . "
                       "?o kgo:subject ?e ; kgo:value ?v ; prov:wasDerivedFrom ?m . "
                       "?m kgo:quote ?quote ; kgo:document ?d . ?d dcterms:title ?title }"),
    }


def pick_params(store_dir: Path) -> dict[str, str]:
    """An observation, and a company about 20th by number of articles, with its labels."""
    from kg.store import OxigraphStore

    store = OxigraphStore(store_dir)
    try:
        obs = store.select("SELECT ?o WHERE { ?o a kgo:Observation } ORDER BY ?o LIMIT 1 OFFSET 100")[0][0]
        rows = store.select("""SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?e kgo:mentionedIn ?d ; a kgo:Organization ;
                               skos:prefLabel ?l FILTER(LANG(?l) = "zh-hant") } GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1 OFFSET 20""")
        entity = rows[0][0]
        labels = store.select("SELECT DISTINCT ?l (LANG(?l) AS ?lang) WHERE { ?e skos:prefLabel ?l } ORDER BY ?l",
                              {"e": _node(entity)})
    finally:
        store.close()
    by: dict[str, str] = {}
    for label, lang in labels:
        by.setdefault(lang.lower(), label)
    return {"observation": obs, "entity": entity, "label_en": by["en"], "label_zh": by["zh-hant"]}


def _node(iri: str) -> Any:
    from pyoxigraph import NamedNode

    return NamedNode(iri)


# -- servers ---------------------------------------------------------------------------------
def _free_port() -> int:
    from kg.oxserver import free_port

    return free_port()


def _wait(url: str, proc: subprocess.Popen[bytes] | None, limit: float) -> None:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {proc.returncode}: "
                               f"{(proc.stderr.read() if proc.stderr else b'').decode()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {limit:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load_kgqa(nq: Path, data_dir: Path) -> tuple[float, str]:
    """Load the dump into a kgqa data directory: seconds and how."""
    t = time.perf_counter()
    env = {**os.environ, "KGQA_DATA_DIR": str(data_dir), "KGQA_EMBEDDING_MODEL": "none"}
    has_load = subprocess.run([str(BIN / "kgqa"), "load", "--help"], env=env, capture_output=True).returncode == 0
    if has_load:
        subprocess.run([str(BIN / "kgqa"), "load", str(nq)], env=env, check=True, capture_output=True)
        how = "kgqa load"
    else:
        from kg.store import OxigraphStore
        from kgqa.settings import Settings

        store = OxigraphStore(Settings(data_dir=data_dir).store_path)
        with nq.open("rb") as f:
            store.load(f, "nquads")
        store.close()
        how = "OxigraphStore.load"
    return time.perf_counter() - t, how


@dataclass
class Peer:
    name: str
    url: str  # the query endpoint
    proc: subprocess.Popen[bytes] | None = None
    server: Any = None
    restart: Any = None
    results: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
        if self.server is not None:
            self.server.stop()


def start_kgqa(data_dir: Path, timeout: float) -> Peer:
    port = _free_port()
    env = {**os.environ, "KGQA_DATA_DIR": str(data_dir), "KGQA_EMBEDDING_MODEL": "none",
           "KGQA_QUERY_TIMEOUT_S": str(timeout), "KGQA_MAX_RESULT_ROWS": "100000"}
    proc = subprocess.Popen([str(BIN / "kgqa"), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait(f"http://127.0.0.1:{port}/health", proc, 120)
    return Peer("kgqa", f"http://127.0.0.1:{port}/sparql", proc)


def start_oxigraph(nq: Path, location: Path, timeout: float) -> tuple[Peer, float]:
    from pyoxigraph import RdfFormat, Store

    from kg.oxserver import OxigraphServer

    t = time.perf_counter()
    st = Store(str(location))
    st.bulk_load(path=str(nq), format=RdfFormat.N_QUADS)
    st.flush()
    del st
    seconds = time.perf_counter() - t
    server = OxigraphServer(location, timeout_s=timeout).start()
    return Peer("oxigraph", server.url + "/query", server=server), seconds


def start_rdflib(nq: Path, timeout: float) -> tuple[Peer, float]:
    def launch() -> tuple[subprocess.Popen[bytes], str, float]:
        port = _free_port()
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--rdflib-server", str(nq), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}/"
        _wait(url + "?query=" + "ASK%7B%7D", proc, 3600)
        return proc, url, time.perf_counter() - t

    proc, url, seconds = launch()
    peer = Peer("rdflib", url, proc)

    def restart() -> None:
        _stop(peer.proc)  # type: ignore[arg-type]
        peer.proc, peer.url, _ = launch()

    peer.restart = restart
    return peer, seconds


def rdflib_server(nq: Path, port: int) -> None:
    """Run rdflib-endpoint over an rdflib Dataset parsed from ``nq`` (the default graph is the union)."""
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    ds = Dataset(default_union=True)
    ds.parse(str(nq), format="nquads")
    app = SparqlEndpoint(graph=ds, public_url=f"http://127.0.0.1:{port}/")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# -- measuring ---------------------------------------------------------------------------------
def run_query(client: Any, url: str, query: str, timeout: float) -> tuple[float, int]:
    t = time.perf_counter()
    r = client.get(url, params={"query": PREFIXES + query}, headers={"Accept": JSON_RESULTS}, timeout=timeout)
    body = r.content
    ms = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {r.status_code}: {body[:300]!r}")
    return ms, len(json.loads(body)["results"]["bindings"])


def measure(peer: Peer, qs: dict[str, str], runs: int, timeout: float) -> None:
    import httpx

    names = list(qs)
    for i, name in enumerate(names):
        with httpx.Client() as client:
            try:
                _, rows = run_query(client, peer.url, qs[name], timeout)  # warm-up
                times = [run_query(client, peer.url, qs[name], timeout)[0] for _ in range(runs)]
                peer.results[name] = {"median_ms": statistics.median(times), "runs": runs, "rows": rows}
            except httpx.TimeoutException:
                peer.results[name] = {"timeout_s": timeout}
                if peer.restart is not None and i + 1 < len(names):
                    peer.restart()  # the abandoned query still holds the server's CPU


def _fmt(res: dict[str, Any]) -> str:
    if "timeout_s" in res:
        return f"> {res['timeout_s']:g} s"
    return f"{res['median_ms']:.2f}"


def _ratio(x: float) -> str:
    return f"{x:.2f}x" if x < 10 else f"{x:.0f}x"


def table(size: int, peers: list[Peer], qs: dict[str, str]) -> str:
    by = {p.name: p.results for p in peers}
    lines = [f"SPARQL at {size:,} triples: median ms per query (same run)",
             f"| query | kgqa /sparql | oxigraph serve | rdflib-endpoint | kgqa/oxigraph | rdflib/kgqa | rows |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in qs:
        k, o, r = by.get("kgqa", {}).get(name), by.get("oxigraph", {}).get(name), by.get("rdflib", {}).get(name)
        ko = f"{k['median_ms'] / o['median_ms']:.2f}x" if k and o and "median_ms" in k and "median_ms" in o else "-"
        if r and k and "median_ms" in k:
            rk = (_ratio(r["median_ms"] / k["median_ms"]) if "median_ms" in r
                  else "> " + _ratio(r["timeout_s"] * 1000 / k["median_ms"]))
        else:
            rk = "-"
        rows = {x["rows"] for x in (k, o, r) if x and "rows" in x}
        rows_text = str(rows.pop()) if len(rows) == 1 else ("MISMATCH " + str(sorted(rows)) if rows else "-")
        lines.append(f"| {name} | {_fmt(k) if k else '-'} | {_fmt(o) if o else '-'} | {_fmt(r) if r else '-'} "
                     f"| {ko} | {rk} | {rows_text} |")
    return "\n".join(lines)


def bench_size(size: int, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate_graph

    nq = work / f"graph-{size}.nq"
    if not nq.exists():
        st = generate_graph(size, nq, seed=args.seed, samples=0)
        print(f"generated {st.triples:,} triples in {st.seconds:.1f} s -> {nq}", flush=True)
    kgqa_dir = work / f"kgqa-{size}"
    shutil.rmtree(kgqa_dir, ignore_errors=True)
    load_s, how = load_kgqa(nq, kgqa_dir)
    print(f"kgqa: loaded with {how} in {load_s:.1f} s", flush=True)
    from kgqa.settings import Settings

    params = pick_params(Settings(data_dir=kgqa_dir).store_path)
    qs = queries(params)
    peers: list[Peer] = []
    info: dict[str, Any] = {"size": size, "params": params, "load_s": {"kgqa": load_s}, "kgqa_load": how}
    try:
        peer = start_kgqa(kgqa_dir, args.timeout)
        peers.append(peer)
        measure(peer, qs, args.runs, args.timeout)
        peer.stop()
        ox_dir = work / f"oxigraph-{size}"
        shutil.rmtree(ox_dir, ignore_errors=True)
        peer, info["load_s"]["oxigraph"] = start_oxigraph(nq, ox_dir, args.timeout)
        peers.append(peer)
        measure(peer, qs, args.runs, args.timeout)
        peer.stop()
        if not args.skip_rdflib:
            peer, info["load_s"]["rdflib"] = start_rdflib(nq, args.timeout)
            print(f"rdflib: parsed and serving in {info['load_s']['rdflib']:.1f} s", flush=True)
            peers.append(peer)
            measure(peer, qs, args.rdflib_runs, args.timeout)
            peer.stop()
    finally:
        for p in peers:
            p.stop()
    info["results"] = {p.name: p.results for p in peers}
    info["table"] = table(size, peers, qs)
    print(info["table"], flush=True)
    print("load seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in info["load_s"].items()), flush=True)
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated triple counts")
    ap.add_argument("--runs", type=int, default=20, help="timed runs per query (kgqa, oxigraph)")
    ap.add_argument("--rdflib-runs", type=int, default=5, help="timed runs per query for rdflib-endpoint")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a query counts as too slow")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, help="keep generated graphs and stores here (default: a temp dir)")
    ap.add_argument("--skip-rdflib", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--rdflib-server", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rdflib_server:
        rdflib_server(args.rdflib_server, args.port)
        return
    sys.path.insert(0, str(ROOT))
    out = []
    with tempfile.TemporaryDirectory(prefix="kgqa-peers-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",")):
            out.append(bench_size(size, work, args))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
