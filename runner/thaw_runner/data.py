"""Images from a folder tree, with the studio's rules (src/data/folder-rules.ts, decode.ts,
split.ts, src/model/preprocess.ts).

Each top-level sub-folder is a class; deeper folders belong to their top-level class;
folder levels that every file shares are dropped first (a tree `photos/cats/1.jpg` given
as `photos/..` still has classes `cats`, …). Files that cannot be used are listed with
their reason. Images are decoded to RGB, scaled to cover the square input and centre-
cropped, then mapped to the network's value range.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import torch
from PIL import Image, ImageOps
from torch.utils.data import Dataset

#: Image formats people have in photo folders that browsers cannot decode (folder-rules.ts).
UNDECODABLE = frozenset(
    "tif tiff heic heif psd svg jxl raw cr2 cr3 nef arw dng orf rw2 xcf eps".split()
)
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Sample:
    path: str
    """Path relative to the data folder, with '/' separators."""
    class_name: str


@dataclass
class FolderScan:
    samples: list[Sample]
    class_names: list[str]
    skipped: list[Skipped]


def pil_extensions() -> set[str]:
    """Extensions this Pillow can open."""
    return {ext.lstrip(".").lower() for ext in Image.registered_extensions()}


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot + 1 :].lower() if dot > 0 else ""


def file_skip_reason(name: str, size: int, extensions: Iterable[str]) -> str | None:
    """Why a file cannot be used, judged from its name and size; None if it can."""
    if name.startswith(".") or name.lower() in SYSTEM_FILES:
        return "hidden or system file"
    ext = _extension(name)
    allowed = set(extensions)
    if ext in UNDECODABLE:
        return f"unsupported image format (.{ext}); convert it to PNG or JPEG"
    if ext not in allowed:
        return f"not an image (.{ext})" if ext else "not an image"
    if ext not in pil_extensions():
        return f"unsupported image format (.{ext}) for this runner's Pillow; convert it to PNG or JPEG"
    if size == 0:
        return "empty file"
    return None


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key close to `localeCompare(b, 'en', {numeric: true})`: digits by value, text
    case-insensitively."""
    parts = re.split(r"(\d+)", text)
    key = []
    for i, part in enumerate(parts):
        if i % 2:
            key.append((0, int(part), ""))
        elif part:
            key.append((1, 0, part.casefold()))
    return tuple(key)


def _sort_key(text: str) -> tuple[object, ...]:
    return (natural_key(text), text)


def _strip_common_root(paths: list[list[str]]) -> int:
    """Folder levels every file shares, as long as some file sits ≥ 2 levels below them."""
    depth = 0
    while True:
        if not paths or len(paths[0]) <= depth:
            return depth
        first = paths[0][depth]
        shared = all(len(p) > depth + 1 and p[depth] == first for p in paths)
        deep_enough = any(len(p) - depth >= 3 for p in paths)
        if not shared or not deep_enough:
            return depth
        depth += 1


def walk_files(root: Path) -> tuple[list[tuple[str, int]], list[Skipped]]:
    """Every file under `root` as (relative posix path, size); hidden folders are skipped
    (listed once), symbolic links followed once."""
    files: list[tuple[str, int]] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        rel_dir = Path(dirpath).relative_to(root)
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                skipped.append(Skipped((rel_dir / d).as_posix() + "/", "hidden folder"))
            else:
                keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            full = Path(dirpath) / f
            try:
                size = full.stat().st_size
            except OSError:
                skipped.append(Skipped((rel_dir / f).as_posix(), "unreadable file"))
                continue
            files.append(((rel_dir / f).as_posix(), size))
    return files, skipped


