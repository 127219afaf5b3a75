"""Real photo cut-outs (tests/fixtures/photos: Tux Paint stamps, GPL-2+, see its README):
transparent PNGs of odd sizes, grey-alpha and palette images, and one file cut short. Every
photo decodes at every input size, and an exported job trains on the folder under torchrun
as a user runs it, skipping the damaged file with its reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from conftest import FIXTURES, RUNNER, make_job
from test_crop import SIZES
from thaw_runner.data import check_image, load_image, to_model_input
from thaw_runner.tfjs_model import load_network

PHOTOS = FIXTURES / "photos" / "data"
CLASSES = ["animals", "food", "plants", "vehicles"]
DAMAGED = {
    "path": "animals/mouse-cut-short.png",
    "reason": "corrupt or unreadable image (a 198×107 PNG that is damaged or cut short)",
}


def test_every_photo_decodes_at_every_size() -> None:
    photos = sorted(PHOTOS.glob("*/*.png"))
    assert len(photos) == 29
    for path in photos:
        rel = path.relative_to(PHOTOS).as_posix()
        for size in SIZES:
            reason = check_image(path, 8, size)
            if rel == DAMAGED["path"]:
                assert reason == DAMAGED["reason"]
                break
            assert reason is None, (rel, size, reason)
            assert load_image(path, size).shape == (size, size, 3)


def test_torchrun_trains_on_real_photos(tmp_path: Path) -> None:
    job = make_job(tmp_path / "job", classes=CLASSES, modes={"conv2": "fine-tune", "bn1": "fine-tune"}, epochs=3)
    out = tmp_path / "out"
    # As the README tells a user: from the job's folder, with Debian's torchrun flags.
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--redirects", "1", "--tee", "1", "--standalone",
        "--nproc_per_node=2", str(RUNNER / "train.py"), "--data", str(PHOTOS), "--out", str(out),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, cwd=job.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Skipped 1 file:\n[default0]:  {DAMAGED['path']}: {DAMAGED['reason']}\n" in proc.stdout
    run = json.loads((out / "run.json").read_text())
    assert run["skipped"] == [DAMAGED]
    assert json.loads((out / "skipped.json").read_text()) == [DAMAGED]
    assert run["dataset"]["images"] == 28 and run["dataset"]["skipped"] == 1
    assert run["dataset"]["classes"] == [{"name": c, "count": 7} for c in CLASSES]
    assert run["dataset"]["split"] == {"train": 12, "validation": 8, "test": 8}
    assert run["timings"]["processes"] == 2 and run["classNames"] == CLASSES
    h = run["history"]
    assert len(h) == 3 and h[-1]["trainLoss"] < h[0]["trainLoss"]
    ev = run["evaluation"]
    assert np.array(ev["confusion"]).shape == (4, 4) and sum(map(sum, ev["confusion"])) == 8
    # The exported classifier predicts what PyTorch predicted, on the same photos.
    predictions = json.loads((out / "predictions.json").read_text())
    assert len(predictions) == 8
    net, _ = load_network(out / "model" / "model.json")
    net.eval()
    pixels = torch.stack([torch.from_numpy(load_image(PHOTOS / p["path"], 16).copy()) for p in predictions])
    with torch.no_grad():
        probs = net(to_model_input(pixels, 3, (-1, 1))).numpy()
    np.testing.assert_allclose(probs, [p["probabilities"] for p in predictions], atol=1e-5)
    print(json.dumps({"history": h, "accuracy": ev["accuracy"], "seconds": run["timings"]["seconds"]}))
