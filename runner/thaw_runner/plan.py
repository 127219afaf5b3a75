"""The one place where layer modes become trainable parameters (as src/model/plan.ts).

Frozen layers keep their weights, get no gradients and run BatchNorm in inference mode;
Fine-tune layers are trained at the fine-tune rate; Re-initialize layers get fresh weights
from their own initializers and are trained at the head's rate. Layers without weights are
always Frozen. BatchNorm uses batch statistics in training only in Re-initialize layers, and
in Fine-tune layers when `batchNormTraining` is set (the studio's `trainingFlag`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .initializers import reinit_value
from .tfjs_layers import BatchNormalization
from .tfjs_model import TfjsNetwork


class PlanError(ValueError):
    """A plan that does not fit the network."""


@dataclass
class PlanGroups:
    """Trainable parameters by group, with `layer/weight` names in the same order."""

    fine_tune: list[nn.Parameter] = field(default_factory=list)
    fine_tune_names: list[str] = field(default_factory=list)
    reinit: list[nn.Parameter] = field(default_factory=list)
    reinit_names: list[str] = field(default_factory=list)
    #: Effective mode of every layer up to the feature layer.
    modes: dict[str, str] = field(default_factory=dict)
    #: Layers named in the plan that lie after the feature layer (dropped, so ignored).
    ignored: list[str] = field(default_factory=list)

    @property
    def trainable_params(self) -> int:
        return sum(p.numel() for p in [*self.fine_tune, *self.reinit])

    @property
    def head_only(self) -> bool:
        return not self.fine_tune and not self.reinit


def layer_modes(net: TfjsNetwork, modes: dict[str, str]) -> dict[str, str]:
    """Modes per layer of the flat graph. A mode given to a nested model (the studio lists a
    nested model as one layer) applies to every layer inside it without a mode of its own."""
    unknown = sorted(n for n in modes if n not in {s.name for s in net.graph.layers} | set(net.graph.aliases))
    if unknown:
        raise PlanError(f"The plan names layers the network does not have: {', '.join(unknown)}.")
    out: dict[str, str] = {}
    # Outer containers first, so an inner container's mode overrides its parent's.
    for container in sorted(net.graph.members, key=lambda c: -len(net.graph.members[c])):
        if container in modes:
            for member in net.graph.members[container]:
                out[member] = modes[container]
    out.update({n: m for n, m in modes.items() if n not in net.graph.members})
    return out


def mode_of(net: TfjsNetwork, modes: dict[str, str], name: str) -> str:
    return modes.get(name, "frozen") if net.layer(name).weight_names else "frozen"


def apply_plan(
    net: TfjsNetwork,
    modes: dict[str, str],
    batch_norm_training: bool = False,
    seed: int = 0,
) -> PlanGroups:
    """Applies a plan to a freshly loaded network and returns its trainable parameters."""
    modes = layer_modes(net, modes)
    groups = PlanGroups()
    groups.ignored = sorted(n for n in modes if n not in net.keys and modes[n] != "frozen")
    gen = torch.Generator().manual_seed(seed)
    for name, module in net.named_layers():
        mode = mode_of(net, modes, name)
        groups.modes[name] = mode
        if mode == "reinit":
            spec_config = net.graph.find(name).config
            for short in module.weight_names:
                module.load_tfjs(short, reinit_value(short, spec_config, module.tfjs_shape(short), gen))
        for short in module.weight_names:
            t = module.tensor_of(short)
            if not isinstance(t, nn.Parameter):
                continue  # BatchNorm moving statistics: never trained by gradients
            t.requires_grad_(mode != "frozen")
            if mode == "fine-tune":
                groups.fine_tune.append(t)
                groups.fine_tune_names.append(f"{name}/{short}")
            elif mode == "reinit":
                groups.reinit.append(t)
                groups.reinit_names.append(f"{name}/{short}")
        if isinstance(module, BatchNormalization):
            module.batch_stats = mode == "reinit" or (mode == "fine-tune" and batch_norm_training)
    return groups
