"""The paper's figures: what each shows, which runs it needs, how it is drawn.

Figures are numbered as in the authors' figure script (oist/topological_BG,
figures/plots.py). Three kinds:
- "runs": drawn from plasticity runs, grouped by condition, lambda, kappa and eta;
- "config": drawn from configuration values (STDP windows);
- "network": drawn from a small network built in NEST (connectivity maps).

`FIGURES` maps id -> FigureSpec; `FigureSpec.draw_from_runs(runset)` picks the runs of
each group and draws what it can, `missing(runset)` says which groups have no usable
runs and `RunGroup.command()` the commands that make them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model.derive import MSN_D1, MSN_D2
from . import connectivity, stdp, trajectories
from .figure_result import FigureResult

# Seeds suggested for a group of runs (the paper averages 5 to 10 runs per group).
SUGGESTED_SEEDS = (1, 2, 3, 4, 5)
# A sweep file with every run of every "runs" figure (5 seeds, full scale).
PAPER_SWEEP = "configs/sweeps/paper_figures.yaml"
PAPER_SWEEP_FOLDER = "log/sweeps/paper_figures"
CONDITION_FILES = {"parkinson": "configs/conditions/parkinson.yaml",
                   "schizophrenia": "configs/conditions/schizophrenia.yaml"}


@dataclass(frozen=True)
class RunGroup:
    """Plasticity runs with one condition and one (lambda, kappa, eta)."""

    lam: float
    kappa: float = 4.0
    eta: float = 1.0
    condition: str = "normal"

    def describe(self) -> str:
        return (f"{self.condition}, lambda={self.lam:g}, kappa={self.kappa:g}, "
                f"eta={self.eta:g}")

    def command(self, seed: str | int = "$seed") -> str:
        """`bgmodel run plasticity ...` for one seed of this group."""
        parts = ["bgmodel run plasticity"]
        if self.condition != "normal":
            parts.append(f"-c {CONDITION_FILES.get(self.condition, f'configs/conditions/{self.condition}.yaml')}")
        parts += [f"--set striatum.lambda={self.lam:g}", f"--set striatum.kappa={self.kappa:g}",
                  f"--set striatum.eta={self.eta:g}", f"--seed {seed}", "--out runs"]
        return " ".join(parts)

    def loop(self, seeds=SUGGESTED_SEEDS) -> str:
        """A shell loop making one run per seed."""
        return f"for seed in {' '.join(map(str, seeds))}; do {self.command()}; done"

    def select(self, runset) -> list:
        return runset.select(self.condition, self.lam, self.kappa, self.eta)


@dataclass(frozen=True)
class FigureSpec:
    """One paper figure."""

    id: str
    title: str
    shows: str
    kind: str  # "runs", "config" or "network"
    draw: Callable
    groups: tuple = ()
    episodes: tuple = (0, 0)  # [start, stop) the figure reads
    runs_per_group: str = "several"  # "one" (a single run is drawn) or "several"

    @property
    def stem(self) -> str:
        return f"fig{self.id}"

    def usable_runs(self, runset) -> tuple[dict, list]:
        """Runs of each group that cover the figure's episodes, and notes on the others."""
        by_group, notes = {}, []
        stop = self.episodes[1]
        for g in self.groups:
            runs = g.select(runset)
            kept, short = trajectories.covering(runs, stop)
            if self.runs_per_group == "one" and not kept and runs:
                # A single-run figure can show a run that ended early (the paper's 8A).
                kept = [max(runs, key=lambda r: r.episodes)]
                short = []
            for r in short:
                notes.append(f"left out {r.name}: {r.episodes} episodes < {stop}")
            by_group[g] = kept
        return by_group, notes

    def missing(self, runset) -> list:
        """Groups without usable runs."""
        if self.kind != "runs":
            return []
        by_group, _ = self.usable_runs(runset)
        return [g for g, runs in by_group.items() if not runs]

    def needs_text(self) -> str:
        if self.kind == "config":
            return "no runs (configs/network.yaml and configs/conditions/)"
        if self.kind == "network":
            return "no runs (builds a small network in NEST)"
        count = "1 run" if self.runs_per_group == "one" else f"{len(SUGGESTED_SEEDS)}+ runs each"
        return f"{count}: " + "; ".join(g.describe() for g in self.groups)


