"""PyTorch modules for the Keras layer types the studio can train.

Layout: tfjs tensors are channels-last (NHWC). Inside the network every rank-4 tensor is
kept NCHW (what PyTorch's convolutions want); rank-2 and rank-3 tensors keep the tfjs
layout. Layers whose meaning depends on the layout (Flatten, Reshape, Concatenate, Dense on
a feature map, softmax) convert explicitly, so the numbers match tfjs.

Every layer with weights exposes them under their Keras short names (`kernel`, `bias`,
`depthwise_kernel`, `gamma`, …) in tfjs shapes, through `load_tfjs`/`export_tfjs`.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn


class UnsupportedLayerError(ValueError):
    """A layer the runner cannot rebuild, named with its class."""


def _pair(value: Any, default: int = 1) -> tuple[int, int]:
    if value is None:
        return (default, default)
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return (int(value[0]), int(value[0]))
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's 'same' padding along one axis: (before, after); the extra pixel goes after."""
    effective = (kernel - 1) * dilation + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _same_pad_2d(x: Tensor, kernel: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int] = (1, 1), value: float = 0.0) -> Tensor:
    top, bottom = same_padding(x.shape[2], kernel[0], stride[0], dilation[0])
    left, right = same_padding(x.shape[3], kernel[1], stride[1], dilation[1])
    if top == bottom == left == right == 0:
        return x
    return F.pad(x, (left, right, top, bottom), value=value)


def _conv_padding(x: Tensor, kernel: Tensor, padding: str, size: tuple[int, int],
                  stride: tuple[int, int], dilation: tuple[int, int],
                  extra: tuple[int, int, int, int] | None = None) -> tuple[Tensor, Tensor, tuple[int, int]]:
    """The input, kernel and padding argument for F.conv2d, for `padding` ('same'/'valid')
    after an optional ZeroPadding2D's `extra` (left, right, top, bottom) padding.

    Symmetric padding is left to the convolution (no padded copy of the input). TF's
    asymmetric case (the odd pixel after: MobileNet's stride-2 layers) becomes symmetric
    padding of max(before, after) with the kernel extended by zero rows/columns on the
    side that has less padding: every output reads the same pixels with the same weights
    (the extra taps read padding or multiply by zero), so the result is exactly the padded
    convolution's, without copying the input (for a channels-last tensor a padded copy
    costs more than the convolution itself). With dilation the input is padded instead."""
    left, right, top, bottom = extra or (0, 0, 0, 0)
    if padding == "same":
        h_pad = same_padding(x.shape[2] + top + bottom, size[0], stride[0], dilation[0])
        w_pad = same_padding(x.shape[3] + left + right, size[1], stride[1], dilation[1])
        top, bottom = top + h_pad[0], bottom + h_pad[1]
        left, right = left + w_pad[0], right + w_pad[1]
    if top == bottom and left == right:
        return x, kernel, (top, left)
    if dilation != (1, 1):
        return F.pad(x, (left, right, top, bottom)), kernel, (0, 0)
    # Zero taps: before the kernel where the padding after is larger, else after it.
    kernel = F.pad(kernel, (max(right - left, 0), max(left - right, 0),
                            max(bottom - top, 0), max(top - bottom, 0)))
    return x, kernel, (max(top, bottom), max(left, right))


def _nchw_axis(axis: int, rank: int) -> int:
    """A tfjs (channels-last) axis → the axis of the same dimension in the internal layout."""
    a = axis + rank if axis < 0 else axis
    if rank == 4:
        return {0: 0, 1: 2, 2: 3, 3: 1}[a]
    return a


def to_tfjs_layout(x: Tensor) -> Tensor:
    """Internal layout → tfjs layout (NCHW → NHWC for rank 4)."""
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def from_tfjs_layout(x: Tensor) -> Tensor:
    """tfjs layout → internal layout (NHWC → NCHW for rank 4). The NCHW tensor is stored
    channels-last (PyTorch's `channels_last` memory format): for an NHWC tensor this is a view,
    not a copy, and it is the memory format oneDNN's CPU convolutions run fastest in."""
    return x.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x


