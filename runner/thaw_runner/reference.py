"""The check before training: the rebuilt network must reproduce the outputs the studio
computed in the browser (reference.json) for the same input tensors.

Tolerance: max |PyTorch − tfjs| ≤ 1e-3 × max |tfjs output|. Both sides compute in float32;
on the bundled MobileNetV2 (uint8 weights, 224 px, ~150 layers) PyTorch on CPU and tfjs'
CPU backend differ by 1.6e-6 of the output scale; GPU backends (other summation orders,
fused kernels) add float32 rounding of the same kind, orders of magnitude below 1e-3. A
wrong mapping — padding on the wrong side, flatten
order, a BatchNorm epsilon, a transposed kernel — shows as 1e-2 to 1 of the scale.
1e-3 leaves a wide margin both ways. A reference computed on a half-precision GPU backend can
need more: pass --reference-tolerance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .tfjs_layers import to_tfjs_layout
from .tfjs_model import TfjsNetwork, to_vectors

DEFAULT_TOLERANCE = 1e-3


class ReferenceMismatch(RuntimeError):
    """The rebuilt network does not compute what the studio computed."""


@dataclass
class ReferenceResult:
    layer: str
    images: int
    max_abs_diff: float
    scale: float
    tolerance: float

    @property
    def relative(self) -> float:
        return self.max_abs_diff / self.scale

    def to_json(self) -> dict[str, float | int | str]:
        return {
            "layer": self.layer,
            "images": self.images,
            "maxAbsDiff": self.max_abs_diff,
            "outputScale": self.scale,
            "relative": self.relative,
            "tolerance": self.tolerance,
        }


def _tensor(doc: dict, what: str) -> np.ndarray:  # type: ignore[type-arg]
    try:
        shape = [int(d) for d in doc["shape"]]
        data = np.asarray(doc["data"], dtype=np.float32)
    except (KeyError, TypeError, ValueError) as err:
        raise ReferenceMismatch(f'The reference "{what}" is not a {{shape, data}} tensor ({err}).') from None
    if data.size != int(np.prod(shape)):
        raise ReferenceMismatch(
            f'The reference "{what}" has {data.size} values for shape {shape}.'
        )
    return data.reshape(shape)


def load_reference(path: str | Path) -> tuple[str, np.ndarray, np.ndarray, float | None]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    tol = doc.get("tolerance")
    return (
        str(doc.get("layer", "")),
        _tensor(doc["inputs"], "inputs"),
        _tensor(doc["outputs"], "outputs"),
        float(tol) if tol is not None else None,
    )


def compare(net: TfjsNetwork, inputs: np.ndarray, expected: np.ndarray, tolerance: float,
            device: torch.device | None = None) -> ReferenceResult:
    """Runs `net` (inference mode) on `inputs` and compares with `expected`."""
    device = device or torch.device("cpu")
    was_training = net.training
    net.eval()
    tf32 = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        with torch.no_grad():
            out = net(torch.from_numpy(inputs).to(device))
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = tf32
        net.train(was_training)
    if expected.ndim == 2 and out.dim() == 4:
        got = to_vectors(out)  # the studio's pooled features
    else:
        got = to_tfjs_layout(out)
    actual = got.detach().cpu().numpy().astype(np.float32)
    if actual.size != expected.size:
        raise ReferenceMismatch(
            f"The rebuilt network gives shape {list(actual.shape)} at {net.until}, "
            f"the reference {list(expected.shape)}."
        )
    actual = actual.reshape(expected.shape)
    diff = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
    scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1e-6)
    return ReferenceResult(net.until, int(inputs.shape[0]), diff, scale, tolerance)


def check(net: TfjsNetwork, inputs: np.ndarray, expected: np.ndarray, tolerance: float,
          device: torch.device | None = None) -> ReferenceResult:
    """`compare`, raising ReferenceMismatch beyond the tolerance."""
    r = compare(net, inputs, expected, tolerance, device)
    if not r.relative <= tolerance:
        raise ReferenceMismatch(
            f"The rebuilt network does not match the studio's reference outputs at layer "
            f'"{r.layer}": max |difference| {r.max_abs_diff:.3g} on outputs up to {r.scale:.3g} '
            f"({r.relative:.2g} of the scale; the tolerance is {tolerance:g}). Training would "
            "start from a different network than the one in the browser, so it stops here. "
            "Check that model/ and reference.json come from the same export."
        )
    return r
