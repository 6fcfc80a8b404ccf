"""Figure style for lecture slides and saving in several formats."""
from __future__ import annotations

import contextlib
import pathlib

import matplotlib as mpl

LECTURE_RC = {
    "font.size": 14, "axes.titlesize": 16, "axes.labelsize": 15, "xtick.labelsize": 13, "ytick.labelsize": 13,
    "legend.fontsize": 12, "axes.spines.top": False, "axes.spines.right": False, "lines.linewidth": 2.0,
    "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight", "svg.fonttype": "none", "pdf.fonttype": 42,
}

#: colours of successive populations (colour-blind safe, Okabe & Ito)
POPULATION_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


@contextlib.contextmanager
def lecture_style(**overrides):
    """Context manager: readable font sizes and clean axes for slides."""
    rc = dict(LECTURE_RC)
    rc.update(overrides)
    with mpl.rc_context(rc):
        yield


def savefig(fig, path, formats=None):
    """Save ``fig`` to ``path``; with ``formats=("png", "pdf", "svg")`` save one file per format.

    Returns the list of written paths.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not formats:
        fig.savefig(path)
        return [path]
    out = []
    for fmt in formats:
        p = path.with_suffix("." + fmt)
        fig.savefig(p)
        out.append(p)
    return out
