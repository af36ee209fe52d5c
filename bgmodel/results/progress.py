"""Progress lines for long runs: done/total, time per unit, estimated time left."""
from __future__ import annotations

import sys
import time

# Units whose median time gives the estimate of the time left.
RECENT_UNITS = 20


def format_seconds(s: float) -> str:
    s = int(round(s))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


class Progress:
    """Prints one line per update to stderr unless quiet.

    Parameters
    ----------
    total : int
        Units of work (episodes, grid steps, chunks of simulated time).
    unit : str
        What a unit is called ("episode", "step").
    quiet : bool
        Print nothing.
    """

    def __init__(self, total: int, unit: str, quiet: bool = False, stream=None):
        self.total, self.unit, self.quiet = total, unit, quiet
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self.last = self.start
        self.per_unit: list[float] = []

    def update(self, done: int, detail: str = "") -> None:
        now = time.perf_counter()
        self.per_unit.append(now - self.last)
        self.last = now
        if self.quiet:
            return
        # The median of the recent units: a slow one (a checkpoint, a paused or shared
        # machine) does not inflate the estimate for the rest of the run.
        recent = sorted(self.per_unit[-RECENT_UNITS:])
        typical = recent[len(recent) // 2]
        left = typical * max(0, self.total - done)
        line = (f"[{self.unit} {done}/{self.total}] {self.per_unit[-1]:.1f} s/{self.unit}, "
                f"elapsed {format_seconds(now - self.start)}, left ~{format_seconds(left)}")
        if detail:
            line += f" | {detail}"
        print(line, file=self.stream, flush=True)

    def message(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)
