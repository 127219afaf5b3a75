/** What differs between runs, for the comparison view. Pure. */
import { MODE_LABEL, type RunRecord } from '../domain';

/** One configuration field of a run as text, keyed by a label. */
export function configOf(run: RunRecord): Record<string, string> {
  const p = run.params;
  const modes = Object.entries(run.plan.modes)
    .filter(([, m]) => m !== 'frozen')
    .map(([name, m]) => `${name}: ${MODE_LABEL[m]}`)
    .sort();
  return {
    Model: run.model,
    Dataset: run.dataset,
    'Features from': run.plan.featureLayer,
    'Layers frozen': `${run.frozen}/${run.weighted}`,
    'Trained layers': modes.length > 0 ? modes.join(', ') : 'none (head only)',
    Head: p.head === 'svm' ? 'Linear SVM' : 'Softmax',
    'Learning rate': String(p.learningRate),
    'Fine-tune learning rate': String(p.fineTuneLearningRate),
    Optimizer: p.optimizer,
    Schedule: p.schedule,
    Epochs: String(p.epochs),
    'Batch size': String(p.batchSize),
    Seed: String(p.seed),
    'L2-SP λ': String(p.conservation),
    'Output λ': String(p.distillation),
    Augmentation:
      Object.entries(p.augment)
        .filter(([, on]) => on)
        .map(([k]) => k)
        .join(', ') || 'none',
    'Early stopping': p.earlyStopping.enabled ? `patience ${p.earlyStopping.patience}` : 'off',
  };
}

/** The configuration rows whose value is not the same in every run. */
export function differingConfig(runs: readonly RunRecord[]): { label: string; values: string[] }[] {
  const configs = runs.map(configOf);
  const labels = Object.keys(configs[0] ?? {});
  return labels
    .map((label) => ({ label, values: configs.map((c) => c[label] ?? '') }))
    .filter((row) => new Set(row.values).size > 1);
}

/** A one-line description of a run's plan. */
export function planSummary(run: RunRecord): string {
  const parts = [`${run.frozen}/${run.weighted} frozen`];
  if (run.fineTuned) parts.push(`${run.fineTuned} fine-tuned`);
  if (run.reinitialized) parts.push(`${run.reinitialized} re-initialized`);
  parts.push(run.params.head === 'svm' ? 'SVM' : 'softmax');
  if (run.params.conservation > 0) parts.push(`λ=${run.params.conservation}`);
  return parts.join(', ');
}
