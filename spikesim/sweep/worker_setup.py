"""Dask preload for the local cluster's workers: Ctrl-C is handled by the sweep's own process.

A Ctrl-C in a terminal reaches every process of the foreground group, the worker processes of a local
cluster included.  They ignore it; the sweep's process stops the sweep and closes the cluster.
"""
import signal


def dask_setup(worker):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
