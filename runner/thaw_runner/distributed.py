"""Process group setup and the few collectives the runner needs.

One process: no process group at all. Under torchrun (WORLD_SIZE > 1): NCCL when the
processes use GPUs, gloo on CPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import torch
import torch.distributed as tdist

T = TypeVar("T")


@dataclass
class Dist:
    rank: int
    world: int
    local_rank: int
    device: torch.device
    backend: str | None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.backend is not None

    def sum(self, values: list[float]) -> list[float]:
        """Element-wise sum over all processes (float64)."""
        if not self.active:
            return list(values)
        t = torch.tensor(values, dtype=torch.float64, device=self._comm_device())
        tdist.all_reduce(t, op=tdist.ReduceOp.SUM)
        return t.cpu().tolist()

    def max(self, values: list[float]) -> list[float]:
        if not self.active:
            return list(values)
        t = torch.tensor(values, dtype=torch.float64, device=self._comm_device())
        tdist.all_reduce(t, op=tdist.ReduceOp.MAX)
        return t.cpu().tolist()

    def sum_tensor(self, t: torch.Tensor) -> torch.Tensor:
        if not self.active:
            return t
        t = t.to(self._comm_device())
        tdist.all_reduce(t, op=tdist.ReduceOp.SUM)
        return t

    def broadcast(self, obj: T) -> T:
        """Rank 0's `obj` on every process."""
        if not self.active:
            return obj
        box: list[Any] = [obj if self.is_main else None]
        tdist.broadcast_object_list(box, src=0)
        return box[0]  # type: ignore[no-any-return]

    def gather(self, obj: T) -> list[T]:
        """Every process's `obj`, in rank order, on every process."""
        if not self.active:
            return [obj]
        out: list[Any] = [None] * self.world
        tdist.all_gather_object(out, obj)
        return out

    def sync_buffers(self, module: torch.nn.Module) -> None:
        """Rank 0's buffers (BatchNorm moving statistics) on every process, so evaluation
        and the exported model use the same ones."""
        if not self.active:
            return
        # One broadcast per dtype and device, not one per buffer (a MobileNet has ~100
        # buffers, and each collective costs a round trip).
        groups: dict[tuple[torch.dtype, torch.device], list[torch.Tensor]] = {}
        for buf in module.buffers():
            groups.setdefault((buf.dtype, buf.device), []).append(buf)
        for bufs in groups.values():
            flat = torch.cat([b.detach().reshape(-1) for b in bufs])
            tdist.broadcast(flat, src=0)
            offset = 0
            with torch.no_grad():
                for b in bufs:
                    b.copy_(flat[offset : offset + b.numel()].view_as(b))
                    offset += b.numel()

    def barrier(self) -> None:
        if self.active:
            tdist.barrier()

    def _comm_device(self) -> torch.device:
        return self.device if self.backend == "nccl" else torch.device("cpu")

    def close(self) -> None:
        if self.active and tdist.is_initialized():
            tdist.destroy_process_group()


def init_distributed(device: str = "auto") -> Dist:
    """Reads torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK) and joins the group."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() and device in ("auto", "cuda")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was given, but PyTorch sees no CUDA device.")
    if use_cuda:
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
        dev = torch.device("cuda", torch.cuda.current_device())
    else:
        dev = torch.device("cpu")
    backend = None
    if world > 1:
        backend = "nccl" if use_cuda else "gloo"
        tdist.init_process_group(backend=backend, timeout=timedelta(minutes=30))
    return Dist(rank=rank, world=world, local_rank=local_rank, device=dev, backend=backend)


def shard(indices: list[int], rank: int, world: int, pad: bool = False) -> list[int]:
    """This process's share of `indices` (strided). With `pad`, every share has the same
    length (the first indices repeat), so every process runs the same number of steps."""
    own = indices[rank::world]
    if pad and indices:
        size = -(-len(indices) // world)
        i = 0
        while len(own) < size:
            own.append(indices[i % len(indices)])
            i += 1
    return own
