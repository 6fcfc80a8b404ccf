"""The gallery is made by the current code and the site builds with no warning.

``spikesim figures --quick`` makes every gallery image into a copy of docs/, then the site is built from that
copy with ``strict`` on, as ``mkdocs build --strict`` does (the same ``load_config`` and ``build`` calls as
MkDocs's command line; ``mkdocs.exceptions.Abort`` on any warning).  Measured on the shared 2-core machine:
85 s with the numba cache warm, 218 s right after a source change (every kernel compiles again): marked slow.
"""
import json
import pathlib
import re
import shutil
import time

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from spikesim.cli import main as cli_main
from spikesim.gallery import FIGURES, make_figures, missing_figures

ROOT = pathlib.Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"


def _copy_docs(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("gallery"))   # never a stale image
    return docs


def test_the_gallery_page_shows_exactly_the_figures_the_builder_makes():
    shown = re.findall(r"!\[[^\]]*\]\(gallery/([\w-]+)\.png\)", (ROOT / "docs" / "gallery.md").read_text())
    assert sorted(shown) == sorted(f.name for f in FIGURES)
    assert len(set(shown)) == len(shown)
    assert "/docs/gallery/" in (ROOT / ".gitignore").read_text().split()        # generated, never committed


def test_figures_command_rejects_unknown_names_and_missing_data(tmp_path, capsys):
    assert cli_main(["figures", "--out", str(tmp_path), "--only", "nonsense"]) == 2
    assert "nonsense" in capsys.readouterr().err
    assert cli_main(["figures", "--out", str(tmp_path), "--only", "receptive_fields", "--data", str(tmp_path)]) == 2
    assert "need MNIST" in capsys.readouterr().err
    assert missing_figures(tmp_path / "absent") == [f.name for f in FIGURES]


def test_figures_command_makes_the_lecture_figures_it_is_asked_for(tmp_path):
    assert cli_main(["figures", "--out", str(tmp_path), "--quick", "--only", "activations,perceptron_boundary"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["activations.png", "perceptron_boundary.png"]
    index = json.loads((tmp_path / "index.json").read_text())
    assert set(index) == {"activations", "perceptron_boundary"} and all(v["quick"] for v in index.values())
    assert missing_figures(tmp_path) == [f.name for f in FIGURES if f.name not in index]
    with pytest.raises(ValueError, match="only must name"):
        make_figures(tmp_path, only=["activation"], progress=False)


@pytest.mark.slow
def test_spikesim_figures_quick_then_a_strict_site_build(tmp_path):
    if not (MNIST_DIR / "holdout-indices.txt").exists():
        pytest.skip("the gallery's MNIST figures need ../shared/data/mnist beside the repository")
    docs = _copy_docs(tmp_path)
    gallery = docs / "gallery"
    t0 = time.time()
    assert cli_main(["figures", "--out", str(gallery), "--quick", "--data", str(MNIST_DIR)]) == 0
    index = json.loads((gallery / "index.json").read_text())
    assert set(index) == {f.name for f in FIGURES} and all(v["quick"] for v in index.values())
    for f in FIGURES:
        png = gallery / f"{f.name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_mtime >= t0 - 1

    # the hook of mkdocs.yml remakes a missing image (and only that one) before the build
    (gallery / "activations.png").unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in gallery.glob("*.png")}
    site = tmp_path / "site"
    cfg = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site), strict=True)
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        build(cfg)                 # strict: raises mkdocs.exceptions.Abort on a broken link, image or API reference
    finally:
        cfg.plugins.on_shutdown()
    assert (gallery / "activations.png").exists()
    assert {p.name: p.stat().st_mtime_ns for p in gallery.glob("*.png") if p.name in kept} == kept

    for f in FIGURES:              # the site shows the images just made
        assert (site / "gallery" / f"{f.name}.png").read_bytes() == (gallery / f"{f.name}.png").read_bytes()
    page = (site / "gallery" / "index.html").read_text()
    assert all(f'{f.name}.png"' in page for f in FIGURES)
    api = (site / "api" / "io" / "index.html").read_text()
    assert "to_neo" in api and "from_nir" in api          # the API reference is generated from the docstrings
