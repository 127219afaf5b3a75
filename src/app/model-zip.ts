/**
 * The exported model as a zip (fflate): the classifier as a tfjs layers model, a
 * Teachable-Machine-shaped `metadata.json`, and a README with a usage example, so code
 * written for a Teachable Machine image model runs it unchanged.
 */
import { strToU8, zipSync } from 'fflate';
import type { ExportedModelMessage } from '../worker/protocol';

/** The `@teachablemachine/image` package version whose metadata fields are written. */
const TM_PACKAGE_VERSION = '0.8.5';

/** A file-name-safe name from a dataset name. */
export function exportName(dataset: string): string {
  return (
    dataset
      .normalize('NFKD')
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'thaw-model'
  );
}

/** Teachable Machine's metadata.json fields (labels in output order, the input size). */
export function tmMetadata(
  files: Pick<ExportedModelMessage, 'classNames' | 'imageSize' | 'modelJson'>,
  name: string,
) {
  const generatedBy = (JSON.parse(files.modelJson) as { generatedBy?: string }).generatedBy ?? '';
  return {
    tfjsVersion: /v([\d.]+)/.exec(generatedBy)?.[1] ?? 'unknown',
    tmVersion: 'thaw',
    packageVersion: TM_PACKAGE_VERSION,
    packageName: '@teachablemachine/image',
    timeStamp: new Date().toISOString(),
    userMetadata: {
      exportedBy: 'Thaw',
      inputRange: 'x / 127 - 1 (as @teachablemachine/image feeds it)',
    },
    modelName: name,
    labels: files.classNames,
    imageSize: files.imageSize,
  };
}

function readme(
  name: string,
  files: Pick<ExportedModelMessage, 'classNames' | 'imageSize'>,
): string {
  return `# ${name}

An image classifier exported by Thaw: ${files.classNames.length} classes (${files.classNames.join(', ')}), ${files.imageSize}×${files.imageSize} RGB input.
It loads like a Teachable Machine image model: \`model.json\` + \`weights.bin\` + \`metadata.json\`.

\`\`\`html
<script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/@teachablemachine/image@0.8.5/dist/teachablemachine-image.min.js"></script>
<img id="photo" src="photo.jpg" />
<script>
  (async () => {
    const model = await tmImage.load('model.json', 'metadata.json');
    const predictions = await model.predict(document.getElementById('photo'));
    console.log(predictions); // [{ className, probability }, …] in label order
  })();
</script>
\`\`\`

With plain TensorFlow.js: \`tf.loadLayersModel('model.json')\`, then feed a [1, ${files.imageSize}, ${files.imageSize}, 3] tensor of pixels scaled as x / 127 − 1 (centre-cropped, resized to ${files.imageSize} px).
`;
}

export function modelZip(files: ExportedModelMessage, name: string): Blob {
  const zipped = zipSync({
    'model.json': strToU8(files.modelJson),
    'weights.bin': new Uint8Array(files.weights),
    'metadata.json': strToU8(JSON.stringify(tmMetadata(files, name), null, 2)),
    'README.md': strToU8(readme(name, files)),
  });
  return new Blob([zipped], { type: 'application/zip' });
}
