"""Resting state: the network under its background inputs only.

Writes to results/:
    rates.csv              population, rate_Hz, target_min_Hz, target_max_Hz, in_range
    summary.json           the same as a mapping, plus the analysis window
    population_rate.npz    t_ms (bin starts) and A(t) in Hz per population
    spikes.npz             <pop>_senders (index in the population, uint32) and
                           <pop>_times_ms (float64) for the recorded populations
"""
from __future__ import annotations

import math
import time
from typing import Iterable, Mapping

import numpy as np

from ..results.analysis import mean_rate, population_rate, window
from ..model.derive import population_of_nucleus
from ..model.schema import Field, Problem, Record, num, pos, register_protocol
from ..results.progress import Progress
from .common import ProtocolBase, populations

def check_window(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """The analysis window starts before the end."""
    if proto["analysis_start_ms"] >= proto["duration_ms"]:
        yield Problem("protocol.analysis_start_ms", proto["analysis_start_ms"],
                      f"a time before protocol.duration_ms ({proto['duration_ms']})")


SCHEMA = Record({
    "name": Field("str", "protocol name"),
    "duration_ms": pos("simulated time (ms)"),
    "analysis_start_ms": num("start of the analysis window (ms)", minimum=0),
    "population_rate_bin_ms": pos("bin of the population rate A(t) (ms)"),
    "record_spikes_of": populations("populations whose spike trains are saved"),
}, doc="the resting state (configs/protocols/resting_state.yaml)", checks=(check_window,))
register_protocol("resting_state", SCHEMA)

# Nuclei whose rates the resting state reports, with MSN also split into D1 and D2.
REPORTED = ("MSN", "MSN_D1", "MSN_D2", "FSI", "STN", "GPe", "GPi")


class RestingState(ProtocolBase):
    name = "resting_state"

    def __init__(self, config, network, rundir, quiet=False):
        super().__init__(config, network, rundir, quiet)
        plan_pops = network.plan.populations
        self.populations = [p for p in plan_pops if plan_pops[p].kind == "nucleus"]
        self.recorded = sorted(set(self.populations) | set(self.proto["record_spikes_of"]),
                               key=list(plan_pops).index)

    def prepare(self) -> None:
        self.net.record_spikes(self.recorded, start_ms=0.0)

    def run(self, resume: bool = False) -> dict:
        duration = self.proto["duration_ms"]
        # Chunks of whole time steps, so that progress can be shown.
        h = self.config["simulation"]["resolution_ms"]
        chunks = max(1, int(math.ceil(duration / 250.0)))
        edges = [round(k * duration / chunks / h) * h for k in range(chunks + 1)]
        progress = Progress(chunks, "chunk", self.quiet)
        t_start = time.perf_counter()
        for k in range(chunks):
            self.net.simulate(edges[k + 1] - edges[k])
            progress.update(k + 1, f"t = {self.net.time_ms:.0f} / {duration:.0f} ms")
        self.timings["simulate"] = time.perf_counter() - t_start
        t_start = time.perf_counter()
        spikes = {name: self.net.take_spikes(name) for name in self.recorded}
        summary = self.write_results(spikes)
        self.timings["analysis"] = time.perf_counter() - t_start
        return summary

    def target_range(self, name: str):
        base = "MSN" if name.startswith("MSN") else name
        if base in self.config["nuclei"]:
            return self.config["nuclei"][base]["rate_target_Hz"]
        return self.config["inputs"][base]["rate_target_Hz"]

    def write_results(self, spikes) -> dict:
        t0, t1 = self.proto["analysis_start_ms"], self.proto["duration_ms"]
        sizes = {n: p.size for n, p in self.net.plan.populations.items()}
        rates, rows, arate = {}, [], {}
        for name in REPORTED:
            members = population_of_nucleus(name) if name == "MSN" else (name,)
            if not all(m in spikes for m in members):
                continue
            times = np.concatenate([spikes[m].times for m in members])
            n = sum(sizes[m] for m in members)
            rate = mean_rate(int(window(times, t0, t1).sum()), n, t1 - t0)
            lo, hi = self.target_range(name)
            rates[name] = {"rate_Hz": rate, "target_Hz": [lo, hi], "in_range": bool(lo <= rate <= hi)}
            rows.append(f"{name},{rate:.6g},{lo},{hi},{lo <= rate <= hi}")
            t, a = population_rate(times, n, t0, t1, self.proto["population_rate_bin_ms"])
            arate["t_ms"], arate[name] = t, a
        self.rundir.write_result_text("rates.csv", "population,rate_Hz,target_min_Hz,target_max_Hz,in_range\n" + "\n".join(rows) + "\n")
        self.rundir.save_result_arrays("population_rate.npz", **arate)
        arrays = {}
        for name in self.proto["record_spikes_of"]:
            arrays[f"{name}_senders"] = spikes[name].senders.astype(np.uint32)
            arrays[f"{name}_times_ms"] = spikes[name].times
        self.rundir.save_result_arrays("spikes.npz", **arrays)
        summary = {"protocol": self.name, "analysis_window_ms": [t0, t1], "rates": rates,
                   "all_in_range": all(r["in_range"] for r in rates.values())}
        self.rundir.write_result_json("summary.json", summary)
        return summary

    @staticmethod
    def report(summary: dict) -> str:
        """Human-readable table of rates against target ranges."""
        lines = [f"{'population':<10} {'rate (Hz)':>10}   target (Hz)"]
        for name, r in summary["rates"].items():
            lo, hi = r["target_Hz"]
            flag = "ok" if r["in_range"] else "OUT OF RANGE"
            lines.append(f"{name:<10} {r['rate_Hz']:>10.3f}   {lo:g}-{hi:g}  {flag}")
        return "\n".join(lines)
