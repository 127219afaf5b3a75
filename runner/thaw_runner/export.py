"""Writing the result: the trained classifier in tfjs layers format and the run record.

The classifier is one functional tfjs model: the network up to the feature layer (nested
models flattened, layer names kept), global average pooling when the features are a
feature map (or Flatten for other ranks), then a Dense softmax layer holding the head with
the feature scaling folded in. It takes the raw image tensor [n, size, size, channels] in
the job's value range, like the starting network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .tfjs_io import write_model
from .tfjs_model import TfjsNetwork
from .train_loop import Head

RUN_FORMAT = "thaw-run"
RUN_VERSION = 1
_SHAPE_KEYS = ("batch_input_shape", "input_shape", "batch_shape")


def _unique(base: str, taken: set[str]) -> str:
    name, i = base, 1
    while name in taken:
        i += 1
        name = f"{base}_{i}"
    taken.add(name)
    return name


def classifier_topology(net: TfjsNetwork, classes: int) -> tuple[dict[str, Any], str, str | None]:
    """The functional topology of body + head; returns it, the head's name and the pooling
    layer's name (None when the features need no pooling)."""
    layers: list[dict[str, Any]] = []
    taken = {s.name for s in net.specs}
    for spec in net.specs:
        if spec.class_name == "InputLayer":
            cfg: dict[str, Any] = {
                "batch_input_shape": [None, *net.input_shape],
                "dtype": "float32",
                "sparse": False,
                "name": spec.name,
            }
            inbound: list[Any] = []
        else:
            cfg = {k: v for k, v in spec.config.items() if k not in _SHAPE_KEYS}
            cfg["name"] = spec.name
            cfg["trainable"] = True
            inbound = [[[src, 0, 0, {}] for src in spec.inputs]]
        layers.append(
            {"name": spec.name, "class_name": spec.class_name, "config": cfg, "inbound_nodes": inbound}
        )
    last = net.until
    pool_name: str | None = None
    rank = len(net.output_shape) + 1
    if rank != 2:
        pool_name = _unique("thaw_pool" if rank == 4 else "thaw_flatten", taken)
        pool_cls = "GlobalAveragePooling2D" if rank == 4 else "Flatten"
        layers.append(
            {
                "name": pool_name,
                "class_name": pool_cls,
                "config": {"name": pool_name, "trainable": True, "data_format": "channels_last"},
                "inbound_nodes": [[[last, 0, 0, {}]]],
            }
        )
        last = pool_name
    head_name = _unique("thaw_head", taken)
    layers.append(
        {
            "name": head_name,
            "class_name": "Dense",
            "config": {
                "name": head_name,
                "trainable": True,
                "units": classes,
                "activation": "softmax",
                "use_bias": True,
                "kernel_initializer": {
                    "class_name": "VarianceScaling",
                    "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform", "seed": None},
                },
                "bias_initializer": {"class_name": "Zeros", "config": {}},
                "kernel_regularizer": None,
                "bias_regularizer": None,
                "activity_regularizer": None,
                "kernel_constraint": None,
                "bias_constraint": None,
            },
            "inbound_nodes": [[[last, 0, 0, {}]]],
        }
    )
    topology = {
        "class_name": "Model",
        "config": {
            "name": "thaw_classifier",
            "layers": layers,
            "input_layers": [[net.graph.input_name, 0, 0]],
            "output_layers": [[head_name, 0, 0]],
        },
        "keras_version": "tfjs-layers 4.22.0",
        "backend": "tensor_flow.js",
    }
    return topology, head_name, pool_name


def export_classifier(out_dir: str | Path, net: TfjsNetwork, head: Head) -> Path:
    """Writes model.json + weights.bin of the trained classifier; returns model.json."""
    classes = int(head.bias.shape[0])
    topology, head_name, _ = classifier_topology(net, classes)
    kernel, bias = head.folded()
    weights = net.tfjs_weights() + [
        (f"{head_name}/kernel", kernel.cpu().numpy().astype(np.float32)),
        (f"{head_name}/bias", bias.cpu().numpy().astype(np.float32)),
    ]
    return write_model(out_dir, topology, weights)


def write_run(path: str | Path, record: dict[str, Any]) -> None:
    doc = {"format": RUN_FORMAT, "version": RUN_VERSION, **record, "engine": "pytorch"}
    Path(path).write_text(json.dumps(doc, indent=1), encoding="utf-8")
