#!/usr/bin/env python
"""Learning numbers of plasticity runs next to the authors' published runs.

Usage:
    python scripts/validation/compare_published.py RUN... [--reference FOLDER] [--windows A-B ...]
                                        [--pool LABEL] [--nuclei POP... [--channels CH...]]

RUN is a bgmodel run folder (its results/authors_format/ is read) or a folder in the
authors' format. FOLDER is one published condition, e.g.
../shared/reference-data/run4_k_4_l_02_m_1 (its complete, unmarked logN runs are
averaged; runs marked x are left out). For every episode window (default: CS+ 0-9,
CS+ 90-99, CS- end 200-229; `--windows 0-9 40-49 90-99` chooses others; windows are
clipped to the episodes a run has) it prints GPi(ch1) - GPi(ch2), the D1 rates of
channels 1 and 2 and their ratio to the first window; and, for runs that reached the end
of CS-, whether discrimination converged (GPi of channel 2 below channel 1 over
episodes 200-229). The column "ch1 sel." counts the window's episodes in which channel 1
was selected (GPi ch1 below ch2): in CS+ those are the episodes rewarded by a dopamine
burst, so a run that learns slowly because it was rarely rewarded shows it there. With
`--pool LABEL` the RUNs are averaged as one group, the way a published condition is
(several seeds of one configuration), each run's contrast listed beside the mean. Runs
the authors marked x (excluded: incomplete or failed) are left out of the published
mean and listed on their own lines after it, so the whole spread of their code is seen.
`--nuclei GPe STN ...` prints instead each run's rate of those populations (names as in
bgmodel: MSN, MSN_D1, MSN_D2, FSI, STN, GPe, GPi), averaged over the window and over
`--channels` (default 0-4), one line per run and window, every published run included.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bgmodel.results.authors_format import RATE_FILES, AuthorsRun, read_condition, read_run

WINDOWS = {"CS+ 0-9": (0, 9), "CS+ 90-99": (90, 99), "CS- 200-229": (200, 229)}


def parse_window(text: str) -> tuple[str, tuple[int, int]]:
    """'90-99' -> ('90-99', (90, 99)); argparse reports a ValueError as a usage error."""
    first, sep, last = text.partition("-")
    try:
        a, b = int(first), int(last)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"window {text!r}: expected FIRST-LAST episode numbers, e.g. 90-99") from None
    if not sep or a < 0 or b < a:
        raise argparse.ArgumentTypeError(
            f"window {text!r}: expected FIRST-LAST with 0 <= FIRST <= LAST, e.g. 90-99")
    return text, (a, b)


def load(path: Path) -> AuthorsRun:
    folder = path / "results" / "authors_format"
    return read_run(folder if folder.is_dir() else path)


def window_slice(run: AuthorsRun, first: int, last: int) -> slice | None:
    """Episodes first..last clipped to the run (None when the run has none of them)."""
    if run.episodes <= first:
        return None
    return slice(first, min(last, run.episodes - 1) + 1)


def window_numbers(run: AuthorsRun, first: int, last: int) -> dict | None:
    """Means over episodes first..last (None when the run has none of them)."""
    sl = window_slice(run, first, last)
    if sl is None:
        return None
    gpi, d1 = run.rates["GPi"][sl], run.rates["MSN_D1"][sl]
    return {"contrast": float(np.mean(gpi[:, 1] - gpi[:, 2])),
            "d1_ch1": float(np.mean(d1[:, 1])), "d1_ch2": float(np.mean(d1[:, 2])),
            "ch1_selected": int(np.sum(gpi[:, 1] < gpi[:, 2])),
            "episodes": sl.stop - sl.start}


def describe(label: str, runs: list[AuthorsRun], windows: dict) -> list[str]:
    lines = []
    base = None
    for name, (first, last) in windows.items():
        per_run = [w for w in (window_numbers(r, first, last) for r in runs) if w]
        if not per_run:
            continue
        mean = {k: float(np.mean([w[k] for w in per_run])) for k in per_run[0]}
        base = base or mean
        ratio = mean["d1_ch1"] / base["d1_ch1"] if base["d1_ch1"] > 0 else float("nan")
        selected = (f"{sum(w['ch1_selected'] for w in per_run)}"
                    f"/{sum(w['episodes'] for w in per_run)}")
        contrasts = ", ".join(f"{w['contrast']:+.1f}" for w in per_run)
        spread = f"  (runs: {contrasts})" if len(per_run) > 1 else ""
        lines.append(f"{label:<42}{name:<13}{mean['contrast']:>+8.2f}{mean['d1_ch1']:>9.3f}"
                     f"{mean['d1_ch2']:>9.3f}{ratio:>8.1f}x{selected:>10}{spread}")
    ended = [r for r in runs if r.episodes >= 230]
    if ended:
        converged = sum(window_numbers(r, 200, 229)["contrast"] > 0 for r in ended)
        lines.append(f"{label:<42}{'converged':<13}{converged} of {len(ended)} complete runs "
                     "(GPi ch2 below ch1 over 200-229)")
    return lines


def nucleus_lines(label: str, run: AuthorsRun, windows: dict, nuclei: list[str],
                  channels: list[int]) -> list[str]:
    """One line per window: each nucleus's rate averaged over `channels` and episodes."""
    lines = []
    for name, (first, last) in windows.items():
        sl = window_slice(run, first, last)
        if sl is None:
            continue
        rates = "".join(f"{float(np.mean(run.rates[n][sl][:, channels])):>9.2f}"
                        if n in run.rates else f"{'-':>9}" for n in nuclei)
        lines.append(f"{label:<42}{name:<13}{rates}")
    return lines


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("runs", nargs="*", type=Path)
    p.add_argument("--reference", type=Path, action="append", default=[],
                   help="a published condition folder (repeatable)")
    p.add_argument("--windows", nargs="+", type=parse_window, metavar="FIRST-LAST",
                   help="episode windows, e.g. 0-9 40-49 90-99 (default: 0-9 90-99 200-229)")
    p.add_argument("--pool", metavar="LABEL",
                   help="average the RUNs as one group (seeds of one configuration)")
    p.add_argument("--nuclei", nargs="+", metavar="POP", choices=sorted(RATE_FILES),
                   help="print these populations' rates instead, one line per run (every "
                        "published run, marked ones included), e.g. --nuclei GPe STN GPi FSI")
    p.add_argument("--channels", nargs="+", type=int, default=[0, 1, 2, 3, 4],
                   metavar="CH", help="channels averaged by --nuclei (default 0 1 2 3 4)")
    args = p.parse_args()
    windows = dict(args.windows) if args.windows else WINDOWS
    if args.nuclei:
        return print_nuclei(args, windows)
    print(f"{'runs':<42}{'window':<13}{'GPi1-2':>8}{'D1 ch1':>9}{'D1 ch2':>9}"
          f"{'D1 ch1 / first':>15}{'ch1 sel.':>10}")
    for ref in args.reference:
        every_run = read_condition(ref, include_marked=True)
        runs = [r for r in every_run if r.marker != "x"]
        for line in describe(f"published {ref.name} ({len(runs)})", runs, windows):
            print(line)
        for run in (r for r in every_run if r.marker == "x"):
            for line in describe(f"  {run.path.name}, excluded by the authors", [run], windows):
                print(line)
    if args.pool:
        runs = [load(path) for path in args.runs]
        for line in describe(f"{args.pool} ({len(runs)})", runs, windows):
            print(line)
        return 0
    for path in args.runs:
        for line in describe(path.name, [load(path)], windows):
            print(line)
    return 0


def print_nuclei(args, windows: dict) -> int:
    bad = [c for c in args.channels if not 0 <= c <= 4]
    if bad:
        raise SystemExit(f"--channels {bad}: the authors' rate files hold channels 0-4")
    chans = " ".join(map(str, args.channels))
    print(f"mean rate over channels {chans} (Hz)")
    print(f"{'runs':<42}{'window':<13}" + "".join(f"{n:>9}" for n in args.nuclei))
    for ref in args.reference:
        for run in read_condition(ref, include_marked=True):
            label = f"published {ref.name}/{run.path.name}"
            for line in nucleus_lines(label, run, windows, args.nuclei, args.channels):
                print(line)
    for path in args.runs:
        for line in nucleus_lines(path.name, load(path), windows, args.nuclei, args.channels):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