def scan_folder(root: str | Path, extensions: Iterable[str]) -> FolderScan:
    """Sorts the files of a tree into classes by name alone (no decoding)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"The data folder {root} does not exist.")
    exts = list(extensions)
    files, skipped = walk_files(root)
    parts = [p.split("/") for p, _ in files]
    strip = _strip_common_root(parts)
    samples: list[Sample] = []
    for (path, size), segments in zip(files, parts):
        seg = segments[strip:]
        reason = file_skip_reason(seg[-1], size, exts)
        if reason:
            skipped.append(Skipped(path, reason))
        elif len(seg) < 2:
            skipped.append(Skipped(path, "not inside a class folder"))
        else:
            samples.append(Sample(path, seg[0]))
    samples.sort(key=lambda s: (_sort_key(s.class_name), _sort_key(s.path)))
    class_names = list(dict.fromkeys(s.class_name for s in samples))
    return FolderScan(samples, class_names, skipped)


def _oriented_size(im: Image.Image) -> tuple[int, int]:
    w, h = im.size
    try:
        orientation = im.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - broken EXIF is not a broken image
        orientation = 1
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


#: Images with more pixels than this are refused before decoding, as the studio does (decode.ts).
MAX_PIXELS = 16384 * 16384


def sniff_format(head: bytes) -> str | None:
    """The image format a file's first bytes announce (decode.ts `sniffFormat`, the
    formats a folder of photos may hold), or None."""
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:2] == b"\xff\xd8":
        return "JPEG"
    if head[:4] == b"GIF8":
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:2] == b"BM":
        return "BMP"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "AVIF"
    return None


def _unreadable(fmt: str | None, dims: tuple[int, int] | None) -> str:
    """The studio's words for a file that failed to decode (decode.ts `decodeFailure`)."""
    if fmt and dims:
        return f"corrupt or unreadable image (a {dims[0]}×{dims[1]} {fmt} that is damaged or cut short)"
    if fmt:
        return f"corrupt or unreadable image (a {fmt} file that is damaged or cut short)"
    return "corrupt or unreadable image (the contents are not a known image format)"


def check_image(path: str | Path, min_side: int, size: int | None = None) -> str | None:
    """Decodes a file fully — with `size`, through the same steps as training (`load_image`),
    so a file that passes here loads there — and returns the reason it cannot be used (as the
    studio words it), or None."""
    fmt: str | None = None
    dims: tuple[int, int] | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                fmt = im.format
                dims = _oriented_size(im)
                if dims[0] * dims[1] > MAX_PIXELS:
                    return (
                        f"too large to decode ({dims[0]}×{dims[1]}, {round(dims[0] * dims[1] / 1e6)} megapixels; "
                        f"at most {round(MAX_PIXELS / 1e6)}) — scale it down first"
                    )
                if size is None:
                    im.load()
            if size is not None:
                load_image(path, size)
    except Image.DecompressionBombError:
        return "too large to decode — scale it down first"
    except Exception:  # noqa: BLE001 - any failure to decode is this file's reason, not the run's
        if fmt is None:
            try:
                with open(path, "rb") as f:
                    fmt = sniff_format(f.read(16))
            except OSError:
                return "the file could not be read (moved, deleted or not allowed)"
        return _unreadable(fmt, dims)
    assert dims is not None
    w, h = dims
    if w < min_side or h < min_side:
        return f"too small ({w}×{h}; at least {min_side}×{min_side})"
    return None


def cover_crop_box(width: int, height: int) -> tuple[float, float, float, float]:
    """The centred square of side min(width, height): the part of an image that covers the
    square input (the studio draws the image scaled by max(s/w, s/h), centred, which shows
    exactly this). Exact in floating point: every bound is an integer or half-integer inside
    the image, whatever the sizes."""
    side = min(width, height)
    left, top = (width - side) / 2, (height - side) / 2
    return (left, top, left + side, top + side)


