"""The runner's main program: job + folder of images in, trained classifier and run record out.

    torchrun --nproc_per_node=N train.py --data DIR --out OUT [--job JOB]
    python3 train.py --data DIR --out OUT [--job JOB]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Subset
from torch.utils.data.distributed import DistributedSampler

from . import __version__
from .data import ImageFolderDataset, Skipped, check_image, scan_folder, stratified_split, to_model_input
from .distributed import Dist, init_distributed, shard
from .export import export_classifier, write_run
from .job import Job, JobError, find_job, load_job
from .plan import PlanError, apply_plan, layer_modes
from .reference import DEFAULT_TOLERANCE, ReferenceMismatch, ReferenceResult, check, load_reference
from .tfjs_model import (
    ModelFileError,
    TfjsNetwork,
    TopologyError,
    UnsupportedLayerError,
    load_network,
    to_vectors,
)
from .train_loop import (
    Batch,
    Classifier,
    DivergedError,
    EpochRecord,
    Head,
    TrainBatches,
    copy_network,
    train,
)

ERRORS = (
    JobError,
    ModelFileError,
    TopologyError,
    UnsupportedLayerError,
    ReferenceMismatch,
    PlanError,
    DivergedError,
    FileNotFoundError,
)


class DataError(ValueError):
    """A data folder that does not fit the job."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="train.py",
        description="Train a plan exported from the Thaw studio on a folder of images (PyTorch).",
    )
    p.add_argument("--job", help="job folder or job.json (default: job.json here, or next to the runner)")
    p.add_argument("--data", required=True, help="folder of images, one sub-folder per class")
    p.add_argument("--out", required=True, help="output folder (created)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--workers", type=int, default=None, help="image decoding workers per process")
    p.add_argument("--epochs", type=int, default=None, help="override the job's epochs")
    p.add_argument("--batch-size", type=int, default=None,
                   help="override the job's batch size (global: split over the processes)")
    p.add_argument("--reference-tolerance", type=float, default=None,
                   help=f"relative tolerance of the reference check (default {DEFAULT_TOLERANCE:g})")
    p.add_argument("--skip-reference-check", action="store_true",
                   help="train even without checking the rebuilt network (not recommended)")
    return p.parse_args(argv)


@dataclass
class Context:
    args: argparse.Namespace
    dist: Dist
    job: Job
    out: Path
    t0: float

    def log(self, message: str) -> None:
        if self.dist.is_main:
            print(message, flush=True)


