"""Phase "batches": what the training loop and the evaluation read. A head alone trains on
features computed once (cached tensors, shuffled per epoch); a plan that trains layers reads
images through a DistributedSampler. Either way each process gets its own share."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset
from torch.utils.data.distributed import DistributedSampler

from .context import Context
from .data import ImageFolderDataset, to_model_input
from .distributed import Dist, shard
from .prepare import Data
from .tfjs_model import TfjsNetwork, to_vectors
from .train_loop import Batch, TrainBatches

#: (inputs, true classes, sample indices) of the final evaluation.
EvalBatch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


@dataclass
class Shards:
    """This process's images, the per-process batch size and the loaders' settings."""

    dataset: ImageFolderDataset
    train: list[int]
    validation: list[int]
    evaluation: list[int]
    eval_name: str
    local_batch: int
    eval_batch: int
    workers: int


@dataclass
class Batches:
    train: TrainBatches
    validation: Callable[[], Iterable[Batch]]
    evaluation: Callable[[], Iterable[EvalBatch]]


def default_workers() -> int:
    cpus = os.cpu_count() or 1
    local = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))  # processes on this machine
    return max(0, min(4, cpus // max(1, local) - 1))


def make_shards(ctx: Context, data: Data) -> Shards:
    job, dist, world = ctx.job, ctx.dist, ctx.dist.world
    batch = job.params.batch_size
    local_bs = max(1, math.ceil(batch / world))
    if local_bs * world != batch:
        ctx.log(f"Batch size {batch} over {world} processes: {local_bs} each ({local_bs * world} per step).")
    split = data.split
    eval_indices = split.test if split.test else split.validation
    return Shards(
        dataset=ImageFolderDataset(data.root, data.paths, data.labels, job.input_size),
        train=shard(split.train, dist.rank, world),
        validation=shard(split.validation, dist.rank, world),
        evaluation=shard(eval_indices, dist.rank, world),
        eval_name="test" if split.test else "validation",
        local_batch=local_bs,
        eval_batch=max(local_bs, 32),
        workers=ctx.args.workers if ctx.args.workers is not None else default_workers(),
    )


def loader(dataset: ImageFolderDataset, indices: list[int], batch_size: int, workers: int,
           dist: Dist, sampler: DistributedSampler | None = None) -> DataLoader:  # type: ignore[type-arg]
    return DataLoader(
        Subset(dataset, indices),
        batch_size=batch_size,
        sampler=sampler,
        shuffle=False,
        num_workers=workers,
        pin_memory=dist.device.type == "cuda",
        persistent_workers=workers > 0 and sampler is not None,
    )


def image_batches(source: Iterable[Any], ctx: Context) -> Iterator[Batch]:
    dev = ctx.dist.device
    for pixels, labels, _ in source:
        x = to_model_input(pixels.to(dev, non_blocking=True), ctx.job.channels, ctx.job.value_range)
        yield x, labels.to(dev, non_blocking=True)


def features(net: TfjsNetwork, source: Iterable[Any], ctx: Context) -> tuple[torch.Tensor, torch.Tensor]:
    """Features [n, d] and labels of a loader's images, in inference mode."""
    feats: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    net.eval()
    with torch.no_grad():
        for x, y in image_batches(source, ctx):
            feats.append(to_vectors(net(x)))
            labels.append(y)
    dim = int(np.prod(net.output_shape[-1:] if len(net.output_shape) == 3 else net.output_shape))
    if not feats:
        dev = ctx.dist.device
        return torch.zeros(0, dim, device=dev), torch.zeros(0, dtype=torch.long, device=dev)
    return torch.cat(feats), torch.cat(labels)


def shard_features(net: TfjsNetwork, indices: list[int], ctx: Context, shards: Shards) -> tuple[torch.Tensor, torch.Tensor]:
    return features(net, loader(shards.dataset, indices, shards.eval_batch, shards.workers, ctx.dist), ctx)


