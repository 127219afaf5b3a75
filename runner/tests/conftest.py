"""Shared helpers: synthetic image folders and jobs around the e2e fixture model."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

RUNNER = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(RUNNER))

#: Mean colour of each synthetic class: easy to tell apart, not trivially constant.
COLOURS = {"blue": (40, 60, 200), "red": (200, 50, 40)}


def make_images(root: Path, per_class: int = 12, seed: int = 0,
                colours: dict[str, tuple[int, int, int]] = COLOURS) -> Path:
    """A folder with one sub-folder per class of small noisy images of varied sizes."""
    rng = np.random.default_rng(seed)
    for name, colour in colours.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            w, h = int(rng.integers(16, 40)), int(rng.integers(16, 40))
            noise = rng.normal(0, 40, size=(h, w, 3))
            pixels = np.clip(np.array(colour)[None, None, :] + noise, 0, 255).astype(np.uint8)
            ext = ("png", "jpg")[i % 2]
            Image.fromarray(pixels).save(folder / f"img{i}.{ext}")
    return root


def make_job(job_dir: Path, modes: dict[str, str] | None = None, classes: list[str] | None = None,
             **params: Any) -> Path:
    """A job folder (job.json, model/, reference.json) around the e2e fixture model."""
    job_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURES / "e2e" / "model", job_dir / "model", dirs_exist_ok=True)
    shutil.copy(FIXTURES / "e2e" / "reference.json", job_dir / "reference.json")
    p: dict[str, Any] = {
        "learningRate": 0.01,
        "fineTuneLearningRate": 0.001,
        "epochs": 2,
        "batchSize": 8,
        "seed": 1,
        "validationFraction": 0.25,
        "testFraction": 0.25,
        "head": "softmax",
        "optimizer": "adam",
        "schedule": "constant",
        "conservation": 0,
        "distillation": 0,
        "batchNormTraining": False,
        "earlyStopping": {"enabled": False, "patience": 5, "minDelta": 0.001},
    }
    p.update(params)
    job = {
        "format": "thaw-training-job",
        "version": 1,
        "name": "synthetic colours",
        "modelId": "e2e-fixture",
        "model": "model/model.json",
        "featureLayer": "gap",
        "modes": modes or {},
        "classNames": classes or sorted(COLOURS),
        "inputSize": 16,
        "channels": 3,
        "valueRange": [-1, 1],
        "decode": {"resize": "cover-crop", "extensions": ["png", "jpg", "jpeg", "gif", "webp", "bmp", "avif"], "minSide": 8},
        "params": p,
        "reference": "reference.json",
    }
    (job_dir / "job.json").write_text(json.dumps(job, indent=1))
    return job_dir / "job.json"


@pytest.fixture
def images(tmp_path: Path) -> Path:
    return make_images(tmp_path / "data")
