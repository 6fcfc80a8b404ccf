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
