"""Losses, schedule and split against hand-computed values and against the studio's own
functions (src/training/losses.ts, schedule.ts, src/data/split.ts run by make_fixtures.mjs)."""

from __future__ import annotations

import json
import math

import pytest
import torch

from conftest import FIXTURES
from thaw_runner.data import mulberry32, stratified_split
from thaw_runner.losses import (
    SVM_L2,
    data_loss,
    distillation,
    l2_penalty,
    l2sp,
    multiclass_hinge,
    softmax_cross_entropy,
)
from thaw_runner.schedule import learning_rate_at

STUDIO = json.loads((FIXTURES / "studio_functions.json").read_text())


def test_hinge_by_hand() -> None:
    scores = torch.tensor([[2.0, 1.5, -0.3], [0.1, 0.2, 3.0], [1.0, 1.0, 1.0], [-2.0, 0.5, 0.4]])
    labels = torch.tensor([0, 2, 1, 1])
    # Σ_{j≠y} max(0, s_j − s_y + 1), per row:
    # row 0 (y=0): max(0, 1.5−2+1)=0.5, max(0, −0.3−2+1)=0      → 0.5
    # row 1 (y=2): max(0, 0.1−3+1)=0,   max(0, 0.2−3+1)=0       → 0
    # row 2 (y=1): 1 + 1                                        → 2
    # row 3 (y=1): max(0, −2−0.5+1)=0,  max(0, 0.4−0.5+1)=0.9   → 0.9
    expected = (0.5 + 0 + 2 + 0.9) / 4
    assert float(multiclass_hinge(labels, scores)) == pytest.approx(expected, abs=1e-6)


def test_hinge_and_cross_entropy_match_the_studio() -> None:
    h = STUDIO["hinge"]
    scores, labels = torch.tensor(h["scores"]), torch.tensor(h["labels"])
    assert float(multiclass_hinge(labels, scores)) == pytest.approx(h["value"], abs=1e-6)
    ce = STUDIO["softmaxCrossEntropy"]
    assert float(softmax_cross_entropy(labels, scores)) == pytest.approx(ce["value"], abs=1e-6)


def test_svm_loss_adds_l2_on_the_head_kernel() -> None:
    scores = torch.tensor([[2.0, 0.0]])
    labels = torch.tensor([1])
    kernel = torch.tensor([[1.0, 2.0], [0.0, -3.0]])
    # hinge: max(0, 2 − 0 + 1) = 3; L2: 1e-3/2 · (1 + 4 + 9) = 0.007
    assert float(data_loss("svm", labels, scores, kernel)) == pytest.approx(3 + SVM_L2 / 2 * 14)
    assert SVM_L2 == 1e-3


def test_l2sp_by_hand() -> None:
    w = [torch.tensor([[0.5, -1.0], [2.0, 0.25]]), torch.tensor([0.1, -0.2, 0.3])]
    w0 = [torch.tensor([[0.0, -1.5], [1.0, 0.25]]), torch.tensor([0.0, 0.0, 1.0])]
    # ‖w − w₀‖²: (0.25 + 0.25 + 1 + 0) + (0.01 + 0.04 + 0.49) = 2.04; × λ/2 = 0.35 → 0.714
    assert float(l2sp(w, w0, 0.7)) == pytest.approx(0.714, abs=1e-6)
    assert float(l2sp(w, w0, 0.7)) == pytest.approx(STUDIO["l2sp"]["value"], abs=1e-6)
    assert float(l2_penalty(w, 0.3)) == pytest.approx(STUDIO["l2"]["value"], abs=1e-6)
    with pytest.raises(ValueError, match="one anchor per weight"):
        l2sp(w, w0[:1], 0.7)


def test_l2sp_gradient_pulls_toward_the_anchor() -> None:
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    l2sp([w], [torch.tensor([0.5, 0.0])], 0.4).backward()
    assert w.grad is not None
    torch.testing.assert_close(w.grad, torch.tensor([0.4 * 0.5, 0.4 * -2.0]))


def test_distillation_matches_the_studio() -> None:
    d = STUDIO["distillation"]
    got = distillation(torch.tensor(d["current"]), torch.tensor(d["original"]))
    # (0.25 + 0 + 1 + 0 + 4 + 0) / 6
    assert float(got) == pytest.approx(5.25 / 6)
    assert float(got) == pytest.approx(d["value"], abs=1e-6)


def test_schedule_matches_the_studio() -> None:
    for row in STUDIO["schedule"]:
        got = learning_rate_at(row["step"], row["total"], row["base"], row["kind"])
        assert got == pytest.approx(row["rate"], rel=1e-12, abs=1e-15), row
    assert learning_rate_at(0, 10, 1.0, "cosine") == 1.0
    assert learning_rate_at(5, 10, 1.0, "cosine") == pytest.approx(0.5)
    assert learning_rate_at(10, 10, 1.0, "cosine") == pytest.approx(0.0, abs=1e-12)


def test_mulberry32_is_bit_exact() -> None:
    r = mulberry32(STUDIO["mulberry32"]["seed"])
    assert [r() for _ in range(8)] == STUDIO["mulberry32"]["values"]


def test_split_is_the_studios() -> None:
    for case in STUDIO["split"]:
        s = stratified_split(case["labels"], case["fraction"], case["seed"], case["testFraction"])
        assert s.train == case["split"]["train"]
        assert s.validation == case["split"]["validation"]
        assert s.test == case["split"]["test"]


def test_split_keeps_one_for_training_per_class() -> None:
    s = stratified_split([0, 0, 1, 1, 1], 0.5, 3, 0.5)
    train_labels = [[0, 0, 1, 1, 1][i] for i in s.train]
    assert sorted(set(train_labels)) == [0, 1]
    assert math.isclose(len(s.train) + len(s.validation) + len(s.test), 5)
