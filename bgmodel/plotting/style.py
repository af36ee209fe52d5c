"""One shared style for every bgmodel figure."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Colours per population / channel, used by every figure.
POPULATION_COLOURS = {
    "MSN": "#4c72b0", "MSN_D1": "#1f77b4", "MSN_D2": "#d62728", "FSI": "#9467bd",
    "STN": "#2ca02c", "GPe": "#8c564b", "GPi": "#ff7f0e", "CSN": "#7f7f7f",
    "PTN": "#bcbd22", "CMPf": "#17becf",
}
CHANNEL_COLOURS = ["#7f7f7f", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b"]

RC = {
    "figure.dpi": 100, "savefig.dpi": 150, "font.size": 9, "axes.titlesize": 10,
    "axes.labelsize": 9, "legend.fontsize": 8, "axes.spines.top": False,
    "axes.spines.right": False, "figure.constrained_layout.use": True,
}


# Colours of the series of one figure that compares parameter values (lambda, kappa,
# eta ...), in order; D1 / D2 and channels keep the colours above.
SERIES_COLOURS = ["#1f77b4", "#c0392b", "#8e44ad", "#16a085", "#d35400", "#2c3e50"]


def context():
    """The shared rc settings as a context manager, for drawing code that creates
    titles, legends and text after `figure()` returned (rc values are read then)."""
    return plt.rc_context(RC)


def figure(*args, **kwargs):
    """plt.subplots under the shared style."""
    with plt.rc_context(RC):
        return plt.subplots(*args, **kwargs)


def save(fig, out_stem: str | Path, formats=("png", "pdf"), dpi: float | None = None) -> list[Path]:
    """Save `fig` as PNG and PDF next to each other; return the paths written.
    `dpi` overrides the style's resolution of raster formats (smaller files)."""
    out_stem = Path(out_stem)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with plt.rc_context(RC):
        for fmt in formats:
            path = out_stem.with_suffix(f".{fmt}")
            fig.savefig(path, **({"dpi": dpi} if dpi else {}))
            paths.append(path)
    plt.close(fig)
    return paths
