"""The training job the studio exports (`job.json`, format `thaw-training-job`, version 1)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "thaw-training-job"
VERSION = 1
MODES = ("frozen", "fine-tune", "reinit")
DEFAULT_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "webp", "bmp", "avif")


class JobError(ValueError):
    """A job.json that cannot be run, with what is wrong in it."""


@dataclass
class EarlyStopping:
    """Defaults: the studio's (src/domain/params.ts)."""

    enabled: bool = True
    patience: int = 5
    min_delta: float = 1e-3


@dataclass
class Params:
    learning_rate: float = 1e-3
    fine_tune_learning_rate: float = 1e-5
    epochs: int = 10
    batch_size: int = 16
    seed: int = 42
    validation_fraction: float = 0.2
    test_fraction: float = 0.2
    head: str = "softmax"
    optimizer: str = "adam"
    schedule: str = "constant"
    conservation: float = 0.0
    distillation: float = 0.0
    batch_norm_training: bool = False
    early_stopping: EarlyStopping = field(default_factory=EarlyStopping)

    def to_json(self) -> dict[str, Any]:
        """The params in the job's (camelCase) spelling."""
        return {
            "learningRate": self.learning_rate,
            "fineTuneLearningRate": self.fine_tune_learning_rate,
            "epochs": self.epochs,
            "batchSize": self.batch_size,
            "seed": self.seed,
            "validationFraction": self.validation_fraction,
            "testFraction": self.test_fraction,
            "head": self.head,
            "optimizer": self.optimizer,
            "schedule": self.schedule,
            "conservation": self.conservation,
            "distillation": self.distillation,
            "batchNormTraining": self.batch_norm_training,
            "earlyStopping": {
                "enabled": self.early_stopping.enabled,
                "patience": self.early_stopping.patience,
                "minDelta": self.early_stopping.min_delta,
            },
        }


@dataclass
class Decode:
    resize: str = "cover-crop"
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    min_side: int = 8


@dataclass
class Job:
    path: Path
    name: str
    model_id: str
    model: Path
    feature_layer: str
    modes: dict[str, str]
    class_names: list[str]
    input_size: int
    channels: int
    value_range: tuple[float, float]
    decode: Decode
    params: Params
    reference: Path | None
    raw: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("raw")
        return d


