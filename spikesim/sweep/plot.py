"""A summary field over a sweep's grid: a heat map over two parameters, or a line over one."""
from __future__ import annotations

import numpy as np


def grid_means(table, field, x, y=None, where=None):
    """Mean, standard deviation and count of ``field`` over the replicates of every grid point.

    Only runs with ``status == "ok"`` count.  Every parameter of the grid other than ``x`` and ``y`` must be
    fixed by ``where`` (parameter -> value) when it takes more than one value in the table.

    Returns
    -------
    xs, ys : list
        The values of ``x`` and ``y`` (``ys`` is ``[None]`` without ``y``), sorted.
    mean, std, count : ndarray of shape (len(ys), len(xs))
        NaN where a point has no successful run.
    """
    import pandas as pd
    df = table
    for name in [x] + ([y] if y is not None else []) + list(where or {}):
        if name not in df.columns:
            raise ValueError(f"no parameter {name!r} in the table; its columns: {', '.join(map(str, df.columns))}")
    if field not in df.columns:
        raise ValueError(f"no field {field!r} in the table; numeric fields: {', '.join(numeric_fields(df))}")
    df = _select(df, where)
    values = pd.to_numeric(df[field], errors="coerce")
    if values.isna().all():
        raise ValueError(f"field {field!r} has no numeric value; numeric fields: {', '.join(numeric_fields(table))}")
    xs = sorted(table[x].dropna().unique())
    ys = sorted(table[y].dropna().unique()) if y is not None else [None]
    mean = np.full((len(ys), len(xs)), np.nan)
    std, count = mean.copy(), np.zeros_like(mean)
    for (j, yv), (i, xv) in ((a, b) for a in enumerate(ys) for b in enumerate(xs)):
        sel = df[x] == xv
        if y is not None:
            sel &= df[y] == yv
        v = values[sel].dropna().to_numpy(float)
        count[j, i] = v.size
        if v.size:
            mean[j, i] = v.mean()
            std[j, i] = v.std(ddof=1) if v.size > 1 else 0.0
    return xs, ys, mean, std, count


def _select(table, where):
    """The successful runs with the parameter values in ``where``."""
    df = table
    for name, value in (where or {}).items():
        df = df[df[name] == value]
        if not len(df):
            raise ValueError(f"no run has {name} = {value!r}; its values: {sorted(table[name].unique())}")
    return df[df["status"] == "ok"] if "status" in df.columns else df


def numeric_fields(table):
    """The table's numeric columns that are not bookkeeping (run, replicate, seed, wall time)."""
    import pandas as pd
    skip = {"run", "replicate", "seed"}
    return [c for c in table.columns if c not in skip and pd.api.types.is_numeric_dtype(table[c])
            and not pd.api.types.is_bool_dtype(table[c])]


def sweep_figure(table, field, x, y=None, *, where=None, ax=None, annotate=True, cmap="viridis"):
    """Plot ``field`` (mean over replicates) over the grid of ``x`` and ``y``, or over ``x`` alone.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep's results (:func:`spikesim.sweep.load_results`).
    field : str
        A numeric column, e.g. ``"frac_above_0.9_wmax"``.
    x, y : str
        Parameters of the grid; without ``y`` the figure is a line with the replicates' standard deviation
        as error bars and each replicate as a dot.
    where : dict, optional
        Values for the grid's other parameters.
    ax : matplotlib Axes, optional
    annotate : bool
        Write each cell's mean into the heat map.

    Returns
    -------
    matplotlib.image.AxesImage (heat map, with a colour bar) or the ErrorbarContainer (line).
    """
    import matplotlib.pyplot as plt
    xs, ys, mean, std, count = grid_means(table, field, x, y, where)
    if ax is None:
        ax = plt.figure(figsize=(7, 5) if y is not None else (7, 4.5)).subplots()
    n_rep = int(count.max()) if count.size else 0
    at = "".join(f", {k} = {v}" for k, v in (where or {}).items())
    if y is None:
        pos = np.asarray(xs, float) if all(isinstance(v, (int, float, np.number)) for v in xs) \
            else np.arange(len(xs))
        df = _select(table, where)
        for k, xv in enumerate(xs):
            v = df.loc[df[x] == xv, field].astype(float).to_numpy()
            ax.plot(np.full(v.size, pos[k]), v, ".", color="0.6", ms=5, zorder=1)
        art = ax.errorbar(pos, mean[0], yerr=std[0], fmt="o-", color="#0072B2", capsize=4, lw=2, zorder=2)
        if not np.issubdtype(np.asarray(xs).dtype, np.number):
            ax.set_xticks(pos, [str(v) for v in xs])
        ax.set_xlabel(x)
        ax.set_ylabel(field)
        ax.set_title(f"{field}{at} (mean ± sd of {n_rep} seeds)")
        return art
    import matplotlib
    cmap = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    art = ax.imshow(np.ma.masked_invalid(mean), origin="lower", aspect="auto", cmap=cmap.with_extremes(bad="0.85"))
    ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{field}{at} (mean of {n_rep} seeds)")
    ax.figure.colorbar(art, ax=ax, label=field)
    if annotate:
        lo, hi = np.nanmin(mean), np.nanmax(mean)
        for j in range(len(ys)):
            for i in range(len(xs)):
                if np.isfinite(mean[j, i]):
                    dark = hi > lo and (mean[j, i] - lo) / (hi - lo) < 0.5
                    ax.text(i, j, f"{mean[j, i]:.3g}", ha="center", va="center", fontsize=10,
                            color="white" if dark else "black")
    return art
