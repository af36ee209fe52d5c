"""`bgmodel validate FILE...`: check config files (whole configs or overlays)."""
from __future__ import annotations

from ..model.config import validate_files


def register(sub) -> None:
    p = sub.add_parser("validate", help="check config files; overlays are merged onto the defaults")
    p.add_argument("files", nargs="+", help="YAML files")
    p.set_defaults(func=main)


def main(args) -> int:
    for line in validate_files(args.files):
        print(line)
    return 0
