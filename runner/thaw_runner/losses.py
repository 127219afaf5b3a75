"""Loss terms, the same formulas as the studio's src/training/losses.ts and head.ts."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

#: L2 strength on the linear SVM head's kernel (SVM_L2 in src/domain/settings.ts).
SVM_L2 = 1e-3


def softmax_cross_entropy(labels: Tensor, logits: Tensor) -> Tensor:
    """Mean softmax cross-entropy over the batch (`labels`: class indices)."""
    return F.cross_entropy(logits, labels)


def multiclass_hinge(labels: Tensor, scores: Tensor, margin: float = 1.0) -> Tensor:
    """Weston–Watkins multi-class hinge, averaged over the batch:
    Σ_{j≠y} max(0, s_j − s_y + Δ) — every violating class counts, not only the worst."""
    correct = scores.gather(1, labels.view(-1, 1))
    violations = F.relu(scores - correct + margin)
    not_true = torch.ones_like(scores).scatter_(1, labels.view(-1, 1), 0.0)
    return (violations * not_true).sum(dim=1).mean()


def _sum_of_squares(tensors: Sequence[Tensor]) -> Tensor:
    if not tensors:
        return torch.zeros(())
    return torch.stack([t.pow(2).sum() for t in tensors]).sum()


def l2_penalty(params: Sequence[Tensor], lam: float) -> Tensor:
    """λ/2 · Σ‖w‖²: weight decay toward zero (the SVM head's regulariser)."""
    return _sum_of_squares(params) * (lam / 2)


def l2sp(params: Sequence[Tensor], anchors: Sequence[Tensor], lam: float) -> Tensor:
    """L2-SP: λ/2 · Σ‖w − w₀‖², toward the starting (pretrained) weights w₀."""
    if len(params) != len(anchors):
        raise ValueError(
            f"L2-SP needs one anchor per weight ({len(params)} weights, {len(anchors)} anchors)."
        )
    for i, (p, a) in enumerate(zip(params, anchors)):
        if p.shape != a.shape:
            raise ValueError(f"L2-SP anchor {i} has shape {list(a.shape)}, its weight {list(p.shape)}.")
    return _sum_of_squares([p - a for p, a in zip(params, anchors)]) * (lam / 2)


def distillation(current: Tensor, original: Tensor) -> Tensor:
    """'features-l2': mean of (f − f₀)² over batch and feature dimensions."""
    if current.shape != original.shape:
        raise ValueError(
            f"Distillation needs equal shapes ({list(current.shape)} vs {list(original.shape)})."
        )
    return (current - original).pow(2).mean()


def data_loss(head: str, labels: Tensor, scores: Tensor, kernel: Tensor) -> Tensor:
    """The head's loss: softmax cross-entropy, or hinge + SVM_L2/2·‖kernel‖² for the SVM head."""
    if head == "svm":
        return multiclass_hinge(labels, scores) + l2_penalty([kernel], SVM_L2)
    return softmax_cross_entropy(labels, scores)
