"""Reading and writing tfjs layers-model files: `model.json` plus binary weight shards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class ModelFileError(ValueError):
    """A model.json or weight file that cannot be used, with the reason."""


@dataclass
class ModelFiles:
    """A parsed model.json: its Keras topology and every weight by manifest name."""

    topology: dict[str, Any]
    weights: dict[str, np.ndarray]
    path: Path


_BYTES = {"float32": 4, "int32": 4, "bool": 1, "uint8": 1, "uint16": 2, "float16": 2}


def _entry_bytes(entry: dict[str, Any]) -> int:
    n = int(np.prod(entry["shape"], dtype=np.int64)) if entry["shape"] else 1
    q = (entry.get("quantization") or {}).get("dtype")
    return n * _BYTES[q or entry.get("dtype", "float32")]


def _decode_entry(entry: dict[str, Any], raw: bytes) -> np.ndarray:
    shape = tuple(int(d) for d in entry["shape"])
    dtype = entry.get("dtype", "float32")
    quant = entry.get("quantization")
    if quant:
        qdtype = quant.get("dtype")
        if qdtype == "float16":
            values = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif qdtype in ("uint8", "uint16"):
            q = np.frombuffer(raw, dtype=np.uint8 if qdtype == "uint8" else "<u2")
            # tfjs computes q·scale + min in double precision, then stores float32.
            if "scale" not in quant or "min" not in quant:
                raise ModelFileError(
                    f'Weight "{entry["name"]}" is {qdtype}-quantised without "scale" and "min".'
                )
            values = (q.astype(np.float64) * float(quant["scale"]) + float(quant["min"])).astype(
                np.float32
            )
        else:
            raise ModelFileError(
                f'Weight "{entry["name"]}" uses quantisation "{qdtype}", which is not supported.'
            )
    elif dtype == "float32":
        values = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    elif dtype == "int32":
        values = np.frombuffer(raw, dtype="<i4").astype(np.float32)
    elif dtype == "bool":
        values = np.frombuffer(raw, dtype=np.uint8).astype(np.float32)
    else:
        raise ModelFileError(f'Weight "{entry["name"]}" has unsupported dtype "{dtype}".')
    return values.reshape(shape)


def read_model(path: str | Path) -> ModelFiles:
    """Reads a tfjs layers `model.json` and its weight shards (paths relative to it)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"The model file {path} does not exist.") from None
    except json.JSONDecodeError as err:
        raise ModelFileError(f"{path} is not valid JSON ({err}).") from None
    if not isinstance(doc, dict):
        raise ModelFileError(f"{path} is not a model.json object.")
    topology = doc.get("modelTopology")
    if doc.get("format") == "graph-model" or (isinstance(topology, dict) and "node" in topology):
        raise ModelFileError(
            f"{path} is a graph model (a frozen TensorFlow graph); the runner needs a layers model."
        )
    if not isinstance(topology, dict) or not (
        "model_config" in topology or "class_name" in topology
    ):
        raise ModelFileError(f'{path} has no Keras layers topology ("modelTopology").')
    manifest = doc.get("weightsManifest")
    if not isinstance(manifest, list):
        raise ModelFileError(f'{path} has no "weightsManifest" listing its weight files.')
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        chunks: list[bytes] = []
        for shard in group.get("paths", []):
            shard_path = path.parent / shard
            if not shard_path.is_file():
                raise ModelFileError(f'Weight file "{shard}" listed in {path} is missing.')
            chunks.append(shard_path.read_bytes())
        data = b"".join(chunks)
        offset = 0
        for entry in group.get("weights", []):
            size = _entry_bytes(entry)
            if offset + size > len(data):
                raise ModelFileError(
                    f"The weight files of {path} hold {len(data)} bytes, fewer than its manifest "
                    f'lists (stopped at "{entry["name"]}"): a shard is truncated or from another model.'
                )
            weights[entry["name"]] = _decode_entry(entry, data[offset : offset + size])
            offset += size
    return ModelFiles(topology=topology, weights=weights, path=path)


def write_model(
    directory: str | Path,
    topology: dict[str, Any],
    weights: list[tuple[str, np.ndarray]],
    generated_by: str = "thaw-runner (PyTorch)",
) -> Path:
    """Writes `model.json` and one float32 `weights.bin` into `directory`; returns model.json."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specs = []
    blobs = []
    for name, value in weights:
        arr = np.ascontiguousarray(value, dtype="<f4")
        specs.append({"name": name, "shape": list(arr.shape), "dtype": "float32"})
        blobs.append(arr.tobytes())
    (directory / "weights.bin").write_bytes(b"".join(blobs))
    doc = {
        "format": "layers-model",
        "generatedBy": generated_by,
        "convertedBy": None,
        "modelTopology": topology,
        "weightsManifest": [{"paths": ["weights.bin"], "weights": specs}],
    }
    out = directory / "model.json"
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out
