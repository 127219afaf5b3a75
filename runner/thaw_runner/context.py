"""What every phase of a run reads: the command line, the processes, the job, the output folder."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from .distributed import Dist
from .job import Job


@dataclass
class Context:
    args: argparse.Namespace
    dist: Dist
    job: Job
    out: Path
    t0: float
    #: Compute threads of this process (native.set_threads).
    threads: int = 1
    #: The feature pass over the training images: (images on this process, seconds in the
    #: network, seconds in all, decoding included).
    feature_pass: tuple[int, float, float] = (0, 0.0, 0.0)
    #: Per process, (images, seconds in the network) of each batch of that pass: the first
    #: batch includes the one-off start-up (memory, kernel set-up).
    feature_batches: list[list[list[float]]] = field(default_factory=list)

    def log(self, message: str) -> None:
        """Prints on the first process only (every process computes the same message)."""
        if self.dist.is_main:
            print(message, flush=True)


class DataError(ValueError):
    """A data folder that does not fit the job."""
