#!/usr/bin/python3
"""A plain numpy forward pass of MobileNetV2 α=1.0 straight from the TF-slim checkpoint
tensors (not from the converted files), to check the tfjs model numbers by an independent
route: TF-slim names, SAME padding computed as TensorFlow does, BatchNorm ε = 0.001.

    /usr/bin/python3 scripts/keras-models/reference.py --git-dir <repo .git> --commit <sha> \
        [--out scripts/keras-models/reference.json]

Input: the same pseudo-random 224×224×3 images as scripts/tm-backbone (mulberry32(seed),
values 2u − 1, HWC). Output: per seed the first 32 pooled features and their sum.
"""
import argparse
import io
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = [1]
EPS = 1e-3
# (expansion, stride) of TF-slim's expanded_conv, expanded_conv_1 … expanded_conv_16.
STRIDES = [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1]


def mulberry32_image(seed, size=224):
    a = seed & 0xFFFFFFFF
    out = np.empty(size * size * 3, dtype=np.float32)

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    for i in range(out.size):
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        t &= 0xFFFFFFFF
        out[i] = 2 * (((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296) - 1
    return out.reshape(size, size, 3)


class Tensors:
    def __init__(self, git_dir, commit):
        self.git_dir, self.commit = git_dir, commit

    def __call__(self, name):
        data = subprocess.run(['git', '--git-dir', self.git_dir, 'cat-file', 'blob',
                               f'{self.commit}:weights/{name}.npy'],
                              check=True, capture_output=True).stdout
        return np.load(io.BytesIO(data)).astype(np.float64)


def same_pad(x, k, stride):
    """TensorFlow's SAME padding: total max(k − stride, 0) or by remainder, extra at the end."""
    h = x.shape[0]
    total = max(k - stride, 0) if h % stride == 0 else max(k - h % stride, 0)
    before = total // 2
    return np.pad(x, ((before, total - before), (before, total - before), (0, 0)))


def conv3x3(x, w, stride):
    x = same_pad(x, 3, stride)
    h = (x.shape[0] - 3) // stride + 1
    out = np.zeros((h, h, w.shape[3]))
    for i in range(3):
        for j in range(3):
            patch = x[i:i + stride * (h - 1) + 1:stride, j:j + stride * (h - 1) + 1:stride]
            out += patch @ w[i, j]
    return out


def depthwise(x, w, stride):
    x = same_pad(x, 3, stride)
    h = (x.shape[0] - 3) // stride + 1
    out = np.zeros((h, h, x.shape[2]))
    for i in range(3):
        for j in range(3):
            out += x[i:i + stride * (h - 1) + 1:stride, j:j + stride * (h - 1) + 1:stride] \
                * w[i, j, :, 0]
    return out


def bn(x, t, scope):
    g, b = t(f'{scope}_BatchNorm_gamma'), t(f'{scope}_BatchNorm_beta')
    m, v = t(f'{scope}_BatchNorm_moving_mean'), t(f'{scope}_BatchNorm_moving_variance')
    return (x - m) / np.sqrt(v + EPS) * g + b


def relu6(x):
    return np.clip(x, 0, 6)


def forward(image, t):
    x = relu6(bn(conv3x3(image.astype(np.float64), t('Conv_weights'), 2), t, 'Conv'))
    for n, stride in enumerate(STRIDES):
        scope = f'expanded_conv_{n}' if n else 'expanded_conv'
        inp = x
        if n:
            x = relu6(bn(x @ t(f'{scope}_expand_weights')[0, 0], t, f'{scope}_expand'))
        x = relu6(bn(depthwise(x, t(f'{scope}_depthwise_depthwise_weights'), stride), t,
                     f'{scope}_depthwise'))
        x = bn(x @ t(f'{scope}_project_weights')[0, 0], t, f'{scope}_project')
        if stride == 1 and inp.shape == x.shape:
            x = x + inp
    x = relu6(bn(x @ t('Conv_1_weights')[0, 0], t, 'Conv_1'))
    return x.mean(axis=(0, 1))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--git-dir', required=True)
    p.add_argument('--commit', required=True)
    p.add_argument('--out', default=os.path.join(HERE, 'reference.json'))
    a = p.parse_args(argv)
    t = Tensors(a.git_dir, a.commit)
    outputs = []
    for seed in SEEDS:
        f = forward(mulberry32_image(seed), t)
        outputs.append({'seed': seed, 'first32': [round(float(v), 6) for v in f[:32]],
                        'sum': round(float(f.sum()), 4), 'size': int(f.size)})
        print(f'seed {seed}: {f.size} features, sum {f.sum():.4f}, first {f[:4]}')
    ref = {'source': {'repo': 'JonathanCMitchell/mobilenet_v2_keras', 'commit': a.commit},
           'input': {'seeds': SEEDS, 'shape': [224, 224, 3]}, 'outputs': outputs}
    with open(a.out, 'w') as f:
        json.dump(ref, f, indent=1)
        f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
