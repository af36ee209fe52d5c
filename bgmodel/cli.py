"""The `bgmodel` command line.

Subcommands live in bgmodel.commands.<name> (each with `register(subparsers)`); this
module only assembles them, so that importing the CLI does not import NEST.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .results.rundir import RunFolderError
from .model.schema import ConfigError

COMMANDS = ("run", "resume", "info", "validate", "status", "plot", "figures", "sweep", "slurm",
            "collect", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bgmodel",
        description="Topological basal ganglia model with dopamine-modulated STDP (NEST 3).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"bgmodel.commands.{name}").register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as err:
        print(f"bgmodel: configuration error: {err}", file=sys.stderr)
        return 2
    except RunFolderError as err:
        print(f"bgmodel: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bgmodel: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        # A run stopped by SIGTERM/SIGINT has recorded its status; say so briefly.
        if type(err).__name__ == "RunInterrupted":
            print(f"bgmodel: run interrupted ({err}); its folder says so and "
                  "`bgmodel resume RUN` continues it", file=sys.stderr)
            return 143 if "SIGTERM" in str(err) else 130
        raise


if __name__ == "__main__":
    sys.exit(main())