def _default_workers(dist: Dist) -> int:
    cpus = os.cpu_count() or 1
    local = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))  # processes on this machine
    return max(0, min(4, cpus // max(1, local) - 1))


def _scan(ctx: Context, data: Path) -> tuple[list[str], list[int], list[Skipped], dict[str, int]]:
    """Files by name on rank 0, each image decoded once by one process, classes checked."""
    job, dist = ctx.job, ctx.dist
    scan = scan_folder(data, job.decode.extensions) if dist.is_main else None
    scan = dist.broadcast(scan)
    assert scan is not None
    mine = shard(list(range(len(scan.samples))), dist.rank, dist.world)
    reasons = {i: check_image(data / scan.samples[i].path, job.decode.min_side) for i in mine}
    merged: dict[int, str | None] = {}
    for part in dist.gather(reasons):
        merged.update(part)
    skipped = list(scan.skipped)
    paths: list[str] = []
    names: list[str] = []
    for i, sample in enumerate(scan.samples):
        reason = merged.get(i)
        if reason:
            skipped.append(Skipped(sample.path, reason))
        else:
            paths.append(sample.path)
            names.append(sample.class_name)
    found = list(dict.fromkeys(names))
    extra = [c for c in found if c not in job.class_names]
    missing = [c for c in job.class_names if c not in found]
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"class folders the job does not have: {', '.join(extra)}")
        if missing:
            parts.append(f"no usable images for the job's classes: {', '.join(missing)}")
        raise DataError(
            f"The data folder {data} does not match the job's classes "
            f"({', '.join(job.class_names)}): {'; '.join(parts)}."
        )
    labels = [job.class_names.index(n) for n in names]
    counts = {c: names.count(c) for c in job.class_names}
    skipped.sort(key=lambda s: s.path)
    return paths, labels, skipped, counts


def _loader(dataset: ImageFolderDataset, indices: list[int], batch_size: int, workers: int,
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


def _image_batches(loader: Iterable[Any], ctx: Context) -> Iterator[Batch]:
    dev = ctx.dist.device
    for pixels, labels, _ in loader:
        x = to_model_input(pixels.to(dev, non_blocking=True), ctx.job.channels, ctx.job.value_range)
        yield x, labels.to(dev, non_blocking=True)


def _features(net: TfjsNetwork, loader: Iterable[Any], ctx: Context) -> tuple[torch.Tensor, torch.Tensor]:
    """Features [n, d] and labels of a loader's images, in inference mode."""
    feats: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    net.eval()
    with torch.no_grad():
        for x, y in _image_batches(loader, ctx):
            feats.append(to_vectors(net(x)))
            labels.append(y)
    dim = int(np.prod(net.output_shape[-1:] if len(net.output_shape) == 3 else net.output_shape))
    if not feats:
        return torch.zeros(0, dim, device=ctx.dist.device), torch.zeros(0, dtype=torch.long, device=ctx.dist.device)
    return torch.cat(feats), torch.cat(labels)


def _standardization(train_features: torch.Tensor, dist: Dist) -> tuple[torch.Tensor, torch.Tensor]:
    """The studio's feature scaling over the train split: per-feature mean, one common scale
    (the root mean variance over all features)."""
    f = train_features.double()
    dim = f.shape[1]
    stats = torch.cat([f.sum(0), f.pow(2).sum(0), torch.tensor([float(len(f))], dtype=torch.float64, device=f.device)])
    stats = dist.sum_tensor(stats).to(f.device)
    n = max(1.0, float(stats[-1]))
    mean = stats[:dim] / n
    variance = float((stats[dim : 2 * dim] / n - mean.pow(2)).clamp(min=0).mean())
    scale = math.sqrt(variance) or 1.0
    return mean.float(), torch.full((dim,), scale, dtype=torch.float32, device=f.device)


def _chunks(x: torch.Tensor, y: torch.Tensor, size: int, order: torch.Tensor | None = None) -> Iterator[Batch]:
    idx = order if order is not None else torch.arange(len(x), device=x.device)
    for start in range(0, len(x), size):
        sel = idx[start : start + size]
        yield x[sel], y[sel]


def _pad_rows(x: torch.Tensor, y: torch.Tensor, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    if len(x) >= size or len(x) == 0:
        return x, y
    reps = torch.arange(size, device=x.device) % len(x)
    return x[reps], y[reps]


def _predict(model: Classifier, batches: Iterable[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> list[tuple[int, int, int, list[float]]]:
    """(sample index, true class, predicted class, probabilities) per sample."""
    out = []
    model.eval()
    with torch.no_grad():
        for x, y, idx in batches:
            _, scores = model(x)
            probs = torch.softmax(scores, dim=1)
            for i, t, p, pr in zip(idx.tolist(), y.tolist(), probs.argmax(1).tolist(), probs.cpu().tolist()):
                out.append((i, t, p, pr))
    return out


def _evaluation(rows: list[tuple[int, int, int, list[float]]], split: str, classes: list[str],
                paths: list[str]) -> dict[str, Any]:
    k = len(classes)
    confusion = [[0] * k for _ in range(k)]
    misclassified: dict[str, list[str]] = {}
    for i, t, p, _ in rows:
        confusion[t][p] += 1
        if t != p:
            misclassified.setdefault(f"{t}-{p}", []).append(paths[i])
    n = len(rows)
    per_class = []
    for c in range(k):
        tp = confusion[c][c]
        predicted = sum(confusion[r][c] for r in range(k))
        support = sum(confusion[c])
        per_class.append(
            {
                "precision": tp / predicted if predicted else None,
                "recall": tp / support if support else None,
                "support": support,
            }
        )
    return {
        "split": split,
        "classNames": classes,
        "accuracy": sum(confusion[c][c] for c in range(k)) / n if n else None,
        "confusion": confusion,
        "perClass": per_class,
        "misclassified": misclassified,
    }


def run(args: argparse.Namespace, dist: Dist) -> dict[str, Any]:
    t0 = time.perf_counter()
    here = Path(__file__).resolve().parent.parent
    job = load_job(find_job(args.job, [Path.cwd(), here, here.parent]))
    if args.epochs is not None:
        job.params.epochs = max(1, args.epochs)
    if args.batch_size is not None:
        job.params.batch_size = max(1, args.batch_size)
    out = Path(args.out)
    ctx = Context(args, dist, job, out, t0)
    params = job.params
    torch.manual_seed(params.seed)
    ctx.log(
        f"Thaw runner {__version__}: job \"{job.name}\" ({job.model_id or 'custom model'}), "
        f"{dist.world} process{'es' if dist.world > 1 else ''} on {dist.device.type}"
        f"{' (' + dist.backend + ')' if dist.backend else ''}."
    )
    if dist.is_main:
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.jsonl").write_text("", encoding="utf-8")

    # 1. The network, up to the feature layer, checked against the browser's outputs.
    net, files = load_network(job.model, job.feature_layer, job.input_size, job.channels)
    expected_input = (job.input_size, job.input_size, job.channels)
    if net.input_shape != expected_input:
        raise JobError(
            f"The model takes inputs of {'×'.join(map(str, net.input_shape))}, "
            f"the job says {'×'.join(map(str, expected_input))}."
        )
    net.to(dist.device)
    reference: ReferenceResult | None = None
    if job.reference and not args.skip_reference_check:
        layer, ref_in, ref_out, ref_tol = load_reference(job.reference)
        tol = args.reference_tolerance or ref_tol or DEFAULT_TOLERANCE
        target = net
        if layer and net.graph.resolve(layer) != net.until:
            target = TfjsNetwork(net.graph, files.weights, layer, job.input_size, job.channels).to(dist.device)
        reference = check(target, ref_in, ref_out, tol, dist.device)
        ctx.log(
            f"Reference check passed: {reference.images} images at {reference.layer}, "
            f"max |difference| {reference.max_abs_diff:.2e} ({reference.relative:.1e} of the output "
            f"scale; tolerance {tol:g})."
        )
    elif args.skip_reference_check:
        ctx.log("Reference check skipped (--skip-reference-check).")
    else:
        ctx.log("The job has no reference outputs: the rebuilt network is not checked.")

    # 2. The images: classes, skipped files, the studio's split.
    data = Path(args.data)
    paths, labels, skipped, counts = _scan(ctx, data)
    if dist.is_main:
        (out / "skipped.json").write_text(
            json.dumps([s.to_json() for s in skipped], indent=1), encoding="utf-8"
        )
    split = stratified_split(labels, params.validation_fraction, params.seed, params.test_fraction)
    if len(split.train) < dist.world:
        raise DataError(
            f"{len(split.train)} training images for {dist.world} processes: each needs at least one."
        )
    ctx.log(
        f"Data: {len(paths)} images in {len(job.class_names)} classes "
        f"({', '.join(f'{c} {n}' for c, n in counts.items())}), {len(skipped)} skipped "
        f"(see skipped.json); split {len(split.train)} train / {len(split.validation)} validation / "
        f"{len(split.test)} test."
    )

    # 3. The plan, and the features of the original network (the head's input scaling).
    modes = layer_modes(net, job.modes)
    trained = [n for n, m in net.named_layers() if m.weight_names and modes.get(n, "frozen") != "frozen"]
    head_only = not trained
    world = dist.world
    local_bs = max(1, math.ceil(params.batch_size / world))
    if local_bs * world != params.batch_size:
        ctx.log(f"Batch size {params.batch_size} over {world} processes: {local_bs} each ({local_bs * world} per step).")
    workers = args.workers if args.workers is not None else _default_workers(dist)
    dataset = ImageFolderDataset(data, paths, labels, job.input_size)
    eval_bs = max(local_bs, 32)
    train_shard = shard(split.train, dist.rank, world)
    val_shard = shard(split.validation, dist.rank, world)
    eval_name = "test" if split.test else "validation"
    eval_indices = split.test if split.test else split.validation
    eval_shard = shard(eval_indices, dist.rank, world)
    t_feat = time.perf_counter()
    train_f, train_y = _features(net, _loader(dataset, train_shard, eval_bs, workers, dist), ctx)
    mean, std = _standardization(train_f, dist)
    ctx.log(
        f"Features at {job.feature_layer}: {train_f.shape[1]} per image; "
        f"{'head only, computed once' if head_only else 'layers ' + ', '.join(trained) + ' trained'} "
        f"({time.perf_counter() - t_feat:.1f} s)."
    )
    original = copy_network(net) if params.distillation > 0 and not head_only else None
    groups = apply_plan(net, job.modes, params.batch_norm_training, params.seed)
    if groups.ignored:
        ctx.log(f"Ignored (after the feature layer): {', '.join(groups.ignored)}.")
    head = Head(int(train_f.shape[1]), len(job.class_names), mean, std, params.seed)
    model = Classifier(None if head_only else net, head).to(dist.device)
    step_model: torch.nn.Module = model
    if dist.active:
        step_model = DistributedDataParallel(
            model, device_ids=[dist.device.index] if dist.device.type == "cuda" else None
        )

    # 4. Batches: cached features for a head alone, else images through the trained layers.
    if head_only:
        size = -(-len(split.train) // world)
        tx, ty = _pad_rows(train_f, train_y, size)
        val_f, val_y = _features(net, _loader(dataset, val_shard, eval_bs, workers, dist), ctx)
        ev_f, ev_y = _features(net, _loader(dataset, eval_shard, eval_bs, workers, dist), ctx)

        def train_epoch(epoch: int) -> Iterable[Batch]:
            gen = torch.Generator().manual_seed(params.seed * 1_000_003 + epoch * 1009 + dist.rank)
            order = torch.randperm(len(tx), generator=gen).to(tx.device)
            return _chunks(tx, ty, local_bs, order)

        train_batches = TrainBatches(train_epoch, -(-len(tx) // local_bs))
        val_batches: Callable[[], Iterable[Batch]] = lambda: _chunks(val_f, val_y, eval_bs)  # noqa: E731

        def eval_batches() -> Iterable[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
            idx = torch.tensor(eval_shard, dtype=torch.long)
            for start in range(0, len(ev_f), eval_bs):
                yield ev_f[start : start + eval_bs], ev_y[start : start + eval_bs], idx[start : start + eval_bs]
    else:
        del train_f, train_y
        sampler = DistributedSampler(
            Subset(dataset, split.train), num_replicas=world, rank=dist.rank, shuffle=True, seed=params.seed
        )
        train_loader = _loader(dataset, split.train, local_bs, workers, dist, sampler)
        val_loader = _loader(dataset, val_shard, eval_bs, workers, dist)

        def train_epoch(epoch: int) -> Iterable[Batch]:
            sampler.set_epoch(epoch)
            return _image_batches(train_loader, ctx)

        train_batches = TrainBatches(train_epoch, len(train_loader))
        val_batches = lambda: _image_batches(val_loader, ctx)  # noqa: E731

        def eval_batches() -> Iterable[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
            loader = _loader(dataset, eval_shard, eval_bs, workers, dist)
            for pixels, y, index in loader:  # index: the sample's index in the dataset
                x = to_model_input(pixels.to(dist.device), job.channels, job.value_range)
                yield x, y.to(dist.device), index

    # 5. Training.
    def on_epoch(r: EpochRecord) -> None:
        if dist.is_main:
            with (out / "metrics.jsonl").open("a", encoding="utf-8") as f:
                f.write(json.dumps(r.metrics()) + "\n")
            print(
                f"epoch {r.epoch}/{params.epochs}: train loss {r.trainLoss:.4f} acc {r.trainAccuracy:.3f}"
                f" · val loss {r.valLoss:.4f} acc {r.valAccuracy:.3f} · {r.seconds:.1f} s",
                flush=True,
            )

    ctx.log(
        f"Training {groups.trainable_params + head.kernel.numel() + head.bias.numel()} parameters "
        f"({params.head} head, {params.optimizer}, {params.schedule} rate) for {params.epochs} epochs, "
        f"{train_batches.steps} steps each."
    )
    t_train = time.perf_counter()
    result = train(
        model,
        step_model,
        groups.fine_tune,
        groups.reinit,
        params,
        train_batches,
        val_batches,
        dist,
        original=original,
        on_epoch=on_epoch,
        has_validation=bool(split.validation),
    )
    train_seconds = time.perf_counter() - t_train

    # 6. Final evaluation, export (rank 0 only writes).
    rows = [r for part in dist.gather(_predict(model, eval_batches())) for r in part]
    rows.sort(key=lambda r: r[0])
    evaluation = _evaluation(rows, eval_name, job.class_names, paths)
    record: dict[str, Any] = {}
    weighted = {n: groups.modes[n] for n, m in net.named_layers() if m.weight_names}
    if dist.is_main:
        export_classifier(out / "model", net, head)
        (out / "predictions.json").write_text(
            json.dumps(
                [
                    {"path": paths[i], "trueClass": job.class_names[t], "predictedClass": job.class_names[p],
                     "probabilities": [round(v, 6) for v in pr]}
                    for i, t, p, pr in rows
                ],
                indent=1,
            ),
            encoding="utf-8",
        )
        record = {
            "name": job.name,
            "modelId": job.model_id,
            "classNames": job.class_names,
            "plan": {"modes": dict(job.modes), "featureLayer": job.feature_layer},
            "params": params.to_json(),
            "history": [r.metrics() for r in result.history],
            "bestEpoch": result.best_epoch,
            "stoppedEarly": result.stopped_early,
            # Of the kept weights, as the studio's run list shows them:
            "valAccuracy": result.history[result.best_epoch - 1].valAccuracy if result.best_epoch else None,
            "testAccuracy": evaluation["accuracy"] if eval_name == "test" else None,
            "layers": {
                "weighted": len(weighted),
                "frozen": sum(1 for m in weighted.values() if m == "frozen"),
                "fineTuned": sum(1 for m in weighted.values() if m == "fine-tune"),
                "reinitialized": sum(1 for m in weighted.values() if m == "reinit"),
            },
            "evaluation": evaluation,
            "dataset": {
                "images": len(paths),
                "classes": [{"name": c, "count": n} for c, n in counts.items()],
                "skipped": len(skipped),
                "split": {"train": len(split.train), "validation": len(split.validation), "test": len(split.test)},
            },
            "reference": reference.to_json() if reference else None,
            "trainableParams": groups.trainable_params,
            "timings": {
                "seconds": time.perf_counter() - t0,
                "trainSeconds": train_seconds,
                "epochSeconds": [r.seconds for r in result.history],
                "processes": dist.world,
                "device": dist.device.type,
                "backend": dist.backend,
            },
            "runner": {"version": __version__, "torch": torch.__version__},
        }
        write_run(out / "run.json", record)
        acc = evaluation["accuracy"]
        ctx.log(
            f"Done: {eval_name} accuracy {acc:.3f} on {len(rows)} images"
            if acc is not None
            else "Done (no images to evaluate)."
        )
        ctx.log(f"Wrote {out / 'model' / 'model.json'}, {out / 'run.json'}, {out / 'metrics.jsonl'}.")
    dist.barrier()
    return record


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dist = init_distributed(args.device)
    try:
        run(args, dist)
        return 0
    except (*ERRORS, DataError) as err:
        prefix = f"[rank {dist.rank}] " if dist.world > 1 else ""
        if dist.is_main or not isinstance(err, (JobError, ReferenceMismatch, DataError, PlanError)):
            print(f"{prefix}thaw runner: {err}", file=sys.stderr, flush=True)
        return 2
    finally:
        dist.close()
