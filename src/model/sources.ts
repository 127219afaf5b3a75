/**
 * Where a network comes from → its artifacts and what the studio knows about it (the
 * model card): the catalog entry with its measured facts for bundled models, or a
 * cautious card for the user's own model — made less cautious by what its metadata.json
 * or its recognisable structure (Teachable Machine, Thaw's export) tell. Every source
 * goes through the same path, and nested models are opened into their inner layers.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelCard, ModelSource } from '../domain';
import { catalogEntry } from './catalog';
import { expandNested, type OpenedModel } from './expand';
import {
  artifactsFromFiles,
  defaultFeatureLayer,
  fetchMetadata,
  fetchModelArtifacts,
  featureLayerBeforeHead,
  metadataFromFiles,
  modelJsonFile,
} from './load';
import {
  hasThawInputAdapter,
  looksLikeTeachableMachine,
  parseMetadata,
  type ModelMetadata,
} from './metadata';

/** A card before the built network has filled in its input size and feature layer. */
export type PartialCard = Omit<
  ModelCard,
  'featureLayer' | 'inputSize' | 'resolutions' | 'channels'
> &
  Partial<ModelCard>;

interface CardJson {
  sourceClasses?: { headIndex: number; name: string }[];
  sourceTestAccuracy?: number;
  sourceTestImages?: number;
  trainingImages?: number;
  epochs?: number;
  seed?: number;
  wallTimeSeconds?: { training?: number };
  command?: string;
}

/** Reads the measured facts of a bundled model's card JSON (source classes, measured accuracy). */
export async function measuredFacts(url: string, card: ModelCard): Promise<Partial<ModelCard>> {
  const res = await fetch(url);
  if (!res.ok) return {};
  const json = (await res.json()) as CardJson;
  const sourceClasses = json.sourceClasses
    ? [...json.sourceClasses].sort((a, b) => a.headIndex - b.headIndex).map((c) => c.name)
    : undefined;
  const facts: string[] = [];
  if (json.sourceTestAccuracy !== undefined) {
    facts.push(
      `Measured: ${(json.sourceTestAccuracy * 100).toFixed(1)}% accuracy on ${json.sourceTestImages ?? '?'} held-out source test images, after ${json.epochs ?? '?'} epochs on ${json.trainingImages ?? '?'} images (seed ${json.seed ?? '?'}, ${Math.round(json.wallTimeSeconds?.training ?? 0)} s; reproduce with ${json.command ?? 'the pretraining script'}).`,
    );
  }
  return { sourceClasses, provenance: [...card.provenance, ...facts] };
}

/** What the loader learned beyond the card, to finish it once the network is built. */
export interface SourceHints {
  /** Take default features before the classifier head (nested or Teachable Machine models). */
  featuresBeforeHead: boolean;
  /** Class names from metadata.json, to keep as the source task when they fit the outputs. */
  labels: string[] | null;
  /** Image size from metadata.json, for a network whose input size is not fixed. */
  imageSize: number | null;
}

export interface ResolvedSource {
  card: PartialCard;
  /** Flat (nested models opened), at the native input size. */
  artifacts: tf.io.ModelArtifacts;
  hints: SourceHints;
}

/** The input sides at which Teachable Machine's MobileNetV2 base works as well (as for the bundled one). */
const TM_RESOLUTIONS = [96, 128, 160, 192, 224];

const rangeText = (r: readonly [number, number]) => `[${r[0]}, ${r[1]}]`;

/** A short stable id for a user's model, so reloading the same files keeps the plan. */
function customIdOf(source: ModelSource): string {
  const key =
    source.kind === 'files'
      ? source.files.map((f) => `${f.name}:${f.size}:${f.lastModified}`).join('|')
      : source.kind === 'url'
        ? source.url
        : source.modelId;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `custom-${(h >>> 0).toString(36)}`;
}

