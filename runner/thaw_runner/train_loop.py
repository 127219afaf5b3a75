"""The training loop: the studio's head and losses (src/training/loop.ts, head.ts), with parameter
groups for the two learning rates, an optional cosine schedule, early stopping with
best-epoch restore, and metrics summed over all processes."""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import torch
from torch import Tensor, nn

from .distributed import Dist
from .job import Params
from .losses import data_loss, distillation, l2sp
from .schedule import learning_rate_at
from .tfjs_model import TfjsNetwork, to_vectors

#: A loss this many times its first value means training has blown up (EXPLODED_FACTOR).
EXPLODED_FACTOR = 1000.0

Batch = tuple[Tensor, Tensor]


class DivergedError(RuntimeError):
    def __init__(self, epoch: int, loss: float) -> None:
        what = f"it exploded to {loss:.1e}" if math.isfinite(loss) else "not a finite number"
        super().__init__(
            f"The loss diverged ({what}) in epoch {epoch}. Lower the learning rate and train again."
        )


class Head(nn.Module):
    """A Dense layer on the features, after a constant (f − mean) / std scaling."""

    def __init__(self, dim: int, classes: int, mean: Tensor, std: Tensor, seed: int) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        limit = math.sqrt(6.0 / (dim + classes))  # Glorot uniform, as the studio's head
        self.kernel = nn.Parameter((torch.rand(dim, classes, generator=gen) * 2 - 1) * limit)
        self.bias = nn.Parameter(torch.zeros(classes))
        self.register_buffer("mean", mean.detach().clone().float())
        self.register_buffer("std", std.detach().clone().float())

    def forward(self, features: Tensor) -> Tensor:
        return ((features - self.mean) / self.std) @ self.kernel + self.bias

    def folded(self) -> tuple[Tensor, Tensor]:
        """Kernel and bias that act on raw features: the scaling folded in."""
        k = self.kernel.detach() / self.std[:, None]
        b = self.bias.detach() - (self.mean / self.std) @ self.kernel.detach()
        return k, b


class Classifier(nn.Module):
    """Body (the network up to the feature layer; None when features are precomputed) + head.
    Returns (features, scores)."""

    def __init__(self, body: TfjsNetwork | None, head: Head) -> None:
        super().__init__()
        self.body = body
        self.head = head

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        features = to_vectors(self.body(x)) if self.body is not None else x
        return features, self.head(features)


@dataclass
class EpochRecord:
    epoch: int
    trainLoss: float  # noqa: N815 - the studio's field names
    trainAccuracy: float  # noqa: N815
    valLoss: float  # noqa: N815
    valAccuracy: float  # noqa: N815
    seconds: float

    def metrics(self) -> dict[str, float]:
        return {
            "epoch": self.epoch,
            "trainLoss": self.trainLoss,
            "trainAccuracy": self.trainAccuracy,
            "valLoss": self.valLoss,
            "valAccuracy": self.valAccuracy,
            "seconds": self.seconds,
        }


@dataclass
class TrainResult:
    history: list[EpochRecord] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False


class TrainBatches:
    """The training batches of one process: `epoch(e)` yields (input, label) batches;
    `steps` is the same on every process."""

    def __init__(self, epoch_fn: Callable[[int], Iterable[Batch]], steps: int) -> None:
        self._epoch_fn = epoch_fn
        self.steps = steps

    def epoch(self, e: int) -> Iterable[Batch]:
        return self._epoch_fn(e)


class EarlyStopper:
    """Stops after `patience` epochs without the validation loss improving by `min_delta`;
    remembers the best epoch's weights."""

    def __init__(self, patience: int, min_delta: float) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, Tensor] | None = None
        self.wait = 0

    def update(self, epoch: int, val_loss: float, model: nn.Module) -> bool:
        """Records an epoch; True when training should stop."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = val_loss
            self.best_epoch = epoch
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self.wait = 0
            return False
        self.wait += 1
        return self.wait >= self.patience

    def restore(self, model: nn.Module) -> None:
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


def evaluate(
    model: Classifier, batches: Iterable[Batch], head: str, dist: Dist
) -> tuple[float, float, int]:
    """(mean data loss, accuracy, count) over all processes' shares, in inference mode."""
    was_training = model.training
    model.eval()
    loss_sum, hits, n = 0.0, 0.0, 0
    with torch.no_grad():
        for x, y in batches:
            _, scores = model(x)
            loss_sum += float(data_loss(head, y, scores, model.head.kernel)) * len(y)
            hits += float((scores.argmax(1) == y).sum())
            n += len(y)
    model.train(was_training)
    loss_sum, hits, total = dist.sum([loss_sum, hits, float(n)])
    count = max(1, int(total))
    return loss_sum / count, hits / count, int(total)


