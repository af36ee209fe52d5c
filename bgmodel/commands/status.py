"""`bgmodel status RUN...`: the status of run folders (done, running, failed, interrupted)."""
from __future__ import annotations

from ..results.rundir import RunDirectory


def register(sub) -> None:
    p = sub.add_parser("status", help="status of run folders")
    p.add_argument("runs", nargs="+", help="run folders")
    p.set_defaults(func=main)


def main(args) -> int:
    worst = 0
    for path in args.runs:
        rd = RunDirectory(path)
        meta = rd.read_meta()
        status = rd.effective_status()
        note = f" ({meta.get('error')})" if meta.get("error") else ""
        print(f"{status:<12} {meta.get('protocol', '?'):<16} {path}{note}")
        worst = max(worst, 0 if status == "done" else 1)
    return worst
