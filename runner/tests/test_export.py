"""Export round trip: the exported tfjs model loads back (in the runner, and in tfjs when
Node and the repo's tfjs are there) and gives the trained classifier's probabilities."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import FIXTURES, RUNNER
from thaw_runner.export import export_classifier
from thaw_runner.tfjs_model import load_network
from thaw_runner.train_loop import Classifier, Head

TFJS = RUNNER.parent / "node_modules" / "@tensorflow" / "tfjs"
NODE = shutil.which("node")


def _trained(model: str, layer: str) -> tuple[Classifier, torch.Tensor]:
    net, _ = load_network(FIXTURES / model / "model.json", layer)
    expected = json.loads((FIXTURES / model / "expected.json").read_text())
    x = torch.tensor(expected["input"]["data"]).reshape(expected["input"]["shape"])
    dim = net.output_shape[-1] if len(net.output_shape) == 3 else int(np.prod(net.output_shape))
    g = torch.Generator().manual_seed(1)
    head = Head(dim, 3, torch.randn(dim, generator=g), torch.rand(dim, generator=g) + 0.5, seed=2)
    with torch.no_grad():
        head.bias.copy_(torch.randn(3, generator=g))
    return Classifier(net, head).eval(), x


def _probs(model: Classifier, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return torch.softmax(model(x)[1], dim=1).numpy()


@pytest.mark.parametrize(
    "model,layer,pool",
    [("mobile", "add", "thaw_pool"), ("mobile", "gap", None), ("nested", "tm_relu", "thaw_pool"), ("pool", "reshape", "thaw_flatten")],
)
def test_export_round_trip(tmp_path: Path, model: str, layer: str, pool: str | None) -> None:
    clf, x = _trained(model, layer)
    path = export_classifier(tmp_path / "model", clf.body, clf.head)  # type: ignore[arg-type]
    doc = json.loads(path.read_text())
    assert doc["format"] == "layers-model"
    assert [g["paths"] for g in doc["weightsManifest"]] == [["weights.bin"]]
    assert all(w["dtype"] == "float32" for w in doc["weightsManifest"][0]["weights"])
    names = [l["name"] for l in doc["modelTopology"]["config"]["layers"]]
    assert names[-1] == "thaw_head" and (pool is None or names[-2] == pool)
    head_cfg = doc["modelTopology"]["config"]["layers"][-1]["config"]
    assert head_cfg["activation"] == "softmax" and head_cfg["units"] == 3
    back, _ = load_network(path)
    back.eval()
    with torch.no_grad():
        got = back(x).numpy()
    np.testing.assert_allclose(got, _probs(clf, x), atol=1e-6)


def test_exported_model_predicts_the_same_in_tfjs(tmp_path: Path) -> None:
    assert NODE is not None and TFJS.is_dir(), "node and the repo's @tensorflow/tfjs are needed: run npm ci"
    clf, x = _trained("mobile", "add")
    export_classifier(tmp_path / "model", clf.body, clf.head)  # type: ignore[arg-type]
    (tmp_path / "in.json").write_text(json.dumps({"shape": list(x.shape), "data": x.flatten().tolist()}))
    subprocess.run(
        [NODE, str(RUNNER / "tests" / "tfjs_predict.mjs"), str(tmp_path / "model"), str(tmp_path / "in.json"), str(tmp_path / "out.json")],
        check=True, capture_output=True, timeout=60,
    )
    out = json.loads((tmp_path / "out.json").read_text())
    got = np.asarray(out["data"], dtype=np.float32).reshape(out["shape"])
    np.testing.assert_allclose(got, _probs(clf, x), atol=1e-5)
