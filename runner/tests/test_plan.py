"""The plan → trainable parameters, BatchNorm modes, re-initialisation and optimizer groups."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from conftest import FIXTURES
from thaw_runner.job import Params
from thaw_runner.plan import PlanError, apply_plan
from thaw_runner.tfjs_layers import BatchNormalization
from thaw_runner.tfjs_model import load_network
from thaw_runner.train_loop import Head, make_optimizer

MODES = {
    "dw": "fine-tune",
    "dw_bn": "fine-tune",
    "project": "reinit",
    "project_bn": "reinit",
    "gap": "fine-tune",  # no weights: always frozen
    "logits": "fine-tune",  # after the feature layer: dropped, ignored
}


def _net():  # type: ignore[no-untyped-def]
    net, files = load_network(FIXTURES / "mobile" / "model.json", "gap")
    return net, files.weights


def test_groups_and_requires_grad() -> None:
    net, _ = _net()
    g = apply_plan(net, MODES, seed=3)
    assert g.fine_tune_names == ["dw/depthwise_kernel", "dw_bn/gamma", "dw_bn/beta"]
    # project_bn has center=false: no beta.
    assert g.reinit_names == ["project/kernel", "project/bias", "project_bn/gamma"]
    assert g.ignored == ["logits"]
    assert g.modes["gap"] == "frozen" and g.modes["stem"] == "frozen"
    trainable = {id(p) for p in net.parameters() if p.requires_grad}
    assert trainable == {id(p) for p in [*g.fine_tune, *g.reinit]}
    assert g.trainable_params == sum(p.numel() for p in [*g.fine_tune, *g.reinit])
    assert not g.head_only
    assert apply_plan(_net()[0], {}).head_only


def test_batchnorm_modes() -> None:
    net, _ = _net()
    apply_plan(net, MODES)
    bn = {n: m.batch_stats for n, m in net.named_layers() if isinstance(m, BatchNormalization)}
    assert bn == {"stem_bn": False, "dw_bn": False, "project_bn": True}
    net2, _ = _net()
    apply_plan(net2, MODES, batch_norm_training=True)
    assert net2.layer("dw_bn").batch_stats is True and net2.layer("stem_bn").batch_stats is False


def test_frozen_batchnorm_keeps_its_statistics_in_training() -> None:
    net, _ = _net()
    apply_plan(net, MODES)
    before = {n: net.layer(n).moving_mean.clone() for n in ("stem_bn", "dw_bn", "project_bn")}
    net.train()
    net(torch.rand(4, 8, 8, 3)).sum().backward()
    assert torch.equal(net.layer("stem_bn").moving_mean, before["stem_bn"])
    assert torch.equal(net.layer("dw_bn").moving_mean, before["dw_bn"])
    assert not torch.equal(net.layer("project_bn").moving_mean, before["project_bn"])
    assert net.layer("stem").kernel.grad is None  # frozen: no gradient
    assert net.layer("dw").depthwise_kernel.grad is not None


def test_reinit_layers_get_fresh_weights() -> None:
    net, weights = _net()
    apply_plan(net, MODES, seed=5)
    project = net.layer("project")
    k = project.export_tfjs("kernel")
    assert not np.allclose(k, weights["project/kernel"])
    # The layer's own initializer (tfjs' conv default, Glorot normal): VarianceScaling
    # fan_avg 'normal' = a normal with σ = √(1 / ((12 + 6) / 2)), truncated at 2σ.
    sigma = np.sqrt(1 / ((12 + 6) / 2))
    assert np.abs(k).max() <= 2 * sigma
    assert 0.6 * sigma < k.std() < 1.1 * sigma
    np.testing.assert_array_equal(project.export_tfjs("bias"), np.zeros(6))
    bn = net.layer("project_bn")
    np.testing.assert_array_equal(bn.export_tfjs("gamma"), np.ones(6))
    np.testing.assert_array_equal(bn.export_tfjs("moving_mean"), np.zeros(6))
    np.testing.assert_array_equal(bn.export_tfjs("moving_variance"), np.ones(6))
    # Fine-tuned and frozen layers keep their pretrained weights.
    np.testing.assert_array_equal(net.layer("dw").export_tfjs("depthwise_kernel"), weights["dw/depthwise_kernel"])
    np.testing.assert_array_equal(net.layer("stem").export_tfjs("kernel"), weights["stem/kernel"])
    # Same seed → same fresh weights (every process of a distributed run agrees).
    net2, _ = _net()
    apply_plan(net2, MODES, seed=5)
    np.testing.assert_array_equal(net2.layer("project").export_tfjs("kernel"), k)


def test_unknown_layer_is_refused() -> None:
    net, _ = _net()
    with pytest.raises(PlanError, match="does not have: nope"):
        apply_plan(net, {"nope": "fine-tune"})


def test_optimizer_groups_use_the_two_rates() -> None:
    net, _ = _net()
    g = apply_plan(net, MODES)
    head = Head(4, 3, torch.zeros(4), torch.ones(4), seed=0)
    params = Params(learning_rate=1e-2, fine_tune_learning_rate=1e-4)
    opt = make_optimizer(head, g.fine_tune, g.reinit, params)
    fast, slow = opt.param_groups
    assert fast["lr"] == 1e-2 and slow["lr"] == 1e-4
    assert [id(p) for p in fast["params"]] == [id(p) for p in [head.kernel, head.bias, *g.reinit]]
    assert [id(p) for p in slow["params"]] == [id(p) for p in g.fine_tune]
    assert isinstance(opt, torch.optim.Adam) and opt.defaults["eps"] == 1e-7
    sgd = make_optimizer(head, [], [], Params(optimizer="sgd"))
    assert isinstance(sgd, torch.optim.SGD) and len(sgd.param_groups) == 1
    assert sgd.defaults["momentum"] == 0.9


def test_a_mode_on_a_nested_model_applies_to_its_layers() -> None:
    # The studio lists a nested model (Teachable Machine layout) as one layer.
    net, _ = load_network(FIXTURES / "nested" / "model.json", "body")
    g = apply_plan(net, {"body": "fine-tune", "tm_bn": "frozen"})
    assert g.fine_tune_names == ["tm_conv/kernel", "tm_conv/bias"]
    assert g.modes["tm_bn"] == "frozen"
    net2, _ = load_network(FIXTURES / "nested" / "model.json", "body")
    g2 = apply_plan(net2, {"tm": "reinit"})  # the outer model itself
    assert g2.reinit_names == ["tm_conv/kernel", "tm_conv/bias", "tm_bn/gamma", "tm_bn/beta"]
