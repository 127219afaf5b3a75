"""The runner's CPU fast paths one by one on the photo network's feature pass (MobileNetV2
α=0.35, 224 px, batch 16, global_average_pooling2d), in one process, variants alternating
(forward, then reverse order), medians (min–max) of img/s. The baseline is the runner at
another commit (git archive). Memory: pass THAW_MALLOPT=1 to keep freed memory in this
process (the runner's fallback), or start it with GLIBC_TUNABLES=glibc.malloc.hugetlb=1
(what train.py does); without either, page faults dominate every variant.

    THAW_MALLOPT=1 REPS=5 THREADS=1 /usr/bin/python3 scripts/bench/runner_fast_paths.py [REV]
"""
import subprocess, tempfile
import sys, time, statistics, importlib, json, os
import torch, ctypes
if os.environ.get("THAW_MALLOPT") == "1":
    libc = ctypes.CDLL("libc.so.6"); libc.mallopt(-4, 0); libc.mallopt(-1, 1 << 30)
REPS = int(os.environ.get('REPS', 5))
THREADS = [int(t) for t in os.environ.get('THREADS', '1,2').split(',')]
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(REPO, 'public/models/mobilenet-v2-035/model.json')
BASE = tempfile.mkdtemp(prefix='thaw-fast-paths-')
REV = sys.argv[1] if len(sys.argv) > 1 else '72d8f37'
subprocess.run(f'git archive {REV} runner | tar -x -C {BASE}', shell=True, check=True, cwd=REPO)
LAYER = 'global_average_pooling2d'

def load(root):
    for m in [k for k in sys.modules if k.startswith('thaw_runner')]:
        del sys.modules[m]
    sys.path.insert(0, root)
    tl = importlib.import_module('thaw_runner.tfjs_layers')
    tm = importlib.import_module('thaw_runner.tfjs_model')
    sys.path.pop(0)
    return tl, tm

tl_o, tm_o = load(os.path.join(BASE, 'runner'))
tl, tm = load(os.path.join(REPO, 'runner'))
orig, _ = tm_o.load_network(MODEL, LAYER, 224)
orig.eval()

def variant(cl=True, pad=True, inplace=True, fold=True, zpad=True):
    net, _ = tm.load_network(MODEL, LAYER, 224)
    for p in net.parameters(): p.requires_grad_(False)
    net.eval()
    if not cl:
        net.to(memory_format=torch.contiguous_format)
    if not fold:
        net.foldable = {}
    if not inplace:
        for _, m in net.named_layers():
            if hasattr(m, 'may_overwrite_input'): m.may_overwrite_input = False
            if hasattr(m, 'act_fresh'): m.act_fresh = m.act
    if not zpad:
        net.padded_by = {}
    net._opts = dict(cl=cl, pad=pad, zpad=zpad)
    return net

real_pad = tl._conv_padding
import torch.nn.functional as F
def explicit_pad(x, kernel, padding, size, stride, dilation, extra=None):
    l, r, t, b = extra or (0, 0, 0, 0)
    if padding == 'same':
        hp = tl.same_padding(x.shape[2] + t + b, size[0], stride[0]); wp = tl.same_padding(x.shape[3] + l + r, size[1], stride[1])
        t, b, l, r = t + hp[0], b + hp[1], l + wp[0], r + wp[1]
    if (l, r, t, b) == (0, 0, 0, 0): return x, kernel, (0, 0)
    return F.pad(x, (l, r, t, b)), kernel, (0, 0)
def sym_only_pad(x, kernel, padding, size, stride, dilation, extra=None):
    l, r, t, b = extra or (0, 0, 0, 0)
    if padding == 'same':
        hp = tl.same_padding(x.shape[2] + t + b, size[0], stride[0]); wp = tl.same_padding(x.shape[3] + l + r, size[1], stride[1])
        t, b, l, r = t + hp[0], b + hp[1], l + wp[0], r + wp[1]
    if t == b and l == r: return x, kernel, (t, l)
    return F.pad(x, (l, r, t, b)), kernel, (0, 0)
real_layout = tl.from_tfjs_layout
def nchw_layout(x):
    return x.permute(0, 3, 1, 2).contiguous() if x.dim() == 4 else x

def run(net, x):
    if net is orig:
        return orig(x)
    o = net._opts
    tl._conv_padding = real_pad if o['zpad'] else (sym_only_pad if o['pad'] else explicit_pad)
    tl.from_tfjs_layout = real_layout if net._opts['cl'] else nchw_layout
    return net(x)

variants = {
    'baseline (REV)': orig,
    '+ channels_last': variant(pad=False, zpad=False, inplace=False, fold=False),
    '+ symmetric pad in conv': variant(zpad=False, inplace=False, fold=False),
    '+ asym./ZeroPadding in conv': variant(inplace=False, fold=False),
    '+ in-place ReLU6': variant(fold=False),
    '+ BN folded (all)': variant(),
    'all but channels_last': variant(cl=False),
}
x = torch.rand(16, 224, 224, 3) * 2 - 1
ref = orig(x).detach()
out = {}
for threads in THREADS:
    torch.set_num_threads(threads)
    times = {k: [] for k in variants}
    with torch.no_grad():
        for k, net in variants.items():
            y = run(net, x)
            d = float((tm.to_vectors(y) - tm.to_vectors(ref)).abs().max())
            if threads == THREADS[0]: print(f'{k}: max |diff| vs HEAD {d:.2e}', flush=True)
        for r in range(REPS):
            keys = list(variants) if r % 2 == 0 else list(reversed(variants))
            for k in keys:
                t = time.perf_counter(); run(variants[k], x); times[k].append(time.perf_counter() - t)
    base = statistics.median(times['baseline (REV)'])
    for k, ts in times.items():
        ips = [16 / t for t in ts]
        print(f'threads={threads} {k:28s} {statistics.median(ips):6.1f} img/s ({min(ips):.1f}-{max(ips):.1f})  x{base / statistics.median(ts):.2f}', flush=True)
        out[f'{threads}:{k}'] = ips
if os.environ.get('OUT'):
    json.dump(out, open(os.environ['OUT'], 'w'))
