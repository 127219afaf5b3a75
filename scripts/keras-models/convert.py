#!/usr/bin/python3
"""Builds a tfjs layers model of Keras' MobileNetV2 (ImageNet weights) from public files.

    /usr/bin/python3 scripts/keras-models/convert.py --git-dir <repo .git> --commit <sha> \
        [--alpha 1.0] [--out public/models/mobilenet-v2-100]
        reads the per-tensor .npy files under weights/ at that commit (the TF-slim
        checkpoint tensors from which Keras' release files were translated)
    /usr/bin/python3 scripts/keras-models/convert.py --npy-dir <dir> [...]
        the same tensors from a folder
    /usr/bin/python3 scripts/keras-models/convert.py --h5 <keras weights .h5> [...]
        a Keras release file (mobilenet_v2_weights_tf_dim_ordering_tf_kernels_*.h5)
    /usr/bin/python3 scripts/keras-models/convert.py --check-topology
        builds the α=0.35 topology and compares it with public/models/mobilenet-v2-035
    /usr/bin/python3 scripts/keras-models/convert.py --self-test [--out <model dir>]
        that, and the served tensors written back as .npy (and .h5) convert to the same files

Writes model.json (a functional Keras topology that tfjs-layers loads, with the layer
names of keras.applications.MobileNetV2, ending in out_relu → global_average_pooling2d)
and weights.bin (float32, trainable tensors first, then the BatchNorm moving statistics,
the order of the bundled α=0.35 model). Needs numpy (and h5py for --h5) only.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
FEATURE_LAYER = 'global_average_pooling2d'
MAP_LAYER = 'out_relu'
WEIGHTS_FILE = 'weights.bin'

# (expansion, filters, stride) of blocks 0…16, as in keras.applications.MobileNetV2.
BLOCKS = [(1, 16, 1)] + [(6, 24, 2), (6, 24, 1)] + [(6, 32, 2)] + [(6, 32, 1)] * 2 \
    + [(6, 64, 2)] + [(6, 64, 1)] * 3 + [(6, 96, 1)] * 3 + [(6, 160, 2)] + [(6, 160, 1)] * 2 \
    + [(6, 320, 1)]


def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


# ---- layer configs, in the form tfjs-layers 4.22 writes (as the bundled α=0.35 model) ----

def _init(cls):
    return {'class_name': cls, 'config': {}}


def _glorot():
    return {'class_name': 'VarianceScaling',
            'config': {'scale': 1, 'mode': 'fan_avg', 'distribution': 'uniform', 'seed': None}}


def _layer(name, cls, config, inbound):
    config = dict(config)
    config['name'] = name
    if cls != 'InputLayer':
        config['trainable'] = True
    nodes = [[[src, 0, 0, {}] for src in inbound]] if inbound else []
    return {'name': name, 'class_name': cls, 'config': config, 'inbound_nodes': nodes}


def conv(name, src, filters, kernel, strides, padding):
    return _layer(name, 'Conv2D', {
        'filters': filters, 'kernel_initializer': _glorot(), 'kernel_regularizer': None,
        'kernel_constraint': None, 'kernel_size': [kernel, kernel], 'strides': [strides, strides],
        'padding': padding, 'data_format': 'channels_last', 'dilation_rate': [1, 1],
        'activation': 'linear', 'use_bias': False, 'bias_initializer': _init('Zeros'),
        'bias_regularizer': None, 'activity_regularizer': None, 'bias_constraint': None,
    }, [src])


def depthwise(name, src, strides, padding):
    return _layer(name, 'DepthwiseConv2D', {
        'kernel_size': [3, 3], 'strides': [strides, strides], 'padding': padding,
        'data_format': 'channels_last', 'dilation_rate': [1, 1], 'activation': 'linear',
        'use_bias': False, 'bias_initializer': _init('Zeros'), 'bias_regularizer': None,
        'activity_regularizer': None, 'bias_constraint': None,
    } | {'depth_multiplier': 1, 'depthwise_initializer': _glorot(),
         'depthwise_regularizer': None, 'depthwise_constraint': None}, [src])


def batchnorm(name, src):
    return _layer(name, 'BatchNormalization', {
        'axis': -1, 'momentum': 0.999, 'epsilon': 0.001, 'center': True, 'scale': True,
        'beta_initializer': _init('Zeros'), 'gamma_initializer': _init('Ones'),
        'moving_mean_initializer': _init('Zeros'), 'moving_variance_initializer': _init('Ones'),
        'beta_regularizer': None, 'gamma_regularizer': None, 'beta_constraint': None,
        'gamma_constraint': None,
    }, [src])


def relu6(name, src):
    return _layer(name, 'ReLU', {'max_value': 6}, [src])


def pad(name, src):
    return _layer(name, 'ZeroPadding2D',
                  {'padding': [[0, 1], [0, 1]], 'data_format': 'channels_last'}, [src])


def topology(alpha, size=224, model_name=None):
    """The functional topology of keras.applications.MobileNetV2(include_top=False) + pool."""
    layers = [_layer('input_1', 'InputLayer', {
        'batch_input_shape': [None, size, size, 3], 'dtype': 'float32', 'sparse': False}, None)]
    x = 'input_1'

    def add(layer):
        nonlocal x
        layers.append(layer)
        x = layer['name']

    add(pad('Conv1_pad', x))
    channels = make_divisible(32 * alpha)
    add(conv('Conv1', x, channels, 3, 2, 'valid'))
    add(batchnorm('bn_Conv1', x))
    add(relu6('Conv1_relu', x))
    for block_id, (expansion, filters, stride) in enumerate(BLOCKS):
        block_in = x
        out = make_divisible(int(filters * alpha))
        prefix = f'block_{block_id}_' if block_id else 'expanded_conv_'
        if block_id:
            add(conv(prefix + 'expand', x, expansion * channels, 1, 1, 'same'))
            add(batchnorm(prefix + 'expand_BN', x))
            add(relu6(prefix + 'expand_relu', x))
        if stride == 2:
            add(pad(prefix + 'pad', x))
        add(depthwise(prefix + 'depthwise', x, stride, 'same' if stride == 1 else 'valid'))
        add(batchnorm(prefix + 'depthwise_BN', x))
        add(relu6(prefix + 'depthwise_relu', x))
        add(conv(prefix + 'project', x, out, 1, 1, 'same'))
        add(batchnorm(prefix + 'project_BN', x))
        if stride == 1 and channels == out:
            add(_layer(prefix + 'add', 'Add', {}, [block_in, x]))
        channels = out
    last = make_divisible(1280 * alpha) if alpha > 1.0 else 1280
    add(conv('Conv_1', x, last, 1, 1, 'valid'))
    add(batchnorm('Conv_1_bn', x))
    add(relu6('out_relu', x))
    add(_layer(FEATURE_LAYER, 'GlobalAveragePooling2D', {'data_format': 'channels_last'}, [x]))
    name = model_name or f'mobilenetv2_{alpha:.2f}_{size}'.replace('0.35', '035')
    return {
        'class_name': 'Model',
        'config': {'name': name, 'layers': layers, 'input_layers': [['input_1', 0, 0]],
                   'output_layers': [[FEATURE_LAYER, 0, 0]]},
        'keras_version': 'tfjs-layers 4.22.0',
        'backend': 'tensor_flow.js',
    }


def weight_specs(topo):
    """(name, variable) pairs in the order of the bundled model: every layer's trainable
    tensors in layer order, then every BatchNormalization's moving statistics."""
    trainable, moving = [], []
    for layer in topo['config']['layers']:
        name, cls = layer['name'], layer['class_name']
        if cls == 'Conv2D':
            trainable.append((name, 'kernel'))
        elif cls == 'DepthwiseConv2D':
            trainable.append((name, 'depthwise_kernel'))
        elif cls == 'BatchNormalization':
            trainable += [(name, 'gamma'), (name, 'beta')]
            moving += [(name, 'moving_mean'), (name, 'moving_variance')]
    return trainable + moving


