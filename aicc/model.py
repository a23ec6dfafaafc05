"""The AICC model of Section III: DNN encoder, worker polynomial, evaluation at points.

Shapes: inputs X ``(batch, K, M, M)``; encoder coefficients U ``(batch, G+1, M, M)``;
encoded matrices ``(batch, N, M, M)``; worker results ``(batch, N, V)``.
"""

import keras
import numpy as np
from keras import ops

from aicc.points import betas as paper_betas

ENCODERS = ("paper", "lagrange")


def carry_through_matrix(beta, G) -> np.ndarray:
    """C ``(G+1, K)``: U_g = sum_k C[g, k] X_k puts e(beta_k) at (or nearest to) X_k.

    For G + 1 >= K this is the Lagrange (LCC) interpolant of degree K - 1, so that
    e(beta_k) = X_k exactly; for K > G + 1 it is the least-squares polynomial of
    degree G through the points (beta_k, X_k).
    """
    beta = np.asarray(beta, dtype=np.float64)
    K = beta.size
    degree = min(G, K - 1)
    vandermonde = beta[:, None] ** np.arange(degree + 1)[None, :]
    coefficients = np.linalg.pinv(vandermonde)
    return np.vstack([coefficients, np.zeros((G - degree, K))])


@keras.saving.register_keras_serializable(package="aicc")
class CoefficientNetwork(keras.layers.Layer):
    """A fully connected DNN (``hidden_layers`` x ``width``) with a linear output layer.

    One such network is Gamma_g (an encoder coefficient) or Lambda_0 (the worker
    polynomial's constant term); it reads the K inputs flattened, ``(batch, K*M*M)``.
    """

    def __init__(
        self, units, hidden_layers=2, width=100, activation="swish", zero_output=False,
        seed=0, **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = int(units)
        self.hidden_layers = int(hidden_layers)
        self.width = int(width)
        self.activation = activation
        self.zero_output = bool(zero_output)
        self.seed = int(seed)
        self.hidden = [
            keras.layers.Dense(
                self.width, activation=activation, dtype=self.dtype_policy,
                kernel_initializer=keras.initializers.GlorotUniform(seed=self.seed + i),
                name=f"hidden_{i}",
            )
            for i in range(self.hidden_layers)
        ]
        output_init = (
            "zeros" if self.zero_output
            else keras.initializers.GlorotUniform(seed=self.seed + self.hidden_layers)
        )
        self.output_layer = keras.layers.Dense(
            self.units, kernel_initializer=output_init, dtype=self.dtype_policy, name="output"
        )

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.hidden:
            layer.build(shape)
            shape = (*shape[:-1], self.width)
        self.output_layer.build(shape)

    def call(self, inputs):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.output_layer(x)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "hidden_layers": self.hidden_layers,
            "width": self.width,
            "activation": self.activation,
            "zero_output": self.zero_output,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="aicc")
