"""A tfjs layers model rebuilt as a PyTorch module, up to a chosen layer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from torch import Tensor, nn

from .tfjs_graph import Graph, LayerSpec, TopologyError, parse_topology
from .tfjs_io import ModelFileError, ModelFiles, read_model
from .tfjs_layers import TfjsLayer, UnsupportedLayerError, build_layer, to_tfjs_layout

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
        if weights is not None:
            self.load_weights(weights)
        self.train()

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

    def forward(self, x: Tensor) -> Tensor:
        values: dict[str, Tensor] = {}
        for spec in self.specs:
            module = self.layer_modules[self.keys[spec.name]]
            if spec.class_name == "InputLayer":
                values[spec.name] = module(x)
            else:
                values[spec.name] = module(*[values[s] for s in spec.inputs])
        return values[self.until]

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
