"""What the benches share: the machine's load, PSS memory of a process tree, rounds
interleaved ABAB…, cold caches, and one plain table to paste.

Rules every bench here follows (issue 11):

* texts the caches have not seen (``bench/synthetic.py``), and the caches emptied
  before every round (``clear_caches``), or a fresh process per round;
* the baselines run in the same rounds as vnfacts, interleaved (A B A B …), and the
  figures are the minimum and the median over rounds;
* memory is PSS (``/proc/PID/smaps_rollup``) summed over the process and its children:
  pages shared by forked workers count once, not once per process;
* the load average is printed with every table; a ratio is flagged *unreadable* when
  other work on the machine took the CPU the measured code needed (see ``Load``).
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
for _p in (str(ROOT), str(ROOT / "bench")):
    if _p not in sys.path:
        sys.path.insert(0, _p)


# --- caches ----------------------------------------------------------------------------


def clear_caches() -> None:
    """Empty every cache the trip fills with what it has read: the segmenter's window
    vectors (``WordSegmenter.clear_caches``), spaCy's vocabulary of the words seen
    (``segment._vocab``: a new one), and every ``functools`` cache of the stages keyed by
    text (``pipeline.text.fold``, ``charset._is_syllable`` … found by scanning, so a cache
    added later is cleared too).  Loaded models and tables stay: they hold no text."""
    import functools
    import gc

    from pipeline.nlp import segment, wordseg

    if wordseg.get_segmenter.cache_info().currsize:
        wordseg.get_segmenter().clear_caches()
    segment._vocab.cache_clear()
    keep = {"get_segmenter", "get_gazetteer", "_sources", "_geography", "_surnames"}
    prefixes = ("pipeline.", "extractors.", "gazetteer.")
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper):
            module = getattr(obj, "__module__", "") or ""
            if module.startswith(prefixes) and obj.__name__ not in keep and _holds_text(obj):
                obj.cache_clear()


def _holds_text(cached) -> bool:
    """A cache keyed by what was read (its size grows with the input), not a loaded table."""
    info = cached.cache_info()
    return info.maxsize is None or info.maxsize > 1


# --- load and CPU --------------------------------------------------------------------------


def loadavg() -> float:
    return os.getloadavg()[0]


@dataclass
class Load:
    """The machine's load around a measurement, and whether it leaves a ratio readable.

    ``shares``: for each timed run, CPU seconds the measured processes got / (wall seconds
    × the cores they could use).  When the median run's share is below ``MIN_SHARE``,
    other work took a good part of the CPU they needed, so a time — and any ratio built on it — says more about the machine
    than about the code.  Work that also waits on the disk (the writer) is judged by the
    load average instead (``by_load``): unreadable when it stayed above the cores there are."""

    before: float
    after: float
    shares: list[float] = field(default_factory=list)
    by_load: bool = False
    MIN_SHARE: float = 0.8  # whole commands, which also read files, get a lower bar

    @property
    def worst_share(self) -> float:
        return min(self.shares) if self.shares else 1.0

    @property
    def share(self) -> float:
        """The median run's CPU share: what the min and median times were made of."""
        return statistics.median(self.shares) if self.shares else 1.0

    @property
    def readable(self) -> bool:
        if self.by_load:
            return min(self.before, self.after) <= (os.cpu_count() or 1) + 0.25
        return self.share >= self.MIN_SHARE

    def note(self) -> str:
        if self.by_load:
            flag = "" if self.readable else f"  ** UNREADABLE: load stayed above {os.cpu_count()} cores **"
        else:
            flag = "" if self.readable else f"  ** UNREADABLE: median CPU share {self.share:.2f} < {self.MIN_SHARE} **"
        return (f"load average {self.before:.2f} before, {self.after:.2f} after; CPU share median "
                f"{self.share:.2f}, worst {self.worst_share:.2f}{flag}")


def cpu_seconds() -> float:
    """CPU seconds of this process and its children (live ones through /proc, reaped ones
    through getrusage)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    return total + sum(_proc_cpu(pid) for pid in _descendants(os.getpid()))


# --- memory: PSS ---------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_bytes().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss(pid: int) -> int:
    """Proportional set size of one process, bytes (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_pss(root: int) -> tuple[int, int]:
    """PSS summed over ``root`` and its descendants, and how many processes."""
    pids = [root, *_descendants(root)]
    return sum(pss(p) for p in pids), len(pids)


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Watch:
    """Peak PSS of some process trees, the CPU time of every process seen in them, and the
    load average, sampled in a thread (a pool's workers are not all reaped by the command,
    so getrusage would miss them)."""

    def __init__(self, roots: list[int], interval: float = 0.25):
        self.roots, self.interval = roots, interval
        self.peak, self.processes, self.loads = 0, 0, []
        self.cpu: dict[int, float] = {}
        self.cpu_start = {pid: _proc_cpu(pid) for pid in roots}
        self._stop = threading.Event()

    def cpu_seconds(self) -> float:
        return sum(t - self.cpu_start.get(pid, 0.0) for pid, t in self.cpu.items())

    def _run(self) -> None:
        while not self._stop.is_set():
            total, n = 0, 0
            for root in self.roots:
                for pid in [root, *_descendants(root)]:
                    cpu = _proc_cpu(pid)
                    if cpu:
                        self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))
                size, count = tree_pss(root)
                total, n = total + size, n + count
            if total > self.peak:
                self.peak, self.processes = total, n
            self.loads.append(loadavg())
            self._stop.wait(self.interval)

    def __enter__(self) -> "Watch":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()



# --- interleaved rounds -------------------------------------------------------------------


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    shares: list[float] = field(default_factory=list)  # CPU share of each round (single-core work)

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def interleaved(paths: dict[str, Callable[[int], object]], rounds: int,
                before_each: Callable[[], None] | dict[str, Callable[[], None]] | None = None,
                cores: dict[str, int] | None = None) -> tuple[dict[str, Timings], Load]:
    """Run every path once per round, in the same order each round (A B C A B C …),
    ``before_each`` (e.g. ``clear_caches``; or one per path name) before every run, not
    timed; ``fn(round)`` may use the round number to pick texts no earlier round has read."""
    timings = {name: Timings() for name in paths}
    load = Load(before=loadavg(), after=0.0)
    for r in range(rounds):
        for name, fn in paths.items():
            before = before_each.get(name) if isinstance(before_each, dict) else before_each
            if before:
                before()
            cpu0, t0 = cpu_seconds(), time.perf_counter()
            fn(r)
            wall = time.perf_counter() - t0
            cpu = cpu_seconds() - cpu0
            timings[name].seconds.append(wall)
            share = cpu / (wall * (cores or {}).get(name, 1)) if wall > 0 else 1.0
            timings[name].shares.append(share)
            load.shares.append(min(share, 1.0))
    load.after = loadavg()
    return timings, load


# --- the table -----------------------------------------------------------------------------


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]], notes: Sequence[str] = ()) -> str:
    """A plain, aligned table (Markdown pipes: it pastes into an issue or a README)."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) + " |"

    out = [f"**{title}**", "", line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    out += [""] + [f"{n}" for n in notes]
    return "\n".join(out)


def machine_line() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {loadavg():.2f}"


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"
