"""`bgmodel collect SWEEP_DIR...`: one table of every point's parameters and results."""
from __future__ import annotations

from collections import Counter
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("collect", help="gather the runs of sweep folders into one table "
                                       "(CSV and .npz of columns)")
    p.add_argument("sweep_dirs", nargs="+", metavar="SWEEP_DIR", help="sweep folders")
    p.add_argument("--out", default=None, metavar="PREFIX",
                   help="write PREFIX.csv and PREFIX.npz (default: SWEEP_DIR/collected "
                        "for one folder; required for several)")
    p.add_argument("--done-only", action="store_true", help="only points whose run is done")
    p.set_defaults(func=main)


def main(args) -> int:
    from ..sweep.collect import collect, write_table
    if args.out is None and len(args.sweep_dirs) > 1:
        raise SystemExit("bgmodel collect: give --out PREFIX when collecting several folders")
    for path in args.sweep_dirs:
        if not (Path(path) / "points.json").is_file():
            raise SystemExit(f"bgmodel collect: {path} is not a sweep folder (no points.json)")
    prefix = Path(args.out) if args.out else Path(args.sweep_dirs[0]) / "collected"
    table = collect(args.sweep_dirs, done_only=args.done_only)
    csv_path, npz_path = write_table(table, prefix)
    counts = Counter(table.get("status", []))
    print(f"{len(table.get('index', []))} rows, {len(table)} columns "
          f"({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))})")
    print(csv_path)
    print(npz_path)
    return 0
