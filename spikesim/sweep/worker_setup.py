"""Dask preload for the workers of the local cluster that :func:`spikesim.sweep.sweep` starts.

* Ctrl-C is for the sweep's own process.  A Ctrl-C in a terminal reaches every process of the
  foreground group, these workers included; they ignore it, and the sweep's process stops the sweep
  and closes the cluster.
* A quick exit.  After a run of spikesim, the interpreter's own teardown (modules, numba's and LLVM's
  objects) takes about a second, and closing the cluster waited 2-3 s for it.  When the worker process
  exits, everything has been written, so the process ends right after the exit handlers of what the
  runs imported (matplotlib, numba: registered later, they run first) and a flush of the logs and
  standard streams.  Its exit status is then 0; the nanny only logs that status.
"""
import atexit
import logging
import os
import signal
import sys


def _exit_now():
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


def dask_setup(worker):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    atexit.register(_exit_now)
