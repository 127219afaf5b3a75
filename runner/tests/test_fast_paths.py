"""The runner's CPU fast paths compute what the plain layer-by-layer network computes:
symmetric 'same' padding inside the convolution, in-place ReLU where nothing else reads the
input, frozen BatchNorm folded into its convolution, channels-last memory, and the frozen
prefix's cached outputs standing in for the images. Each is checked against the network with
the fast path switched off, in inference and in training (values and gradients)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import FIXTURES, RUNNER, make_images, make_job
from thaw_runner import native
from thaw_runner.tfjs_layers import Conv2D, DepthwiseConv2D, ReLU, same_padding
from thaw_runner.tfjs_model import TfjsNetwork, load_network, to_vectors

MOBILE = FIXTURES / "mobile" / "model.json"


def plain(net: TfjsNetwork) -> TfjsNetwork:
    """A copy with every fast path off: no folding, no in-place activations, NCHW memory."""
    slow = copy.deepcopy(net)
    slow.foldable = {}
    slow.padded_by = {}
    for _, m in slow.named_layers():
        if isinstance(m, ReLU):
            m.may_overwrite_input = False
        if hasattr(m, "act_fresh"):
            m.act_fresh = m.act
    slow.to(memory_format=torch.contiguous_format)
    return slow


def test_the_fixture_exercises_every_fast_path() -> None:
    net, _ = load_network(MOBILE)
    # stem (valid) reads the ZeroPadding2D; dw and project are read by their BatchNorm alone.
    assert net.foldable == {"stem": "stem_bn", "dw": "dw_bn", "project": "project_bn"}
    assert net.padded_by == {"stem": "pad"}  # ZeroPadding2D ((0, 1), (0, 1)) inside the stem
    # stem_relu's output goes to dw and to the residual add: its ReLU must not overwrite...
    assert net.layer("stem_relu").may_overwrite_input is True  # ...its own input stem_bn
    assert net.layer("dw").padding == "same" and net.layer("dw_s2").strides == (2, 2)
    assert net.layer("stem").kernel.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("size", [8, 9])
def test_same_padding_in_the_convolution_matches_explicit_padding(size: int) -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 4, size, size)
    for stride in (1, 2):
        cfg = {"kernel_size": [3, 3], "strides": [stride, stride], "padding": "same", "filters": 5}
        conv = Conv2D("c", "Conv2D", cfg, 4)
        dw = DepthwiseConv2D("d", "DepthwiseConv2D", {**cfg, "depth_multiplier": 2}, 4)
        for layer, kernel, groups in ((conv, "kernel", 1), (dw, "depthwise_kernel", 4)):
            with torch.no_grad():
                getattr(layer, kernel).normal_()
                layer.bias.normal_()
            top, bottom = same_padding(size, 3, stride)
            ref = torch.nn.functional.conv2d(
                torch.nn.functional.pad(x, (top, bottom, top, bottom)),
                getattr(layer, kernel), layer.bias, stride, 0, 1, groups,
            )
            torch.testing.assert_close(layer(x), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("extra", [(0, 1, 0, 1), (1, 0, 2, 0), (1, 1, 0, 2), (2, 2, 1, 1)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_zero_padding_inside_the_convolution_matches_a_padded_copy(extra: tuple[int, int, int, int], padding: str) -> None:
    torch.manual_seed(1)
    for size, stride in ((8, 2), (9, 2), (7, 1)):
        x = torch.randn(2, 4, size, size).contiguous(memory_format=torch.channels_last)
        cfg = {"kernel_size": [3, 3], "strides": [stride, stride], "padding": padding, "filters": 3}
        conv = Conv2D("c", "Conv2D", cfg, 4)
        with torch.no_grad():
            conv.kernel.normal_()
            conv.bias.normal_()
        ref = conv(torch.nn.functional.pad(x, extra))
        torch.testing.assert_close(conv(x, extra), ref, rtol=1e-5, atol=1e-5)


def test_inference_equals_the_plain_network_and_leaves_the_input_alone() -> None:
    net, _ = load_network(MOBILE, "gap")
    slow = plain(net)
    for m in (net, slow):
        m.eval()
        for p in m.parameters():
            p.requires_grad_(False)
    x = torch.rand(3, 8, 8, 3) * 2 - 1
    before = x.clone()
    with torch.no_grad():
        fast = net(x)
        torch.testing.assert_close(fast, slow(x), rtol=1e-5, atol=1e-5)
    assert torch.equal(x, before)
    with torch.inference_mode():
        torch.testing.assert_close(net(x), fast)


def test_training_folds_nothing_it_trains_and_matches_gradients() -> None:
    net, _ = load_network(MOBILE, "gap")
    # stem + stem_bn frozen (folded); dw trained (its BatchNorm not folded), project_bn in
    # batch-statistics mode (not folded: its moving statistics must update).
    for name, m in net.named_layers():
        for p in m.parameters():
            p.requires_grad_(name in ("dw", "project_bn", "sep"))
    net.layer("stem_bn").batch_stats = False
    net.layer("dw_bn").batch_stats = False
    slow = plain(net)
    net.train()
    slow.train()
    x = torch.rand(4, 8, 8, 3) * 2 - 1
    y_fast, y_slow = to_vectors(net(x)), to_vectors(slow(x))
    torch.testing.assert_close(y_fast, y_slow, rtol=1e-5, atol=1e-5)
    (y_fast ** 2).sum().backward()
    (y_slow ** 2).sum().backward()
    for (name, p), q in zip(net.named_parameters(), slow.parameters()):
        assert (p.grad is None) == (q.grad is None), name
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(net.layer("project_bn").moving_mean, slow.layer("project_bn").moving_mean)
    assert "stem" in net._folded and "dw" not in net._folded and "project" not in net._folded


def test_changed_frozen_weights_refold() -> None:
    net, _ = load_network(MOBILE, "gap")
    net.eval()
    x = torch.rand(2, 8, 8, 3)
    with torch.no_grad():
        net(x)
        net.layer("stem_bn").moving_variance.mul_(4.0)  # e.g. a restored best epoch
        torch.testing.assert_close(net(x), plain(net)(x), rtol=1e-5, atol=1e-5)


def test_cached_prefix_outputs_give_the_same_scores_and_gradients() -> None:
    net, _ = load_network(MOBILE, "gap")
    trained = {"sep", "dw_s2"}
    prefix, boundary = net.frozen_prefix(lambda n: n not in trained)
    assert boundary == ["add"] and "stem" in prefix and "sep" not in prefix
    for name, m in net.named_layers():
        for p in m.parameters():
            p.requires_grad_(name in trained)
        if hasattr(m, "batch_stats"):
            m.batch_stats = False  # frozen BatchNorm: moving statistics (as apply_plan sets)
    x = torch.rand(5, 8, 8, 3) * 2 - 1
    net.eval()
    with torch.no_grad():
        out, kept = net.run(x, boundary)
        _, only = net.run(x, boundary, output=False)
    torch.testing.assert_close(only["add"], kept["add"])
    net.train()
    a = to_vectors(net(x))
    b = to_vectors(net(kept))
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(a, to_vectors(out))
    ga = torch.autograd.grad(a.square().sum(), net.layer("sep").pointwise_kernel)[0]
    gb = torch.autograd.grad(b.square().sum(), net.layer("sep").pointwise_kernel)[0]
    torch.testing.assert_close(ga, gb)


def test_threads_are_the_cores_over_the_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "usable_cores", lambda: 8)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    assert native.default_threads() == 4
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "16")
    assert native.default_threads() == 1
    before = torch.get_num_threads()
    try:
        assert native.set_threads(3) == 3 and torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


def test_a_run_caches_the_frozen_prefix_unless_told_not_to(tmp_path: Path) -> None:
    data = make_images(tmp_path / "data")
    runs = {}
    for cache in ("2048", "0"):
        job = make_job(tmp_path / f"job{cache}", modes={"conv2": "fine-tune", "bn1": "frozen"}, epochs=3)
        out = tmp_path / f"out{cache}"
        proc = subprocess.run(
            [sys.executable, str(RUNNER / "train.py"), "--job", str(job), "--data", str(data),
             "--out", str(out), "--cache-mb", cache, "--workers", "0"],
            capture_output=True, text=True, timeout=240, env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        runs[cache] = (proc.stdout, json.loads((out / "run.json").read_text()))
    cached, uncached = runs["2048"], runs["0"]
    assert "Frozen prefix cached at" in cached[0] and "Frozen prefix cached" not in uncached[0]
    assert "would need" in uncached[0]
    for stdout, run in (cached, uncached):
        h = run["history"]
        assert len(h) == 3 and h[-1]["trainLoss"] < h[0]["trainLoss"], stdout
        t = run["timings"]
        assert t["threads"] >= 1 and t["featureImages"] == run["dataset"]["split"]["train"]
        assert 0 < t["featureComputeSeconds"] <= t["featureSeconds"]
        # train.py restarts itself with glibc's huge-page tunable where glibc and the kernel allow it.
        assert t["memory"] == ("huge pages" if native.huge_pages_possible() else "kept"), t
    # Same images, same start: the first epoch's validation on the untrained network's
    # prefix agrees (the order of the training batches differs, so later epochs may not).
    assert cached[1]["evaluation"]["split"] == uncached[1]["evaluation"]["split"]


def test_a_trained_convolution_after_zero_padding_gets_the_plain_gradient() -> None:
    net, _ = load_network(MOBILE, "gap")
    for name, m in net.named_layers():
        for p in m.parameters():
            p.requires_grad_(name == "stem")
        if hasattr(m, "batch_stats"):
            m.batch_stats = False
    slow = plain(net)
    x = torch.rand(3, 8, 8, 3) * 2 - 1
    g_fast = torch.autograd.grad(to_vectors(net(x)).square().sum(), net.layer("stem").kernel)[0]
    g_slow = torch.autograd.grad(to_vectors(slow(x)).square().sum(), slow.layer("stem").kernel)[0]
    torch.testing.assert_close(g_fast, g_slow, rtol=1e-4, atol=1e-5)
    assert "stem" not in net._folded


def test_the_huge_page_tunable_is_added_to_the_users_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    assert not native.huge_pages_on()
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")
    assert native.huge_pages_on()
    monkeypatch.setenv("THAW_RUNNER_SYSTEM_MALLOC", "1")
    assert not native.huge_pages_possible()
