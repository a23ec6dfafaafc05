"""AICC: learning-based approximate coded computation (Agrawal, Qiu et al.).

The package implements the scheme of Section III of the paper: DNN encoders whose
coefficients U_0..U_G define a degree-G polynomial e(alpha) of the K inputs, a worker
polynomial h of degree P in the encoded matrix, and a master that recovers the K
results from any R = G*P + 1 worker responses by polynomial interpolation.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# LAPACK on many small matrices gains nothing from BLAS threads, and the background
# batch producer must leave the cores to TensorFlow: with two busy cores a threaded
# OpenBLAS eigh at M=50 was measured 35x slower than a single-threaded one. This only
# takes effect when aicc is imported before numpy (as by the `aicc` command).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
