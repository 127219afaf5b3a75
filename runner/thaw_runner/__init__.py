"""Thaw's PyTorch runner: trains a plan exported from the studio on a folder of images."""

__version__ = "1.0.0"
