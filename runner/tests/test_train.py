"""The training loop on precomputed features: loss falls, early stopping restores the best
epoch, divergence is reported."""

from __future__ import annotations

import pytest
import torch

from thaw_runner.distributed import Dist
from thaw_runner.job import EarlyStopping, Params
from thaw_runner.train_loop import Classifier, DivergedError, EarlyStopper, Head, TrainBatches, train

DIST = Dist(rank=0, world=1, local_rank=0, device=torch.device("cpu"), backend=None)


def _data(n: int = 64, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 4, generator=g) + torch.stack([y * 2.0 - 1, -(y * 2.0 - 1), torch.zeros(n), torch.zeros(n)], 1)
    return x, y


def _batches(x: torch.Tensor, y: torch.Tensor, size: int) -> TrainBatches:
    def epoch(e: int):  # type: ignore[no-untyped-def]
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(e))
        return [(x[order[i : i + size]], y[order[i : i + size]]) for i in range(0, len(x), size)]

    return TrainBatches(epoch, -(-len(x) // size))


def _model(x: torch.Tensor) -> Classifier:
    return Classifier(None, Head(4, 2, x.mean(0), torch.full((4,), float(x.std())), seed=0))


@pytest.mark.parametrize("head,optimizer,schedule", [("softmax", "adam", "constant"), ("svm", "sgd", "cosine")])
def test_loss_falls(head: str, optimizer: str, schedule: str) -> None:
    x, y = _data()
    model = _model(x)
    params = Params(learning_rate=0.05, epochs=5, head=head, optimizer=optimizer, schedule=schedule)
    result = train(model, model, [], [], params, _batches(x, y, 16), lambda: [(x, y)], DIST)
    losses = [r.trainLoss for r in result.history]
    assert len(losses) == 5 and losses[-1] < losses[0]
    assert result.history[-1].valAccuracy > 0.8
    assert result.best_epoch == 5  # no early stopping: the last epoch's weights


def test_early_stopping_restores_the_best_epoch() -> None:
    x, y = _data()
    model = _model(x)
    # Validation labels are the opposite of training's: the better the head learns, the
    # worse validation gets, so the best epoch is the first.
    params = Params(learning_rate=0.05, epochs=20, early_stopping=EarlyStopping(True, 3, 0.0))
    snapshots: dict[int, torch.Tensor] = {}
    result = train(
        model, model, [], [], params, _batches(x, y, 16), lambda: [(x, 1 - y)], DIST,
        on_epoch=lambda r: snapshots.__setitem__(r.epoch, model.head.kernel.detach().clone()),
    )
    assert len(result.history) == 4  # epoch 1 best, then 3 without improvement
    assert result.stopped_early and result.best_epoch == 1
    assert torch.equal(model.head.kernel, snapshots[1])
    assert not torch.equal(snapshots[4], snapshots[1])


def test_early_stopper_min_delta() -> None:
    stopper = EarlyStopper(patience=2, min_delta=0.1)
    m = torch.nn.Linear(1, 1)
    assert not stopper.update(1, 1.0, m)
    assert not stopper.update(2, 0.95, m)  # not better by 0.1
    assert stopper.update(3, 0.92, m)
    assert stopper.best_epoch == 1


def test_divergence_is_reported() -> None:
    x, y = _data()
    model = _model(x)
    with torch.no_grad():
        model.head.kernel.fill_(float("nan"))
    params = Params(epochs=2)
    with pytest.raises(DivergedError, match="diverged .* in epoch 1"):
        train(model, model, [], [], params, _batches(x, y, 16), lambda: [(x, y)], DIST)
