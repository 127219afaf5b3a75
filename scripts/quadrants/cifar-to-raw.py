"""CIFAR-10 JPG folders (one sub-folder per class, e.g. train/cat/0000.jpg) -> one raw file
per split that the quadrant experiment reads: for each class in sorted order, the first N
images in sorted file order, each 32x32x3 uint8 RGB, preceded by a JSON header line.

    /usr/bin/python3 scripts/quadrants/cifar-to-raw.py <CIFAR-10-images checkout> <out dir> [--train 600] [--test 200]

Writes <out>/train.raw and <out>/test.raw and <out>/files.json (every file used with its
SHA-256, so a run can be checked against the same images). The images are not part of this
repository: see docs/quadrants.md for where they come from.
"""
import argparse
import hashlib
import json
import os
import sys

from PIL import Image


def convert(root, split, per_class, out_dir, files):
    classes = sorted(d for d in os.listdir(os.path.join(root, split)) if not d.startswith('.'))
    header = {'classes': classes, 'perClass': per_class, 'size': 32}
    with open(os.path.join(out_dir, f'{split}.raw'), 'wb') as out:
        out.write((json.dumps(header) + '\n').encode())
        for c in classes:
            names = sorted(os.listdir(os.path.join(root, split, c)))[:per_class]
            if len(names) < per_class:
                sys.exit(f'{split}/{c} has {len(names)} images, {per_class} asked')
            for n in names:
                path = os.path.join(root, split, c, n)
                data = open(path, 'rb').read()
                files.append({'file': f'{split}/{c}/{n}', 'sha256': hashlib.sha256(data).hexdigest()})
                im = Image.open(path).convert('RGB')
                if im.size != (32, 32):
                    sys.exit(f'{path} is {im.size}, not 32x32')
                out.write(im.tobytes())


def main():
    p = argparse.ArgumentParser()
    p.add_argument('root')
    p.add_argument('out')
    p.add_argument('--train', type=int, default=600)
    p.add_argument('--test', type=int, default=200)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    files = []
    convert(a.root, 'train', a.train, a.out, files)
    convert(a.root, 'test', a.test, a.out, files)
    with open(os.path.join(a.out, 'files.json'), 'w') as f:
        json.dump(files, f)
    print(f'{len(files)} images -> {a.out}')


if __name__ == '__main__':
    main()
