"""A bench JSON read back: what one run of a protocol costs at a scale and thread count.

A bench JSON (written by `bgmodel bench`, or by hand from measurements made elsewhere)
holds `machine` and `measurements`; each measurement names its protocol, scale and
threads and gives, in seconds:

    resting_state   setup_s, wall_s_per_simulated_s
    plasticity      setup_s (everything before the first episode), episode_s
                    (optionally episode_ms: the simulated length of its episodes),
                    checkpoint_s

and optionally peak_memory_mb. Measurements with status other than "done" are ignored.
No NEST here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..model.schema import ConfigError

REQUIRED = {"resting_state": ("setup_s", "wall_s_per_simulated_s"),
            "plasticity": ("setup_s", "episode_s", "checkpoint_s")}


@dataclass(frozen=True)
class RunFigures:
    """What a run of one protocol costs, at one scale and thread count."""

    protocol: str
    scale: float
    threads: int
    figures: dict
    note: str = ""   # how the figures were obtained when not measured at this scale

    @property
    def memory_gb(self) -> float | None:
        mb = self.figures.get("peak_memory_mb")
        return None if mb is None else mb / 1024.0


@dataclass(frozen=True)
class Bench:
    """A bench JSON."""

    path: Path
    machine: dict
    measurements: tuple[dict, ...]

    def scales(self, protocol: str) -> list[float]:
        return sorted({m["scale"] for m in self.measurements if m["protocol"] == protocol})

    def threads(self, protocol: str) -> list[int]:
        return sorted({m["threads"] for m in self.measurements if m["protocol"] == protocol})

    def find(self, protocol: str, scale: float, threads: int) -> RunFigures | None:
        """The measurement at exactly this scale and thread count (None if none)."""
        for m in self.measurements:
            if (m["protocol"] == protocol and m["threads"] == threads
                    and abs(m["scale"] - scale) < 1e-9):
                return RunFigures(protocol, scale, threads, m)
        return None

    def extrapolated(self, protocol: str, scale: float, threads: int) -> RunFigures | None:
        """Figures at an unmeasured scale, proportional to the scale from the largest
        measured one (the synapse count, which sets the cost, grows about linearly with
        the scale: in-degrees do not shrink, the MSNs and relays do). The note says so."""
        measured = [s for s in self.scales(protocol) if self.find(protocol, s, threads)]
        if not measured:
            return None
        base_scale = max(measured)
        base = self.find(protocol, base_scale, threads).figures
        factor = scale / base_scale
        scaled = {k: (v * factor if k in REQUIRED[protocol] + ("peak_memory_mb",)
                      and v is not None else v) for k, v in base.items()}
        note = (f"{protocol} at scale {scale:g}, {threads} thread(s): not measured; taken as "
                f"{factor:.3g} x the figures at scale {base_scale:g} (cost and memory "
                f"assumed linear in the synapse count, i.e. in the scale)")
        return RunFigures(protocol, scale, threads, scaled, note)


def _fail(path, key, value, allowed):
    raise ConfigError(str(path), key, value, allowed)


def load_bench(path: str | Path) -> Bench:
    """Read and check a bench JSON.

    Raises
    ------
    ConfigError
        Naming the file, the key, the value and what is allowed.
    """
    path = Path(path)
    if not path.is_file():
        _fail(path, "(file)", str(path), "an existing bench JSON (written by bgmodel bench)")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        _fail(path, "(file)", str(err), "JSON as bgmodel bench writes it")
    if not isinstance(data, dict) or not isinstance(data.get("measurements"), list):
        _fail(path, "measurements", data.get("measurements") if isinstance(data, dict)
              else data, "a list of measurements")
    kept = []
    for i, m in enumerate(data["measurements"]):
        where = f"measurements[{i}]"
        if not isinstance(m, dict):
            _fail(path, where, m, "a mapping")
        if m.get("status", "done") != "done":
            continue
        protocol = m.get("protocol")
        if protocol not in REQUIRED:
            _fail(path, f"{where}.protocol", protocol, f"one of {', '.join(REQUIRED)}")
        scale, threads = m.get("scale"), m.get("threads")
        if not isinstance(scale, (int, float)) or not 0 < scale <= 1:
            _fail(path, f"{where}.scale", scale, "a number with 0 < scale <= 1")
        if not isinstance(threads, int) or threads < 1:
            _fail(path, f"{where}.threads", threads, "an integer >= 1")
        for key in REQUIRED[protocol]:
            value = m.get(key)
            if not isinstance(value, (int, float)) or value < 0:
                _fail(path, f"{where}.{key}", value, "a number of seconds >= 0")
        kept.append(m)
    return Bench(path, data.get("machine", {}), tuple(kept))
