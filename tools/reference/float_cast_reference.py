"""Reference bits for @crucible/hub's fromFloat32: PyTorch's float32 -> bfloat16/float16 casts.

Run with Debian's python3-torch: /usr/bin/python3 tools/reference/float_cast_reference.py
The printed lists are pasted into packages/hub/src/safetensors/writer.test.ts.
"""

import math

import torch

VALUES = [0.0, -0.0, 1.0, -2.5, math.pi, 1e-8, 6.1e-5, 65504.0, 65520.0, 1e5, -1e-40,
          0.33333334, 1.00390625, 1.01171875, 2.0**-24, 2.0**-25 * 1.5, float("inf")]
x = torch.tensor(VALUES, dtype=torch.float32)
for dtype in (torch.bfloat16, torch.float16):
    print([int(v) for v in x.to(dtype).view(torch.int16).to(torch.int32) & 0xFFFF])
