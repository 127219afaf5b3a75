"""Learning-rate schedules, as src/training/schedule.ts: a step number in, a rate out."""

from __future__ import annotations

import math


def learning_rate_at(step: int, total_steps: int, base: float, kind: str) -> float:
    """The rate for 0-based `step` of `total_steps`: constant, or cosine
    base·½(1 + cos(π·t)) with t = step/total_steps, down to 0 at the end; steps past the end
    stay at the end value."""
    if not math.isfinite(step) or step < 0:
        raise ValueError(f"Step {step} is not a step number.")
    if not math.isfinite(total_steps) or total_steps < 1:
        raise ValueError(f"A schedule needs at least one step (got {total_steps}).")
    if kind == "constant":
        return base
    if kind == "cosine":
        return base * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total_steps)))
    raise ValueError(f"Unknown schedule: {kind}")
