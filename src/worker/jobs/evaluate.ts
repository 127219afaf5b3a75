/** The final report of a run: confusion matrix and per-class scores on the test split (validation when there is none). */
import type { Split } from '../../data/split';
import type { Evaluation } from '../../domain';
import {
  accuracy,
  confusionMatrix,
  misclassified,
  perClassPrecisionRecall,
} from '../../training/metrics';
import type { Dataset } from '../context';

export function evaluationOf(
  data: Pick<Dataset, 'labels' | 'classNames' | 'files'>,
  split: Split,
  predictions: { validation: number[]; test: number[] },
): Omit<Evaluation, 'forgetting' | 'projection'> {
  const onTest = split.test.length > 0;
  const indices = onTest ? split.test : split.validation;
  const predicted = onTest ? predictions.test : predictions.validation;
  const truth = indices.map((i) => data.labels[i]!);
  const confusion = confusionMatrix(truth, predicted, data.classNames.length);
  const wrong = misclassified(truth, predicted);
  return {
    split: onTest ? 'test' : 'validation',
    classNames: data.classNames,
    accuracy: accuracy(confusion),
    confusion,
    perClass: perClassPrecisionRecall(confusion),
    misclassified: Object.fromEntries(
      [...wrong].map(([cell, at]) => [cell, at.map((j) => data.files[indices[j]!]!.path)]),
    ),
  };
}
