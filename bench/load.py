"""Bulk loading speed: N-Quads dumps of 1M and 10M triples into a fresh on-disk store.

    python bench/load.py [--triples 1000000,10000000] [--runs 3] [--dir /tmp/kgqa-load] [--seed 0]

Writes (or reuses) ``kgqa-<N>.nq`` under ``--dir`` with ``bench/generate.py``'s
``generate_graph`` (documents shaped like ingestion's output), then loads each dump
``--runs`` times, every time in a new process into a new on-disk store, the way
``kgqa load`` does (``OxigraphStore.load``: one parsing pass to refuse a bad file whole,
then pyoxigraph's bulk loader). Reports medians: wall seconds (parse check and bulk load
apart), CPU seconds of the process (all threads), quads per second, and the process's
peak RSS. CPU seconds show what the load costs when the machine is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

__all__ = ["dump_path", "load_once", "main"]


def dump_path(directory: Path, n_triples: int, seed: int) -> Path:
    """The dump of ``n_triples`` under ``directory``, generated on first use."""
    path = directory / f"kgqa-{n_triples}-s{seed}.nq"
    if not path.exists() or path.stat().st_size == 0:
        from generate import generate_graph

        directory.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        generate_graph(n_triples, tmp, seed=seed)
        tmp.rename(path)
        print(f"  generated {path} ({path.stat().st_size / 2**20:,.0f} MB) in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr, flush=True)
    return path


def load_once(dump: Path) -> dict[str, float]:
    """Load ``dump`` into a fresh on-disk store in this process; timings and peak RSS."""
    import collections

    from pyoxigraph import RdfFormat, parse

    from kg.store import OxigraphStore

    with tempfile.TemporaryDirectory(prefix="kgqa-load-") as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        c0, t0 = time.process_time(), time.perf_counter()
        with open(dump, "rb") as f:
            store.load(f, "nquads")
        store.close()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        reopened = OxigraphStore(Path(tmp) / "store")
        quads = reopened.count()
        reopened.close()
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    # the parsing pass alone, for the split of the time
    t1 = time.perf_counter()
    collections.deque(parse(path=str(dump), format=RdfFormat.N_QUADS), maxlen=0)
    check = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "cpu": cpu, "check": check, "quads": quads, "rss": rss, "store_bytes": size}


def _run_child(dump: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(dump)], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"loading {dump} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/load.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", default="1000000,10000000", help="comma-separated sizes (default 1M and 10M)")
    ap.add_argument("--runs", type=int, default=3, help="loads per size; medians are reported (default 3)")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "kgqa-load",
                    help="where the dumps are written and reused")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(load_once(args.child)))
        return 0
    sizes = [int(x) for x in args.triples.split(",") if x.strip()]
    if not sizes or args.runs < 1:
        ap.error("give at least one size and one run")

    rows = []
    for n in sizes:
        dump = dump_path(args.dir, n, args.seed)
        runs = []
        for i in range(args.runs):
            r = _run_child(dump)
            runs.append(r)
            print(f"  {n:,} triples, run {i + 1}: {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU",
                  file=sys.stderr, flush=True)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        rows.append((n, dump, med, len(runs)))

    head = (f"{'triples':>12}{'quads':>12}{'file MB':>9}{'load s':>8}{'check s':>9}{'CPU s':>7}"
            f"{'quads/s':>11}{'peak RSS':>10}{'store MB':>10}{'runs':>6}")
    print()
    print(head)
    print("-" * len(head))
    for n, dump, med, k in rows:
        print(f"{n:>12,}{med['quads']:>12,.0f}{dump.stat().st_size / 2**20:>9,.0f}{med['seconds']:>8.1f}"
              f"{med['check']:>9.1f}{med['cpu']:>7.1f}{med['quads'] / med['seconds']:>11,.0f}"
              f"{med['rss'] / 2**20:>8,.0f}MB{med['store_bytes'] / 2**20:>10,.0f}{k:>6}")
    print()
    print("load s: wall time of OxigraphStore.load (parse check + bulk load) and close, median; "
          "check s: the parse check alone; CPU s: process CPU time of the load (all threads)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
