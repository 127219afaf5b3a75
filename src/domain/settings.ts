/**
 * Settings a reader would ask "why this number?" about, each with its reason. Tuning
 * happens here, not in the code that uses them.
 */

/** Images per batch when running a network forward only (features, prefix cache, evaluation): big enough to amortise a kernel launch, small enough for 224-px MobileNetV2 activations on a laptop. */
export const INFERENCE_BATCH = 16;

/**
 * From this many images on, the frozen prefix's pass is shared among helper workers (one
 * per core) when it runs on wasm. Below it the pass takes a second or two on one core,
 * and helpers would cost more than they save: each builds its own copy of the network
 * and grows its own wasm memory (hundreds of MB at 224 px).
 */
export const MIN_SHARED_PASS_IMAGES = 256;

/** Source-task test images kept per source class for measuring forgetting: ±7 pp sampling error at 50, and a large folder is not decoded twice in full. */
export const SOURCE_TEST_PER_CLASS = 50;

/** Validation images drawn in the feature projection at most: enough to see clusters; thousands of SVG points would freeze the page. */
export const PROJECTION_POINTS = 1000;

/** Images per batch when measuring source-task accuracy with the original head (28-px teaching images are tiny). */
export const SOURCE_TEST_BATCH = 64;

/** Largest frozen-prefix cache kept in the worker's memory; beyond it the prefix is recomputed every step. */
export const CACHE_BUDGET_BYTES = 768 * 2 ** 20;

/**
 * Decoded images held in the worker's memory up to this many bytes (3,400 images at 224 px);
 * past it they go to IndexedDB and are read per batch, so a folder of tens of thousands
 * of images does not exhaust the tab. The user can change it in the Memory note.
 */
export const IMAGE_MEMORY_BUDGET_BYTES = 512 * 2 ** 20;

/** Share of the browser's free storage a dataset may fill with its decoded images. */
export const PIXEL_STORAGE_SHARE = 0.8;

/** Minimum time between two batch-loss reports: ~7 per second keeps the curve live without flooding the UI (DESIGN.md §2). */
export const BATCH_REPORT_MS = 150;

/** Minimum time between two decode-progress reports. */
export const PROGRESS_REPORT_MS = 100;

/** Images per class the layer probe looks at: enough for a nearest-centroid accuracy with ~5 pp sampling error, quick on a CPU. */
export const PROBE_IMAGES_PER_CLASS = 40;

/** Channels shown for one layer's feature maps (a 4×4 grid). */
export const FEATURE_MAP_CHANNELS = 16;

/** Example images per class offered for "See inside". */
export const EXAMPLES_PER_CLASS = 3;

/** Momentum of SGD (the common default of Keras and PyTorch examples). */
export const SGD_MOMENTUM = 0.9;

/** L2 strength on the linear SVM head's weights (the "C" of the SVM, as a penalty). */
export const SVM_L2 = 1e-3;

/** A loss this many times its first value means training has blown up. */
export const EXPLODED_FACTOR = 1000;
