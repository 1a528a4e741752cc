"""Array types shared by the model stage (encoder, heads, training): one definition, not one per module."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
