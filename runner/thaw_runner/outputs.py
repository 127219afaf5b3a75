"""Phase "write outputs" (first process only): the trained classifier as a tfjs model, the
predictions, and run.json — the record the studio imports."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import torch

from . import __version__
from .context import Context
from .evaluation import Row
from .export import export_classifier, write_run
from .plan import PlanGroups
from .prepare import Data
from .reference import ReferenceResult
from .tfjs_model import TfjsNetwork
from .train_loop import Head, TrainResult


@dataclass
class Outcome:
    """What training and evaluation produced."""

    result: TrainResult
    train_seconds: float
    rows: list[Row]
    evaluation: dict[str, Any]


def predictions_json(rows: list[Row], paths: list[str], classes: list[str]) -> list[dict[str, Any]]:
    return [
        {"path": paths[i], "trueClass": classes[t], "predictedClass": classes[p],
         "probabilities": [round(v, 6) for v in pr]}
        for i, t, p, pr in rows
    ]


def run_record(ctx: Context, net: TfjsNetwork, groups: PlanGroups, data: Data,
               reference: ReferenceResult | None, outcome: Outcome) -> dict[str, Any]:
    job, params, dist = ctx.job, ctx.job.params, ctx.dist
    result, evaluation = outcome.result, outcome.evaluation
    weighted = {n: groups.modes[n] for n, m in net.named_layers() if m.weight_names}
    split = data.split
    return {
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
        "testAccuracy": evaluation["accuracy"] if evaluation["split"] == "test" else None,
        "layers": {
            "weighted": len(weighted),
            "frozen": sum(1 for m in weighted.values() if m == "frozen"),
            "fineTuned": sum(1 for m in weighted.values() if m == "fine-tune"),
            "reinitialized": sum(1 for m in weighted.values() if m == "reinit"),
        },
        "evaluation": evaluation,
        "dataset": {
            "images": len(data.paths),
            "classes": [{"name": c, "count": n} for c, n in data.counts.items()],
            "skipped": len(data.skipped),
            "split": {"train": len(split.train), "validation": len(split.validation), "test": len(split.test)},
        },
        # The files left out, as the studio's Skipped files list shows them.
        "skipped": [s.to_json() for s in data.skipped],
        "reference": reference.to_json() if reference else None,
        "trainableParams": groups.trainable_params,
        "timings": {
            "seconds": time.perf_counter() - ctx.t0,
            "trainSeconds": outcome.train_seconds,
            "epochSeconds": [r.seconds for r in result.history],
            "processes": dist.world,
            "threads": ctx.threads,
            "memory": getattr(ctx.args, "memory", "system"),
            # The training images' feature pass: every process's images, the slowest
            # process's seconds in the network and in all (decoding included).
            "featureImages": ctx.feature_pass[0],
            "featureComputeSeconds": ctx.feature_pass[1],
            "featureSeconds": ctx.feature_pass[2],
            "featureBatches": ctx.feature_batches,
            "device": dist.device.type,
            "backend": dist.backend,
        },
        "runner": {"version": __version__, "torch": torch.__version__},
    }


def write_outputs(ctx: Context, net: TfjsNetwork, head: Head, groups: PlanGroups, data: Data,
                  reference: ReferenceResult | None, outcome: Outcome) -> dict[str, Any]:
    """Writes model/, predictions.json and run.json; returns the run record."""
    out, job = ctx.out, ctx.job
    export_classifier(out / "model", net, head)
    (out / "predictions.json").write_text(
        json.dumps(predictions_json(outcome.rows, data.paths, job.class_names), indent=1), encoding="utf-8"
    )
    record = run_record(ctx, net, groups, data, reference, outcome)
    write_run(out / "run.json", record)
    acc = outcome.evaluation["accuracy"]
    ctx.log(
        f"Done: {outcome.evaluation['split']} accuracy {acc:.3f} on {len(outcome.rows)} images"
        if acc is not None
        else "Done (no images to evaluate)."
    )
    ctx.log(f"Wrote {out / 'model' / 'model.json'}, {out / 'run.json'}, {out / 'metrics.jsonl'}.")
    return record
