/**
 * Serves the bundled pretrained models as ordinary tfjs `model.json` + weight files, so
 * they load through the same URL path as any remote or user model. The MobileNetV2 comes
 * from the npm package `nsfwjs`, which ships it as JS modules with embedded weights; this
 * plugin unwraps them (dev and preview: middleware; build: emitted files). No network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin, Connect } from 'vite';

const require = createRequire(import.meta.url);

interface WeightsGroup {
  paths: string[];
  weights: unknown[];
}
interface NsfwjsModelJson {
  modelTopology: unknown;
  weightsManifest: WeightsGroup[];
}

export interface BundledModelFiles {
  /** The `model.json` text. */
  modelJson: string;
  /** File name (relative to `model.json`) → bytes. */
  weights: Map<string, Uint8Array>;
}

/** Base URL path under which the bundled models are served. */
export const MODELS_BASE = '/models';

/** Reads nsfwjs' MobileNetV2 and returns it as standard tfjs layers-model files. */
export function readNsfwjsMobileNetV2(): BundledModelFiles {
  // The package's `exports` hide these files: find them from its resolved entry point.
  const root = join(dirname(require.resolve('nsfwjs')), '..', '..');
  const dir = join(root, 'dist', 'models', 'mobilenet_v2');
  const json = require(join(dir, 'model.min.js')) as NsfwjsModelJson;
  const shardB64 = require(join(dir, 'group1-shard1of1.min.js')) as string;
  const version = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const shardName = 'group1-shard1of1.bin';
  const group = json.weightsManifest[0];
  if (!group || json.weightsManifest.length !== 1) throw new Error('unexpected nsfwjs manifest');
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `nsfwjs ${version} (Keras MobileNetV2, uint8-quantised weights)`,
    convertedBy: null,
    modelTopology: json.modelTopology,
    // Quantisation fields are kept: tfjs dequantises uint8 weights on load.
    weightsManifest: [{ paths: [shardName], weights: group.weights }],
  });
  return {
    modelJson,
    weights: new Map([[shardName, new Uint8Array(Buffer.from(shardB64, 'base64'))]]),
  };
}

const BUNDLED: Record<string, () => BundledModelFiles> = {
  'mobilenet-v2': readNsfwjsMobileNetV2,
};

function lookup(
  url: string,
  cache: Map<string, BundledModelFiles>,
): { body: Uint8Array | string; type: string } | null {
  const match = /^\/models\/([\w-]+)\/([\w.-]+)$/.exec(url.split('?')[0] ?? '');
  if (!match) return null;
  const [, id, file] = match as unknown as [string, string, string];
  const read = BUNDLED[id];
  if (!read) return null;
  let files = cache.get(id);
  if (!files) {
    files = read();
    cache.set(id, files);
  }
  if (file === 'model.json') return { body: files.modelJson, type: 'application/json' };
  const bytes = files.weights.get(file);
  return bytes ? { body: bytes, type: 'application/octet-stream' } : null;
}

/** Vite plugin: bundled models at `/models/<id>/…` in dev, preview and build. */
export function bundledModels(): Plugin {
  const cache = new Map<string, BundledModelFiles>();
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const hit = req.url ? lookup(req.url, cache) : null;
    if (!hit) return next();
    res.setHeader('Content-Type', hit.type);
    res.setHeader('Cache-Control', 'no-cache');
    res.end(hit.body);
  };
  return {
    name: 'thaw-bundled-models',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
    generateBundle() {
      for (const [id, read] of Object.entries(BUNDLED)) {
        const files = read();
        this.emitFile({
          type: 'asset',
          fileName: `models/${id}/model.json`,
          source: files.modelJson,
        });
        for (const [name, bytes] of files.weights) {
          this.emitFile({ type: 'asset', fileName: `models/${id}/${name}`, source: bytes });
        }
      }
    },
  };
}
