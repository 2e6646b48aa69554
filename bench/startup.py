"""Cold start of the commands, against a bare ``python -c "import spacy"``, interleaved.

    .venv/bin/python bench/startup.py [--rounds 7]

Each round runs, each in a fresh process, in this order:

* ``python -c "import spacy"`` — the baseline (vnfacts' Doc is a spaCy Doc);
* ``vnfacts --help``;
* ``vnfacts extract ONE.txt`` — one synthetic article this run has not read before
  (bench/synthetic.py; a new one each round), prebuilt tables in the cache;
* ``vnfacts extract ONE.txt`` with ``VNFACTS_CACHE=off`` — what the first use costs
  (segmenter tables and gazetteer built from the installed packages).

Printed: min and median wall time of each, the ratios of the medians to the baseline,
and the load.  Bars (issue 10): ``--help`` ≤ 0.3 s; cold ``extract`` ≤ 1.6× the baseline.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Load, Timings, loadavg, machine_line, table  # noqa: E402  (sets sys.path)


def vnfacts() -> list[str]:
    script = Path(sys.executable).with_name("vnfacts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline"]


def timed(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, CPU share) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {result.returncode}\n{result.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu / wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    import synthetic

    tmp = Path(tempfile.mkdtemp(prefix="vnfacts-startup-"))
    files = []
    for i, a in enumerate(synthetic.generate(args.rounds, synthetic.SEED + 10, start=0)):
        files.append(tmp / a.doc)
        files[-1].write_bytes(a.raw)
    cmd = vnfacts()
    env = dict(os.environ)
    subprocess.run([*cmd, "extract", str(files[0])], capture_output=True, cwd=ROOT)  # the prebuilt tables exist
    paths = {
        'python -c "import spacy"': lambda r: [sys.executable, "-c", "import spacy"],
        "vnfacts --help": lambda r: [*cmd, "--help"],
        "vnfacts extract ONE.txt": lambda r: [*cmd, "extract", str(files[r])],
        "  same, first use (VNFACTS_CACHE=off)": lambda r: [*cmd, "extract", str(files[r])],
    }
    timings = {name: Timings() for name in paths}
    load = Load(before=loadavg(), after=0.0, MIN_SHARE=0.7)  # start-up also reads files
    for r in range(args.rounds):
        for name, make in paths.items():
            run_env = {**env, "VNFACTS_CACHE": "off"} if "first use" in name else env
            wall, share = timed(make(r), run_env)
            timings[name].seconds.append(wall)
            timings[name].shares.append(share)
            load.shares.append(min(share, 1.0))
    load.after = loadavg()
    base = timings['python -c "import spacy"'].median
    bars = {"vnfacts --help": "≤ 0.3 s", "vnfacts extract ONE.txt": "≤ 1.6×"}
    rows = [[name, f"{t.min:.3f}", f"{t.median:.3f}", f"{t.median / base:.2f}×", bars.get(name, "")]
            for name, t in timings.items()]
    print(table(f"Cold start, {args.rounds} interleaved rounds, a fresh process each",
                ["command", "min s", "median s", "median / import spacy", "bar"], rows,
                [machine_line(), load.note()]))


if __name__ == "__main__":
    main()