# ----------------------------------------------------------------------------- drawing
def _single(title):
    def draw(by_group: dict) -> FigureResult:
        (group, runs), = by_group.items()
        result = trajectories.draw_single_trajectory(runs[0], title)
        if len(runs) > 1:
            result.notes.append(f"{len(runs)} runs of {group.describe()}; drew the first, "
                                f"{runs[0].name} (pass one run folder to choose another)")
        return result
    return draw


def _runs_with_mean(title):
    def draw(by_group: dict) -> FigureResult:
        (group, runs), = by_group.items()
        return trajectories.draw_runs_with_mean(runs, title, *FIGURES_EPISODES["4A"])
    return draw


def _missing_lines(by_group: dict, fig_id: str) -> list:
    """One footnote line naming the groups without runs by what sets them apart."""
    groups = list(by_group)
    absent = [g for g in groups if not by_group[g]]
    if not absent:
        return []
    fields = [("condition", "", "condition"), ("lam", "λ", "lam"), ("kappa", "κ", "kappa"),
              ("eta", "η", "eta")]
    varying = [(sym or name, attr) for name, sym, attr in fields
               if len({getattr(g, attr) for g in groups}) > 1] or [("λ", "lam")]

    def text(g):
        return ", ".join(f"{sym}={getattr(g, attr):g}" if not isinstance(getattr(g, attr), str)
                         else getattr(g, attr) for sym, attr in varying)
    return ["no runs for: " + "; ".join(f"({text(g)})" for g in absent)
            + f"  (`bgmodel figures {fig_id}` without --runs prints the commands)"]


def _kappa_columns(title, fig_id, gpi=True, msn_ylim=None):
    def draw(by_group: dict) -> FigureResult:
        lams = []
        for g in by_group:
            if g.lam not in lams:
                lams.append(g.lam)
        columns = []
        for lam in lams:
            series = [(g.kappa, runs) for g, runs in by_group.items() if g.lam == lam and runs]
            if series:
                columns.append((f"λ={lam:g}", series))
        start, stop = FIGURES_EPISODES[fig_id]
        kappas = sorted({g.kappa for g in by_group})
        return trajectories.draw_value_comparison(columns, start, stop, title, "κ", gpi=gpi,
                                                  msn_ylim=msn_ylim, missing=_missing_lines(by_group, fig_id),
                                                  values=kappas)
    return draw


def _series(title, fig_id, attribute, symbol):
    def draw(by_group: dict) -> FigureResult:
        series = [(getattr(g, attribute), runs) for g, runs in by_group.items() if runs]
        start, stop = FIGURES_EPISODES[fig_id]
        return trajectories.draw_series_trajectories(series, title, symbol, start, stop,
                                                     missing=_missing_lines(by_group, fig_id))
    return draw


def _stdp(condition, title):
    def draw(overrides=()) -> FigureResult:
        return stdp.draw_stdp_windows(stdp.condition_config(condition, overrides), title)
    return draw


def _connectivity(which):
    def draw(sample) -> FigureResult:
        if which == "afferents":
            return connectivity.draw_afferents(sample)
        return connectivity.draw_collaterals(sample, which)
    return draw


# Episodes [start, stop) each trajectory figure reads: the ranges of the paper's figure
# script (CS+ is episodes 0-100, generalization 101-130, CS- 131-229).
FIGURES_EPISODES = {
    "3C": (0, 228), "8A": (0, 228), "8B": (0, 228), "8D": (0, 228),
    "4A": (0, 100), "4D": (0, 100),
    "5A": (131, 225), "6AB": (131, 225),
    "6C": (0, 225), "7D": (0, 225),
}


