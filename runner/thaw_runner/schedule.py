"""Learning-rate schedules, as src/training/schedule.ts: a step number in, a rate out."""

from __future__ import annotations

import math


def learning_rate_at(step: int, total_steps: int, base: float, kind: str, warmup_steps: int = 0) -> float:
    """The rate for 0-based `step` of `total_steps`: optional linear warm-up
    base·(step+1)/warmup, then constant or cosine base·½(1 + cos(π·t)) down to 0 at the end;
    steps past the end stay at the end value."""
    if not math.isfinite(step) or step < 0:
        raise ValueError(f"Step {step} is not a step number.")
    if not math.isfinite(total_steps) or total_steps < 1:
        raise ValueError(f"A schedule needs at least one step (got {total_steps}).")
    if warmup_steps < 0:
        raise ValueError(f"Warm-up steps must be 0 or more (got {warmup_steps}).")
    if step < warmup_steps:
        return base * (step + 1) / warmup_steps
    if kind == "constant":
        return base
    if kind == "cosine":
        span = total_steps - warmup_steps
        t = 1.0 if span <= 0 else min(1.0, (step - warmup_steps) / span)
        return base * 0.5 * (1 + math.cos(math.pi * t))
    raise ValueError(f"Unknown schedule: {kind}")
