"""Each layer mapping against tfjs outputs (fixtures written by make_fixtures.mjs).

Tolerance: max |PyTorch − tfjs| ≤ 1e-5 × max(1, max |tfjs|). Both compute in float32 on
the CPU; different summation orders give differences of a few float32 ulps (observed
≤ 2.4e-7 here). A wrong mapping (padding side, kernel transpose, flatten order, BatchNorm
epsilon, pooling count) gives differences of 1e-2 and more.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import FIXTURES
from thaw_runner.tfjs_graph import TopologyError, parse_topology
from thaw_runner.tfjs_io import ModelFileError, read_model
from thaw_runner.tfjs_layers import UnsupportedLayerError, same_padding, to_tfjs_layout
from thaw_runner.tfjs_model import TfjsNetwork, find_weight, load_network

TOLERANCE = 1e-5

CASES = []
for model in ("conv", "mobile", "pool", "nested", "nested_functional", "quantized"):
    expected = json.loads((FIXTURES / model / "expected.json").read_text())
    for layer in expected["outputs"]:
        CASES.append((model, layer))


def _array(doc: dict) -> np.ndarray:
    return np.asarray(doc["data"], dtype=np.float32).reshape(doc["shape"])


def _run(net: TfjsNetwork, x: np.ndarray) -> np.ndarray:
    net.eval()
    with torch.no_grad():
        return to_tfjs_layout(net(torch.from_numpy(x))).numpy()


@pytest.mark.parametrize("model,layer", CASES)
def test_layer_matches_tfjs(model: str, layer: str) -> None:
    expected = json.loads((FIXTURES / model / "expected.json").read_text())
    x = _array(expected["input"])
    ref = _array(expected["outputs"][layer])
    net, _ = load_network(FIXTURES / model / "model.json", None if layer == "__output__" else layer)
    got = _run(net, x)
    assert got.shape == ref.shape
    scale = max(1.0, float(np.abs(ref).max()))
    assert float(np.abs(got - ref).max()) <= TOLERANCE * scale


def test_every_trainable_layer_type_is_covered() -> None:
    seen = set()
    for model in ("conv", "mobile", "pool", "nested", "nested_functional", "quantized"):
        graph = parse_topology(read_model(FIXTURES / model / "model.json").topology)
        seen |= {s.class_name for s in graph.layers}
    assert {
        "InputLayer", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization",
        "ReLU", "Activation", "ZeroPadding2D", "Add", "Concatenate", "MaxPooling2D",
        "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Dense",
        "Dropout", "Reshape", "Rescaling", "LeakyReLU",
    } <= seen


def test_same_padding_is_tensorflows() -> None:
    # out = ceil(in / stride); the odd pixel of padding goes to the bottom/right.
    assert same_padding(9, 3, 2) == (1, 1)
    assert same_padding(8, 3, 2) == (0, 1)
    assert same_padding(224, 3, 2) == (0, 1)
    assert same_padding(5, 4, 2) == (1, 2)
    assert same_padding(5, 3, 1, dilation=2) == (2, 2)
    assert same_padding(7, 1, 1) == (0, 0)


def test_nested_models_are_flattened_with_inner_names() -> None:
    graph = parse_topology(read_model(FIXTURES / "nested" / "model.json").topology)
    assert [s.name for s in graph.layers][1:] == [
        "tm_conv", "tm_bn", "tm_relu", "tm_gap", "tm_dense", "tm_out",
    ]
    # A nested model's own name stands for its output layer.
    assert graph.resolve("body") == "tm_gap"
    net = TfjsNetwork(graph, read_model(FIXTURES / "nested" / "model.json").weights, "body")
    assert net.output_shape == (4,)
    graph2 = parse_topology(read_model(FIXTURES / "nested_functional" / "model.json").topology)
    assert [s.name for s in graph2.layers] == ["inner_image", "f_conv", "f_dw", "f_relu", "o_flat", "o_dense"]


def test_keras3_inbound_nodes() -> None:
    files = read_model(FIXTURES / "mobile" / "model.json")
    topo = copy.deepcopy(files.topology)
    for layer in topo["config"]["layers"]:
        nodes = layer["inbound_nodes"]
        if nodes:
            refs = [
                {"class_name": "__keras_tensor__", "config": {"keras_history": [r[0], r[1], r[2]]}}
                for r in nodes[0]
            ]
            layer["inbound_nodes"] = [{"args": [refs] if len(refs) > 1 else refs, "kwargs": {}}]
    expected = json.loads((FIXTURES / "mobile" / "expected.json").read_text())
    net = TfjsNetwork(parse_topology(topo), files.weights)
    got = _run(net, _array(expected["input"]))
    assert np.abs(got - _array(expected["outputs"]["__output__"])).max() < 1e-5


def test_weights_are_found_under_prefixed_names() -> None:
    w = {"model_1/conv/kernel": np.zeros(1), "conv/bias_1": np.ones(1)}
    assert find_weight(w, "conv", "kernel") is w["model_1/conv/kernel"]
    assert find_weight(w, "conv", "bias") is w["conv/bias_1"]
    assert find_weight(w, "other", "kernel") is None


def test_weights_export_back_unchanged() -> None:
    files = read_model(FIXTURES / "mobile" / "model.json")
    net = TfjsNetwork(parse_topology(files.topology), files.weights)
    exported = dict(net.tfjs_weights())
    assert set(exported) == set(files.weights)
    for name, value in files.weights.items():
        np.testing.assert_array_equal(exported[name], value)


def test_unmappable_layer_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedLayerError) as err:
        load_network(FIXTURES / "unmappable" / "model.json")
    assert 'Layer "upsample" is a UpSampling2D' in str(err.value)
    # Layers before an unmappable one still load (features can be taken earlier).
    net, _ = load_network(FIXTURES / "unmappable" / "model.json", "ok_conv")
    assert net.output_shape == (2, 2, 2)


def test_missing_weights_and_shards_are_named(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "conv" / "model.json").read_text())
    (tmp_path / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="weights.bin"):
        read_model(tmp_path / "model.json")
    (tmp_path / "weights.bin").write_bytes((FIXTURES / "conv" / "weights.bin").read_bytes()[:100])
    with pytest.raises(ModelFileError, match="truncated"):
        read_model(tmp_path / "model.json")


def test_two_inputs_are_refused() -> None:
    topo = {
        "class_name": "Model",
        "config": {
            "name": "m",
            "layers": [
                {"name": "a", "class_name": "InputLayer", "config": {"batch_input_shape": [None, 2]}, "inbound_nodes": []},
                {"name": "b", "class_name": "InputLayer", "config": {"batch_input_shape": [None, 2]}, "inbound_nodes": []},
                {"name": "s", "class_name": "Add", "config": {}, "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]},
            ],
            "input_layers": [["a", 0, 0], ["b", 0, 0]],
            "output_layers": [["s", 0, 0]],
        },
    }
    with pytest.raises(TopologyError, match="2 inputs"):
        parse_topology(topo)
