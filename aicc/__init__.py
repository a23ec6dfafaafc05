"""AICC: learning-based approximate coded computation (Agrawal, Qiu et al.).

The package implements the scheme of Section III of the paper: DNN encoders whose
coefficients U_0..U_G define a degree-G polynomial e(alpha) of the K inputs, a worker
polynomial h of degree P in the encoded matrix, and a master that recovers the K
results from any R = G*P + 1 worker responses by polynomial interpolation.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
