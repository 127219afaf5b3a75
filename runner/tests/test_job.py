"""job.json validation, and the reference check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, make_job
from thaw_runner.job import JobError, find_job, load_job
from thaw_runner.reference import ReferenceMismatch, check, load_reference
from thaw_runner.tfjs_model import load_network


def test_a_job_loads(tmp_path: Path) -> None:
    path = make_job(tmp_path / "job", modes={"conv2": "fine-tune"}, earlyStopping={"enabled": True, "patience": 2, "minDelta": 0.01})
    job = load_job(path)
    assert job.model == tmp_path / "job" / "model" / "model.json"
    assert job.reference == tmp_path / "job" / "reference.json"
    assert job.feature_layer == "gap" and job.class_names == ["blue", "red"]
    assert job.value_range == (-1.0, 1.0) and job.input_size == 16 and job.channels == 3
    assert job.params.early_stopping.enabled and job.params.early_stopping.patience == 2
    assert job.params.to_json()["earlyStopping"] == {"enabled": True, "patience": 2, "minDelta": 0.01}
    assert find_job(str(tmp_path / "job"), []) == path
    assert find_job(None, [tmp_path, tmp_path / "job"]) == path


def _broken(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    path = make_job(tmp_path / "job")
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.update(format="something"), '"format" must be "thaw-training-job"'),
        (lambda d: d.update(version=2), "job version 2"),
        (lambda d: d.pop("featureLayer"), 'has no "featureLayer"'),
        (lambda d: d.update(classNames=["only"]), "at least two class names"),
        (lambda d: d["modes"].update(conv1="thaw"), '"modes.conv1" must be one of'),
        (lambda d: d.update(channels=2), '"channels" must be 1 or 3'),
        (lambda d: d.update(valueRange=[1, 0]), "low < high"),
        (lambda d: d["params"].update(head="tree"), '"params.head" must be one of softmax, svm'),
        (lambda d: d["params"].update(validationFraction=0.6, testFraction=0.5), "must leave images for training"),
        (lambda d: d["params"].update(epochs=0), '"params.epochs" must be ≥ 1'),
        (lambda d: d["params"].update(batchSize=2.5), "whole number"),
    ],
)
def test_invalid_jobs_say_what_is_wrong(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(JobError, match=message.replace("(", r"\(").replace(".", r"\.")):
        load_job(_broken(tmp_path, change))


def test_reference_check_passes_and_fails() -> None:
    layer, x, y, _ = load_reference(FIXTURES / "e2e" / "reference.json")
    net, _ = load_network(FIXTURES / "e2e" / "model" / "model.json", layer)
    r = check(net, x, y, 1e-3)
    assert r.relative < 1e-5 and r.images == 3
    wrong = y.copy()
    wrong[0, 0] += 0.01 * np.abs(y).max()
    with pytest.raises(ReferenceMismatch, match='does not match the studio\'s reference outputs at layer "gap"'):
        check(net, x, wrong, 1e-3)
