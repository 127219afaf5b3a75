"""A Keras/tfjs layers topology as one flat graph of layers.

Handles functional models (`Model`/`Functional` with `inbound_nodes`), `Sequential`
models, and models nested inside either (a Teachable Machine export is a Sequential whose
layers are themselves models): nested layers keep their own names and become part of one
graph with a single input and a single output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONTAINERS = ("Sequential", "Model", "Functional")


class TopologyError(ValueError):
    """A topology the runner cannot turn into one graph, with the reason."""


@dataclass
class LayerSpec:
    """One layer of the flat graph: its Keras class and config, and the layers it reads."""

    name: str
    class_name: str
    config: dict[str, Any]
    inputs: list[str] = field(default_factory=list)


@dataclass
class Graph:
    """Layers in a runnable order; `layers[0]` is the input layer."""

    layers: list[LayerSpec]
    input_name: str
    output_name: str
    input_shape: list[int | None]
    #: Names of nested models → the layer that produces their output.
    aliases: dict[str, str] = field(default_factory=dict)
    #: Names of nested models → the layers inside them (at any depth).
    members: dict[str, list[str]] = field(default_factory=dict)

    def resolve(self, name: str) -> str:
        while name in self.aliases:
            name = self.aliases[name]
        return name

    def find(self, name: str) -> LayerSpec:
        name = self.resolve(name)
        for spec in self.layers:
            if spec.name == name:
                return spec
        raise TopologyError(f'The network has no layer "{name}".')

    def ancestors(self, name: str) -> list[LayerSpec]:
        """The layers needed to compute `name`, in graph order (including it)."""
        by_name = {s.name: s for s in self.layers}
        name = self.resolve(name)
        if name not in by_name:
            raise TopologyError(f'The network has no layer "{name}".')
        needed: set[str] = set()
        stack = [name]
        while stack:
            n = stack.pop()
            if n in needed:
                continue
            needed.add(n)
            stack.extend(by_name[n].inputs)
        return [s for s in self.layers if s.name in needed]


def _model_config(topology: dict[str, Any]) -> dict[str, Any]:
    return topology["model_config"] if "model_config" in topology else topology


def _history_refs(value: Any) -> list[tuple[str, int, int]]:
    """Keras 3 inbound args: every `keras_history` reference found inside, in order."""
    refs: list[tuple[str, int, int]] = []
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            hist = value["config"]["keras_history"]
            refs.append((str(hist[0]), int(hist[1]), int(hist[2])))
        else:
            for v in value.values():
                refs.extend(_history_refs(v))
    elif isinstance(value, list):
        for v in value:
            refs.extend(_history_refs(v))
    return refs


def _inbound(layer: dict[str, Any]) -> list[str]:
    """Names of the layers a functional layer reads (its single call)."""
    nodes = layer.get("inbound_nodes") or []
    if not nodes:
        return []
    if len(nodes) > 1:
        raise TopologyError(
            f'Layer "{layer.get("name")}" ({layer.get("class_name")}) is called more than once '
            "(a shared layer); the runner supports each layer once."
        )
    node = nodes[0]
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        refs = _history_refs(node.get("args", []))
    else:  # Keras 2 / tfjs: [[name, node_index, tensor_index, kwargs], ...]
        refs = [(str(r[0]), int(r[1]), int(r[2])) for r in node]
    for name, _node_index, tensor_index in refs:
        if tensor_index != 0:
            raise TopologyError(
                f'Layer "{layer.get("name")}" reads output {tensor_index} of "{name}"; '
                "layers with several outputs are not supported."
            )
    return [r[0] for r in refs]


def _endpoint_names(value: Any) -> list[str]:
    """`input_layers`/`output_layers`: [[name, 0, 0], ...] or a single [name, 0, 0]."""
    if not value:
        return []
    if isinstance(value[0], str):
        return [value[0]]
    return [str(v[0]) for v in value]


def _batch_shape(config: dict[str, Any]) -> list[int | None] | None:
    for key in ("batch_input_shape", "batch_shape"):
        if config.get(key):
            return list(config[key])
    if config.get("input_shape"):
        return [None, *config["input_shape"]]
    return None


class _Flattener:
    def __init__(self) -> None:
        self.layers: list[LayerSpec] = []
        self.names: set[str] = set()
        self.aliases: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}

    def add(self, spec: LayerSpec) -> None:
        if spec.name in self.names:
            raise TopologyError(
                f'Two layers are named "{spec.name}" (one inside a nested model); '
                "layer names must be unique."
            )
        self.names.add(spec.name)
        self.layers.append(spec)

    def container(self, class_name: str, config: Any, given_input: str | None) -> str:
        """Adds a Sequential/Functional container's layers; returns the name of its output."""
        first = len(self.layers)
        if class_name == "Sequential":
            out = self.sequential(config, given_input)
        else:
            out = self.functional(config, given_input)
        name = config.get("name") if isinstance(config, dict) else None
        if name and name not in self.names and name != out:
            self.aliases[name] = out
            self.members[name] = [s.name for s in self.layers[first:]]
        return out

    def input_layer(self, name: str, shape: list[int | None] | None) -> str:
        if shape is None:
            raise TopologyError(f'The model input "{name}" has no shape.')
        self.add(
            LayerSpec(name, "InputLayer", {"name": name, "batch_input_shape": shape}, [])
        )
        return name

    def sequential(self, config: Any, given_input: str | None) -> str:
        layers = config["layers"] if isinstance(config, dict) else config
        model_name = config.get("name", "sequential") if isinstance(config, dict) else "sequential"
        if not layers:
            raise TopologyError(f'The Sequential model "{model_name}" has no layers.')
        prev = given_input
        for i, layer in enumerate(layers):
            cls = layer["class_name"]
            cfg = layer.get("config", {})
            name = cfg.get("name") or layer.get("name") or f"{model_name}_{i}"
            if cls == "InputLayer":
                if prev is None:
                    prev = self.input_layer(name, _batch_shape(cfg))
                continue
            if prev is None and cls in CONTAINERS:
                prev = self.container(cls, cfg, None)  # the nested model's own input
                continue
            if prev is None:
                prev = self.input_layer(f"{model_name}_input", _batch_shape(cfg))
            if cls in CONTAINERS:
                prev = self.container(cls, cfg, prev)
            else:
                self.add(LayerSpec(name, cls, cfg, [prev]))
                prev = name
        if prev is None:
            raise TopologyError(f'The Sequential model "{model_name}" has no layers.')
        return prev

    def functional(self, config: dict[str, Any], given_input: str | None) -> str:
        inputs = _endpoint_names(config.get("input_layers"))
        outputs = _endpoint_names(config.get("output_layers"))
        model_name = config.get("name", "model")
        if len(inputs) != 1 or len(outputs) != 1:
            raise TopologyError(
                f'Model "{model_name}" has {len(inputs)} inputs and {len(outputs)} outputs; '
                "the runner supports one of each."
            )
        alias: dict[str, str] = {}
        for layer in config["layers"]:
            cls = layer["class_name"]
            cfg = layer.get("config", {})
            name = layer.get("name") or cfg.get("name")
            sources = [alias.get(n, n) for n in _inbound(layer)]
            if cls == "InputLayer":
                if given_input is not None:
                    alias[name] = given_input
                else:
                    self.input_layer(name, _batch_shape(cfg))
                continue
            if cls in CONTAINERS:
                if len(sources) != 1:
                    raise TopologyError(f'Nested model "{name}" must read exactly one tensor.')
                alias[name] = self.container(cls, cfg, sources[0])
                continue
            self.add(LayerSpec(name, cls, cfg, sources))
        return alias.get(outputs[0], outputs[0])


def parse_topology(topology: dict[str, Any]) -> Graph:
    """Turns a `modelTopology` (with or without `model_config`) into one flat graph."""
    mc = _model_config(topology)
    cls = mc.get("class_name")
    if cls not in CONTAINERS:
        raise TopologyError(f'The topology is a "{cls}", not a Sequential or functional model.')
    flat = _Flattener()
    output = flat.container(cls, mc["config"], None)
    inputs = [s for s in flat.layers if s.class_name == "InputLayer"]
    if len(inputs) != 1:
        raise TopologyError(f"The model has {len(inputs)} inputs; the runner supports one.")
    known = {s.name for s in flat.layers}
    for spec in flat.layers:
        for src in spec.inputs:
            if src not in known:
                raise TopologyError(f'Layer "{spec.name}" reads "{src}", which is not in the model.')
    shape = inputs[0].config["batch_input_shape"]
    return Graph(flat.layers, inputs[0].name, output, list(shape), flat.aliases, flat.members)