async function readMetadata(
  source: Exclude<ModelSource, { kind: 'catalog' }>,
): Promise<{ metadata: ModelMetadata | null; problem: string | null }> {
  const text =
    source.kind === 'url' ? await fetchMetadata(source.url) : await metadataFromFiles(source.files);
  if (text === null) return { metadata: null, problem: null };
  try {
    return { metadata: parseMetadata(text), problem: null };
  } catch (err) {
    return { metadata: null, problem: `${(err as Error).message} It was ignored.` };
  }
}

function openedText(opened: readonly OpenedModel[]): string | null {
  const top = opened.filter((o) => o.depth === 1);
  if (top.length === 0) return null;
  const inner = opened.filter((o) => o.depth > 1).map((o) => o.name);
  return `Its ${top.length} nested models (${top.map((o) => `${o.name}: ${o.layers.length} layers`).join(', ')}${inner.length ? `; holding ${inner.join(', ')}` : ''}) are opened into their inner layers, so each layer has its own mode and the cut points and block boundaries are those of the inner network.`;
}

/** The pixel range of a user's model and where it comes from. */
function valueRangeOf(
  metadata: ModelMetadata | null,
  topology: unknown,
  override: [number, number] | undefined,
): { range: [number, number]; from: NonNullable<ModelCard['valueRangeFrom']>; why: string } {
  if (override) return { range: override, from: 'user', why: 'as you set it under Pixel range' };
  if (metadata?.valueRange)
    return { range: metadata.valueRange, from: 'metadata', why: 'as its metadata.json states' };
  if (metadata?.teachableMachine)
    return {
      range: [-1, 1],
      from: 'metadata',
      why: "as Teachable Machine's library feeds them (its metadata.json names the package)",
    };
  if (hasThawInputAdapter(topology))
    return {
      range: [-1, 1],
      from: 'recognised',
      why: "as Thaw's export expects them (it starts with Thaw's input adapter)",
    };
  if (looksLikeTeachableMachine(topology))
    return {
      range: [-1, 1],
      from: 'recognised',
      why: 'as Teachable Machine feeds them (its structure is that of a Teachable Machine image model)',
    };
  return { range: [0, 1], from: 'assumed', why: 'assumed: a model.json does not say' };
}

/**
 * Loads a source's artifacts (nested models opened) and its card; `valueRange` overrides
 * the pixel range of a user's model.
 */
