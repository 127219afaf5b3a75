"""The run's phases one at a time (one process), and how a crash is reported: its cause on
the first line of stderr, in one process and under torchrun."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image

from conftest import RUNNER, make_images, make_job
from thaw_runner.batches import make_shards
from thaw_runner.context import DataError
from thaw_runner.data import Skipped
from thaw_runner.distributed import Dist
from thaw_runner.prepare import match_classes, prepare_data, skipped_lines
from thaw_runner.run import (
    build_classifier,
    build_network,
    check_reference,
    describe,
    make_batches,
    parse_args,
    start,
)

DIST = Dist(rank=0, world=1, local_rank=0, device=torch.device("cpu"), backend=None)


def _context(tmp_path: Path, **params: object):  # type: ignore[no-untyped-def]
    data = make_images(tmp_path / "data", per_class=8)
    Image.new("RGB", (3, 30)).save(data / "red" / "thin.png")
    (data / "blue" / "cut.png").write_bytes((data / "blue" / "img0.png").read_bytes()[:60])
    job = make_job(tmp_path / "job", **params)
    args = parse_args(["--job", str(job), "--data", str(data), "--out", str(tmp_path / "out"), "--workers", "0"])
    return start(args, DIST)


def test_phases_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = _context(tmp_path)
    assert (ctx.out / "metrics.jsonl").read_text() == ""
    net, files = build_network(ctx)
    reference = check_reference(ctx, net, files)
    assert reference is not None and reference.images == 3
    data = prepare_data(ctx)
    assert len(data.paths) == 16 and data.counts == {"blue": 8, "red": 8}
    assert [s.path for s in data.skipped] == ["blue/cut.png", "red/thin.png"]
    assert re.fullmatch(r"corrupt or unreadable image \(a \d+×\d+ PNG that is damaged or cut short\)", data.skipped[0].reason)
    assert data.skipped[1].reason == "too small (3×30; at least 8×8)"
    assert json.loads((ctx.out / "skipped.json").read_text()) == [s.to_json() for s in data.skipped]
    out = capsys.readouterr().out
    assert "Skipped 2 files:\n  blue/cut.png: corrupt or unreadable image (a " in out
    assert "  red/thin.png: too small (3×30; at least 8×8)\n" in out
    shards = make_shards(ctx, data)
    assert sorted(shards.train + shards.validation + shards.evaluation) == list(range(16))
    setup, train_f, train_y = build_classifier(ctx, net, shards)
    assert setup.head_only and train_f.shape == (len(shards.train), train_f.shape[1]) and len(train_y) == len(shards.train)
    batches = make_batches(ctx, setup, shards, data, train_f, train_y)
    assert batches.train.steps == -(-len(shards.train) // ctx.job.params.batch_size)
    x, y, index = next(iter(batches.evaluation()))
    assert index.tolist() == shards.evaluation and x.shape[1] == train_f.shape[1]


def test_skipped_lines_name_each_file_up_to_a_limit() -> None:
    assert skipped_lines([]) == []
    many = [Skipped(f"a/{i}.png", "empty file") for i in range(25)]
    lines = skipped_lines(many, shown=20)
    assert lines[0] == "Skipped 25 files:" and lines[1] == "  a/0.png: empty file"
    assert len(lines) == 22 and lines[-1] == "  … and 5 more (all in skipped.json and run.json)."
    assert skipped_lines(many[:1]) == ["Skipped 1 file:", "  a/0.png: empty file"]


def test_match_classes() -> None:
    match_classes(Path("d"), ["a", "b", "a"], ["a", "b"])
    with pytest.raises(DataError, match="class folders the job does not have: c; no usable images for the job's classes: b"):
        match_classes(Path("d"), ["a", "c"], ["a", "b"])


def test_describe_names_the_cause() -> None:
    assert describe(FileExistsError(17, "File exists")) == "FileExistsError: [Errno 17] File exists"
    worker = RuntimeError(
        "Caught RuntimeError in DataLoader worker process 0.\nOriginal Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\nRuntimeError: Could not decode a/grapes.png during training\n'
    )
    assert describe(worker) == "RuntimeError: Could not decode a/grapes.png during training"
    peer = describe(RuntimeError("[../gloo/transport/tcp/pair.cc:598] Connection closed by peer [127.0.0.1]:1"))
    assert peer.startswith("RuntimeError: [../gloo") and "another process stopped first" in peer


def _crash_command(tmp_path: Path) -> list[str]:
    """A job whose --out is an existing file: the output folder cannot be made."""
    data = make_images(tmp_path / "data", per_class=4)
    job = make_job(tmp_path / "job")
    (tmp_path / "out").write_text("a file, not a folder")
    return [str(RUNNER / "train.py"), "--job", str(job), "--data", str(data), "--out", str(tmp_path / "out")]


def test_a_crash_names_its_cause_first(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, *_crash_command(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("Thaw runner failed on rank 0: FileExistsError: [Errno 17] File exists: "), lines[0]
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1].startswith("FileExistsError:")


def test_a_crash_under_torchrun_names_its_cause_first_and_in_the_summary(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--redirects", "1", "--tee", "1", "--standalone",
           "--nproc_per_node=2", *_crash_command(tmp_path)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode != 0
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("Thaw runner failed on rank 0: FileExistsError: [Errno 17] File exists: "), proc.stderr
    # The other process lost its peer, and says so.
    assert any(
        line.startswith("Thaw runner failed on rank 1: ") and "another process stopped first" in line for line in lines
    ), proc.stderr
    # torchrun's ChildFailedError summary shows the cause, not "error_file: <N/A>".
    summary = proc.stderr[proc.stderr.index("Root Cause"):]
    assert "FileExistsError: [Errno 17] File exists" in summary and "<N/A>" not in summary
