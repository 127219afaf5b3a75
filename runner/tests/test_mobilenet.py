"""The studio's bundled MobileNetV2s (~150 layers) rebuilt and checked against tfjs, when
the repo's node_modules are installed: the ImageNet α=0.35 backbone (float32) and the
nsfwjs network (uint8-quantised weights)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import RUNNER
from thaw_runner.reference import check, load_reference
from thaw_runner.tfjs_model import load_network

REPO = RUNNER.parent
NODE = shutil.which("node")
HAS_TFJS = NODE is not None and (REPO / "node_modules" / "@tensorflow" / "tfjs").is_dir()
ALPHA035 = REPO / "public" / "models" / "mobilenet-v2-035" / "model.json"


@pytest.mark.parametrize(
    "source,layer,available",
    [
        (str(ALPHA035), "out_relu", ALPHA035.is_file()),
        ("nsfwjs", "out_relu", (REPO / "node_modules" / "nsfwjs").is_dir()),
    ],
    ids=["mobilenet-v2-035", "nsfwjs-mobilenet-v2"],
)
def test_bundled_mobilenet_matches_tfjs(tmp_path: Path, source: str, layer: str, available: bool) -> None:
    assert HAS_TFJS and available, "node, @tensorflow/tfjs and the model are needed: run npm ci"
    subprocess.run(
        [NODE, str(RUNNER / "tests" / "tfjs_reference.mjs"), source, str(tmp_path), "96", layer],
        check=True, capture_output=True, timeout=120, cwd=REPO,
    )
    name, x, y, _ = load_reference(tmp_path / "reference.json")
    net, _ = load_network(tmp_path / "model.json", name)
    assert sum(1 for s in net.specs if s.class_name == "DepthwiseConv2D") == 17
    r = check(net, x, y, 1e-3)
    assert r.relative < 1e-4, r
