/**
 * Where a network comes from → its artifacts and what the studio knows about it (the
 * model card): the catalog entry with its measured facts for bundled models, or a
 * cautious card for the user's own model.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelCard, ModelSource } from '../domain';
import { catalogEntry } from './catalog';
import { artifactsFromFiles, fetchModelArtifacts } from './load';

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

/** Loads a source's artifacts and its card; `customId` names a user's model. */
export async function resolveSource(
  source: ModelSource,
  customId: string,
): Promise<{ card: PartialCard; artifacts: tf.io.ModelArtifacts }> {
  if (source.kind === 'catalog') {
    const entry = catalogEntry(source.modelId);
    if (!entry) throw new Error(`Unknown model "${source.modelId}".`);
    const artifacts = await fetchModelArtifacts(source.url);
    const card: ModelCard = { ...entry };
    if (entry.cardUrl)
      Object.assign(card, await measuredFacts(new URL(entry.cardUrl, source.url).href, card));
    return { card, artifacts };
  }
  const artifacts =
    source.kind === 'url'
      ? await fetchModelArtifacts(source.url)
      : await artifactsFromFiles(source.files);
  const label =
    source.kind === 'url'
      ? (source.url.split('/').slice(-2, -1)[0] ?? source.url)
      : (source.files.find((f) => f.name.endsWith('.json'))?.name ?? 'model.json');
  const where = source.kind === 'url' ? source.url : 'dropped files';
  return {
    card: {
      id: customId,
      name: `${label} (yours)`,
      source: 'custom',
      valueRange: [0, 1],
      provenanceSummary: `Your model, from ${where}. Pixel range assumed [0, 1].`,
      provenance: [
        `Loaded from ${where}. Thaw cannot know what it was trained on: that is for you to judge.`,
        'Pixels are fed in [0, 1]; if the network was trained on another range, its features will be off.',
      ],
    },
    artifacts,
  };
}
