"""The process's CPU settings: compute threads, and how freed memory is kept.

Threads: PyTorch's default on a CPU is often one thread per *physical* core, or one when the
machine reports a single core per socket (Debian's torch on a 2-vCPU machine starts with 1),
and torchrun sets OMP_NUM_THREADS=1 for every process. The runner gives each process its
share of the cores it may run on: cores / processes on this machine (`--threads` overrides).

Memory: a feature map of a batch at 224 px is tens of MB (MobileNetV2's first expanded block,
16 images: 77 MB). glibc serves blocks that large with mmap and returns them on free, so
every layer of every batch gets fresh pages from the kernel, 4 KB at a time, zeroed on first
touch: measured on the photo network's feature pass on a 2-core VM, that page-fault work cost
several times the convolutions. Two remedies, the first where it is available:
  - transparent huge pages for malloc's memory (glibc ≥ 2.35, `GLIBC_TUNABLES=
    glibc.malloc.hugetlb=1`, read when the process starts: train.py restarts itself once
    with it set, see `restart_with_huge_pages`): 2 MB pages, 512× fewer faults;
  - otherwise, keeping freed blocks in the heap for the next batch (`keep_freed_memory`:
    M_MMAP_MAX 0 and a high trim threshold); the process then holds its peak working set.
Off with THAW_RUNNER_SYSTEM_MALLOC=1.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
#: Free memory at the top of the heap beyond this is given back to the system.
TRIM_THRESHOLD = 1 << 30


HUGE_PAGES = "glibc.malloc.hugetlb=1"


def _glibc_version() -> tuple[int, int] | None:
    try:
        name, version = os.confstr("CS_GNU_LIBC_VERSION").split()  # "glibc 2.36"
        major, minor = version.split(".")[:2]
        return (int(major), int(minor)) if name == "glibc" else None
    except (AttributeError, ValueError, OSError):
        return None


def huge_pages_possible() -> bool:
    """glibc can put its memory on transparent huge pages here (glibc ≥ 2.35, THP not off)."""
    if os.environ.get("THAW_RUNNER_SYSTEM_MALLOC") == "1" or not sys.platform.startswith("linux"):
        return False
    version = _glibc_version()
    if version is None or version < (2, 35):
        return False
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled", encoding="ascii") as f:
            return "[never]" not in f.read()
    except OSError:
        return False


def huge_pages_on() -> bool:
    return HUGE_PAGES in os.environ.get("GLIBC_TUNABLES", "").split(":")


def restart_with_huge_pages() -> None:
    """Replaces this process by the same command with glibc's huge-page tunable set (once;
    same process id, so torchrun keeps watching it). Call before anything else happens."""
    if huge_pages_on() or not huge_pages_possible() or not getattr(sys, "orig_argv", None):
        return
    tunables = os.environ.get("GLIBC_TUNABLES")
    env = {**os.environ, "GLIBC_TUNABLES": f"{tunables}:{HUGE_PAGES}" if tunables else HUGE_PAGES}
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, sys.orig_argv, env)
    except OSError:
        return  # run on as it is


def configure_memory() -> str:
    """The remedy in effect: "huge pages", "kept" (freed memory kept) or "system"."""
    if huge_pages_on() and huge_pages_possible():
        return "huge pages"
    return "kept" if keep_freed_memory() else "system"


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
    import torch  # here, not at the top: train.py reads this module before torch is needed

    threads = max(1, requested) if requested else default_threads()
    torch.set_num_threads(threads)
    return threads