def _groups(lams, kappas=(4.0,), etas=(1.0,), condition="normal"):
    return tuple(RunGroup(lam, k, e, condition) for lam in lams for k in kappas for e in etas)


FIGURES: dict[str, FigureSpec] = {spec.id: spec for spec in (
    FigureSpec("1E", "Cortical afferents of channels 1 and 2",
               "D1 (o) and D2 (x) MSNs receiving CSN/PTN input from channel 1 and 2 relays",
               "network", _connectivity("afferents")),
    FigureSpec("1F", "Collaterals of one D1 MSN",
               "D1 and D2 targets of one D1 MSN in channel 1 and one in channel 2 "
               "(structural asymmetry: few D1->D2)", "network", _connectivity(MSN_D1)),
    FigureSpec("1G", "Collaterals of one D2 MSN",
               "D1 and D2 targets of one D2 MSN in channel 1 and one in channel 2",
               "network", _connectivity(MSN_D2)),
    FigureSpec("3C", "Learning trajectory of one run",
               "D1/D2 MSN and GPi rates of channels 1 and 2 across CS+, generalization and CS-",
               "runs", _single("Figure 3C: CS+, generalization, CS-"), _groups([0.2]),
               FIGURES_EPISODES["3C"], "one"),
    FigureSpec("3D", "STDP windows (normal)",
               "D1 and D2 windows for dopamine burst and dip, from plasticity.amplitudes_in_dc",
               "config", _stdp("normal", "Figure 3D: STDP windows")),
    FigureSpec("4A", "CS+ learning: runs and mean ± sd",
               "D1 MSN and GPi channel-1 rates of each run, mean ± sd of channels 1 and 2, "
               "episodes 0-99", "runs", _runs_with_mean("Figure 4A: CS+ conditioning"),
               _groups([0.0]), FIGURES_EPISODES["4A"]),
    FigureSpec("4D", "CS+: kappa 2 vs 4",
               "mean ± sd D1/D2 MSN and GPi rates of channels 1 and 2 in CS+, kappa 2 and 4, "
               "at lambda 0, 0.2, 0.4", "runs",
               _kappa_columns("Figure 4D: CS+ conditioning, κ=2 vs κ=4", "4D"),
               _groups([0.0, 0.2, 0.4], (2.0, 4.0)), FIGURES_EPISODES["4D"]),
    FigureSpec("5A", "CS-: discrimination per lambda",
               "mean ± sd D1/D2 MSN and GPi rates in CS- (episodes 131-224), kappa 2 and 4, "
               "at lambda 0, 0.1, 0.2, 0.3", "runs",
               _kappa_columns("Figure 5A: CS- discrimination", "5A"),
               _groups([0.0, 0.1, 0.2, 0.3], (2.0, 4.0)), FIGURES_EPISODES["5A"]),
    FigureSpec("6AB", "CS-: MSN rates per lambda (zoom)",
               "as 5A, MSN rates only, 0-1.5 Hz", "runs",
               _kappa_columns("Figure 6A-B: CS- discrimination, MSN", "6AB", gpi=False,
                              msn_ylim=(-0.5, 1.5)),
               _groups([0.0, 0.1, 0.2, 0.3], (2.0, 4.0)), FIGURES_EPISODES["6AB"]),
    FigureSpec("6C", "Trajectories for lambda 0.2-0.4",
               "mean ± sd D1 ch1, D2 ch2 and GPi ch1/ch2 across the three phases, kappa 4, "
               "lambda 0.2, 0.3, 0.4", "runs",
               _series("Figure 6C: learning trajectories, κ=4", "6C", "lam", "λ"),
               _groups([0.2, 0.3, 0.4]), FIGURES_EPISODES["6C"]),
    FigureSpec("7D", "Trajectories for eta 1, 2, 4",
               "as 6C at lambda 0.2, kappa 4, for eta (D2 output gain at the first dip) 1, 2, 4",
               "runs", _series("Figure 7D: learning trajectories, λ=0.2, κ=4", "7D", "eta", "η"),
               _groups([0.2], etas=(1.0, 2.0, 4.0)), FIGURES_EPISODES["7D"]),
    FigureSpec("8A", "Parkinson's, lambda 0.1",
               "one Parkinson's run (lambda 0.1, kappa 4) across the three phases", "runs",
               _single("Figure 8A: Parkinson's"), _groups([0.1], condition="parkinson"),
               FIGURES_EPISODES["8A"], "one"),
    FigureSpec("8B", "Parkinson's, lambda 0.2",
               "one Parkinson's run (lambda 0.2, kappa 4) across the three phases", "runs",
               _single("Figure 8B: Parkinson's"), _groups([0.2], condition="parkinson"),
               FIGURES_EPISODES["8B"], "one"),
    FigureSpec("8C", "STDP windows (Parkinson's)",
               "windows with configs/conditions/parkinson.yaml (burst D1 A+ and D2 A- reversed)",
               "config", _stdp("parkinson", "Figure 8C: STDP windows, Parkinson's")),
    FigureSpec("8D", "Schizophrenia, lambda 0.2",
               "one schizophrenia run (lambda 0.2, kappa 4) across the three phases", "runs",
               _single("Figure 8D: schizophrenia"), _groups([0.2], condition="schizophrenia"),
               FIGURES_EPISODES["8D"], "one"),
    FigureSpec("8E", "STDP windows (schizophrenia)",
               "windows with configs/conditions/schizophrenia.yaml (weaker D2 dip plasticity)",
               "config", _stdp("schizophrenia", "Figure 8E: STDP windows, schizophrenia")),
    FigureSpec("8F", "STDP windows (normal, for comparison)",
               "windows of the normal model, as 3D", "config",
               _stdp("normal", "Figure 8F: STDP windows, normal")),
)}


