"""The tutorial's code blocks run as written."""
import pathlib
import re

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_tutorial_code_runs(tmp_path, monkeypatch):
    text = (DOCS / "tutorial.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out" / "tutorial").mkdir(parents=True)
    ns = {}
    for block in blocks:
        exec(compile(block, "tutorial.md", "exec"), ns)
    assert (tmp_path / "out" / "tutorial" / "figure.png").exists()
    assert (tmp_path / "out" / "tutorial" / "state.npz").exists()
    assert ns["spikes_e"].num_spikes > 0


def test_readme_example_runs(tmp_path, monkeypatch):
    text = (DOCS.parent / "README.md").read_text()
    block = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "raster.png").exists()


def test_models_page_lists_the_presets_as_they_are():
    from spikesim.model.presets import PRESETS, models_markdown
    text = (DOCS / "models.md").read_text()
    start, end = "<!-- presets:start -->\n", "<!-- presets:end -->"
    generated = text[text.index(start) + len(start):text.index(end)]
    assert generated == models_markdown(), "docs/models.md is stale: regenerate it from models_markdown()"
    for name in PRESETS:
        assert f"### `{name}`" in generated


def test_models_page_code_runs(capsys):
    import numpy as np
    text = (DOCS / "models.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 2
    ns = {}
    exec(compile(blocks[0], "models.md", "exec"), ns)
    np.testing.assert_array_equal(ns["spikes"].count, [17, 31, 41])    # the count the page prints
    exec(compile(blocks[1], "models.md", "exec"), ns)
    assert "unknown name 'tau'" in capsys.readouterr().out
