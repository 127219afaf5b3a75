#!/usr/bin/python3
"""Builds the photo sample public/samples/photos/ from Tux Paint's photo stamps.

    /usr/bin/python3 scripts/tm-backbone/make-photo-sample.py [stamps dir]

Needs Debian's tuxpaint-stamps-default (2022.06.04-1; stamps in
/usr/share/tuxpaint/stamps/, GPL-2+) and python3-pil. Each stamp is a photo cut-out with an
alpha channel; it is cropped to its visible pixels, brought down to at most DETAIL pixels on
its longer side (the fruit stamps are only 50-71 px, so no class is sharper than the
others), scaled to fit a BOX x BOX square, centred on a plain light-grey SIZE x SIZE
background and saved as PNG (lossless, and readable in Node with
pngjs). Writes manifest.json (the studio's sample format) and
sources.json (output file -> stamp). Deterministic: same stamps, same files.
"""

import json
import os
import shutil
import sys

from PIL import Image

STAMPS = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/tuxpaint/stamps'
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '../..'))
OUT = os.path.join(ROOT, 'public/samples/photos')
SIZE = 224
BOX = 184
DETAIL = 96
BACKGROUND = (232, 232, 232)
PER_CLASS = 30

# Class -> (stamp folders, stamps left out and why). Only photo stamps; 'cartoon' subfolders
# hold drawings and are skipped everywhere.
CLASSES = {
    'Bird': (['animals/birds'], {}),
    'Mammal': (
        ['animals/mammals'],
        {
            'hedgehog.png': 'a drawing',
            'echidna.png': 'a black silhouette',
            'edward_bear.png': 'a teddy bear (a toy, not an animal)',
        },
    ),
    'Fruit': (['food/fruit'], {}),
    'Flower': (['plants/flowers'], {}),
    'Household': (
        ['household'],
        {
            'measuring_tape_mirror.png': 'a mirrored copy of measuring_tape.png',
            'cementmixer.png': 'not a household object',
        },
    ),
}


def stamps_of(folders, excluded):
    found = []
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(os.path.join(STAMPS, folder)):
            dirnames[:] = sorted(d for d in dirnames if d != 'cartoon')
            for name in filenames:
                if name.endswith('.png') and name not in excluded:
                    found.append(os.path.relpath(os.path.join(dirpath, name), STAMPS))
    return sorted(found)


def evenly(items, n):
    """n items spread evenly over the sorted list (all of them when there are fewer)."""
    if len(items) <= n:
        return items
    return [items[(i * len(items)) // n] for i in range(n)]


def render(path):
    im = Image.open(os.path.join(STAMPS, path)).convert('RGBA')
    box = im.getchannel('A').point(lambda a: 255 if a > 8 else 0).getbbox()
    im = im.crop(box)
    w, h = im.size
    if max(w, h) > DETAIL:
        s = DETAIL / max(w, h)
        im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
        w, h = im.size
    s = BOX / max(w, h)
    im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BICUBIC)
    canvas = Image.new('RGBA', (SIZE, SIZE), BACKGROUND + (255,))
    canvas.alpha_composite(im, ((SIZE - im.size[0]) // 2, (SIZE - im.size[1]) // 2))
    return canvas.convert('RGB')


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    manifest = []
    sources = {}
    for name, (folders, excluded) in CLASSES.items():
        chosen = evenly(stamps_of(folders, excluded), PER_CLASS)
        os.makedirs(os.path.join(OUT, name))
        files = []
        for path in chosen:
            stem = os.path.splitext(os.path.basename(path))[0].lower().replace(' ', '_')
            file = stem + '.png'
            assert file not in files, file
            render(path).save(os.path.join(OUT, name, file), optimize=True)
            files.append(file)
            sources[name + '/' + file] = path
        manifest.append({'name': name, 'files': files})
        print(f'{name}: {len(files)} images from {", ".join(folders)}')
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        f.write(json.dumps({'classes': manifest}, indent=1) + '\n')
    with open(os.path.join(OUT, 'sources.json'), 'w') as f:
        about = (
            'Tux Paint stamps (Debian package tuxpaint-stamps-default 2022.06.04-1, '
            '/usr/share/tuxpaint/stamps/), GPL-2+; made by scripts/tm-backbone/make-photo-sample.py'
        )
        f.write(json.dumps({'about': about, 'files': sources}, indent=1) + '\n')
    shutil.copyfile('/usr/share/doc/tuxpaint-stamps-default/copyright', os.path.join(OUT, 'COPYRIGHT'))
    shutil.copyfile('/usr/share/common-licenses/GPL-2', os.path.join(OUT, 'GPL-2'))


if __name__ == '__main__':
    main()