def _softmax(x: Tensor) -> Tensor:
    return torch.softmax(x, dim=1 if x.dim() == 4 else -1)


ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "linear": lambda x: x,
    "relu": F.relu,
    "relu6": lambda x: torch.clamp(x, 0.0, 6.0),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": _softmax,
    "elu": F.elu,
    "selu": F.selu,
    "softplus": F.softplus,
    "softsign": F.softsign,
    "hard_sigmoid": lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0),
    "swish": F.silu,
    "silu": F.silu,
}


#: In-place versions, used where nothing else reads the input and autograd does not need it.
INPLACE_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "linear": lambda x: x,
    "relu": torch.relu_,
    "relu6": lambda x: torch.clamp_(x, 0.0, 6.0),
}


def no_grad_needed(x: Tensor) -> bool:
    """True when autograd records nothing for an op on `x` (inference, or a frozen part)."""
    return not (torch.is_grad_enabled() and x.requires_grad)


def fresh_activation(name: str | None) -> Callable[[Tensor], Tensor]:
    """The activation applied to a tensor the layer has just computed itself (a convolution's
    output): in place when autograd records nothing, out of place otherwise."""
    key = (name or "linear").lower()
    out_of_place = ACTIVATIONS[key]
    in_place = INPLACE_ACTIVATIONS.get(key)
    if in_place is None:
        return out_of_place
    return lambda x: in_place(x) if no_grad_needed(x) else out_of_place(x)


def activation(name: str | None, layer: str) -> Callable[[Tensor], Tensor]:
    key = (name or "linear").lower()
    if key not in ACTIVATIONS:
        raise UnsupportedLayerError(
            f'Layer "{layer}" uses the activation "{name}", which the runner cannot map '
            f"(supported: {', '.join(sorted(ACTIVATIONS))})."
        )
    return ACTIVATIONS[key]


class TfjsLayer(nn.Module):
    """Base: a Keras layer with its name, class and tfjs-named weights."""

    #: Keras short names of the weights, in Keras order.
    weight_names: tuple[str, ...] = ()

    def __init__(self, name: str, class_name: str) -> None:
        super().__init__()
        self.layer_name = name
        self.class_name = class_name

    def tensor_of(self, short: str) -> Tensor:
        return getattr(self, short)

    def to_torch(self, short: str, value: np.ndarray) -> np.ndarray:
        return value

    def to_tfjs(self, short: str, value: np.ndarray) -> np.ndarray:
        return value

    def tfjs_shape(self, short: str) -> tuple[int, ...]:
        return tuple(self.export_tfjs(short).shape)

    def load_tfjs(self, short: str, value: np.ndarray) -> None:
        target = self.tensor_of(short)
        arr = self.to_torch(short, np.asarray(value, dtype=np.float32))
        if tuple(arr.shape) != tuple(target.shape):
            raise ValueError(
                f'Weight "{self.layer_name}/{short}" has shape {list(value.shape)}, but the layer '
                f"needs {list(self.tfjs_shape(short))}."
            )
        with torch.no_grad():
            target.copy_(torch.from_numpy(np.ascontiguousarray(arr)))

    def export_tfjs(self, short: str) -> np.ndarray:
        value = self.tensor_of(short).detach().cpu().numpy()
        return np.ascontiguousarray(self.to_tfjs(short, value), dtype=np.float32)


def _check_channels_last(name: str, cls: str, cfg: dict[str, Any]) -> None:
    fmt = cfg.get("data_format")
    if fmt not in (None, "channels_last"):
        raise UnsupportedLayerError(
            f'Layer "{name}" ({cls}) uses data_format "{fmt}"; only channels_last is supported.'
        )


class InputLayer(TfjsLayer):
    def forward(self, x: Tensor) -> Tensor:
        return from_tfjs_layout(x)