class AICCModel(keras.Model):
    """Encoder E(X, alpha) = sum_g U_g alpha^g and worker h(X~) = sum_p V_p Vec(X~^p).

    U_g = Gamma_g(X) are DNNs on the K inputs (eq. 1); V_0 = Lambda_0(X) is a DNN, and
    V_1..V_P are learned linear maps (with bias) of Vec(X~^p) (eq. 3). Called on X it
    returns h(e(beta_k)) for the fixed betas, ``(batch, K, V)`` (eq. 5), which is the
    path trained end to end. The column stacking of Vec is a fixed permutation that the
    learned maps absorb, so row-major flattening is used.

    ``encoder="lagrange"`` is this project's variant, not the paper's: the master first
    standardises the inputs, Z_k = (X_k - mean) / scale with the input distribution's
    entrywise mean and overall scale (set by :meth:`standardize_inputs`), the encoder
    adds the fixed carry-through U_g += sum_k C[g, k] Z_k (see
    :func:`carry_through_matrix`), the worker divides X~^p by sqrt(M)^p (so that the
    first Adam steps on the zero-started maps do not swamp small targets), and the
    networks' output layers and the
    power maps start at zero: training starts from the mean predictor with each input
    carried to its beta. These are affine maps of the inputs and fixed scalings of the
    powers, so h(e(alpha)) stays a polynomial of degree G*P.
    ``power_scale`` further divides X~^p by power_scale^(p-1) (1 in the paper).
    """

    def __init__(
        self, M, K, V, G=2, P=2, hidden_layers=2, width=100, activation="swish",
        encoder="paper", power_scale=1.0, seed=0, **kwargs,
    ):
        super().__init__(**kwargs)
        if encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {encoder!r}; allowed: {ENCODERS}")
        for key, value in {"M": M, "K": K, "V": V, "G": G, "P": P}.items():
            if int(value) < 1:
                raise ValueError(f"{key} must be a positive integer, got {value!r}")
        self.M, self.K, self.V, self.G, self.P = int(M), int(K), int(V), int(G), int(P)
        self.hidden_layers, self.width = int(hidden_layers), int(width)
        self.activation, self.encoder = activation, encoder
        self.power_scale, self.seed = float(power_scale), int(seed)
        carry = encoder == "lagrange"
        net = dict(hidden_layers=hidden_layers, width=width, activation=activation,
                   zero_output=carry, dtype=self.dtype_policy)
        stride = hidden_layers + 1
        self.encoder_networks = [
            CoefficientNetwork(self.M * self.M, seed=self.seed + stride * g, name=f"gamma_{g}",
                               **net)
            for g in range(self.G + 1)
        ]
        self.constant_network = CoefficientNetwork(
            self.V, seed=self.seed + stride * (self.G + 1), name="lambda_0", **net
        )
        self.power_maps = [
            keras.layers.Dense(
                self.V, dtype=self.dtype_policy, name=f"lambda_{p}",
                kernel_initializer="zeros" if carry else keras.initializers.GlorotUniform(
                    seed=self.seed + stride * (self.G + 2) + p),
            )
            for p in range(1, self.P + 1)
        ]
        self.beta = paper_betas(self.K)
        self.carry = carry_through_matrix(self.beta, self.G) if carry else None
        # The lagrange variant scales X~^p by 1 / sqrt(M)^p: entries of order one over
        # sqrt(M). Adam moves each of the M^2 zero-started weights of an output by about
        # lr at first; unscaled, that swamped the small targets of P3 at M=50 (1/M, the
        # fan-in scaling, was stable but learnt too slowly within a CPU budget).
        self.power_divisor = self.power_scale * (np.sqrt(self.M) if carry else 1.0)
        self.feature_divisor = float(np.sqrt(self.M)) if carry else 1.0

    @property
    def recovery_threshold(self) -> int:
        """R = G * P + 1, the number of worker results the master needs."""
        return self.G * self.P + 1

    def build(self, input_shape=None):
        if self.carry is not None:
            self.input_mean = self.add_weight(shape=(self.M, self.M), initializer="zeros",
                                              trainable=False, name="input_mean")
            self.input_scale = self.add_weight(shape=(), initializer="ones",
                                               trainable=False, name="input_scale")
        flat = (None, self.K * self.M * self.M)
        for network in [*self.encoder_networks, self.constant_network]:
            network.build(flat)
        for dense in self.power_maps:
            dense.build((None, None, self.M * self.M))

    def coefficients(self, X):
        """Encoder coefficients U ``(batch, G+1, M, M)`` and constant term V_0 ``(batch, V)``."""
        X = ops.cast(X, self.compute_dtype)
        if self.carry is not None:
            X = (X - self.input_mean) / self.input_scale
        flat = ops.reshape(X, (-1, self.K * self.M * self.M))
        U = ops.stack([net(flat) for net in self.encoder_networks], axis=1)
        U = ops.reshape(U, (-1, self.G + 1, self.M, self.M))
        if self.carry is not None:
            C = ops.convert_to_tensor(self.carry, dtype=self.compute_dtype)
            U = U + ops.einsum("gk,bkij->bgij", C, X)
        return U, self.constant_network(flat)

    def encode(self, U, alphas):
        """Encoded matrices e(alpha_n) = sum_g U_g alpha_n^g, ``(batch, N, M, M)`` (eq. 2)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        powers = alphas[:, None] ** np.arange(self.G + 1)[None, :]
        powers = ops.convert_to_tensor(powers, dtype=self.compute_dtype)
        return ops.einsum("ng,bgij->bnij", powers, U)

    def worker(self, encoded, V0):
        """Worker results h(X~_n) = V_0 + sum_p Lambda_p(Vec(X~_n^p)), ``(batch, N, V)``."""
        n = ops.shape(encoded)[1]
        out = ops.expand_dims(V0, 1)
        power = encoded
        for p, dense in enumerate(self.power_maps, start=1):
            if p > 1:
                power = ops.matmul(power, encoded) / self.power_divisor
            features = ops.reshape(power, (-1, n, self.M * self.M)) / self.feature_divisor
            out = out + dense(features)
        return out

    def at_points(self, X, points):
        """h(e(t)) for every input set and each point t, ``(batch, len(points), V)``."""
        U, V0 = self.coefficients(X)
        return self.worker(self.encode(U, points), V0)

    def call(self, X):
        return self.at_points(X, self.beta)

    def start_from_mean(self, target_mean):
        """Set Lambda_0's output bias to the target mean ``(V,)`` (the mean predictor)."""
        bias = self.constant_network.output_layer.bias
        bias.assign(np.asarray(target_mean, dtype=bias.dtype).reshape(self.V))

    def standardize_inputs(self, mean, scale):
        """Set the input mean ``(M, M)`` and scale used by the carry-through encoder."""
        if self.carry is None:
            raise ValueError("only the 'lagrange' encoder standardises its inputs")
        self.input_mean.assign(np.asarray(mean, dtype=self.input_mean.dtype))
        self.input_scale.assign(float(scale))

    def get_config(self):
        return {
            **super().get_config(),
            "M": self.M, "K": self.K, "V": self.V, "G": self.G, "P": self.P,
            "hidden_layers": self.hidden_layers, "width": self.width,
            "activation": self.activation, "encoder": self.encoder,
            "power_scale": self.power_scale, "seed": self.seed,
        }


def build_model(M, K, V, dtype="float32", **options) -> AICCModel:
    """An AICCModel with all weights created (``dtype`` float32 or float64)."""
    model = AICCModel(M=M, K=K, V=V, dtype=dtype, **options)
    model.build()
    model(np.zeros((1, K, M, M), dtype=dtype))
    return model


def load_model(path) -> AICCModel:
    """Load a saved AICCModel (``.keras`` file) with its custom layers registered."""
    return keras.saving.load_model(path)
