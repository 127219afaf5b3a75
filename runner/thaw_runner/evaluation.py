"""Phase "evaluate": the trained classifier's predictions on the held-out split, gathered from
every process, and the studio's evaluation record (confusion, per-class precision/recall,
misclassified files)."""

from __future__ import annotations

from typing import Any, Iterable

import torch

from .distributed import Dist
from .train_loop import Classifier

#: (sample index, true class, predicted class, probabilities).
Row = tuple[int, int, int, list[float]]


def predict(model: Classifier, batches: Iterable[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> list[Row]:
    out = []
    model.eval()
    with torch.no_grad():
        for x, y, idx in batches:
            _, scores = model(x)
            probs = torch.softmax(scores, dim=1)
            for i, t, p, pr in zip(idx.tolist(), y.tolist(), probs.argmax(1).tolist(), probs.cpu().tolist()):
                out.append((i, t, p, pr))
    return out


def gathered_predictions(model: Classifier, batches: Iterable[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
                         dist: Dist) -> list[Row]:
    """Every process's predictions, in sample order, on every process."""
    rows = [r for part in dist.gather(predict(model, batches)) for r in part]
    rows.sort(key=lambda r: r[0])
    return rows


def evaluation_record(rows: list[Row], split: str, classes: list[str], paths: list[str]) -> dict[str, Any]:
    k = len(classes)
    confusion = [[0] * k for _ in range(k)]
    misclassified: dict[str, list[str]] = {}
    for i, t, p, _ in rows:
        confusion[t][p] += 1
        if t != p:
            misclassified.setdefault(f"{t}-{p}", []).append(paths[i])
    n = len(rows)
    per_class = []
    for c in range(k):
        tp = confusion[c][c]
        predicted = sum(confusion[r][c] for r in range(k))
        support = sum(confusion[c])
        per_class.append(
            {
                "precision": tp / predicted if predicted else None,
                "recall": tp / support if support else None,
                "support": support,
            }
        )
    return {
        "split": split,
        "classNames": classes,
        "accuracy": sum(confusion[c][c] for c in range(k)) / n if n else None,
        "confusion": confusion,
        "perClass": per_class,
        "misclassified": misclassified,
    }