def standardization(train_features: torch.Tensor, dist: Dist) -> tuple[torch.Tensor, torch.Tensor]:
    """The studio's feature scaling over the train split: per-feature mean, one common scale
    (the root mean variance over all features)."""
    f = train_features.double()
    dim = f.shape[1]
    count = torch.tensor([float(len(f))], dtype=torch.float64, device=f.device)
    stats = dist.sum_tensor(torch.cat([f.sum(0), f.pow(2).sum(0), count])).to(f.device)
    n = max(1.0, float(stats[-1]))
    mean = stats[:dim] / n
    variance = float((stats[dim : 2 * dim] / n - mean.pow(2)).clamp(min=0).mean())
    scale = math.sqrt(variance) or 1.0
    return mean.float(), torch.full((dim,), scale, dtype=torch.float32, device=f.device)


def chunks(x: torch.Tensor, y: torch.Tensor, size: int, order: torch.Tensor | None = None) -> Iterator[Batch]:
    idx = order if order is not None else torch.arange(len(x), device=x.device)
    for start in range(0, len(x), size):
        sel = idx[start : start + size]
        yield x[sel], y[sel]


def pad_rows(x: torch.Tensor, y: torch.Tensor, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Repeats rows up to `size`, so every process runs the same number of steps."""
    if len(x) >= size or len(x) == 0:
        return x, y
    reps = torch.arange(size, device=x.device) % len(x)
    return x[reps], y[reps]


def feature_batches(ctx: Context, net: TfjsNetwork, shards: Shards, train_f: torch.Tensor,
                    train_y: torch.Tensor, train_count: int) -> Batches:
    """A head alone: the features of every split computed once, shuffled per epoch."""
    dist, seed, bs = ctx.dist, ctx.job.params.seed, shards.local_batch
    tx, ty = pad_rows(train_f, train_y, -(-train_count // dist.world))
    val_f, val_y = shard_features(net, shards.validation, ctx, shards)
    ev_f, ev_y = shard_features(net, shards.evaluation, ctx, shards)
    eval_index = torch.tensor(shards.evaluation, dtype=torch.long)

    def train_epoch(epoch: int) -> Iterable[Batch]:
        gen = torch.Generator().manual_seed(seed * 1_000_003 + epoch * 1009 + dist.rank)
        return chunks(tx, ty, bs, torch.randperm(len(tx), generator=gen).to(tx.device))

    def evaluation() -> Iterator[EvalBatch]:
        eb = shards.eval_batch
        for start in range(0, len(ev_f), eb):
            yield ev_f[start : start + eb], ev_y[start : start + eb], eval_index[start : start + eb]

    return Batches(
        TrainBatches(train_epoch, -(-len(tx) // bs)),
        lambda: chunks(val_f, val_y, shards.eval_batch),
        evaluation,
    )


def image_batch_source(ctx: Context, shards: Shards, train_indices: list[int]) -> Batches:
    """Layers train: images through the network every epoch, a DistributedSampler's share each."""
    dist, job = ctx.dist, ctx.job
    sampler = DistributedSampler(
        Subset(shards.dataset, train_indices), num_replicas=dist.world, rank=dist.rank, shuffle=True,
        seed=job.params.seed,
    )
    train_loader = loader(shards.dataset, train_indices, shards.local_batch, shards.workers, dist, sampler)
    val_loader = loader(shards.dataset, shards.validation, shards.eval_batch, shards.workers, dist)

    def train_epoch(epoch: int) -> Iterable[Batch]:
        sampler.set_epoch(epoch)
        return image_batches(train_loader, ctx)

    def evaluation() -> Iterator[EvalBatch]:
        source = loader(shards.dataset, shards.evaluation, shards.eval_batch, shards.workers, dist)
        for pixels, y, index in source:  # index: the sample's index in the dataset
            x = to_model_input(pixels.to(dist.device), job.channels, job.value_range)
            yield x, y.to(dist.device), index

    return Batches(TrainBatches(train_epoch, len(train_loader)), lambda: image_batches(val_loader, ctx), evaluation)