# ---- sources ----

def slim_name(layer, var):
    """The TF-slim checkpoint tensor (as a .npy file name) behind a Keras weight."""
    bn = layer.endswith('_BN') or layer in ('bn_Conv1', 'Conv_1_bn')
    if layer in ('Conv1', 'bn_Conv1'):
        base = 'Conv'
    elif layer in ('Conv_1', 'Conv_1_bn'):
        base = 'Conv_1'
    else:
        m = re.fullmatch(r'(?:block_(\d+)|expanded_conv)_(expand|depthwise|project)(?:_BN)?', layer)
        if not m:
            raise ValueError(f'no TF-slim tensor for {layer}/{var}')
        base = f'expanded_conv_{m.group(1)}_{m.group(2)}' if m.group(1) else \
            f'expanded_conv_{m.group(2)}'
    if bn:
        return f'{base}_BatchNorm_{var}.npy'
    if var == 'depthwise_kernel':
        return f'{base}_depthwise_weights.npy'
    return f'{base}_weights.npy'


class NpySource:
    """TF-slim tensors as .npy files, from a folder or from a git commit's weights/."""

    def __init__(self, npy_dir=None, git_dir=None, commit=None):
        self.npy_dir, self.git_dir, self.commit = npy_dir, git_dir, commit
        self.files = {}

    def _bytes(self, fname):
        if self.npy_dir:
            with open(os.path.join(self.npy_dir, fname), 'rb') as f:
                return f.read()
        return subprocess.run(['git', '--git-dir', self.git_dir, 'cat-file', 'blob',
                               f'{self.commit}:weights/{fname}'],
                              check=True, capture_output=True).stdout

    def get(self, layer, var):
        import io
        fname = slim_name(layer, var)
        data = self._bytes(fname)
        self.files[fname] = hashlib.sha256(data).hexdigest()
        return np.load(io.BytesIO(data), allow_pickle=False)


