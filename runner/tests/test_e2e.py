"""End to end: a tiny job on a generated folder, with torchrun (2 processes, gloo on CPU)
and in one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import RUNNER, make_images, make_job
from thaw_runner.data import load_image, to_model_input
from thaw_runner.run import main
from thaw_runner.tfjs_model import load_network


def _junk(data: Path) -> None:
    (data / "red" / "notes.txt").write_text("junk")
    (data / "red" / "empty.png").write_bytes(b"")
    (data / "blue" / ".hidden.png").write_bytes(b"x")
    (data / "blue" / "photo.heic").write_bytes(b"\0" * 32)
    Image.new("RGB", (5, 5)).save(data / "blue" / "tiny.png")
    (data / "blue" / "nested").mkdir()
    Image.new("RGB", (20, 20), (30, 50, 210)).save(data / "blue" / "nested" / "deep.png")


def _check_outputs(out: Path, data: Path, epochs: int) -> dict:  # type: ignore[type-arg]
    lines = (out / "metrics.jsonl").read_text().splitlines()
    history = [json.loads(line) for line in lines]
    assert [h["epoch"] for h in history] == list(range(1, epochs + 1))
    assert set(history[0]) == {"epoch", "trainLoss", "trainAccuracy", "valLoss", "valAccuracy", "seconds"}
    run = json.loads((out / "run.json").read_text())
    assert run["format"] == "thaw-run" and run["version"] == 1 and run["engine"] == "pytorch"
    assert run["classNames"] == ["blue", "red"]
    assert run["history"] == history
    assert run["plan"]["featureLayer"] == "gap"
    assert run["layers"]["weighted"] == 3  # conv1, bn1, conv2 (the old head is dropped)
    assert run["valAccuracy"] == run["history"][run["bestEpoch"] - 1]["valAccuracy"]
    assert run["testAccuracy"] == run["evaluation"]["accuracy"]
    ev = run["evaluation"]
    assert ev["split"] == "test" and ev["classNames"] == ["blue", "red"]
    assert np.array(ev["confusion"]).shape == (2, 2)
    # The exported classifier predicts what PyTorch predicted, on the same images.
    predictions = json.loads((out / "predictions.json").read_text())
    assert len(predictions) == sum(map(sum, ev["confusion"]))
    net, _ = load_network(out / "model" / "model.json")
    net.eval()
    pixels = torch.stack([torch.from_numpy(load_image(data / p["path"], 16).copy()) for p in predictions])
    with torch.no_grad():
        probs = net(to_model_input(pixels, 3, (-1, 1))).numpy()
    np.testing.assert_allclose(probs, [p["probabilities"] for p in predictions], atol=1e-5)
    assert [run["classNames"][i] for i in probs.argmax(1)] == [p["predictedClass"] for p in predictions]
    return run


def test_torchrun_two_processes(tmp_path: Path) -> None:
    data = make_images(tmp_path / "data", per_class=14, seed=3)
    _junk(data)
    job = make_job(tmp_path / "job", modes={"conv2": "fine-tune", "bn1": "fine-tune"}, epochs=2)
    out = tmp_path / "out"
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--redirects", "1", "--tee", "1",
        "--standalone", "--nproc_per_node=2",
        str(RUNNER / "train.py"), "--job", str(job), "--data", str(data), "--out", str(out),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 processes on cpu (gloo)" in proc.stdout
    assert "Reference check passed" in proc.stdout
    run = _check_outputs(out, data, 2)
    assert run["layers"] == {"weighted": 3, "frozen": 1, "fineTuned": 2, "reinitialized": 0}
    h = run["history"]
    assert h[1]["trainLoss"] < h[0]["trainLoss"]  # loss falls
    assert h[-1]["valAccuracy"] > 0.5  # above chance (2 classes)
    assert run["timings"]["processes"] == 2
    skipped = {s["path"]: s["reason"] for s in json.loads((out / "skipped.json").read_text())}
    assert skipped == {
        "blue/.hidden.png": "hidden or system file",
        "blue/photo.heic": "unsupported image format (.heic); convert it to PNG or JPEG",
        "blue/tiny.png": "too small (5×5; at least 8×8)",
        "red/empty.png": "empty file",
        "red/notes.txt": "not an image (.txt)",
    }
    assert run["dataset"]["images"] == 29  # 28 + the nested blue image
    # run.json lists the skipped files as the studio's Skipped files list shows them, and
    # the run's output names each one with its reason.
    assert run["skipped"] == json.loads((out / "skipped.json").read_text())
    assert run["dataset"]["skipped"] == 5
    assert "Skipped 5 files:\n" in proc.stdout and "  blue/tiny.png: too small (5×5; at least 8×8)\n" in proc.stdout
    print(json.dumps({"history": h, "accuracy": run["evaluation"]["accuracy"], "seconds": run["timings"]["seconds"]}))


def test_one_process_head_only_svm_with_early_stopping(tmp_path: Path) -> None:
    data = make_images(tmp_path / "data", per_class=10)
    job = make_job(
        tmp_path / "job", head="svm", optimizer="sgd", schedule="cosine", epochs=6,
        earlyStopping={"enabled": True, "patience": 2, "minDelta": 0.0},
    )
    assert main(["--job", str(job), "--data", str(data), "--out", str(tmp_path / "out"), "--workers", "0"]) == 0
    run = _check_outputs(tmp_path / "out", data, len(json.loads((tmp_path / "out" / "run.json").read_text())["history"]))
    assert run["trainableParams"] == 0
    assert run["bestEpoch"] == min(run["history"], key=lambda h: h["valLoss"])["epoch"]


def test_one_process_reinit_with_conservation_terms(tmp_path: Path) -> None:
    data = make_images(tmp_path / "data", per_class=8)
    job = make_job(
        tmp_path / "job", modes={"conv1": "reinit", "bn1": "reinit", "conv2": "fine-tune"},
        conservation=0.1, distillation=0.5, batchNormTraining=True, epochs=2,
    )
    assert main(["--job", str(job), "--data", str(data), "--out", str(tmp_path / "out")]) == 0
    run = _check_outputs(tmp_path / "out", data, 2)
    assert run["trainableParams"] > 0


def test_a_wrong_reference_stops_before_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_images(tmp_path / "data", per_class=4)
    job = make_job(tmp_path / "job")
    ref = json.loads((tmp_path / "job" / "reference.json").read_text())
    ref["outputs"]["data"] = [v * 1.1 for v in ref["outputs"]["data"]]
    (tmp_path / "job" / "reference.json").write_text(json.dumps(ref))
    assert main(["--job", str(job), "--data", str(data), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "does not match the studio's reference outputs" in err and "tolerance is 0.001" in err
    assert not (tmp_path / "out" / "model").exists()


def test_data_must_have_the_jobs_classes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_images(tmp_path / "data", per_class=4, colours={"blue": (0, 0, 255), "green": (0, 255, 0)})
    job = make_job(tmp_path / "job")
    assert main(["--job", str(job), "--data", str(data), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "class folders the job does not have: green" in err
    assert "no usable images for the job's classes: red" in err