export async function resolveSource(
  source: ModelSource,
  valueRange?: [number, number],
): Promise<ResolvedSource> {
  if (source.kind === 'catalog') {
    const entry = catalogEntry(source.modelId);
    if (!entry) throw new Error(`Unknown model "${source.modelId}".`);
    const { artifacts } = expandNested(await fetchModelArtifacts(source.url));
    const card: ModelCard = { ...entry };
    if (entry.cardUrl)
      Object.assign(card, await measuredFacts(new URL(entry.cardUrl, source.url).href, card));
    if (valueRange) Object.assign(card, { valueRange, valueRangeFrom: 'user' });
    return {
      card,
      artifacts,
      hints: { featuresBeforeHead: false, labels: null, imageSize: null },
    };
  }
  const raw =
    source.kind === 'url'
      ? await fetchModelArtifacts(source.url)
      : await artifactsFromFiles(source.files);
  const { metadata, problem } = await readMetadata(source);
  const { artifacts, opened, keptNested } = expandNested(raw);
  const tm = metadata?.teachableMachine === true || looksLikeTeachableMachine(raw.modelTopology);
  const tmStructure = looksLikeTeachableMachine(raw.modelTopology);
  const range = valueRangeOf(metadata, raw.modelTopology, valueRange);
  const label =
    source.kind === 'url'
      ? (source.url.split('/').slice(-2, -1)[0] ?? source.url)
      : (modelJsonFile(source.files)?.name ?? 'model.json');
  const where = source.kind === 'url' ? source.url : 'dropped files';
  const kind = tm ? 'A Teachable Machine image model' : 'Your model';
  const rangeNote =
    range.from === 'assumed'
      ? `Pixel range unknown: ${rangeText(range.range)} assumed — choose it under Pixel range.`
      : `Pixels in ${rangeText(range.range)}, ${range.why}.`;
  const provenance = [
    `Loaded from ${where}. Thaw cannot know what it was trained on: that is for you to judge.`,
  ];
  if (metadata) {
    const pkg = [
      metadata.tmVersion && `Teachable Machine ${metadata.tmVersion}`,
      metadata.packageName &&
        `${metadata.packageName}${metadata.packageVersion ? ` ${metadata.packageVersion}` : ''}`,
    ].filter(Boolean);
    provenance.push(
      `metadata.json${pkg.length ? ` (${pkg.join(', ')})` : ''}: ${metadata.labels ? `${metadata.labels.length} classes (${metadata.labels.join(', ')})` : 'no class labels'}${metadata.imageSize ? `, ${metadata.imageSize} px images` : ''}.`,
    );
  }
  if (problem) provenance.push(problem);
  const opening = openedText(opened);
  if (opening) provenance.push(opening);
  if (keptNested) provenance.push(keptNested);
  if (tmStructure)
    provenance.push(
      "Its base is Teachable Machine's truncated MobileNet (Keras MobileNetV2 α=0.35 with ImageNet weights in its image models); Teachable Machine trains only the dense head after it. Features come from the pooled output of the base by default, and the head with its classes is kept as the source task.",
    );
  provenance.push(
    range.from === 'assumed'
      ? 'Pixels are fed in [0, 1] unless you choose otherwise under Pixel range; if the network was trained on another range, its features will be off.'
      : `Pixels are fed in ${rangeText(range.range)}, ${range.why}.`,
  );
  const card: PartialCard = {
    id: customIdOf(source),
    name: `${metadata?.modelName ?? label} (yours)`,
    source: 'custom',
    valueRange: range.range,
    valueRangeFrom: range.from,
    provenanceSummary: `${kind}, from ${where}. ${rangeNote}`,
    provenance,
  };
  if (tmStructure) card.resolutions = TM_RESOLUTIONS;
  return {
    card,
    artifacts,
    hints: {
      featuresBeforeHead: opened.length > 0 || tm || hasThawInputAdapter(raw.modelTopology),
      labels: metadata?.labels ?? null,
      imageSize: metadata?.imageSize ?? null,
    },
  };
}

/** Finishes a card from the built network (native size): input, channels, feature layer, source classes. */
export function completeCard(
  partial: PartialCard,
  native: tf.LayersModel,
  hints: SourceHints,
): ModelCard {
  const shape = native.inputs[0]?.shape ?? [];
  const side = (shape[1] as number | null) ?? hints.imageSize ?? 224;
  const featureLayer =
    (hints.featuresBeforeHead ? featureLayerBeforeHead(native) : null) ??
    defaultFeatureLayer(native);
  const card: ModelCard = {
    inputSize: side,
    resolutions: [side],
    channels: shape[3] === 1 ? 1 : 3,
    featureLayer,
    ...partial,
  };
  if (!card.resolutions.includes(side)) card.resolutions = [side];
  const notes: string[] = [];
  if (hints.labels && !partial.sourceClasses) {
    const outputShape = native.outputs[0]?.shape ?? [];
    const units = outputShape[outputShape.length - 1];
    if (units === hints.labels.length) card.sourceClasses = hints.labels;
    else
      notes.push(
        `metadata.json names ${hints.labels.length} classes but the network has ${units ?? '?'} outputs: its classes are not used.`,
      );
  }
  if (hints.imageSize && hints.imageSize !== side)
    notes.push(
      `metadata.json says ${hints.imageSize} px images, the network takes ${side} px: Thaw feeds ${side} px.`,
    );
  if (notes.length) card.provenance = [...card.provenance, ...notes];
  return card;
}
