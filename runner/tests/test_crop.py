"""The cover-crop on odd shapes at every input size the studio offers: no size makes the crop
box leave the image (a 376×379 image at 12, 24, 48 … px once did, by 3e-14), the crop is the
centred square of the short side (the studio's rule, src/data/decode.ts), and every pixel
mode a folder of photos holds decodes to RGB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from thaw_runner.data import check_image, cover_crop_box, load_image

#: The catalog's input sizes (src/model/catalog.ts: 28, 96 … 224) and sizes where the old
#: floating-point box went negative for 376×379 (12, 24, 48, 51).
SIZES = [8, 12, 16, 24, 28, 32, 48, 51, 96, 128, 160, 192, 224]
#: Prime sides, lines, near-squares and the photo that crashed a job.
SHAPES = [(1, 1), (1, 97), (97, 1), (2, 3), (7, 13), (13, 7), (31, 37), (101, 103), (376, 379),
          (379, 376), (127, 509), (509, 127), (224, 224), (8, 8)]


def _noise(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    w, h = size
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_shape_at_every_size(tmp_path: Path, shape: tuple[int, int]) -> None:
    path = tmp_path / "a.png"
    Image.fromarray(_noise(shape)).save(path)
    w, h = shape
    for size in SIZES:
        left, top, right, bottom = cover_crop_box(w, h)
        assert 0 <= left and 0 <= top and right <= w and bottom <= h
        assert right - left == bottom - top == min(w, h)
        assert left == (w - min(w, h)) / 2 and top == (h - min(w, h)) / 2
        out = load_image(path, size)
        assert out.shape == (size, size, 3) and out.dtype == np.uint8
        reason = check_image(path, 8, size)
        if min(w, h) < 8:
            assert reason == f"too small ({w}×{h}; at least 8×8)"
        else:
            assert reason is None


def test_the_crop_is_the_centred_square(tmp_path: Path) -> None:
    """A white square between red margins: the output is the square, not the margins."""
    for w, h in ((90, 30), (30, 90), (91, 31), (31, 91)):
        side = min(w, h)
        pixels = np.zeros((h, w, 3), np.uint8)
        pixels[...] = (255, 0, 0)
        left, top = (w - side) // 2, (h - side) // 2
        pixels[top : top + side, left : left + side] = 255
        Image.fromarray(pixels).save(tmp_path / "m.png")
        for size in (16, 28, 96):
            out = load_image(tmp_path / "m.png", size).astype(int)
            inner = out[2:-2, 2:-2]  # the filter may blend the outermost pixels with the margin
            assert inner.min() >= 250, (w, h, size)


def test_the_crop_is_symmetric(tmp_path: Path) -> None:
    """Mirroring the image mirrors the output: the crop is centred to the half pixel."""
    for shape in ((376, 379), (379, 376), (31, 37), (38, 31)):
        pixels = _noise(shape, seed=5)
        Image.fromarray(pixels).save(tmp_path / "a.png")
        Image.fromarray(pixels[:, ::-1].copy()).save(tmp_path / "b.png")
        Image.fromarray(pixels[::-1].copy()).save(tmp_path / "c.png")
        for size in (12, 28, 128):
            a = load_image(tmp_path / "a.png", size).astype(int)
            np.testing.assert_allclose(load_image(tmp_path / "b.png", size)[:, ::-1], a, atol=1)
            np.testing.assert_allclose(load_image(tmp_path / "c.png", size)[::-1], a, atol=1)


def test_376_by_379_matches_the_box_the_studio_draws(tmp_path: Path) -> None:
    pixels = _noise((376, 379), seed=2)
    Image.fromarray(pixels).save(tmp_path / "grapes.png")
    for size in SIZES:
        expected = Image.fromarray(pixels).resize((size, size), Image.Resampling.BILINEAR, box=(0, 1.5, 376, 377.5))
        np.testing.assert_array_equal(load_image(tmp_path / "grapes.png", size), np.asarray(expected))


def test_exif_rotation_is_applied_before_the_crop(tmp_path: Path) -> None:
    """Stored 80×40, left red and right blue, EXIF orientation 6 (turn 90° clockwise): shown
    40×80 with red on top; the centred 40×40 is red above blue."""
    pixels = np.zeros((40, 80, 3), np.uint8)
    pixels[:, :40] = (255, 0, 0)
    pixels[:, 40:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(tmp_path / "r.jpg", quality=95, exif=exif)
    assert check_image(tmp_path / "r.jpg", 8, 28) is None
    for size in (8, 28, 96, 224):
        out = load_image(tmp_path / "r.jpg", size).astype(int)
        q = size // 4
        top, bottom = out[:q].mean((0, 1)), out[-q:].mean((0, 1))
        assert top[0] > 200 and top[2] < 60, (size, top)
        assert bottom[2] > 200 and bottom[0] < 60, (size, bottom)


def _modes(tmp_path: Path) -> dict[str, Path]:
    rgb = _noise((37, 23), seed=1)
    files = {}
    rgba = np.dstack([rgb, np.full((23, 37), 255, np.uint8)])
    rgba[:, :10, 3] = 0  # a transparent strip: black, as the studio's canvas
    files["RGBA"] = tmp_path / "rgba.png"
    Image.fromarray(rgba, "RGBA").save(files["RGBA"])
    files["P"] = tmp_path / "palette.png"
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(files["P"])
    files["P+transparency"] = tmp_path / "palette.gif"
    pal = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    pal.save(files["P+transparency"], transparency=0)
    files["L"] = tmp_path / "grey.png"
    Image.fromarray(rgb).convert("L").save(files["L"])
    files["LA"] = tmp_path / "grey-alpha.png"
    Image.fromarray(rgb).convert("LA").save(files["LA"])
    files["I;16"] = tmp_path / "grey16.png"
    Image.fromarray((np.arange(37 * 23, dtype=np.uint16).reshape(23, 37) * 70)).save(files["I;16"])
    files["1"] = tmp_path / "bits.bmp"
    Image.fromarray(rgb).convert("1").save(files["1"])
    files["CMYK"] = tmp_path / "cmyk.jpg"
    Image.fromarray(rgb).convert("CMYK").save(files["CMYK"])
    return files


def test_every_pixel_mode_decodes_to_rgb(tmp_path: Path) -> None:
    for mode, path in _modes(tmp_path).items():
        for size in (8, 28, 96):
            assert check_image(path, 8, size) is None, mode
            out = load_image(path, size)
            assert out.shape == (size, size, 3), mode
    # Transparent pixels come out black, as on the studio's canvas.
    out = load_image(tmp_path / "rgba.png", 23)
    assert out[:, :3].max() == 0 and out[:, 10:].max() > 0
    # 16-bit grey keeps its range: the brightest corner is bright, the darkest dark.
    grey = load_image(tmp_path / "grey16.png", 23)
    assert grey[-1, -1].min() > 200 and grey[0, 0].max() < 30


def test_an_unreadable_file_gets_the_studios_words(tmp_path: Path) -> None:
    Image.fromarray(_noise((50, 40))).save(tmp_path / "whole.png")
    data = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "words.png").write_bytes(b"these are words, not pixels")
    assert check_image(tmp_path / "cut.png", 8, 28) == (
        "corrupt or unreadable image (a 50×40 PNG that is damaged or cut short)"
    )
    assert check_image(tmp_path / "words.png", 8, 28) == (
        "corrupt or unreadable image (the contents are not a known image format)"
    )
