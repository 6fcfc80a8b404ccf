"""A sweep's folder: what was swept, the results table written row by row, and each run's own outputs.

::

    DIR/sweep.json         what was swept: target, grid, seeds, sweep seed, fixed options
    DIR/results.parquet    the table: one row per finished run, sorted by run
    DIR/rows/*.parquet     rows finished since the table was last consolidated (one small file per row)
    DIR/runs/NNNN_.../     each run's own outputs (summary.json, spikes.npz, figures; error.txt if it failed)

Only the driver writes the table and names the run folders.  A run writes into a temporary folder
(``runs/.tmp-...``); when its row reaches the driver, :meth:`SweepFolder.commit` renames that folder to the
run's own and writes the row (to a temporary name, then renamed), so an interrupted or killed sweep keeps
every row it received, and a run folder always belongs to the row in the table.  A run that Dask executes
twice (a worker died holding its finished result) leaves one folder and one row; the other attempt's
temporary folder is removed.  :meth:`SweepFolder.consolidate` merges the row files into
``results.parquet`` when the sweep ends.  Reading takes ``results.parquet`` and
then the row files in the order they were written; a run present twice keeps its last row.
"""
from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import time
import warnings

LEADING = ("run",)
AFTER_PARAMS = ("replicate", "seed", "status", "error")
TRAILING = ("wall_s", "worker", "out")


class SweepFolder:
    """The output folder of one sweep."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.rows = self.path / "rows"
        self.table = self.path / "results.parquet"
        self.manifest = self.path / "sweep.json"

    @contextlib.contextmanager
    def lock(self):
        """Hold the folder for this process (a second sweep into it fails at once)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "w") as fh:
            try:
                import fcntl
            except ImportError:          # pragma: no cover - not POSIX: no lock
                yield
                return
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise RuntimeError(f"another sweep is writing into {self.path}") from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def check_manifest(self, manifest):
        """Write ``sweep.json``, or check that the folder holds this same sweep (ValueError if not)."""
        new = json.loads(json.dumps(manifest, default=repr))
        if not self.manifest.exists():
            _write_text(self.manifest, json.dumps(new, indent=2) + "\n")
            return
        old = json.loads(self.manifest.read_text())
        for key in ("target", "grid", "seeds", "sweep_seed", "args", "kwargs"):
            if old.get(key) != new.get(key):
                raise ValueError(f"{self.path} holds another sweep ({key}: {old.get(key)!r} there, "
                                 f"{new.get(key)!r} now); choose a new output folder")
        if old.get("source_hash") != new.get("source_hash"):
            warnings.warn(f"spikesim's sources changed since this sweep started (hash {old.get('source_hash')} "
                          f"then, {new.get('source_hash')} now): its earlier rows come from the older code",
                          stacklevel=3)

    def load(self):
        """The table as a pandas DataFrame, one row per recorded run, sorted by run."""
        import pandas as pd
        frames = [pd.read_parquet(self.table)] if self.table.exists() else []
        if self.rows.exists():
            frames += [pd.read_parquet(p) for p in sorted(self.rows.glob("[!.]*.parquet"))]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=list(LEADING + AFTER_PARAMS + TRAILING))
        df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        df = df.drop_duplicates("run", keep="last").sort_values("run", kind="stable").reset_index(drop=True)
        return df[_column_order(df, self._params())]

    def _params(self):
        if self.manifest.exists():
            return list(json.loads(self.manifest.read_text()).get("grid", {}))
        return []

    def commit(self, row):
        """Move a finished run's outputs from its temporary folder to its own, then write its row."""
        row = dict(row)
        tmp = row.pop("_tmp", None)
        if tmp is not None and (self.path / tmp).exists():
            final = self.path / row["out"]
            if final.exists():                  # from an attempt that finished but was never recorded
                shutil.rmtree(final)
            os.replace(self.path / tmp, final)
        self.append(row)
        return row

    def append(self, row):
        """Write one finished run's row."""
        import pandas as pd
        self.rows.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-run{row['run']}.parquet"
        tmp = self.rows / f".tmp-{name}"
        pd.DataFrame([row]).to_parquet(tmp, index=False)
        os.replace(tmp, self.rows / name)

    def consolidate(self):
        """Merge the row files into ``results.parquet`` (atomically) and delete them."""
        if not self.rows.exists():
            return
        parts = sorted(self.rows.glob("[!.]*.parquet"))
        if not parts:
            return
        df = self.load()
        tmp = self.path / ".tmp-results.parquet"
        df.to_parquet(tmp, index=False)
        os.replace(tmp, self.table)
        for p in parts:
            p.unlink()

    def clean(self):
        """Remove what killed runs and interrupted writes left behind (call when no run is in flight)."""
        for d in (self.path / "runs").glob(".tmp-*"):
            shutil.rmtree(d, ignore_errors=True)
        for f in self.rows.glob(".tmp-*") if self.rows.exists() else ():
            f.unlink(missing_ok=True)


def load_results(path):
    """The results table of the sweep in folder ``path`` (pandas DataFrame, one row per run)."""
    folder = SweepFolder(path)
    if not folder.manifest.exists():
        raise FileNotFoundError(f"{path} is not a sweep folder (no sweep.json)")
    return folder.load()


def _column_order(df, params):
    cols = list(df.columns)
    lead = [c for c in LEADING if c in cols] + [c for c in params if c in cols] + \
        [c for c in AFTER_PARAMS if c in cols]
    trail = [c for c in TRAILING if c in cols]
    middle = [c for c in cols if c not in lead and c not in trail]
    return lead + middle + trail


def _write_text(path, text):
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text)
    os.replace(tmp, path)