class Conv2D(TfjsLayer):
    weight_names = ("kernel", "bias")

    def __init__(self, name: str, cls: str, cfg: dict[str, Any], in_channels: int) -> None:
        super().__init__(name, cls)
        _check_channels_last(name, cls, cfg)
        self.kernel_size = _pair(cfg["kernel_size"])
        self.strides = _pair(cfg.get("strides"))
        self.dilation = _pair(cfg.get("dilation_rate"))
        self.padding = cfg.get("padding", "valid")
        if self.padding not in ("same", "valid"):
            raise UnsupportedLayerError(f'Layer "{name}" ({cls}) has padding "{self.padding}".')
        self.groups = int(cfg.get("groups", 1) or 1)
        self.filters = int(cfg["filters"])
        self.use_bias = bool(cfg.get("use_bias", True))
        kh, kw = self.kernel_size
        self.kernel = nn.Parameter(torch.zeros(self.filters, in_channels // self.groups, kh, kw))
        self.bias = nn.Parameter(torch.zeros(self.filters)) if self.use_bias else None
        self.weight_names = ("kernel", "bias") if self.use_bias else ("kernel",)
        self.act = activation(cfg.get("activation"), name)
        self.act_fresh = fresh_activation(cfg.get("activation"))
        self.linear = (cfg.get("activation") or "linear").lower() == "linear"

    def to_torch(self, short: str, value: np.ndarray) -> np.ndarray:
        return value.transpose(3, 2, 0, 1) if short == "kernel" else value

    def to_tfjs(self, short: str, value: np.ndarray) -> np.ndarray:
        return value.transpose(2, 3, 1, 0) if short == "kernel" else value

    def conv_weights(self) -> tuple[Tensor, Tensor | None]:
        return self.kernel, self.bias

    def convolve(self, x: Tensor, kernel: Tensor, bias: Tensor | None,
                 extra: tuple[int, int, int, int] | None = None) -> Tensor:
        """The convolution with the given weights; `extra`: a ZeroPadding2D's padding before it."""
        x, kernel, pad = _conv_padding(x, kernel, self.padding, self.kernel_size, self.strides,
                                       self.dilation, extra)
        return F.conv2d(x, kernel, bias, self.strides, pad, self.dilation, self.groups)

    def forward(self, x: Tensor, extra: tuple[int, int, int, int] | None = None) -> Tensor:
        return self.act_fresh(self.convolve(x, self.kernel, self.bias, extra))


class DepthwiseConv2D(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any], in_channels: int) -> None:
        super().__init__(name, cls)
        _check_channels_last(name, cls, cfg)
        self.kernel_size = _pair(cfg["kernel_size"])
        self.strides = _pair(cfg.get("strides"))
        self.dilation = _pair(cfg.get("dilation_rate"))
        self.padding = cfg.get("padding", "valid")
        if self.padding not in ("same", "valid"):
            raise UnsupportedLayerError(f'Layer "{name}" ({cls}) has padding "{self.padding}".')
        self.multiplier = int(cfg.get("depth_multiplier", 1))
        self.in_channels = in_channels
        self.use_bias = bool(cfg.get("use_bias", True))
        kh, kw = self.kernel_size
        self.depthwise_kernel = nn.Parameter(torch.zeros(in_channels * self.multiplier, 1, kh, kw))
        self.bias = (
            nn.Parameter(torch.zeros(in_channels * self.multiplier)) if self.use_bias else None
        )
        self.weight_names = ("depthwise_kernel", "bias") if self.use_bias else ("depthwise_kernel",)
        self.act = activation(cfg.get("activation"), name)
        self.act_fresh = fresh_activation(cfg.get("activation"))
        self.linear = (cfg.get("activation") or "linear").lower() == "linear"

    def to_torch(self, short: str, value: np.ndarray) -> np.ndarray:
        if short != "depthwise_kernel":
            return value
        kh, kw, c, m = value.shape
        # TF output channel c·m + j comes from input channel c: PyTorch's grouped order.
        return value.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw)

    def to_tfjs(self, short: str, value: np.ndarray) -> np.ndarray:
        if short != "depthwise_kernel":
            return value
        _, _, kh, kw = value.shape
        return value.reshape(self.in_channels, self.multiplier, kh, kw).transpose(2, 3, 0, 1)

    def conv_weights(self) -> tuple[Tensor, Tensor | None]:
        return self.depthwise_kernel, self.bias

    def convolve(self, x: Tensor, kernel: Tensor, bias: Tensor | None,
                 extra: tuple[int, int, int, int] | None = None) -> Tensor:
        """The convolution with the given weights; `extra`: a ZeroPadding2D's padding before it."""
        x, kernel, pad = _conv_padding(x, kernel, self.padding, self.kernel_size, self.strides,
                                       self.dilation, extra)
        return F.conv2d(x, kernel, bias, self.strides, pad, self.dilation, self.in_channels)

    def forward(self, x: Tensor, extra: tuple[int, int, int, int] | None = None) -> Tensor:
        return self.act_fresh(self.convolve(x, self.depthwise_kernel, self.bias, extra))


