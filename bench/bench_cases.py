"""Case-level records: reading a SEN2 return and computing every measure, beside the floor (lxml's own iterparse of
the same file, touching every element and freeing it).

    .venv/bin/python bench/bench_cases.py [--persons 5000] [--national 650000] [--repeat 3]

A local authority's return (5,000 persons) is read, merged into a store and every measure computed; a national-size
return (650,000 persons, about 1.2 GB of XML, written here by the synthetic generator and deleted afterwards) is read
in a child process each, so peak memory is the reader's own. Prints figures; never fails on them. `--national 0`
skips the national file.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

import sen2_synthetic as synth  # noqa: E402  (the generator lives with the tests)

FLOOR = f"""
import sys
sys.path.insert(0, {str(HERE)!r})
from bench_cases import iterparse_floor
print(iterparse_floor(sys.argv[1]))
"""
OURS = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from sendlib.files.sen2 import read_sen2
from sendlib.workflows.cases import records_frame
from sendlib.domain.case_measures import compute
ret = read_sen2(Path(sys.argv[1]), b"bench-key")
assert ret.ok, ret.errors[:3]
frame = records_frame(ret)
if len(sys.argv) > 3:
    compute(frame)
print(ret.persons, len(frame))
"""


def child(code: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of a fresh interpreter running `code`."""
    measured = code + "\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", measured, *args], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    *out, peak_kb = done.stdout.strip().splitlines()
    return seconds, int(peak_kb) / 1024, " ".join(out)


def iterparse_floor(path: str | Path) -> int:
    """The least a streaming reader can do: every element parsed, counted and freed."""
    from lxml import etree

    n = 0
    for _, el in etree.iterparse(str(path), events=("end",)):
        n += 1
        el.clear()
        if el.tag == "Person":
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]
    return n


def local(persons: int, repeat: int) -> None:
    from sendlib.domain.case_measures import compute
    from sendlib.files.sen2 import read_sen2
    from sendlib.store.delta import DeltaStore
    from sendlib.workflows.cases import commit_cases, preview_cases, read_cases
    from sendlib.workflows.stores import open_store

    made = synth.generate(persons, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "return.xml"
        path.write_bytes(made.xml)
        floor = min(_timed(lambda: iterparse_floor(path)) for _ in range(repeat))
        read = min(_timed(lambda: read_sen2(path, b"k")) for _ in range(repeat))
        loads = []
        for n in range(repeat):
            store = open_store(Path(tmp) / f"store{n}")
            store.root.mkdir()

            def load_and_compute(store: DeltaStore = store) -> None:
                commit_cases(store, preview_cases(store, path, path.name))
                compute(read_cases(store))

            loads.append(_timed(load_and_compute))
    size = len(made.xml) / 1_048_576
    print(f"A local authority's return: {persons:,} persons, {len(made.persons) - persons} edge persons, "
          f"{size:.1f} MB of XML")
    print(f"  lxml iterparse (floor)                     {floor * 1000:8.0f} ms")
    print(f"  read_sen2 (check every element)            {read * 1000:8.0f} ms   {read / floor:4.1f}× the floor")
    print(f"  load into a store and compute every measure {min(loads) * 1000:7.0f} ms   (aim: under 2,000 ms)")


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def national(persons: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "national.xml"
        start = time.perf_counter()
        written = synth.write_return(path, persons, seed=2)
        made = time.perf_counter() - start
        print(f"A national-size return: {persons:,} persons, {written / 1_073_741_824:.2f} GB of XML "
              f"(written in {made:.0f} s)")
        floor, floor_mb, elements = child(FLOOR, str(path))
        print(f"  lxml iterparse (floor)                 {floor:7.1f} s   peak {floor_mb:6.0f} MB   "
              f"{int(elements):,} elements")
        ours, ours_mb, counts = child(OURS, str(path), str(HERE.parent))
        print(f"  read_sen2 + records table              {ours:7.1f} s   peak {ours_mb:6.0f} MB   "
              f"{ours / floor:4.2f}× the floor (aim: within 3×, under 4,096 MB); persons, requests: {counts}")
        ours, ours_mb, _ = child(OURS, str(path), str(HERE.parent), "compute")
        print(f"  … and every measure computed           {ours:7.1f} s   peak {ours_mb:6.0f} MB   "
              f"{ours / floor:4.2f}× the floor")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--national", type=int, default=650_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    local(args.persons, args.repeat)
    if args.national:
        national(args.national)


if __name__ == "__main__":
    main()
