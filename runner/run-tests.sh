#!/usr/bin/env bash
# Runs the PyTorch runner's tests (pytest). A Python without torch, Pillow or pytest is a
# failure with the command that fixes it, not a skip. Python: $THAW_PYTHON, else
# /usr/bin/python3, else python3 on PATH. Extra arguments go to pytest.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${THAW_PYTHON:-}" ]; then
  py="$THAW_PYTHON"
elif [ -x /usr/bin/python3 ]; then
  py=/usr/bin/python3
else
  py="$(command -v python3 || true)"
fi
hint="sudo apt-get install -y python3-torch python3-pil python3-pytest"
if [ -z "$py" ] || ! "$py" -c 'import torch, PIL' >/dev/null 2>&1; then
  echo "The PyTorch runner tests need python3 with torch and PIL (not found). Install them: $hint" >&2
  exit 1
fi
if ! "$py" -c 'import pytest' >/dev/null 2>&1; then
  echo "The PyTorch runner tests need pytest ($py has torch and PIL). Install it: $hint" >&2
  exit 1
fi
cd "$here" || exit 1
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
exec "$py" -m pytest -q -p no:cacheprovider "$@"