class H5Source:
    """A Keras weights file: group <layer>/<layer>/<var>:0."""

    def __init__(self, path):
        import h5py
        self.f = h5py.File(path, 'r')
        self.files = {os.path.basename(path): sha256_file(path)}

    def get(self, layer, var):
        group = self.f[layer]
        group = group[layer] if layer in group else group
        return np.asarray(group[f'{var}:0'])


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def convert(source, alpha, size):
    topo = topology(alpha, size)
    specs, chunks = [], []
    channels = {'input_1': 3}
    layer_by_name = {l['name']: l for l in topo['config']['layers']}
    for layer in topo['config']['layers']:
        src = layer['inbound_nodes'][0][0][0] if layer['inbound_nodes'] else None
        cfg = layer['config']
        if layer['class_name'] == 'Conv2D':
            channels[layer['name']] = cfg['filters']
        elif layer['class_name'] != 'InputLayer':
            channels[layer['name']] = channels[src]
    for name, var in weight_specs(topo):
        arr = np.asarray(source.get(name, var), dtype=np.float32)
        layer = layer_by_name[name]
        cin = channels[layer['inbound_nodes'][0][0][0]]
        if layer['class_name'] == 'Conv2D':
            k = layer['config']['kernel_size'][0]
            want = (k, k, cin, layer['config']['filters'])
        elif layer['class_name'] == 'DepthwiseConv2D':
            want = (3, 3, cin, 1)
        else:
            want = (cin,)
        if arr.shape != want:
            raise ValueError(f'{name}/{var}: shape {arr.shape}, expected {want} for α={alpha}')
        if not np.all(np.isfinite(arr)):
            raise ValueError(f'{name}/{var}: not finite')
        specs.append({'name': f'{name}/{var}', 'shape': list(arr.shape), 'dtype': 'float32'})
        chunks.append(arr.astype('<f4').tobytes())
    return topo, specs, b''.join(chunks)


def check_topology():
    path = os.path.join(ROOT, 'public/models/mobilenet-v2-035/model.json')
    with open(path) as f:
        bundled = json.load(f)
    ours = topology(0.35, 224, bundled['modelTopology']['config']['name'])
    same = json.dumps(ours, sort_keys=True) == json.dumps(bundled['modelTopology'], sort_keys=True)
    names = [w['name'] for w in bundled['weightsManifest'][0]['weights']]
    same_order = names == [f'{n}/{v}' for n, v in weight_specs(ours)]
    print(f'α=0.35 topology equals the bundled model: {same}; weight order equal: {same_order}')
    return same and same_order