def _to_rgb(im: Image.Image) -> Image.Image:
    """RGB, with transparent pixels over black (the studio draws on a black canvas)."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        im = im.convert("I")
    if im.mode == "I":
        im = im.point(lambda v: v / 256).convert("L")
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        black = Image.new("RGBA", im.size, (0, 0, 0, 255))
        return Image.alpha_composite(black, im).convert("RGB")
    return im.convert("RGB")


def load_image(path: str | Path, size: int) -> np.ndarray:
    """uint8 RGB [size, size, 3]: EXIF-oriented, scaled to cover the square, centre-cropped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(path) as im:
            w, h = _oriented_size(im)
            scale = max(size / w, size / h)
            if im.format == "JPEG" and scale < 0.5:
                # Let the JPEG decoder downscale by a power of two (never below the target).
                need = (math.ceil(im.size[0] * scale), math.ceil(im.size[1] * scale))
                im.draft("RGB", need)
            im = ImageOps.exif_transpose(im)
            im = _to_rgb(im)
    out = im.resize((size, size), Image.Resampling.BILINEAR, box=cover_crop_box(*im.size))
    return np.asarray(out, dtype=np.uint8)


def to_model_input(batch: torch.Tensor, channels: int, value_range: Sequence[float]) -> torch.Tensor:
    """uint8 RGB [n, h, w, 3] → float [n, h, w, channels] in `value_range`
    (grayscale networks get the mean of R, G and B, as the studio does)."""
    lo, hi = float(value_range[0]), float(value_range[1])
    x = batch.float()
    if channels == 1:
        x = x.mean(dim=3, keepdim=True)
    return x * ((hi - lo) / 255) + lo


class ImageFolderDataset(Dataset[tuple[torch.Tensor, int, int]]):
    """(uint8 image [size, size, 3], label, index) for each sample."""

    def __init__(self, root: str | Path, paths: Sequence[str], labels: Sequence[int], size: int):
        self.root = Path(root)
        self.paths = list(paths)
        self.labels = list(labels)
        self.size = size

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int, int]:
        path = self.root / self.paths[i]
        try:
            pixels = load_image(path, self.size)
        except Exception as err:  # noqa: BLE001 - name the file in any decode failure
            raise RuntimeError(
                f"Could not decode {path} during training, though it decoded when the folder was "
                f"checked (was it changed or removed since?): {err}"
            ) from err
        return torch.from_numpy(pixels.copy()), self.labels[i], i


# --- The studio's seeded split (src/data/split.ts) --------------------------------------


def mulberry32(seed: int) -> Callable[[], float]:
    """The studio's PRNG, bit for bit: returns a function giving floats in [0, 1)."""
    state = seed & 0xFFFFFFFF

    def imul(a: int, b: int) -> int:
        return (a * b) & 0xFFFFFFFF

    def next_value() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_value


def shuffle_in_place(items: list[int], random: Callable[[], float]) -> list[int]:
    for i in range(len(items) - 1, 0, -1):
        j = math.floor(random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


@dataclass
class Split:
    train: list[int]
    validation: list[int]
    test: list[int]


def stratified_split(labels: Sequence[int], fraction: float, seed: int,
                     test_fraction: float = 0.0) -> Split:
    """Per class: round(n·fraction) validation (≥ 1 when n ≥ 2), round(n·testFraction) test
    (≥ 1 when n ≥ 3), at least one left for training. Same labels + seed → same split as
    the studio."""
    by_class: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    random = mulberry32(seed)
    train: list[int] = []
    validation: list[int] = []
    test: list[int] = []
    for label in sorted(by_class):
        indices = shuffle_in_place(list(by_class[label]), random)
        n = len(indices)
        n_val = 0 if n < 2 else min(n - 1, max(1, _js_round(n * fraction)))
        n_test = (
            0
            if test_fraction <= 0 or n < 3
            else min(n - 1 - n_val, max(1, _js_round(n * test_fraction)))
        )
        validation.extend(indices[:n_val])
        test.extend(indices[n_val : n_val + n_test])
        train.extend(indices[n_val + n_test :])
    return Split(sorted(train), sorted(validation), sorted(test))
