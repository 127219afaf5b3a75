"""Phase "prepare data": the folder's files sorted into the job's classes, each image checked
once (by one process, through the same decoding as training), the unusable ones listed with
their reason, and the studio's seeded split. Every process ends with the same lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .context import Context, DataError
from .data import Skipped, Split, check_image, scan_folder, stratified_split
from .distributed import Dist, shard
from .job import Job

#: Skipped files named one by one in the run's output; the rest are counted (all are in run.json).
SHOWN_SKIPPED = 20


@dataclass
class Data:
    root: Path
    paths: list[str]
    labels: list[int]
    skipped: list[Skipped]
    counts: dict[str, int]
    split: Split


def checked_files(data: Path, job: Job, dist: Dist) -> tuple[list[str], list[str], list[Skipped]]:
    """(paths, class names, skipped) of the usable images. Rank 0 lists the folder; each
    process decodes its share; the verdicts are gathered, so every process keeps the same
    files whatever happens to one file."""
    scan = scan_folder(data, job.decode.extensions) if dist.is_main else None
    scan = dist.broadcast(scan)
    assert scan is not None
    mine = shard(list(range(len(scan.samples))), dist.rank, dist.world)
    reasons = {i: check_image(data / scan.samples[i].path, job.decode.min_side, job.input_size) for i in mine}
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
    skipped.sort(key=lambda s: s.path)
    return paths, names, skipped


def match_classes(data: Path, names: list[str], class_names: list[str]) -> None:
    """Raises DataError unless the folder's classes are the job's."""
    found = list(dict.fromkeys(names))
    extra = [c for c in found if c not in class_names]
    missing = [c for c in class_names if c not in found]
    if not extra and not missing:
        return
    parts = []
    if extra:
        parts.append(f"class folders the job does not have: {', '.join(extra)}")
    if missing:
        parts.append(f"no usable images for the job's classes: {', '.join(missing)}")
    raise DataError(
        f"The data folder {data} does not match the job's classes "
        f"({', '.join(class_names)}): {'; '.join(parts)}."
    )


def skipped_lines(skipped: list[Skipped], shown: int = SHOWN_SKIPPED) -> list[str]:
    """The run's output about skipped files: one line each, up to `shown`."""
    if not skipped:
        return []
    lines = [f"Skipped {len(skipped)} file{'s' if len(skipped) != 1 else ''}:"]
    lines += [f"  {s.path}: {s.reason}" for s in skipped[:shown]]
    if len(skipped) > shown:
        lines.append(f"  … and {len(skipped) - shown} more (all in skipped.json and run.json).")
    return lines


def prepare_data(ctx: Context) -> Data:
    job, dist = ctx.job, ctx.dist
    data = Path(ctx.args.data)
    paths, names, skipped = checked_files(data, job, dist)
    match_classes(data, names, job.class_names)
    labels = [job.class_names.index(n) for n in names]
    counts = {c: names.count(c) for c in job.class_names}
    if dist.is_main:
        (ctx.out / "skipped.json").write_text(json.dumps([s.to_json() for s in skipped], indent=1), encoding="utf-8")
    params = job.params
    split = stratified_split(labels, params.validation_fraction, params.seed, params.test_fraction)
    if len(split.train) < dist.world:
        raise DataError(f"{len(split.train)} training images for {dist.world} processes: each needs at least one.")
    for line in skipped_lines(skipped):
        ctx.log(line)
    ctx.log(
        f"Data: {len(paths)} images in {len(job.class_names)} classes "
        f"({', '.join(f'{c} {n}' for c, n in counts.items())}), {len(skipped)} skipped "
        f"(see skipped.json); split {len(split.train)} train / {len(split.validation)} validation / "
        f"{len(split.test)} test."
    )
    return Data(data, paths, labels, skipped, counts, split)
