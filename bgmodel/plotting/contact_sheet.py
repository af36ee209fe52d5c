"""One PNG showing many figures at a glance."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np

from . import style


def _thumbnail(image: np.ndarray, max_px: int) -> np.ndarray:
    """Shrink by an integer factor so that the longer side is at most max_px, averaging
    each block of pixels (plain subsampling would alias thin lines and text)."""
    step = max(1, int(math.ceil(max(image.shape[:2]) / max_px)))
    if step == 1:
        return image
    h, w = (image.shape[0] // step) * step, (image.shape[1] // step) * step
    blocks = image[:h, :w].reshape(h // step, step, w // step, step, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


def contact_sheet(paths, out: str | Path, columns: int = 4, cell_in: float = 3.2,
                  dpi: float | None = None) -> Path:
    """Tile the PNGs `paths` into one PNG `out`, each titled by its file stem.

    Parameters
    ----------
    paths : list of paths
        PNG files, in the order to show.
    columns : int
        Tiles per row.
    cell_in : float
        Width of one tile (inches).
    dpi : float, optional
        Resolution of the sheet (default: the style's).
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("contact_sheet: no images")
    rows = int(math.ceil(len(paths) / columns))
    # Thumbnails a little finer than the tiles they fill at the style's savefig dpi.
    max_px = int(cell_in * (dpi or style.RC["savefig.dpi"]) * 1.3)
    with style.context():
        fig, axes = style.figure(rows, columns, figsize=(cell_in * columns, cell_in * rows * 0.95),
                                 squeeze=False)
        for ax in axes.ravel():
            ax.axis("off")
        for ax, path in zip(axes.ravel(), paths):
            ax.imshow(_thumbnail(mpimg.imread(path), max_px), interpolation="antialiased")
            ax.set_title(path.stem, fontsize=9)
    out = Path(out)
    return style.save(fig, out.with_suffix(""), formats=("png",), dpi=dpi)[0]