class SeparableConv2D(DepthwiseConv2D):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any], in_channels: int) -> None:
        super().__init__(name, cls, {**cfg, "use_bias": False}, in_channels)
        self.filters = int(cfg["filters"])
        self.use_bias = bool(cfg.get("use_bias", True))
        self.pointwise_kernel = nn.Parameter(
            torch.zeros(self.filters, in_channels * self.multiplier, 1, 1)
        )
        self.bias = nn.Parameter(torch.zeros(self.filters)) if self.use_bias else None
        names = ("depthwise_kernel", "pointwise_kernel")
        self.weight_names = (*names, "bias") if self.use_bias else names

    def to_torch(self, short: str, value: np.ndarray) -> np.ndarray:
        if short == "pointwise_kernel":
            return value.transpose(3, 2, 0, 1)
        return super().to_torch(short, value)

    def to_tfjs(self, short: str, value: np.ndarray) -> np.ndarray:
        if short == "pointwise_kernel":
            return value.transpose(2, 3, 1, 0)
        return super().to_tfjs(short, value)

    def conv_weights(self) -> tuple[Tensor, Tensor | None]:
        raise NotImplementedError  # two convolutions: never folded with a BatchNorm

    def forward(self, x: Tensor, extra: tuple[int, int, int, int] | None = None) -> Tensor:
        y = self.convolve(x, self.depthwise_kernel, None, extra)
        y = F.conv2d(y, self.pointwise_kernel, self.bias)
        return self.act_fresh(y)


class BatchNormalization(TfjsLayer):
    """Keras BatchNormalization over the channel axis; `batch_stats` decides training mode."""

    def __init__(self, name: str, cls: str, cfg: dict[str, Any], channels: int, rank: int) -> None:
        super().__init__(name, cls)
        axis = cfg.get("axis", -1)
        if isinstance(axis, list):
            axis = axis[0] if len(axis) == 1 else None
        if axis is None or (axis + rank if axis < 0 else axis) != rank - 1:
            raise UnsupportedLayerError(
                f'Layer "{name}" ({cls}) normalises axis {cfg.get("axis")}; only the channel '
                "(last) axis is supported."
            )
        if rank not in (2, 4):
            raise UnsupportedLayerError(f'Layer "{name}" ({cls}) on a rank-{rank} tensor.')
        self.epsilon = float(cfg.get("epsilon", 1e-3))
        self.momentum = float(cfg.get("momentum", 0.99))
        self.center = bool(cfg.get("center", True))
        self.scale = bool(cfg.get("scale", True))
        self.gamma = nn.Parameter(torch.ones(channels)) if self.scale else None
        self.beta = nn.Parameter(torch.zeros(channels)) if self.center else None
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))
        names: list[str] = []
        if self.scale:
            names.append("gamma")
        if self.center:
            names.append("beta")
        self.weight_names = (*names, "moving_mean", "moving_variance")
        #: Training mode uses batch statistics only when this is set (the plan clears it).
        self.batch_stats = True

    def forward(self, x: Tensor) -> Tensor:
        use_batch = self.training and self.batch_stats
        return F.batch_norm(
            x,
            self.moving_mean,
            self.moving_variance,
            self.gamma,
            self.beta,
            training=use_batch,
            momentum=1.0 - self.momentum,
            eps=self.epsilon,
        )


