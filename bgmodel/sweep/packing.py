"""How many runs side by side, with how many threads each, fill a node best.

The rule (docs/benchmarks.md, "Packing runs on a node"): for every thread count T with
a measured time per run S(T),

    processes(T)    = min(cores // T, node memory // memory per run)
    runs per hour   = processes(T) * 3600 / S(T)        (per node)

and the packing is the T with the most runs per hour (on a tie, fewer threads: fewer
processes waiting on each other's barriers). Thread counts with no process fitting are
skipped.

Without measurements the default is 2-thread runs side by side: on a 16-core node,
eight 2-thread resting-state runs at full scale ran at 17.6-20.1 s per simulated
second each, against 2.8 s/s for one 16-thread run, i.e. about 17 % more simulated
seconds per hour side by side (issue 22). One thread runs 2 where a node has a single
core. No NEST here.
"""
from __future__ import annotations

from dataclasses import dataclass

# The default without bench figures, and the measurement behind it (issue 22).
DEFAULT_THREADS = 2
DEFAULT_RULE = ("no bench figures: default packing, 2-thread runs side by side (on a "
                "16-core node eight 2-thread runs gave ~17 % more throughput than one "
                "16-thread run; issue 22)")


@dataclass(frozen=True)
class Packing:
    """Runs side by side on one node, and what that gives."""

    processes: int
    threads: int
    seconds_per_run: float | None   # None under the default rule
    reason: str

    @property
    def runs_per_hour(self) -> float | None:
        """Runs finished per hour on one node (None without a time per run)."""
        if not self.seconds_per_run:
            return None
        return self.processes * 3600.0 / self.seconds_per_run

    def describe(self) -> str:
        text = f"{self.processes} process(es) x {self.threads} thread(s) per node"
        if self.runs_per_hour is not None:
            text += (f", {self.seconds_per_run / 3600:.2f} h per run, "
                     f"{self.runs_per_hour:.2f} runs per hour per node")
        return text


def processes_that_fit(threads: int, cores: int, memory_gb: float | None,
                       run_memory_gb: float | None) -> int:
    """Processes of `threads` threads that fit on a node: processes x threads <= cores
    and, when both are known, processes x memory per run <= node memory."""
    n = cores // threads
    if memory_gb is not None and run_memory_gb:
        n = min(n, int(memory_gb // run_memory_gb))
    return max(0, n)


def _check_node(cores: int, memory_gb: float | None) -> None:
    if not isinstance(cores, int) or cores < 1:
        raise ValueError(f"cores per node = {cores!r} is not allowed; an integer >= 1")
    if memory_gb is not None and not memory_gb > 0:
        raise ValueError(f"memory per node = {memory_gb!r} GB is not allowed; a number > 0")


def choose_packing(cores: int, memory_gb: float | None = None,
                   seconds_per_run: dict[int, float] | None = None,
                   memory_per_run_gb: dict[int, float | None] | float | None = None
                   ) -> Packing:
    """The packing with the most runs per hour on one node.

    Parameters
    ----------
    cores : int
        Cores per node.
    memory_gb : float, optional
        Memory per node (GB); None: memory is not a limit.
    seconds_per_run : dict, optional
        Thread count -> wall seconds of one run at that thread count (bench figures).
        None or empty: the default rule (2-thread runs side by side).
    memory_per_run_gb : dict or float, optional
        Memory of one run (GB), per thread count or the same for all; None: unknown.

    Raises
    ------
    ValueError
        For cores < 1 or memory <= 0, and when no run fits on the node at any
        measured thread count (the message names the limits).
    """
    _check_node(cores, memory_gb)

    def run_memory(threads):
        if isinstance(memory_per_run_gb, dict):
            return memory_per_run_gb.get(threads)
        return memory_per_run_gb

    if not seconds_per_run:
        threads = min(DEFAULT_THREADS, cores)
        n = processes_that_fit(threads, cores, memory_gb, run_memory(threads))
        if n < 1:
            raise ValueError(_nothing_fits(cores, memory_gb, {threads: run_memory(threads)}))
        return Packing(n, threads, None, DEFAULT_RULE)
    best = None
    for threads in sorted(seconds_per_run):
        n = processes_that_fit(threads, cores, memory_gb, run_memory(threads))
        if n < 1 or not seconds_per_run[threads] > 0:
            continue
        candidate = Packing(n, threads, seconds_per_run[threads], "")
        if best is None or candidate.runs_per_hour > best.runs_per_hour * (1 + 1e-9):
            best = candidate
    if best is None:
        raise ValueError(_nothing_fits(cores, memory_gb,
                                       {t: run_memory(t) for t in seconds_per_run}))
    others = ", ".join(
        f"{t} thread(s): {processes_that_fit(t, cores, memory_gb, run_memory(t))} x "
        f"{seconds_per_run[t] / 3600:.2f} h"
        for t in sorted(seconds_per_run) if t != best.threads)
    reason = (f"most runs per hour among the measured thread counts"
              + (f" (others: {others})" if others else ""))
    return Packing(best.processes, best.threads, best.seconds_per_run, reason)


def _nothing_fits(cores, memory_gb, run_memory: dict) -> str:
    parts = ", ".join(f"{t} thread(s) and {m if m is not None else '?'} GB"
                      for t, m in sorted(run_memory.items()))
    return (f"no run fits on a node of {cores} core(s)"
            + (f" and {memory_gb:g} GB" if memory_gb is not None else "")
            + f" (per run: {parts}); give a larger node (--cores-per-node, "
              f"--memory-gb-per-node) or measure fewer threads")
