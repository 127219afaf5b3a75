"""The runner's main program: job + folder of images in, trained classifier and run record out.

    torchrun --nproc_per_node=N train.py --data DIR --out OUT [--job JOB]
    python3 train.py --data DIR --out OUT [--job JOB]

A run is a sequence of named phases, each in its own function: start (job, output folder),
build network, check reference, prepare data (prepare.py), build classifier, make batches
(batches.py), train, evaluate (evaluation.py), write outputs (outputs.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch.distributed.elastic.multiprocessing.errors import get_error_handler
from torch.nn.parallel import DistributedDataParallel

from . import __version__
from .batches import (
    Batches,
    Shards,
    PrefixValues,
    feature_batches,
    image_batch_source,
    joined,
    make_shards,
    prefix_batches,
    shard_features,
    standardization,
)
from .context import Context, DataError
from .distributed import Dist, init_distributed
from .evaluation import evaluation_record, gathered_predictions
from .job import JobError, find_job, load_job
from .native import configure_memory, set_threads
from .outputs import Outcome, write_outputs
from .plan import PlanError, PlanGroups, apply_plan, layer_modes, mode_of
from .prepare import Data, prepare_data
from .reference import DEFAULT_TOLERANCE, ReferenceMismatch, ReferenceResult, check, load_reference
from .tfjs_io import ModelFiles
from .tfjs_model import ModelFileError, TfjsNetwork, TopologyError, UnsupportedLayerError, load_network
from .train_loop import Classifier, DivergedError, EpochRecord, Head, TrainResult, copy_network, train

#: Errors about the job, the model or the data: one sentence, no traceback.
ERRORS = (
    JobError,
    ModelFileError,
    TopologyError,
    UnsupportedLayerError,
    ReferenceMismatch,
    PlanError,
    DivergedError,
    FileNotFoundError,
    DataError,
)
#: Of those, the ones every process meets alike: only the first process prints them.
SHARED_ERRORS = (JobError, ReferenceMismatch, DataError, PlanError)


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
    p.add_argument("--threads", type=int, default=None,
                   help="compute threads per process (default: the cores / processes on this machine)")
    p.add_argument("--epochs", type=int, default=None, help="override the job's epochs")
    p.add_argument("--batch-size", type=int, default=None,
                   help="override the job's batch size (global: split over the processes)")
    p.add_argument("--cache-mb", type=float, default=2048,
                   help="memory per process for the frozen prefix's outputs (default 2048; 0: no cache)")
    p.add_argument("--reference-tolerance", type=float, default=None,
                   help=f"relative tolerance of the reference check (default {DEFAULT_TOLERANCE:g})")
    p.add_argument("--skip-reference-check", action="store_true",
                   help="train even without checking the rebuilt network (not recommended)")
    return p.parse_args(argv)


@dataclass
class Setup:
    """The network, the plan applied to it, and the classifier that trains."""

    net: TfjsNetwork
    groups: PlanGroups
    head: Head
    model: Classifier
    step_model: torch.nn.Module
    original: TfjsNetwork | None
    head_only: bool
    #: The outputs of the frozen prefix's boundary layers for this process's training
    #: images (empty: no cache, every epoch runs the whole network).
    prefix: PrefixValues


def start(args: argparse.Namespace, dist: Dist) -> Context:
    """Phase "start": the job (with the command line's overrides) and the output folder."""
    here = Path(__file__).resolve().parent.parent
    job = load_job(find_job(args.job, [Path.cwd(), here, here.parent]))
    if args.epochs is not None:
        job.params.epochs = max(1, args.epochs)
    if args.batch_size is not None:
        job.params.batch_size = max(1, args.batch_size)
    ctx = Context(args, dist, job, Path(args.out), time.perf_counter())
    torch.manual_seed(job.params.seed)
    ctx.threads = set_threads(args.threads)
    ctx.log(
        f"Thaw runner {__version__}: job \"{job.name}\" ({job.model_id or 'custom model'}), "
        f"{dist.world} process{'es' if dist.world > 1 else ''} on {dist.device.type}"
        f"{' (' + dist.backend + ')' if dist.backend else ''}, {ctx.threads} "
        f"thread{'s' if ctx.threads > 1 else ''} each; memory: {getattr(args, 'memory', 'system')}."
    )
    if dist.is_main:
        ctx.out.mkdir(parents=True, exist_ok=True)
        (ctx.out / "metrics.jsonl").write_text("", encoding="utf-8")
    return ctx


def build_network(ctx: Context) -> tuple[TfjsNetwork, ModelFiles]:
    """Phase "build network": the model up to the feature layer, on the process's device."""
    job = ctx.job
    net, files = load_network(job.model, job.feature_layer, job.input_size, job.channels)
    expected_input = (job.input_size, job.input_size, job.channels)
    if net.input_shape != expected_input:
        raise JobError(
            f"The model takes inputs of {'×'.join(map(str, net.input_shape))}, "
            f"the job says {'×'.join(map(str, expected_input))}."
        )
    return net.to(ctx.dist.device), files


def check_reference(ctx: Context, net: TfjsNetwork, files: ModelFiles) -> ReferenceResult | None:
    """Phase "check reference": the rebuilt network against the browser's outputs."""
    job, args, dist = ctx.job, ctx.args, ctx.dist
    if args.skip_reference_check:
        ctx.log("Reference check skipped (--skip-reference-check).")
        return None
    if not job.reference:
        ctx.log("The job has no reference outputs: the rebuilt network is not checked.")
        return None
    layer, ref_in, ref_out, ref_tol = load_reference(job.reference)
    tol = args.reference_tolerance or ref_tol or DEFAULT_TOLERANCE
    target = net
    if layer and net.graph.resolve(layer) != net.until:
        target = TfjsNetwork(net.graph, files.weights, layer, job.input_size, job.channels).to(dist.device)
    result = check(target, ref_in, ref_out, tol, dist.device)
    ctx.log(
        f"Reference check passed: {result.images} images at {result.layer}, "
        f"max |difference| {result.max_abs_diff:.2e} ({result.relative:.1e} of the output "
        f"scale; tolerance {tol:g})."
    )
    return result


def build_classifier(ctx: Context, net: TfjsNetwork, shards: Shards) -> tuple[Setup, torch.Tensor, torch.Tensor]:
    """Phase "build classifier": the plan applied, and a head scaled by the original network's
    features of the training images (returned too: a head alone trains on them)."""
    job, dist, params = ctx.job, ctx.dist, ctx.job.params
    modes = layer_modes(net, job.modes)
    trained = [n for n, m in net.named_layers() if m.weight_names and modes.get(n, "frozen") != "frozen"]
    head_only = not trained
    boundary = [] if head_only else cached_boundary(ctx, net, modes, shards)
    kept: dict[str, list[torch.Tensor]] = {n: [] for n in boundary}
    t_feat = time.perf_counter()
    clock: list[tuple[int, float]] = []
    train_f, train_y = shard_features(net, shards.train, ctx, shards, clock, kept)
    wall = time.perf_counter() - t_feat
    images, = dist.sum([float(len(train_f))])
    compute, wall = dist.max([sum(s for _, s in clock), wall])
    ctx.feature_pass = (int(images), compute, wall)
    ctx.feature_batches = dist.gather([[n, s] for n, s in clock])
    mean, std = standardization(train_f, dist)
    ctx.log(
        f"Features at {job.feature_layer}: {train_f.shape[1]} per image; "
        f"{'head only, computed once' if head_only else 'layers ' + ', '.join(trained) + ' trained'} "
        f"({wall:.1f} s for {int(images)} images, {compute:.1f} s of it in the network)."
    )
    original = copy_network(net) if params.distillation > 0 and not head_only else None
    groups = apply_plan(net, job.modes, params.batch_norm_training, params.seed)
    if groups.ignored:
        ctx.log(f"Ignored (after the feature layer): {', '.join(groups.ignored)}.")
    head = Head(int(train_f.shape[1]), len(job.class_names), mean, std, params.seed)
    model = Classifier(None if head_only else net, head).to(dist.device)
    step_model: torch.nn.Module = model
    if dist.active:
        # Buffers (BatchNorm moving statistics) are made rank 0's at the end of every epoch
        # (Dist.sync_buffers), before validation; rank 0's own never depend on the others', so
        # broadcasting them at every step as well would change nothing it computes.
        step_model = DistributedDataParallel(
            model, device_ids=[dist.device.index] if dist.device.type == "cuda" else None,
            broadcast_buffers=False,
        )
    prefix = joined(net, kept, ctx)
    return Setup(net, groups, head, model, step_model, original, head_only, prefix), train_f, train_y


def cached_boundary(ctx: Context, net: TfjsNetwork, modes: dict[str, str], shards: Shards) -> list[str]:
    """Where the frozen prefix ends, when its outputs are to be cached: the prefix is frozen
    (fixed weights, BatchNorm on moving statistics) and the runner reads no image twice
    differently (no augmentation), so each image's prefix outputs are the same every epoch.
    Not with distillation (the original network runs on the images), not when the prefix is
    only the input, nor when the cache would pass --cache-mb."""
    if ctx.job.params.distillation > 0:
        return []
    _, boundary = net.frozen_prefix(lambda n: mode_of(net, modes, n) == "frozen")
    if all(net.graph.find(n).class_name == "InputLayer" for n in boundary):
        return []
    per_image = net.bytes_per_image(boundary)
    need = per_image * (len(shards.train) + len(shards.validation) + 1)
    if need > ctx.args.cache_mb * 2**20:
        ctx.log(
            f"The frozen prefix's outputs ({per_image / 1024:.0f} KB an image) would need "
            f"{need / 2**20:.0f} MB, more than --cache-mb {ctx.args.cache_mb:g}: every epoch "
            "runs the whole network."
        )
        return []
    ctx.log(
        f"Frozen prefix cached at {', '.join(boundary)} ({per_image / 1024:.0f} KB an image, "
        f"{need / 2**20:.0f} MB): each epoch runs the trained layers only."
    )
    return boundary


def make_batches(ctx: Context, setup: Setup, shards: Shards, data: Data,
                 train_f: torch.Tensor, train_y: torch.Tensor) -> Batches:
    """Phase "make batches": cached features for a head alone, else images through the trained layers."""
    if setup.head_only:
        return feature_batches(ctx, setup.net, shards, train_f, train_y, len(data.split.train))
    if setup.prefix and len(data.split.train) >= ctx.dist.world:
        return prefix_batches(ctx, setup.net, shards, setup.prefix, train_y, len(data.split.train))
    return image_batch_source(ctx, shards, data.split.train)


def epoch_reporter(ctx: Context) -> Callable[[EpochRecord], None]:
    """Appends each epoch to metrics.jsonl and prints it (first process)."""
    epochs = ctx.job.params.epochs

    def on_epoch(r: EpochRecord) -> None:
        if not ctx.dist.is_main:
            return
        with (ctx.out / "metrics.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(r.metrics()) + "\n")
        print(
            f"epoch {r.epoch}/{epochs}: train loss {r.trainLoss:.4f} acc {r.trainAccuracy:.3f}"
            f" · val loss {r.valLoss:.4f} acc {r.valAccuracy:.3f} · {r.seconds:.1f} s",
            flush=True,
        )

    return on_epoch


def train_phase(ctx: Context, setup: Setup, batches: Batches, data: Data) -> tuple[TrainResult, float]:
    """Phase "train": the job's epochs; returns the result and the seconds it took."""
    params, groups, head = ctx.job.params, setup.groups, setup.head
    ctx.log(
        f"Training {groups.trainable_params + head.kernel.numel() + head.bias.numel()} parameters "
        f"({params.head} head, {params.optimizer}, {params.schedule} rate) for {params.epochs} epochs, "
        f"{batches.train.steps} steps each."
    )
    t_train = time.perf_counter()
    result = train(
        setup.model,
        setup.step_model,
        groups.fine_tune,
        groups.reinit,
        params,
        batches.train,
        batches.validation,
        ctx.dist,
        original=setup.original,
        on_epoch=epoch_reporter(ctx),
        has_validation=bool(data.split.validation),
    )
    return result, time.perf_counter() - t_train


def evaluate(ctx: Context, setup: Setup, batches: Batches, shards: Shards, data: Data,
             result: TrainResult, train_seconds: float) -> Outcome:
    """Phase "evaluate": predictions on the held-out split, from every process."""
    rows = gathered_predictions(setup.model, batches.evaluation(), ctx.dist)
    evaluation = evaluation_record(rows, shards.eval_name, ctx.job.class_names, data.paths)
    return Outcome(result, train_seconds, rows, evaluation)


def run(args: argparse.Namespace, dist: Dist) -> dict[str, Any]:
    """Every phase in order; returns run.json's record (empty on processes other than the first)."""
    ctx = start(args, dist)
    net, files = build_network(ctx)
    reference = check_reference(ctx, net, files)
    data = prepare_data(ctx)
    shards = make_shards(ctx, data)
    setup, train_f, train_y = build_classifier(ctx, net, shards)
    batches = make_batches(ctx, setup, shards, data, train_f, train_y)
    del train_f, train_y
    result, train_seconds = train_phase(ctx, setup, batches, data)
    outcome = evaluate(ctx, setup, batches, shards, data, result, train_seconds)
    record: dict[str, Any] = {}
    if dist.is_main:
        record = write_outputs(ctx, net, setup.head, setup.groups, data, reference, outcome)
    dist.barrier()
    return record


#: Words in the error a process gets when another one stopped in the middle of a collective.
LOST_PEER = ("Connection closed by peer", "Connection reset by peer", "Broken pipe", "NCCL communicator was aborted")


def describe(err: BaseException) -> str:
    """The cause of a crash in one line: the exception's type and first line; for an error
    re-raised from a data loading worker, the worker's own last line."""
    text = str(err).strip()
    if text.startswith("Caught ") and "Original Traceback" in text:
        return [line for line in text.splitlines() if line.strip()][-1].strip()
    first = text.splitlines()[0] if text else ""
    cause = f"{type(err).__name__}: {first}" if first else type(err).__name__
    if any(words in text for words in LOST_PEER):
        cause += " (another process stopped first: its own \"Thaw runner failed\" line names the cause)"
    return cause


def record_for_torchrun(err: BaseException) -> None:
    """Under torchrun, writes the error where its ChildFailedError summary reads it (what
    torch's `@record` does for an exception that escapes), so that summary names the cause
    and its traceback instead of "error_file: <N/A>"."""
    if os.environ.get("TORCHELASTIC_ERROR_FILE"):
        try:
            get_error_handler().record_exception(err)
        except Exception:  # noqa: BLE001 - the message on stderr is what matters
            pass


def main(argv: list[str] | None = None) -> int:
    """Exit status 0: done; 2: the job, model or data is wrong (one sentence on stderr);
    1: a crash, whose first stderr line is "Thaw runner failed on rank N: <cause>", then the
    traceback."""
    args = parse_args(argv)
    args.memory = configure_memory()
    rank = int(os.environ.get("RANK", "0"))
    dist: Dist | None = None
    try:
        dist = init_distributed(args.device)
        run(args, dist)
        return 0
    except ERRORS as err:
        world = dist.world if dist else int(os.environ.get("WORLD_SIZE", "1"))
        if rank == 0 or not isinstance(err, SHARED_ERRORS):
            prefix = f"[rank {rank}] " if world > 1 else ""
            print(f"{prefix}thaw runner: {err}", file=sys.stderr, flush=True)
        record_for_torchrun(err)
        return 2
    except Exception as err:  # noqa: BLE001 - a crash: its cause first, then where it happened
        print(f"Thaw runner failed on rank {rank}: {describe(err)}", file=sys.stderr, flush=True)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        record_for_torchrun(err)
        return 1
    finally:
        if dist is not None:
            dist.close()
