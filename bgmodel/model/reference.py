"""docs/configuration.md, generated from the schema's docstrings.

    python -m bgmodel.model.reference            # rewrite docs/configuration.md
    python -m bgmodel.model.reference --check    # exit 1 if the committed page is stale

One table per section of the network's config and one per protocol: every key with
what is allowed (type, range, choices, or what a name must refer to) and its
docstring. tests/test_reference.py fails when the committed page differs from what
this module generates, so a schema change comes with its page.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterator

from . import schema
# In the repository (the page is not part of an installed package).
PAGE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"

HEADER = """# Configuration reference

Generated from the schema's docstrings by `python -m bgmodel.model.reference`; do not
edit by hand (tests/test_reference.py fails when this page is stale). How the layers
merge (network, protocol, preset, `-c` overlays, `--set`) is in the README,
"Configuration"; the defaults are configs/network.yaml and configs/protocols/*.yaml.

In key paths, `<name>` stands for a key you choose (a nucleus, a projection
`SOURCE->TARGET`, a dopamine event ...) and `[i]` for an item of a list. A value that
"refers to" a section must be one of the names (or indices) found there; every error
names the file, the key, the value and what is allowed.
"""


def describe(node: Any) -> str:
    """What a schema node allows, in words."""
    if isinstance(node, schema.Field):
        return node.words()
    if isinstance(node, schema.Ref):
        kind = {"str": "a name", "int": "an index", "str_list": "a list of names",
                "int_list": "a list of indices"}[node.kind]
        text = f"{kind}: {node.describe()}"
        return text + " (or null)" if node.nullable and "null" not in text else text
    if isinstance(node, schema.ListOf):
        return "a list"
    if isinstance(node, (schema.MapOf, schema.Record)):
        return "a mapping"
    raise TypeError(f"unknown schema node {node!r}")


def rows(node: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(key path, allowed, meaning) of every key under `node`, depth first."""
    if isinstance(node, schema.Record):
        for key, sub in node.fields.items():
            sub_path = f"{path}.{key}" if path else key
            optional = " (optional)" if key in node.optional else ""
            if isinstance(sub, (schema.Record, schema.MapOf, schema.ListOf)):
                doc = getattr(sub, "doc", "")
                if doc or optional:
                    yield sub_path, describe(sub) + optional, doc
            else:
                yield sub_path, describe(sub) + optional, sub.doc
            if isinstance(sub, (schema.Record, schema.MapOf, schema.ListOf)):
                yield from rows(sub, sub_path)
        return
    if isinstance(node, schema.MapOf):
        if node.key is not None:
            key = node.key
            if isinstance(key, schema.Pair):
                words = (f"`{key.doc}`: {key.first.describe()}, then "
                         f"{key.second.describe()}")
            else:
                words = key.describe()
            yield f"{path}.<name>", f"keys: {words}", key.doc
        yield from _item_rows(node.value, f"{path}.<name>")
        return
    if isinstance(node, schema.ListOf):
        yield from _item_rows(node.item, f"{path}[i]")


def _item_rows(item: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """Rows of the items of a mapping or list (a leaf is one row)."""
    if isinstance(item, (schema.Record, schema.MapOf, schema.ListOf)):
        yield from rows(item, path)
    else:
        yield path, describe(item), item.doc


def table(node: Any, path: str) -> list[str]:
    lines = ["| key | allowed | meaning |", "|---|---|---|"]
    for key, allowed, doc in rows(node, path):
        cell = allowed.replace("|", "\\|")
        lines.append(f"| `{key}` | {cell} | {doc.replace('|', '/')} |")
    return lines


def section_doc(node: Any) -> str:
    doc = getattr(node, "doc", "")
    return doc[:1].upper() + doc[1:] + "." if doc else ""


def dopamine_sections() -> list:
    """The `dopamine:` section: one table per model (its fields depend on `model`)."""
    from ..dopamine.registry import NAMES, model_class
    from ..dopamine.config import section_schema
    out = ["## Dopamine models (the `dopamine:` section; overlays configs/dopamine/*.yaml)",
           "", "The section's fields are those of the model that `model` names "
           "(docs/dopamine.md); absent, the model is `rule`.", ""]
    for name in NAMES:
        record = section_schema(model_class(name), NAMES)
        out += [f"### `model: {name}`", ""]
        doc = section_doc(record)
        if doc:
            out += [doc, ""]
        out += table(record, "dopamine") + [""]
    return out


def page() -> str:
    """The whole reference page."""
    out = [HEADER, "## The network (configs/network.yaml)", ""]
    for name, node in schema.NETWORK_SCHEMA_FIELDS.items():
        out += [f"### `{name}`", ""]
        doc = section_doc(node)
        if doc:
            out += [doc, ""]
        out += table(node, name) + [""]
    out += ["Checked beyond the fields:", ""]
    out += [f"- {' '.join(check.__doc__.split())}" for check in schema.NETWORK_CHECKS] + [""]
    out += dopamine_sections()
    out += ["## Protocols (configs/protocols/*.yaml, the `protocol:` section)", ""]
    for name, record in sorted(schema.protocol_schemas().items()):
        out += [f"### `{name}`", ""]
        doc = section_doc(record)
        if doc:
            out += [doc, ""]
        out += table(record, "protocol") + [""]
        if record.checks:
            out += ["Checked beyond the fields:", ""]
            out += [f"- {' '.join(check.__doc__.split())}" for check in record.checks] + [""]
    return "\n".join(out).rstrip() + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write (or check) docs/configuration.md.")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the page differs from the schema's")
    parser.add_argument("--out", type=Path, default=PAGE)
    args = parser.parse_args(argv)
    text = page()
    if args.check:
        current = args.out.read_text() if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is stale: python -m bgmodel.model.reference", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
