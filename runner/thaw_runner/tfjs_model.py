"""A tfjs layers model rebuilt as a PyTorch module, up to a chosen layer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from .tfjs_graph import Graph, LayerSpec, TopologyError, parse_topology
from .tfjs_io import ModelFileError, ModelFiles, read_model
from .tfjs_layers import (
    BatchNormalization,
    Conv2D,
    DepthwiseConv2D,
    ReLU,
    SeparableConv2D,
    TfjsLayer,
    UnsupportedLayerError,
    ZeroPadding2D,
    build_layer,
    to_tfjs_layout,
)

__all__ = [
    "TfjsNetwork",
    "load_network",
    "ModelFileError",
    "TopologyError",
    "UnsupportedLayerError",
    "to_vectors",
]


def _module_key(i: int, name: str) -> str:
    return f"l{i}_" + re.sub(r"[^0-9A-Za-z_]", "_", name)


def find_weight(weights: dict[str, np.ndarray], layer: str, short: str) -> np.ndarray | None:
    """A layer's weight by manifest name: `layer/short`, or a longer name ending like that
    (nested models may prefix it), allowing tfjs' `_1`-style suffix on the short name."""
    exact = f"{layer}/{short}"
    if exact in weights:
        return weights[exact]
    pattern = re.compile(rf"(^|/){re.escape(layer)}/{re.escape(short)}(_\d+)?$")
    matches = [k for k in weights if pattern.search(k)]
    if len(matches) == 1:
        return weights[matches[0]]
    return None