def draw_from_runs(spec: FigureSpec, runset) -> tuple[FigureResult | None, list]:
    """Draw a "runs" figure from what `runset` holds.

    Returns (None, notes) when no group has a usable run."""
    by_group, notes = spec.usable_runs(runset)
    if not any(by_group.values()):
        return None, notes
    result = spec.draw(by_group)
    result.notes = notes + result.notes
    return result, result.notes


def missing_message(spec: FigureSpec, groups) -> str:
    """Which runs to make for `spec`, with the commands."""
    lines = [f"figure {spec.id} ({spec.title}) needs runs that were not found:"]
    for g in groups:
        seeds = "one run" if spec.runs_per_group == "one" else f"{len(SUGGESTED_SEEDS)} or more runs (seeds)"
        lines.append(f"  - {g.describe()}: {seeds}; make them with")
        lines.append(f"      {g.command(1) if spec.runs_per_group == 'one' else g.loop()}")
    lines.append(f"  then: bgmodel figures {spec.id} --runs runs/ --out figures/")
    lines.append(f"  (every run of every paper figure: bgmodel sweep {PAPER_SWEEP}, then "
                 f"bgmodel figures all --runs {PAPER_SWEEP_FOLDER} --out figures/)")
    return "\n".join(lines)


def resolve_ids(names) -> list:
    """Figure ids from the command line ('all', case-insensitive ids, '6A'/'6B' -> 6AB,
    '1E-G' -> 1E 1F 1G)."""
    aliases = {"6A": "6AB", "6B": "6AB", "6A-B": "6AB", "1E-G": ["1E", "1F", "1G"],
               "1EFG": ["1E", "1F", "1G"]}
    out = []
    for name in names:
        key = name.upper()
        if key == "ALL":
            ids = list(FIGURES)
        else:
            ids = aliases.get(key, key)
            ids = ids if isinstance(ids, list) else [ids]
        for i in ids:
            if i not in FIGURES:
                raise KeyError(f"unknown figure {name!r}; known: {', '.join(FIGURES)} (or all)")
            if i not in out:
                out.append(i)
    return out
