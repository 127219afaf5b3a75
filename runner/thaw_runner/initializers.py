"""Keras/tfjs weight initializers, for re-initialised layers: fresh values in tfjs shapes,
drawn from a seeded generator (same seed → same weights on every process)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

#: Initializer config key of each Keras weight, and the default when the config has none.
FIELDS: dict[str, tuple[str, str]] = {
    "kernel": ("kernel_initializer", "GlorotUniform"),
    "bias": ("bias_initializer", "Zeros"),
    "depthwise_kernel": ("depthwise_initializer", "GlorotUniform"),
    "pointwise_kernel": ("pointwise_initializer", "GlorotUniform"),
    "gamma": ("gamma_initializer", "Ones"),
    "beta": ("beta_initializer", "Zeros"),
    "moving_mean": ("moving_mean_initializer", "Zeros"),
    "moving_variance": ("moving_variance_initializer", "Ones"),
}

_PRESETS = {
    "glorotuniform": (1.0, "fan_avg", "uniform"),
    "glorotnormal": (1.0, "fan_avg", "truncated_normal"),
    "heuniform": (2.0, "fan_in", "uniform"),
    "henormal": (2.0, "fan_in", "truncated_normal"),
    "lecununiform": (1.0, "fan_in", "uniform"),
    "lecunnormal": (1.0, "fan_in", "truncated_normal"),
}


def fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """tfjs `computeFans`: dense [in, out]; conv [..spatial, in, out] with the receptive field."""
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    rf = math.prod(shape[:-2])
    return float(shape[-2] * rf), float(shape[-1] * rf)


def _truncated_normal(shape: tuple[int, ...], mean: float, std: float,
                      gen: torch.Generator) -> torch.Tensor:
    x = torch.randn(shape, generator=gen)
    bad = x.abs() > 2
    while bool(bad.any()):
        x[bad] = torch.randn(int(bad.sum()), generator=gen)
        bad = x.abs() > 2
    return x * std + mean


def _variance_scaling(shape: tuple[int, ...], scale: float, mode: str, distribution: str,
                      gen: torch.Generator) -> torch.Tensor:
    fan_in, fan_out = fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out}.get(mode, (fan_in + fan_out) / 2)
    s = scale / max(1.0, n)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * s)
        return (torch.rand(shape, generator=gen) * 2 - 1) * limit
    if distribution == "untruncated_normal":
        return torch.randn(shape, generator=gen) * math.sqrt(s)
    # 'normal' / 'truncated_normal': tfjs draws a truncated normal with stddev √s.
    return _truncated_normal(shape, 0.0, math.sqrt(s), gen)


def initial_value(spec: Any, shape: tuple[int, ...], gen: torch.Generator) -> np.ndarray:
    """A fresh value for one weight from a Keras initializer spec ({class_name, config} or a name)."""
    if isinstance(spec, str):
        name, cfg = spec, {}
    elif isinstance(spec, dict):
        name, cfg = str(spec.get("class_name", "")), dict(spec.get("config") or {})
    else:
        name, cfg = "GlorotUniform" if len(shape) > 1 else "Zeros", {}
    key = name.replace("_", "").lower()
    if key == "zeros":
        t = torch.zeros(shape)
    elif key == "ones":
        t = torch.ones(shape)
    elif key == "constant":
        t = torch.full(shape, float(cfg.get("value", 0.0)))
    elif key == "randomnormal":
        t = torch.randn(shape, generator=gen) * float(cfg.get("stddev", 0.05)) + float(
            cfg.get("mean", 0.0)
        )
    elif key == "randomuniform":
        lo, hi = float(cfg.get("minval", -0.05)), float(cfg.get("maxval", 0.05))
        t = torch.rand(shape, generator=gen) * (hi - lo) + lo
    elif key == "truncatednormal":
        t = _truncated_normal(shape, float(cfg.get("mean", 0.0)), float(cfg.get("stddev", 0.05)), gen)
    elif key == "variancescaling":
        t = _variance_scaling(
            shape,
            float(cfg.get("scale", 1.0)),
            str(cfg.get("mode", "fan_in")),
            str(cfg.get("distribution", "truncated_normal")),
            gen,
        )
    elif key in _PRESETS:
        scale, mode, dist = _PRESETS[key]
        t = _variance_scaling(shape, scale, mode, dist, gen)
    else:  # Orthogonal, Identity, unknown: Glorot for matrices, zeros for vectors.
        t = (
            _variance_scaling(shape, 1.0, "fan_avg", "uniform", gen)
            if len(shape) > 1
            else torch.zeros(shape)
        )
    return t.numpy().astype(np.float32)


def reinit_value(short: str, config: dict[str, Any], shape: tuple[int, ...],
                 gen: torch.Generator) -> np.ndarray:
    """A fresh value for weight `short` of a layer with Keras `config`."""
    field, default = FIELDS.get(short, ("", "GlorotUniform" if len(shape) > 1 else "Zeros"))
    spec = config.get(field) if field else None
    return initial_value(spec if spec is not None else default, shape, gen)