def make_optimizer(head: Head, fine_tune: list[nn.Parameter], reinit: list[nn.Parameter],
                   params: Params) -> torch.optim.Optimizer:
    """One optimizer, two parameter groups: the head and re-initialised layers at
    `learningRate`, fine-tuned pretrained layers at `fineTuneLearningRate`."""
    groups: list[dict[str, Any]] = [
        {"params": [head.kernel, head.bias, *reinit], "lr": params.learning_rate,
         "base_lr": params.learning_rate, "name": "head+reinit"}
    ]
    if fine_tune:
        groups.append(
            {"params": list(fine_tune), "lr": params.fine_tune_learning_rate,
             "base_lr": params.fine_tune_learning_rate, "name": "fine-tune"}
        )
    if params.optimizer == "sgd":  # tfjs' momentum optimizer: v = 0.9·v + g; w −= lr·v
        return torch.optim.SGD(groups, lr=params.learning_rate, momentum=0.9)
    return torch.optim.Adam(groups, lr=params.learning_rate, eps=1e-7)  # tfjs: β 0.9/0.999, ε 1e-7


def train(
    model: Classifier,
    step_model: nn.Module,
    fine_tune: list[nn.Parameter],
    reinit: list[nn.Parameter],
    params: Params,
    train_batches: TrainBatches,
    val_batches: Callable[[], Iterable[Batch]],
    dist: Dist,
    original: TfjsNetwork | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    has_validation: bool = True,
) -> TrainResult:
    """Trains `model` (through `step_model`, its DDP wrapper or itself) for the job's epochs."""
    optimizer = make_optimizer(model.head, fine_tune, reinit, params)
    anchors = [p.detach().clone() for p in fine_tune]
    total_steps = max(1, train_batches.steps * params.epochs)
    es = params.early_stopping
    stopper = EarlyStopper(es.patience, es.min_delta) if es.enabled and has_validation else None
    result = TrainResult()
    first_loss: float | None = None
    global_step = 0
    model.train()
    if original is not None:
        original.eval()
    for epoch in range(1, params.epochs + 1):
        t0 = time.perf_counter()
        loss_sum = torch.zeros((), dtype=torch.float64, device=dist.device)
        hits = torch.zeros((), dtype=torch.float64, device=dist.device)
        worst = torch.zeros((), dtype=torch.float64, device=dist.device)
        n = 0
        for x, y in train_batches.epoch(epoch):
            if params.schedule == "cosine":
                for g in optimizer.param_groups:
                    g["lr"] = learning_rate_at(global_step, total_steps, g["base_lr"], "cosine")
            features, scores = step_model(x)
            total = data_loss(params.head, y, scores, model.head.kernel)
            if params.conservation > 0 and fine_tune:
                total = total + l2sp(fine_tune, anchors, params.conservation)
            if params.distillation > 0 and original is not None:
                with torch.no_grad():
                    targets = to_vectors(original(x))
                total = total + distillation(features, targets) * params.distillation
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            value = total.detach().double()
            if first_loss is None:
                first_loss = float(dist.max([float(value)])[0])
            loss_sum += value * len(y)
            hits += (scores.detach().argmax(1) == y).sum().double()
            worst = torch.maximum(worst, torch.nan_to_num(value, nan=math.inf))
            n += len(y)
            global_step += 1
        loss_total, hit_total, count = dist.sum([float(loss_sum), float(hits), float(n)])
        worst_all = dist.max([float(worst)])[0]
        count = max(1.0, count)
        train_loss = loss_total / count
        if not math.isfinite(train_loss) or worst_all > EXPLODED_FACTOR * max(1.0, first_loss or 1.0):
            raise DivergedError(epoch, train_loss if not math.isfinite(train_loss) else worst_all)
        dist.sync_buffers(model)
        val_loss, val_acc, _ = evaluate(model, val_batches(), params.head, dist)
        if not math.isfinite(val_loss):
            raise DivergedError(epoch, val_loss)
        record = EpochRecord(
            epoch=epoch,
            trainLoss=train_loss,
            trainAccuracy=hit_total / count,
            valLoss=val_loss,
            valAccuracy=val_acc,
            seconds=time.perf_counter() - t0,
        )
        result.history.append(record)
        if on_epoch:
            on_epoch(record)
        if stopper and stopper.update(epoch, val_loss, model):
            result.stopped_early = epoch < params.epochs
            break
    if stopper and stopper.best_state is not None:
        stopper.restore(model)
        dist.sync_buffers(model)
        result.best_epoch = stopper.best_epoch
    else:
        result.best_epoch = result.history[-1].epoch if result.history else None
    return result


def copy_network(net: TfjsNetwork) -> TfjsNetwork:
    """A frozen copy of the network (the distillation targets' source)."""
    clone = copy.deepcopy(net)
    for p in clone.parameters():
        p.requires_grad_(False)
    clone.eval()
    return clone
