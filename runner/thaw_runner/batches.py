"""Phase "batches": what the training loop and the evaluation read. A head alone trains on
features computed once (cached tensors, shuffled per epoch); a plan that trains layers reads
images through a DistributedSampler. Either way each process gets its own share."""

from __future__ import annotations

import math
import os
import time
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


def features(net: TfjsNetwork, source: Iterable[Any], ctx: Context,
             clock: list[tuple[int, float]] | None = None,
             kept: dict[str, list[torch.Tensor]] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Features [n, d] and labels of a loader's images, in inference mode. `clock` gets
    (images, seconds in the network) of every batch (decoding excluded); `kept` gets the
    outputs of the layers it names, batch by batch."""
    feats: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    keep = list(kept) if kept else []
    net.eval()
    with torch.no_grad():
        for x, y in image_batches(source, ctx):
            t = time.perf_counter()
            out, values = net.run(x, keep)
            feats.append(to_vectors(out))
            if clock is not None:
                clock.append((len(y), time.perf_counter() - t))
            for n in keep:
                kept[n].append(values[n])  # type: ignore[index]
            labels.append(y)
    dim = int(np.prod(net.output_shape[-1:] if len(net.output_shape) == 3 else net.output_shape))
    if not feats:
        dev = ctx.dist.device
        return torch.zeros(0, dim, device=dev), torch.zeros(0, dtype=torch.long, device=dev)
    return torch.cat(feats), torch.cat(labels)


def shard_features(net: TfjsNetwork, indices: list[int], ctx: Context, shards: Shards,
                   clock: list[tuple[int, float]] | None = None,
                   kept: dict[str, list[torch.Tensor]] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    source = loader(shards.dataset, indices, shards.eval_batch, shards.workers, ctx.dist)
    return features(net, source, ctx, clock, kept)


#: The outputs of a frozen prefix's boundary layers for a set of images, by layer name.
PrefixValues = dict[str, torch.Tensor]


def prefix_values(net: TfjsNetwork, indices: list[int], ctx: Context, shards: Shards,
                  boundary: list[str]) -> tuple[PrefixValues, torch.Tensor]:
    """The boundary layers' outputs (inference mode; the prefix only) and labels of images."""
    source = loader(shards.dataset, indices, shards.eval_batch, shards.workers, ctx.dist)
    kept: dict[str, list[torch.Tensor]] = {n: [] for n in boundary}
    labels: list[torch.Tensor] = []
    net.eval()
    with torch.no_grad():
        for x, y in image_batches(source, ctx):
            _, values = net.run(x, boundary, output=False)
            for n in boundary:
                kept[n].append(values[n])
            labels.append(y)
    net.train()
    return joined(net, kept, ctx), torch.cat(labels) if labels else torch.zeros(0, dtype=torch.long, device=ctx.dist.device)


def joined(net: TfjsNetwork, kept: dict[str, list[torch.Tensor]], ctx: Context) -> PrefixValues:
    """Batches of kept outputs → one tensor per layer (empty with the layer's shape if none)."""
    dev = ctx.dist.device
    return {n: torch.cat(v) if v else torch.zeros(0, *internal_shape(net.output_shapes[n]), device=dev)
            for n, v in kept.items()}


def internal_shape(tfjs_shape: tuple[int, ...]) -> tuple[int, ...]:
    """A layer's output shape (without batch) in the internal layout: HWC → CHW."""
    return (tfjs_shape[2], tfjs_shape[0], tfjs_shape[1]) if len(tfjs_shape) == 3 else tfjs_shape


def prefix_batches(ctx: Context, net: TfjsNetwork, shards: Shards, train_v: PrefixValues,
                   train_y: torch.Tensor, train_count: int) -> Batches:
    """Layers train after a frozen prefix: the prefix runs once per image (its boundary
    outputs cached, as the studio caches them), the trained layers every epoch. Each process
    keeps its own share of the training images, shuffled per epoch (as a head alone)."""
    dist, seed, bs = ctx.dist, ctx.job.params.seed, shards.local_batch
    boundary = list(train_v)
    size = -(-train_count // dist.world)
    if 0 < len(train_y) < size:  # every process runs the same number of steps
        reps = torch.arange(size, device=train_y.device) % len(train_y)
        train_v, train_y = {n: v[reps] for n, v in train_v.items()}, train_y[reps]
    val_v, val_y = prefix_values(net, shards.validation, ctx, shards, boundary)

    def rows(values: PrefixValues, y: torch.Tensor, order: torch.Tensor, size: int) -> Iterator[Batch]:
        for start in range(0, len(order), size):
            sel = order[start : start + size]
            yield {n: v[sel] for n, v in values.items()}, y[sel]  # type: ignore[misc]

    def train_epoch(epoch: int) -> Iterable[Batch]:
        gen = torch.Generator().manual_seed(seed * 1_000_003 + epoch * 1009 + dist.rank)
        return rows(train_v, train_y, torch.randperm(len(train_y), generator=gen).to(train_y.device), bs)

    def validation() -> Iterable[Batch]:
        return rows(val_v, val_y, torch.arange(len(val_y), device=val_y.device), shards.eval_batch)

    def evaluation() -> Iterator[EvalBatch]:
        source = loader(shards.dataset, shards.evaluation, shards.eval_batch, shards.workers, dist)
        for pixels, y, index in source:
            x = to_model_input(pixels.to(dist.device), ctx.job.channels, ctx.job.value_range)
            yield x, y.to(dist.device), index

    return Batches(TrainBatches(train_epoch, -(-len(train_y) // bs)), validation, evaluation)


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
