"""The process's CPU settings: compute threads, and how freed memory is kept.

Threads: PyTorch's default on a CPU is often one thread per *physical* core, or one when the
machine reports a single core per socket (Debian's torch on a 2-vCPU machine starts with 1),
and torchrun sets OMP_NUM_THREADS=1 for every process. The runner gives each process its
share of the cores it may run on: cores / processes on this machine (`--threads` overrides).

Memory: a feature map of a batch at 224 px is tens of MB (MobileNetV2's first expanded block,
16 images: 77 MB). glibc serves blocks that large with mmap and returns them on free, so
every layer of every batch gets fresh pages from the kernel, which zeroes them on first touch:
measured on the photo network's feature pass, that page-fault work cost more than the
convolutions (4–8× the img/s without it). Keeping freed blocks in the heap (M_MMAP_MAX 0,
a high trim threshold) lets the next batch reuse them. The process then holds on to its
peak working set, as the browser's wasm memory does. Off with THAW_RUNNER_SYSTEM_MALLOC=1.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

import torch

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
#: Free memory at the top of the heap beyond this is given back to the system.
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory() -> bool:
    """Asks glibc to keep freed large blocks for reuse; False where that is not possible
    (not Linux/glibc) or switched off."""
    if os.environ.get("THAW_RUNNER_SYSTEM_MALLOC") == "1" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_threads() -> int:
    """Cores / processes on this machine (LOCAL_WORLD_SIZE under torchrun), at least 1."""
    local = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    return max(1, usable_cores() // max(1, local))


def set_threads(requested: int | None) -> int:
    """Sets PyTorch's intra-op threads (`requested`, else `default_threads()`); returns it."""
    threads = max(1, requested) if requested else default_threads()
    torch.set_num_threads(threads)
    return threads