def self_test(model_dir):
    """Writes the served tensors back out as TF-slim .npy files (and, with h5py, as a Keras
    weights .h5), converts each again and checks the same model.json topology and weights.bin
    bytes come back."""
    import tempfile
    with open(os.path.join(model_dir, 'model.json')) as f:
        served = json.load(f)
    with open(os.path.join(model_dir, WEIGHTS_FILE), 'rb') as f:
        weights = f.read()
    tensors, offset = {}, 0
    for spec in served['weightsManifest'][0]['weights']:
        n = int(np.prod(spec['shape']))
        tensors[spec['name']] = np.frombuffer(weights, '<f4', n, offset).reshape(spec['shape'])
        offset += 4 * n
    top = next(w['shape'][3] for w in served['weightsManifest'][0]['weights']
               if w['name'] == 'block_16_project/kernel')
    alpha = {112: 0.35, 160: 0.5, 240: 0.75, 320: 1.0, 416: 1.3, 448: 1.4}[top]
    size = served['modelTopology']['config']['layers'][0]['config']['batch_input_shape'][1]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, arr in tensors.items():
            np.save(os.path.join(tmp, slim_name(*name.split('/'))), arr)
        sources = [('npy', lambda: NpySource(npy_dir=tmp))]
        try:
            import h5py
            path = os.path.join(tmp, 'weights.h5')
            with h5py.File(path, 'w') as f:
                for name, arr in tensors.items():
                    layer, var = name.split('/')
                    f.create_dataset(f'{layer}/{layer}/{var}:0', data=arr)
            sources.append(('h5', lambda: H5Source(path)))
        except ImportError:
            print('h5: not checked (no h5py)')
        for kind, make in sources:
            topo, _, data = convert(make(), alpha, size)
            same_topo = topo['config']['layers'] == served['modelTopology']['config']['layers']
            same = same_topo and data == weights
            print(f'{kind} round trip: {"equal" if same else "DIFFERENT"}')
            ok = ok and same
    return ok


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--git-dir')
    p.add_argument('--commit')
    p.add_argument('--npy-dir')
    p.add_argument('--h5')
    p.add_argument('--alpha', type=float, default=1.0)
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--out', default=os.path.join(ROOT, 'public/models/mobilenet-v2-100'))
    p.add_argument('--provenance', help='JSON file whose fields are merged into provenance.json')
    p.add_argument('--check-topology', action='store_true')
    p.add_argument('--self-test', action='store_true',
                   help='--check-topology, then round trips of the model in --out')
    a = p.parse_args(argv)
    if a.check_topology or a.self_test:
        ok = check_topology()
        if a.self_test:
            ok = self_test(a.out) and ok
        return 0 if ok else 1
    if a.h5:
        source = H5Source(a.h5)
    elif a.npy_dir:
        source = NpySource(npy_dir=a.npy_dir)
    elif a.git_dir and a.commit:
        source = NpySource(git_dir=a.git_dir, commit=a.commit)
    else:
        p.error('give --h5, --npy-dir, or --git-dir with --commit')
    topo, specs, weights = convert(source, a.alpha, a.size)
    model = {
        'format': 'layers-model',
        'generatedBy': 'scripts/keras-models/convert.py (keras.applications.MobileNetV2, '
                       f'alpha={a.alpha}, ImageNet weights)',
        'convertedBy': None,
        'modelTopology': topo,
        'weightsManifest': [{'paths': [WEIGHTS_FILE], 'weights': specs}],
    }
    os.makedirs(a.out, exist_ok=True)
    model_text = json.dumps(model, separators=(',', ':'))
    with open(os.path.join(a.out, 'model.json'), 'w') as f:
        f.write(model_text)
    with open(os.path.join(a.out, WEIGHTS_FILE), 'wb') as f:
        f.write(weights)
    params = sum(int(np.prod(s['shape'])) for s in specs)
    prov = {}
    if a.provenance:
        with open(a.provenance) as f:
            prov = json.load(f)
    prov |= {
        'sha256': {'model.json': hashlib.sha256(model_text.encode()).hexdigest(),
                   WEIGHTS_FILE: hashlib.sha256(weights).hexdigest()},
        'weightTensors': len(specs),
        'parameters': params,
        'layers': len(topo['config']['layers']),
        'inputSize': a.size,
        'valueRange': [-1, 1],
        'featureLayer': FEATURE_LAYER,
        'featureSize': next(l['config']['filters'] for l in topo['config']['layers']
                            if l['name'] == 'Conv_1'),
        'mapLayer': MAP_LAYER,
        'sourceFiles': dict(sorted(source.files.items())),
    }
    with open(os.path.join(a.out, 'provenance.json'), 'w') as f:
        json.dump(prov, f, indent=2, ensure_ascii=False)
        f.write('\n')
    print(f'{a.out}: {len(topo["config"]["layers"])} layers, {len(specs)} tensors, '
          f'{params:,} parameters, weights.bin {len(weights):,} bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
