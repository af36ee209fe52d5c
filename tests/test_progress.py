"""Progress lines: time per unit and an estimate of the time left that one slow unit
(a checkpoint, a paused machine) does not throw off."""
from __future__ import annotations

import io

from bgmodel.results import progress as progress_module
from bgmodel.results.progress import Progress


def test_time_left_follows_the_typical_unit_not_a_stall(monkeypatch):
    clock = iter([0.0, 10.0, 20.0, 30.0, 630.0, 640.0])  # unit 4 took 600 s
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: next(clock))
    out = io.StringIO()
    bar = Progress(10, "episode", stream=out)
    for done in range(1, 6):
        bar.update(done, detail=f"d{done}")
    lines = out.getvalue().splitlines()
    assert len(lines) == 5
    assert lines[3].startswith("[episode 4/10] 600.0 s/episode")
    # Five units left at the typical 10 s, whatever the 600 s stall.
    assert lines[4] == "[episode 5/10] 10.0 s/episode, elapsed 10m40s, left ~50s | d5"


def test_quiet_prints_nothing(monkeypatch):
    out = io.StringIO()
    bar = Progress(3, "step", quiet=True, stream=out)
    bar.update(1)
    bar.message("hello")
    assert out.getvalue() == ""