class ReLU(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        mv = cfg.get("max_value")
        self.max_value = None if mv is None else float(mv)
        self.negative_slope = float(cfg.get("negative_slope", 0.0) or 0.0)
        self.threshold = float(cfg.get("threshold", 0.0) or 0.0)
        #: Set by the network when nothing else reads this layer's input (it may be overwritten).
        self.may_overwrite_input = False

    def forward(self, x: Tensor) -> Tensor:
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            if self.may_overwrite_input and no_grad_needed(x):
                return torch.clamp_(x, min=0.0, max=self.max_value)
            return torch.clamp(x, min=0.0, max=self.max_value)
        y = torch.where(x >= self.threshold, x, self.negative_slope * (x - self.threshold))
        return y if self.max_value is None else torch.clamp(y, max=self.max_value)


class LeakyReLU(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        self.alpha = float(cfg.get("alpha", cfg.get("negative_slope", 0.3)))

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.alpha)


class Activation(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        self.act = activation(cfg.get("activation"), name)

    def forward(self, x: Tensor) -> Tensor:
        return self.act(x)


class Softmax(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        axis = cfg.get("axis", -1)
        self.axis = axis[0] if isinstance(axis, list) else int(axis)

    def forward(self, x: Tensor) -> Tensor:
        return torch.softmax(x, dim=_nchw_axis(self.axis, x.dim()))


class ZeroPadding2D(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        _check_channels_last(name, cls, cfg)
        p = cfg.get("padding", 1)
        if isinstance(p, int):
            (t, b), (l, r) = (p, p), (p, p)
        elif isinstance(p[0], (list, tuple)):
            (t, b), (l, r) = p
        else:
            (t, b), (l, r) = (p[0], p[0]), (p[1], p[1])
        self.pad = (int(l), int(r), int(t), int(b))

    def forward(self, x: Tensor) -> Tensor:
        return F.pad(x, self.pad)


class Pooling2D(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        _check_channels_last(name, cls, cfg)
        self.pool = _pair(cfg.get("pool_size", 2))
        self.strides = _pair(cfg.get("strides") or cfg.get("pool_size", 2))
        self.padding = cfg.get("padding", "valid")
        if self.padding not in ("same", "valid"):
            raise UnsupportedLayerError(f'Layer "{name}" ({cls}) has padding "{self.padding}".')
        self.is_max = cls == "MaxPooling2D"

    def forward(self, x: Tensor) -> Tensor:
        if self.is_max:
            if self.padding == "same":
                x = _same_pad_2d(x, self.pool, self.strides, value=-math.inf)
            return F.max_pool2d(x, self.pool, self.strides)
        if self.padding == "valid":
            return F.avg_pool2d(x, self.pool, self.strides)
        # 'same' average pooling divides by the number of real (unpadded) pixels, as TF does.
        padded = _same_pad_2d(x, self.pool, self.strides)
        ones = _same_pad_2d(torch.ones_like(x[:1, :1]), self.pool, self.strides)
        total = F.avg_pool2d(padded, self.pool, self.strides, divisor_override=1)
        count = F.avg_pool2d(ones, self.pool, self.strides, divisor_override=1)
        return total / count


class GlobalPooling2D(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        _check_channels_last(name, cls, cfg)
        self.is_max = cls == "GlobalMaxPooling2D"
        self.keepdims = bool(cfg.get("keepdims", False))

    def forward(self, x: Tensor) -> Tensor:
        if self.is_max:
            return torch.amax(x, dim=(2, 3), keepdim=self.keepdims)
        return torch.mean(x, dim=(2, 3), keepdim=self.keepdims)


class Flatten(TfjsLayer):
    def forward(self, x: Tensor) -> Tensor:
        # Flatten in channels-last order, so a following Dense kernel lines up with tfjs.
        return to_tfjs_layout(x).reshape(x.shape[0], -1)


class Reshape(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        self.target = [int(d) for d in cfg["target_shape"]]

    def forward(self, x: Tensor) -> Tensor:
        y = to_tfjs_layout(x).reshape(x.shape[0], *self.target)
        return from_tfjs_layout(y)


class Dense(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any], in_features: int) -> None:
        super().__init__(name, cls)
        self.units = int(cfg["units"])
        self.use_bias = bool(cfg.get("use_bias", True))
        self.kernel = nn.Parameter(torch.zeros(self.units, in_features))
        self.bias = nn.Parameter(torch.zeros(self.units)) if self.use_bias else None
        self.weight_names = ("kernel", "bias") if self.use_bias else ("kernel",)
        self.act = activation(cfg.get("activation"), name)

    def to_torch(self, short: str, value: np.ndarray) -> np.ndarray:
        return value.T if short == "kernel" else value

    def to_tfjs(self, short: str, value: np.ndarray) -> np.ndarray:
        return value.T if short == "kernel" else value

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 4:  # Dense acts on the channel (last tfjs) axis of a feature map.
            y = F.linear(x.permute(0, 2, 3, 1), self.kernel, self.bias)
            return self.act(y.permute(0, 3, 1, 2))
        return self.act(F.linear(x, self.kernel, self.bias))


class Identity(TfjsLayer):
    """Dropout and noise layers: the studio never runs them in training mode (they have no
    weights, so their mode is always Frozen), hence identity in training and inference."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class Rescaling(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        self.scale = float(cfg.get("scale", 1.0))
        self.offset = float(cfg.get("offset", 0.0))

    def forward(self, x: Tensor) -> Tensor:
        return x * self.scale + self.offset


class Merge(TfjsLayer):
    def __init__(self, name: str, cls: str, cfg: dict[str, Any]) -> None:
        super().__init__(name, cls)
        self.op = cls
        self.axis = int(cfg.get("axis", -1))

    def forward(self, *xs: Tensor) -> Tensor:
        if self.op == "Concatenate":
            return torch.cat(xs, dim=_nchw_axis(self.axis, xs[0].dim()))
        out = xs[0]
        for x in xs[1:]:
            if self.op == "Add" or self.op == "Average":
                out = out + x
            elif self.op == "Multiply":
                out = out * x
            elif self.op == "Subtract":
                out = out - x
            elif self.op == "Maximum":
                out = torch.maximum(out, x)
            elif self.op == "Minimum":
                out = torch.minimum(out, x)
        if self.op == "Average":
            out = out / len(xs)
        return out


MERGES = ("Add", "Concatenate", "Multiply", "Subtract", "Average", "Maximum", "Minimum")
IDENTITIES = ("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout")
SUPPORTED = (
    "InputLayer", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization", "ReLU",
    "LeakyReLU", "Activation", "Softmax", "ZeroPadding2D", "MaxPooling2D", "AveragePooling2D",
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Reshape", "Dense", "Rescaling",
    *MERGES, *IDENTITIES,
)  # fmt: skip


def build_layer(
    name: str, cls: str, cfg: dict[str, Any], input_shapes: list[tuple[int, ...]]
) -> TfjsLayer:
    """The module for one Keras layer, given its input shapes in tfjs layout (without batch)."""
    shape = input_shapes[0] if input_shapes else ()
    rank = len(shape) + 1
    if cls == "InputLayer":
        return InputLayer(name, cls)
    if cls in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        if rank != 4:
            raise UnsupportedLayerError(f'Layer "{name}" ({cls}) needs a rank-4 input.')
        maker = {"Conv2D": Conv2D, "DepthwiseConv2D": DepthwiseConv2D}.get(cls, SeparableConv2D)
        return maker(name, cls, cfg, int(shape[-1]))
    if cls == "BatchNormalization":
        return BatchNormalization(name, cls, cfg, int(shape[-1]), rank)
    if cls == "Dense":
        return Dense(name, cls, cfg, int(shape[-1]))
    simple: dict[str, Callable[..., TfjsLayer]] = {
        "ReLU": ReLU,
        "LeakyReLU": LeakyReLU,
        "Activation": Activation,
        "Softmax": Softmax,
        "ZeroPadding2D": ZeroPadding2D,
        "MaxPooling2D": Pooling2D,
        "AveragePooling2D": Pooling2D,
        "GlobalAveragePooling2D": GlobalPooling2D,
        "GlobalMaxPooling2D": GlobalPooling2D,
        "Reshape": Reshape,
        "Rescaling": Rescaling,
    }
    if cls in simple:
        if cls in ("ZeroPadding2D", "MaxPooling2D", "AveragePooling2D") and rank != 4:
            raise UnsupportedLayerError(f'Layer "{name}" ({cls}) needs a rank-4 input.')
        if cls.startswith("Global") and rank != 4:
            raise UnsupportedLayerError(f'Layer "{name}" ({cls}) needs a rank-4 input.')
        return simple[cls](name, cls, cfg)
    if cls == "Flatten":
        _check_channels_last(name, cls, cfg)
        return Flatten(name, cls)
    if cls in MERGES:
        return Merge(name, cls, cfg)
    if cls in IDENTITIES:
        return Identity(name, cls)
    raise UnsupportedLayerError(
        f'Layer "{name}" is a {cls}, which the runner cannot rebuild in PyTorch. '
        f"Supported layer types: {', '.join(sorted(set(SUPPORTED)))}."
    )
