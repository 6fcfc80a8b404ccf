"""The numba cache lives in a folder named after a hash of the sources (no stale kernels after edits)."""
import os
import pathlib
import shutil
import subprocess
import sys

import numba
import pytest

import spikesim
from spikesim import _jitcache


def test_cache_dir_is_keyed_by_the_source_hash():
    if os.environ.get("NUMBA_CACHE_DIR"):
        pytest.skip("NUMBA_CACHE_DIR is set: the user keeps control of the cache folder")
    assert numba.config.CACHE_DIR.endswith(f"numba-{_jitcache.source_hash()}")


def test_hash_changes_when_any_source_changes(tmp_path):
    pkg = pathlib.Path(spikesim.__file__).parent
    copy = tmp_path / "spikesim"
    shutil.copytree(pkg, copy, ignore=shutil.ignore_patterns("__pycache__"))
    code = "import sys; sys.path.insert(0, sys.argv[1]); from spikesim._jitcache import source_hash; print(source_hash())"
    before = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True).stdout
    kernel = copy / "backends" / "cpu" / "inputs.py"
    kernel.write_text(kernel.read_text() + "\n# edited\n")
    after = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True).stdout
    assert before.strip() and before != after
