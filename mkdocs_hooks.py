"""MkDocs hook (``hooks:`` in mkdocs.yml): make the gallery's missing images before the site is built.

The gallery page shows ``docs/gallery/<name>.png``; those files are made by
``spikesim figures`` and are not kept in the repository (docs/site.md says
why).  So that ``mkdocs build --strict`` works on a fresh checkout, this hook
makes every gallery image that is missing, with this checkout's code, before
MkDocs collects the pages: the quick runs by default (about a minute on two
cores), the full runs with ``SPIKESIM_GALLERY=full``.  Images that exist are
left alone: to publish the full gallery, run ``spikesim figures --out
docs/gallery`` first.  MNIST is read from ``SPIKESIM_MNIST`` or
``../shared/data/mnist`` beside the repository.
"""
from __future__ import annotations

import logging
import os
import pathlib
import sys
import warnings

ROOT = pathlib.Path(__file__).resolve().parent
log = logging.getLogger("mkdocs.hooks.gallery")


def on_pre_build(config, **kwargs) -> None:
    """Make the gallery images missing from ``<docs_dir>/gallery`` (runs before MkDocs reads ``docs_dir``)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))          # this checkout's spikesim, not another installed copy
    from spikesim.gallery import make_figures, missing_figures

    gallery = pathlib.Path(config["docs_dir"]) / "gallery"
    missing = missing_figures(gallery)
    if not missing:
        return
    mode = os.environ.get("SPIKESIM_GALLERY", "quick")
    if mode not in ("quick", "full"):
        raise ValueError(f"SPIKESIM_GALLERY must be 'quick' or 'full', got {mode!r}")
    data = pathlib.Path(os.environ.get("SPIKESIM_MNIST", ROOT.parent / "shared" / "data" / "mnist"))
    log.info("gallery: making %d missing figure(s) in %s (%s runs): %s", len(missing), gallery, mode,
             ", ".join(missing))
    import matplotlib
    matplotlib.use("Agg")
    with warnings.catch_warnings():
        # Brian2 2.9 calls pyparsing's deprecated camelCase API (as in pyproject's pytest filterwarnings); the
        # MkDocs command line would log each as a warning of the build, which they are not
        warnings.simplefilter("ignore", DeprecationWarning)
        make_figures(gallery, quick=mode == "quick", data=data, only=missing, progress=False)
