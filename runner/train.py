#!/usr/bin/env python3
"""Train a plan exported from the Thaw studio, with PyTorch.

    python3 train.py --data DIR --out OUT [--job JOB_DIR_OR_job.json]
    torchrun --nproc_per_node=N train.py --data DIR --out OUT [--job ...]

See README.md.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from thaw_runner.native import restart_with_huge_pages  # noqa: E402

restart_with_huge_pages()  # glibc reads its tunables at start: set them, then start again

from thaw_runner.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
