import { useStudio } from '../state/store';
import { augments, PARAM_RANGES, type TrainParams } from '../domain';
import { NumberField } from './number-field';

/** Head, optimizer, schedule, conservation, augmentation and BatchNorm choices, each with its reason. */
export function TrainOptions({ disabled }: { disabled: boolean }) {
  const params = useStudio((s) => s.params);
  const setParams = useStudio((s) => s.setParams);
  const set = <K extends keyof TrainParams>(key: K, value: TrainParams[K]) =>
    setParams({ [key]: value } as Partial<TrainParams>);
  const augmenting = augments(params.augment);
  const summary = [
    params.head === 'svm' ? 'linear SVM' : 'softmax',
    params.optimizer === 'sgd' ? 'SGD' : 'Adam',
    params.schedule === 'cosine' ? 'cosine decay' : null,
    params.conservation > 0 ? `L2-SP λ=${params.conservation}` : null,
    params.distillation > 0 ? `output λ=${params.distillation}` : null,
    augmenting ? 'augmented' : null,
    params.testTimeAugmentation ? 'flip at test time' : null,
  ]
    .filter(Boolean)
    .join(' · ');

  return (
    <details className="options">
      <summary>
        Options: <span className="muted">{summary}</span>
      </summary>
      <div className="field-grid">
        <label className="field">
          <span>Classifier head</span>
          <select
            aria-label="Classifier head"
            value={params.head}
            disabled={disabled}
            onChange={(e) => set('head', e.target.value as TrainParams['head'])}
          >
            <option value="softmax">Softmax</option>
            <option value="svm">Linear SVM</option>
          </select>
        </label>
        <label className="field">
          <span>Optimizer</span>
          <select
            aria-label="Optimizer"
            value={params.optimizer}
            disabled={disabled}
            onChange={(e) => set('optimizer', e.target.value as TrainParams['optimizer'])}
          >
            <option value="adam">Adam</option>
            <option value="sgd">SGD with momentum 0.9</option>
          </select>
        </label>
        <label className="field">
          <span>Learning-rate schedule</span>
          <select
            aria-label="Schedule"
            value={params.schedule}
            disabled={disabled}
            onChange={(e) => set('schedule', e.target.value as TrainParams['schedule'])}
          >
            <option value="constant">Constant</option>
            <option value="cosine">Cosine decay</option>
          </select>
        </label>
        <NumberField
          name="Conservation strength"
          label="Conservation strength (L2-SP λ)"
          value={params.conservation}
          min={PARAM_RANGES.conservation.min}
          step="any"
          disabled={disabled}
          onChange={(v) => set('conservation', v)}
        />
        <NumberField
          name="Output conservation"
          label="Keep features close (output λ)"
          value={params.distillation}
          min={PARAM_RANGES.distillation.min}
          step="any"
          disabled={disabled}
          onChange={(v) => set('distillation', v)}
        />
      </div>
      <p className="hint small">
        <strong>Softmax</strong> learns class probabilities (cross-entropy); a{' '}
        <strong>linear SVM</strong> learns a margin between classes (multi-class hinge loss + L2).{' '}
        <strong>Conservation training</strong> keeps the new model near the old one when data is
        scarce: L2-SP adds λ/2·Σ‖w − w₀‖² over the fine-tuned pretrained weights (plain weight decay
        would pull them toward zero instead); the output term keeps the network&apos;s features
        close to the original network&apos;s on the same images. Both trade new-task accuracy for
        remembering the source task.
      </p>
      <fieldset className="checks">
        <legend>Augmentation (training images only)</legend>
        {(['flip', 'crop', 'brightness'] as const).map((k) => (
          <label key={k} className="check">
            <input
              type="checkbox"
              checked={params.augment[k]}
              disabled={disabled}
              onChange={(e) => setParams({ augment: { ...params.augment, [k]: e.target.checked } })}
            />
            {k === 'flip' ? 'Flip' : k === 'crop' ? 'Crop' : 'Brightness'}
          </label>
        ))}
      </fieldset>
      {augmenting && (
        <p className="hint small">
          Augmented images change every epoch, so the frozen layers cannot be computed once and
          cached: training is slower.
        </p>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={params.testTimeAugmentation ?? false}
          disabled={disabled}
          onChange={(e) => set('testTimeAugmentation', e.target.checked)}
        />
        Test-time augmentation (flip)
      </label>
      <p className="hint small">
        The final validation and test predictions, and Predict, average the class probabilities of
        each image and of its mirror image: each image is classified twice. The accuracy per epoch
        (and early stopping) stays without it. Off for images whose mirror image means something
        else (digits, text, left and right).
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={params.batchNormTraining}
          disabled={disabled}
          onChange={(e) => set('batchNormTraining', e.target.checked)}
        />
        BatchNorm in Fine-tune layers uses batch statistics
      </label>
      <p className="hint small">
        Off (recommended for small data): fine-tuned BatchNorm layers keep their pretrained running
        statistics, which small batches would only make noisy. Frozen layers always run in inference
        mode.
      </p>
    </details>
  );
}
