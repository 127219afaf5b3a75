/** Main thread: the bundled samples, ordinary class folders served under `/samples/`. */
import type { DatasetFile, SampleInfo } from '../domain';

export const SAMPLES: readonly SampleInfo[] = [
  {
    id: 'photos',
    name: 'Photos',
    description:
      'Photo cut-outs (Tux Paint stamps, GPL-2+): Bird, Mammal, Fruit, Flower, Household — 25–30 images each (224×224 colour). For the photo backbone.',
  },
  {
    id: 'fashion-target',
    name: 'Fashion target',
    description:
      'Fashion-MNIST: Pullover, Dress, Shirt, Sneaker, Ankle boot — 40 images each (28×28 grey). Similar domain for the teaching CNN.',
  },
  {
    id: 'digits',
    name: 'Digits',
    description:
      'Handwritten digits (MNIST), 40 images per class (28×28 grey). A different domain for the teaching CNN.',
  },
  {
    id: 'digits-inverted',
    name: 'Inverted digits',
    description:
      'The digits sample inverted (dark strokes on white; MNIST), 40 images per class (28×28 grey). A far domain for the teaching CNN, whose source images are bright on black.',
  },
];

/** Fetches a bundled sample's files, with paths under `<name>/`, as a dropped folder would have them. */
export async function sampleFiles(id: string, name: string): Promise<DatasetFile[]> {
  const base = `${import.meta.env.BASE_URL}samples/${id}/`;
  const res = await fetch(`${base}manifest.json`);
  if (!res.ok) throw new Error(`no sample "${id}" (HTTP ${res.status})`);
  const manifest = (await res.json()) as { classes: { name: string; files: string[] }[] };
  const wanted = manifest.classes.flatMap((c) => c.files.map((f) => `${c.name}/${f}`));
  return Promise.all(
    wanted.map(async (rel) => {
      const r = await fetch(base + rel.split('/').map(encodeURIComponent).join('/'));
      if (!r.ok) throw new Error(`${rel}: HTTP ${r.status}`);
      return { path: `${name}/${rel}`, file: await r.blob() };
    }),
  );
}
