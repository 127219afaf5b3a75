"""Folder rules on a tree with junk files; decoding, cover-crop and value range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from thaw_runner.data import (
    check_image,
    load_image,
    natural_key,
    scan_folder,
    to_model_input,
)
from thaw_runner.job import DEFAULT_EXTENSIONS


def _png(path: Path, size: tuple[int, int] = (20, 20), colour: tuple[int, ...] = (10, 20, 30)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)


@pytest.fixture
def junk_tree(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    _png(root / "cats" / "a1.png")
    _png(root / "cats" / "a10.png")
    _png(root / "cats" / "a2.PNG")  # upper-case extension
    _png(root / "cats" / "indoor" / "deep" / "b.png")  # nested: still a cat
    (root / "cats" / "empty.png").write_bytes(b"")
    (root / "cats" / "notes.txt").write_text("not an image")
    (root / "cats" / ".DS_Store").write_bytes(b"\0\1")
    (root / "cats" / "Thumbs.db").write_bytes(b"\0\1")
    (root / "cats" / "phone.heic").write_bytes(b"\0" * 64)
    (root / "cats" / "scan.tiff").write_bytes(b"\0" * 64)
    (root / "cats" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    Image.new("RGB", (4, 6)).save(root / "cats" / "tiny.png")
    _png(root / "dogs" / "d1.jpg")
    Image.new("RGB", (30, 12), (1, 2, 3)).save(root / "dogs" / "d2.jpg")
    Image.new("RGBA", (12, 12), (255, 0, 0, 0)).save(root / "dogs" / "clear.png")
    Image.new("P", (12, 12)).save(root / "dogs" / "anim.gif")
    _png(root / "dogs" / ".git" / "objects" / "x.png")  # a hidden folder
    _png(root / "loose.png")  # not inside a class folder
    return root


def test_folder_rules(junk_tree: Path) -> None:
    scan = scan_folder(junk_tree, DEFAULT_EXTENSIONS)
    assert scan.class_names == ["cats", "dogs"]
    by_class = {c: [s.path for s in scan.samples if s.class_name == c] for c in scan.class_names}
    assert by_class["cats"] == [
        "cats/a1.png", "cats/a2.PNG", "cats/a10.png", "cats/broken.jpg", "cats/indoor/deep/b.png", "cats/tiny.png",
    ]
    assert by_class["dogs"] == ["dogs/anim.gif", "dogs/clear.png", "dogs/d1.jpg", "dogs/d2.jpg"]
    reasons = {s.path: s.reason for s in scan.skipped}
    assert reasons == {
        "cats/empty.png": "empty file",
        "cats/notes.txt": "not an image (.txt)",
        "cats/.DS_Store": "hidden or system file",
        "cats/Thumbs.db": "hidden or system file",
        "cats/phone.heic": "unsupported image format (.heic); convert it to PNG or JPEG",
        "cats/scan.tiff": "unsupported image format (.tiff); convert it to PNG or JPEG",
        "dogs/.git/": "hidden folder",
        "loose.png": "not inside a class folder",
    }
    # Decoding finds the rest.
    assert check_image(junk_tree / "cats" / "broken.jpg", 8) == (
        "corrupt or unreadable image (a JPEG file that is damaged or cut short)"
    )
    assert check_image(junk_tree / "cats" / "tiny.png", 8) == "too small (4×6; at least 8×8)"
    for ok in ("cats/a1.png", "cats/a2.PNG", "dogs/d2.jpg", "dogs/anim.gif", "dogs/clear.png"):
        assert check_image(junk_tree / ok, 8) is None


def test_common_root_is_dropped(tmp_path: Path) -> None:
    _png(tmp_path / "export" / "dataset" / "a" / "1.png")
    _png(tmp_path / "export" / "dataset" / "b" / "2.png")
    scan = scan_folder(tmp_path / "export", DEFAULT_EXTENSIONS)
    assert scan.class_names == ["a", "b"]
    assert [s.path for s in scan.samples] == ["dataset/a/1.png", "dataset/b/2.png"]


def test_extensions_come_from_the_job(tmp_path: Path) -> None:
    _png(tmp_path / "a" / "1.png")
    (tmp_path / "a" / "2.bmp").write_bytes(b"BM")
    scan = scan_folder(tmp_path, ["png"])
    assert [s.path for s in scan.samples] == ["a/1.png"]
    assert scan.skipped[0].reason == "not an image (.bmp)"


def test_natural_order() -> None:
    names = ["img10.png", "img2.png", "Img1.png", "img1.png"]
    assert sorted(names, key=natural_key) == ["Img1.png", "img1.png", "img2.png", "img10.png"]


def test_cover_crop_keeps_the_centre(tmp_path: Path) -> None:
    # 40×20: left quarter red, middle half green, right quarter blue. Scaled by 0.8 to
    # 32×16, the centred 16×16 crop shows only the middle half.
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :10] = (255, 0, 0)
    pixels[:, 10:30] = (0, 255, 0)
    pixels[:, 30:] = (0, 0, 255)
    Image.fromarray(pixels).save(tmp_path / "wide.png")
    out = load_image(tmp_path / "wide.png", 16)
    assert out.shape == (16, 16, 3) and out.dtype == np.uint8
    assert out[:, 1:-1, 1].min() == 255 and out[:, 1:-1, 0].max() == 0 and out[:, 1:-1, 2].max() == 0
    # Tall images crop top and bottom the same way.
    Image.fromarray(pixels.transpose(1, 0, 2).copy()).save(tmp_path / "tall.png")
    tall = load_image(tmp_path / "tall.png", 16)
    assert tall[1:-1, :, 1].min() == 255


def test_transparency_is_black_and_grey_is_rgb(tmp_path: Path) -> None:
    Image.new("RGBA", (10, 10), (255, 255, 255, 0)).save(tmp_path / "clear.png")
    assert load_image(tmp_path / "clear.png", 8).max() == 0
    Image.new("L", (10, 10), 77).save(tmp_path / "grey.png")
    assert (load_image(tmp_path / "grey.png", 8) == 77).all()


def test_value_range_and_grey_channel() -> None:
    batch = torch.tensor([[[[0, 255, 30]]]], dtype=torch.uint8)  # one pixel: R=0, G=255, B=30
    x = to_model_input(batch, 3, (-1, 1))
    torch.testing.assert_close(x, torch.tensor([[[[-1.0, 1.0, 30 / 255 * 2 - 1]]]]))
    g = to_model_input(batch, 1, (0, 1))
    assert g.shape == (1, 1, 1, 1)
    assert float(g) == pytest.approx(95 / 255)  # mean of R, G, B, as the studio does
