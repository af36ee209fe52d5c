"""CLI subcommands: each module has `register(subparsers)` that adds its parser and
sets `func(args) -> int`. bgmodel.cli lists the modules in COMMANDS."""
