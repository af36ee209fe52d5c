"""What a paper-figure function returns: the figure, the data it drew, and notes."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import style


@dataclass
class FigureResult:
    """A drawn figure.

    Attributes
    ----------
    fig : matplotlib Figure
    data : dict
        The arrays drawn, by name (episodes, means, sds, curves ...), so that tests and
        users can check a figure against its inputs.
    notes : list of str
        Which runs were used or left out, which inputs were missing.
    """

    fig: object
    data: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def save(self, out_stem: str | Path, formats=("png", "pdf"), dpi: float | None = None) -> list:
        """Write the figure (PNG and PDF by default) and close it."""
        return style.save(self.fig, out_stem, formats, dpi)


def add_footnote(fig, lines) -> None:
    """Small text under the axes (what is missing, which runs were used); the layout
    keeps room for it."""
    lines = [line for line in lines if line]
    if not lines:
        return
    size_pt = 6.5
    line_in = size_pt * 1.35 / 72.0
    height = (len(lines) * line_in + 0.08) / fig.get_figheight()
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, height, 1, 1 - height))
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=size_pt, color="0.3", va="bottom",
             ha="left", wrap=True)