def _require(doc: dict[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise JobError(f'{where} has no "{key}".')
    return doc[key]


def _number(value: Any, key: str, lo: float | None = None, hi: float | None = None,
            integer: bool = False, strict_lo: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise JobError(f'"{key}" must be a number (got {json.dumps(value)}).')
    if integer and int(value) != value:
        raise JobError(f'"{key}" must be a whole number (got {value}).')
    if lo is not None and (value < lo or (strict_lo and value == lo)):
        raise JobError(f'"{key}" must be {">" if strict_lo else "≥"} {lo} (got {value}).')
    if hi is not None and value > hi:
        raise JobError(f'"{key}" must be ≤ {hi} (got {value}).')
    return int(value) if integer else float(value)


def _choice(value: Any, key: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise JobError(f'"{key}" must be one of {", ".join(options)} (got {json.dumps(value)}).')
    return str(value)


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise JobError(f'"{key}" must be true or false (got {json.dumps(value)}).')
    return value


def _params(doc: dict[str, Any]) -> Params:
    p = Params()
    if not isinstance(doc, dict):
        raise JobError('"params" must be an object.')
    if "learningRate" in doc:
        p.learning_rate = _number(doc["learningRate"], "params.learningRate", 0, strict_lo=True)
    if "fineTuneLearningRate" in doc:
        p.fine_tune_learning_rate = _number(
            doc["fineTuneLearningRate"], "params.fineTuneLearningRate", 0
        )
    else:  # as the studio's loop: fine-tuned layers then learn at the head's rate
        p.fine_tune_learning_rate = p.learning_rate
    if "epochs" in doc:
        p.epochs = int(_number(doc["epochs"], "params.epochs", 1, integer=True))
    if "batchSize" in doc:
        p.batch_size = int(_number(doc["batchSize"], "params.batchSize", 1, integer=True))
    if "seed" in doc:
        p.seed = int(_number(doc["seed"], "params.seed", 0, 2**32 - 1, integer=True))
    if "validationFraction" in doc:
        p.validation_fraction = _number(doc["validationFraction"], "params.validationFraction", 0, 0.9)
    if "testFraction" in doc:
        p.test_fraction = _number(doc["testFraction"], "params.testFraction", 0, 0.9)
    if p.validation_fraction + p.test_fraction >= 1:
        raise JobError("validationFraction + testFraction must leave images for training (< 1).")
    if "head" in doc:
        p.head = _choice(doc["head"], "params.head", ("softmax", "svm"))
    if "optimizer" in doc:
        p.optimizer = _choice(doc["optimizer"], "params.optimizer", ("adam", "sgd"))
    if "schedule" in doc:
        p.schedule = _choice(doc["schedule"], "params.schedule", ("constant", "cosine"))
    if "conservation" in doc:
        p.conservation = _number(doc["conservation"], "params.conservation", 0)
    if "distillation" in doc:
        p.distillation = _number(doc["distillation"], "params.distillation", 0)
    if "batchNormTraining" in doc:
        p.batch_norm_training = _bool(doc["batchNormTraining"], "params.batchNormTraining")
    es = doc.get("earlyStopping")
    if es is not None:
        if not isinstance(es, dict):
            raise JobError('"params.earlyStopping" must be an object.')
        p.early_stopping = EarlyStopping(
            enabled=_bool(es.get("enabled", True), "params.earlyStopping.enabled"),
            patience=int(
                _number(es.get("patience", 5), "params.earlyStopping.patience", 1, integer=True)
            ),
            min_delta=_number(es.get("minDelta", 1e-3), "params.earlyStopping.minDelta", 0),
        )
    return p


def parse_job(doc: Any, path: Path) -> Job:
    """Validates a parsed job.json; paths in it are relative to `path`'s folder."""
    where = str(path)
    if not isinstance(doc, dict):
        raise JobError(f"{where} is not a JSON object.")
    if doc.get("format") != FORMAT:
        raise JobError(f'{where} is not a Thaw training job ("format" must be "{FORMAT}").')
    if doc.get("version") != VERSION:
        raise JobError(
            f'{where} is job version {doc.get("version")}; this runner reads version {VERSION}. '
            "Export the job again from the studio, or use the runner that came with it."
        )
    base = path.parent
    model = base / str(_require(doc, "model", where))
    feature_layer = _require(doc, "featureLayer", where)
    if not isinstance(feature_layer, str) or not feature_layer:
        raise JobError('"featureLayer" must be a layer name.')
    modes = doc.get("modes", {}) or {}
    if not isinstance(modes, dict):
        raise JobError('"modes" must map layer names to "frozen", "fine-tune" or "reinit".')
    for layer, mode in modes.items():
        _choice(mode, f"modes.{layer}", MODES)
    classes = _require(doc, "classNames", where)
    if (
        not isinstance(classes, list)
        or len(classes) < 2
        or not all(isinstance(c, str) and c for c in classes)
    ):
        raise JobError('"classNames" must list at least two class names.')
    if len(set(classes)) != len(classes):
        raise JobError('"classNames" has a name twice.')
    input_size = int(_number(_require(doc, "inputSize", where), "inputSize", 1, integer=True))
    channels = int(_number(_require(doc, "channels", where), "channels", 1, integer=True))
    if channels not in (1, 3):
        raise JobError(f'"channels" must be 1 or 3 (got {channels}).')
    vr = _require(doc, "valueRange", where)
    if not (isinstance(vr, list) and len(vr) == 2):
        raise JobError('"valueRange" must be [low, high].')
    lo, hi = _number(vr[0], "valueRange[0]"), _number(vr[1], "valueRange[1]")
    if not lo < hi:
        raise JobError(f'"valueRange" must have low < high (got [{lo}, {hi}]).')
    dec_doc = doc.get("decode", {}) or {}
    decode = Decode()
    if "resize" in dec_doc:
        decode.resize = _choice(dec_doc["resize"], "decode.resize", ("cover-crop",))
    if "extensions" in dec_doc:
        exts = dec_doc["extensions"]
        if not isinstance(exts, list) or not all(isinstance(e, str) for e in exts):
            raise JobError('"decode.extensions" must list file extensions.')
        decode.extensions = tuple(e.lower().lstrip(".") for e in exts)
    if "minSide" in dec_doc:
        decode.min_side = int(_number(dec_doc["minSide"], "decode.minSide", 1, integer=True))
    params = _params(doc.get("params", {}) or {})
    ref = doc.get("reference")
    return Job(
        path=path,
        name=str(doc.get("name") or path.parent.name),
        model_id=str(doc.get("modelId") or ""),
        model=model,
        feature_layer=feature_layer,
        modes={str(k): str(v) for k, v in modes.items()},
        class_names=list(classes),
        input_size=input_size,
        channels=channels,
        value_range=(lo, hi),
        decode=decode,
        params=params,
        reference=(base / str(ref)) if ref else None,
        raw=doc,
    )


def find_job(given: str | None, search: list[Path]) -> Path:
    """The job.json to run: `given` (a file or a folder holding job.json), else the first
    job.json found in `search`."""
    if given:
        p = Path(given)
        if p.is_dir():
            p = p / "job.json"
        if not p.is_file():
            raise JobError(f"No job file at {p}.")
        return p
    for folder in search:
        if (folder / "job.json").is_file():
            return folder / "job.json"
    where = ", ".join(str(f) for f in search)
    raise JobError(f"No job.json found (looked in {where}); pass --job JOB_DIR or job.json.")


def load_job(path: str | Path) -> Job:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError(f"No job file at {path}.") from None
    except json.JSONDecodeError as err:
        raise JobError(f"{path} is not valid JSON ({err}).") from None
    return parse_job(doc, path)