class TfjsNetwork(nn.Module):
    """The layers of a tfjs model needed to compute `until` (default: the model output).

    `forward` takes the model input in tfjs layout (NHWC) and returns the output of
    `until` in the internal layout (rank-4 tensors NCHW); see `to_tfjs_layout`.
    """

    def __init__(
        self,
        graph: Graph,
        weights: dict[str, np.ndarray] | None = None,
        until: str | None = None,
        input_size: int | None = None,
        channels: int | None = None,
    ) -> None:
        super().__init__()
        self.graph = graph
        self.until = graph.resolve(until or graph.output_name)
        self.specs: list[LayerSpec] = graph.ancestors(self.until)
        shape = list(graph.input_shape[1:])
        if len(shape) == 3:
            if shape[0] is None and input_size:
                shape[0] = input_size
            if shape[1] is None and input_size:
                shape[1] = input_size
            if shape[2] is None and channels:
                shape[2] = channels
        if any(d is None for d in shape):
            raise TopologyError(
                f"The model input has an unknown size {graph.input_shape}; give the input size."
            )
        self.input_shape: tuple[int, ...] = tuple(int(d) for d in shape)  # type: ignore[arg-type]
        self.layer_modules = nn.ModuleDict()
        self.keys: dict[str, str] = {}
        self.index: dict[str, int] = {spec.name: i for i, spec in enumerate(self.specs)}
        self.output_shapes: dict[str, tuple[int, ...]] = {}
        # Build layer by layer, inferring each output shape with a zero batch of one.
        dummy: dict[str, Tensor] = {}
        with torch.no_grad():
            for i, spec in enumerate(self.specs):
                in_shapes = [self.output_shapes[s] for s in spec.inputs]
                if spec.class_name == "InputLayer":
                    in_shapes = [self.input_shape]
                module = build_layer(spec.name, spec.class_name, spec.config, in_shapes)
                module.eval()
                key = _module_key(i, spec.name)
                self.layer_modules[key] = module
                self.keys[spec.name] = key
                if spec.class_name == "InputLayer":
                    out = module(torch.zeros(1, *self.input_shape))
                else:
                    out = module(*[dummy[s] for s in spec.inputs])
                dummy[spec.name] = out
                self.output_shapes[spec.name] = tuple(to_tfjs_layout(out).shape[1:])
        self._plan_fast_paths()
        # Rank-4 weights in the channels-last memory format, like the feature maps (see
        # from_tfjs_layout): oneDNN's convolutions then need no layout conversions.
        self.to(memory_format=torch.channels_last)
        if weights is not None:
            self.load_weights(weights)
        self.train()

    def _plan_fast_paths(self) -> None:
        """Which BatchNorms may fold into the convolution before them, and which ReLUs may
        overwrite their input: both only where nothing else reads the tensor in between."""
        readers: dict[str, int] = {}
        for spec in self.specs:
            for src in spec.inputs:
                readers[src] = readers.get(src, 0) + 1
        readers[self.until] = readers.get(self.until, 0) + 1
        kinds = {s.name: s for s in self.specs}
        #: convolution layer → the BatchNorm that reads it alone.
        self.foldable: dict[str, str] = {}
        #: convolution layer → the ZeroPadding2D before it, whose output only it reads: the
        #: padding is done inside the convolution (see tfjs_layers._conv_padding).
        self.padded_by: dict[str, str] = {}
        for spec in self.specs:
            if len(spec.inputs) != 1:
                continue
            src = spec.inputs[0]
            module, source = self.layer(spec.name), self.layer(src)
            sole_reader = readers.get(src, 0) == 1 and kinds[src].class_name != "InputLayer"
            if isinstance(module, ReLU):
                module.may_overwrite_input = sole_reader
            if (isinstance(module, (Conv2D, DepthwiseConv2D)) and isinstance(source, ZeroPadding2D)
                    and readers.get(src, 0) == 1):
                self.padded_by[spec.name] = src
            if (isinstance(module, BatchNormalization) and sole_reader
                    and isinstance(source, (Conv2D, DepthwiseConv2D))
                    and not isinstance(source, SeparableConv2D) and source.linear):
                self.foldable[src] = spec.name
        self._folded: dict[str, tuple[tuple[object, ...], Tensor, Tensor]] = {}

    def _fold_now(self, conv: TfjsLayer, bn: BatchNormalization) -> bool:
        """A BatchNorm folds into its convolution when it uses its moving statistics and no
        gradient is recorded, or both layers are frozen: then the pair is one fixed linear map
        (and no weight of it needs a gradient of its own)."""
        if bn.training and bn.batch_stats:
            return False
        if not torch.is_grad_enabled():
            return True
        return not any(p.requires_grad for p in (*conv.parameters(), *bn.parameters()))

    def _folded_weights(self, name: str, conv: TfjsLayer, bn: BatchNormalization) -> tuple[Tensor, Tensor]:
        kernel, bias = conv.conv_weights()  # type: ignore[attr-defined]
        parts = [kernel, bias, bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance]
        key = tuple((t.data_ptr(), t._version) if t is not None else None for t in parts)
        cached = self._folded.get(name)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        # Ordinary tensors even inside inference_mode: a later training step may read them.
        with torch.inference_mode(False), torch.no_grad():
            scale = torch.rsqrt(bn.moving_variance + bn.epsilon)
            if bn.gamma is not None:
                scale = scale * bn.gamma
            shift = -bn.moving_mean * scale
            if bias is not None:
                shift = shift + bias * scale
            if bn.beta is not None:
                shift = shift + bn.beta
            folded = (kernel * scale.view(-1, 1, 1, 1)).contiguous(memory_format=torch.channels_last)
        self._folded[name] = (key, folded, shift)
        return folded, shift

    def layer(self, name: str) -> TfjsLayer:
        return self.layer_modules[self.keys[name]]  # type: ignore[return-value]

    def named_layers(self) -> Iterator[tuple[str, TfjsLayer]]:
        for spec in self.specs:
            yield spec.name, self.layer(spec.name)

    def load_weights(self, weights: dict[str, np.ndarray]) -> None:
        for name, module in self.named_layers():
            for short in module.weight_names:
                value = find_weight(weights, name, short)
                if value is None:
                    raise ModelFileError(
                        f'The weights have no "{name}/{short}" for layer "{name}" '
                        f"({module.class_name})."
                    )
                module.load_tfjs(short, value)

    def tfjs_weights(self) -> list[tuple[str, np.ndarray]]:
        """Every weight as (`layer/short`, array in tfjs shape), in layer order."""
        out = []
        for name, module in self.named_layers():
            for short in module.weight_names:
                out.append((f"{name}/{short}", module.export_tfjs(short)))
        return out

    def frozen_prefix(self, frozen: Callable[[str], bool]) -> tuple[set[str], list[str]]:
        """The layers whose output depends on frozen layers only (`frozen(name)`: the layer's
        weights are fixed and its BatchNorm uses moving statistics), and of those the ones
        a later, trained layer reads (their outputs are all the rest of the network needs)."""
        prefix: set[str] = set()
        for spec in self.specs:
            if spec.class_name == "InputLayer" or (frozen(spec.name) and all(s in prefix for s in spec.inputs)):
                prefix.add(spec.name)
        boundary = sorted(
            {src for spec in self.specs if spec.name not in prefix for src in spec.inputs if src in prefix},
            key=[s.name for s in self.specs].index,
        )
        return prefix, boundary

    def bytes_per_image(self, names: Sequence[str]) -> int:
        """float32 bytes of the outputs of `names` for one image."""
        return sum(4 * int(np.prod(self.output_shapes[n])) for n in names)

    def forward(self, x: Tensor | dict[str, Tensor]) -> Tensor:
        """The output at `until` for a batch of model inputs, or — `x` a dict of the outputs of
        a frozen prefix's boundary layers (see `frozen_prefix`, `run`) — for those: then the
        layers of the prefix are not run again."""
        return self.run(x)[0]

    def run(self, x: Tensor | dict[str, Tensor], keep: Sequence[str] = (),
            output: bool = True) -> tuple[Tensor, dict[str, Tensor]]:
        """`forward`, also returning the outputs of the layers named in `keep`; with `output`
        False it stops once those are computed (and returns the input in place of the output)."""
        values: dict[str, Tensor] = {}
        skip: set[str] = set()
        if isinstance(x, dict):
            values.update(x)
            skip = self.prefix_of(set(x)) | set(x)
        folded: set[str] = set()
        pads = {p for c, p in self.padded_by.items() if p not in keep and c not in skip}
        for spec in self.specs:
            if not output and all(n in values for n in keep):
                return x, {n: values[n] for n in keep}  # type: ignore[return-value]
            if spec.name in folded or spec.name in skip or spec.name in pads:
                continue
            module = self.layer_modules[self.keys[spec.name]]
            if spec.class_name == "InputLayer":
                values[spec.name] = module(x)
                continue
            source, extra = spec.inputs[0] if spec.inputs else "", None
            pad_name = self.padded_by.get(spec.name)
            if pad_name in pads:  # the ZeroPadding2D before it is done inside the convolution
                source = self.specs[self.index[pad_name]].inputs[0]
                extra = self.layer(pad_name).pad  # type: ignore[union-attr]
            bn_name = self.foldable.get(spec.name)
            if bn_name is not None and spec.name not in keep and bn_name not in keep:
                bn = self.layer(bn_name)
                if self._fold_now(module, bn):  # type: ignore[arg-type]
                    kernel, shift = self._folded_weights(spec.name, module, bn)  # type: ignore[arg-type]
                    y = module.convolve(values[source], kernel, shift, extra)  # type: ignore[operator]
                    values[spec.name] = values[bn_name] = y
                    folded.add(bn_name)
                    continue
            if extra is not None:
                values[spec.name] = module(values[source], extra)
                continue
            values[spec.name] = module(*[values[s] for s in spec.inputs])
        return values[self.until], {n: values[n] for n in keep}

    def prefix_of(self, given: set[str]) -> set[str]:
        """The layers that need not run when the outputs of `given` are known (the boundary
        of a frozen prefix): the ancestors of `given`."""
        by_name = {s.name: s for s in self.specs}
        skip: set[str] = set()
        stack = [src for n in given for src in by_name[n].inputs]
        while stack:
            n = stack.pop()
            if n not in skip and n not in given:
                skip.add(n)
                stack.extend(by_name[n].inputs)
        for spec in self.specs:
            if spec.name not in skip and spec.name not in given and any(s in skip for s in spec.inputs):
                raise ValueError(f'Layer "{spec.name}" reads a layer inside the given prefix.')
        return skip

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.output_shapes[self.until]


def to_vectors(x: Tensor) -> Tensor:
    """The studio's features: a feature map is average-pooled over space, anything else is
    flattened in tfjs order."""
    if x.dim() == 4:
        return x.mean(dim=(2, 3))
    return x.reshape(x.shape[0], -1)


def load_network(
    model_json: str | Path,
    until: str | None = None,
    input_size: int | None = None,
    channels: int | None = None,
) -> tuple[TfjsNetwork, ModelFiles]:
    """Reads a tfjs layers model and rebuilds it (up to `until`) with its weights."""
    files = read_model(model_json)
    graph = parse_topology(files.topology)
    net = TfjsNetwork(graph, files.weights, until, input_size, channels)
    return net, files
