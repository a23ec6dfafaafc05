"""The interface every problem implements."""

import numpy as np


class Problem:
    """A function f on M x M matrices with an input distribution to learn it on.

    Subclasses set ``name`` and ``label`` and implement :meth:`sample`,
    :meth:`target` and :meth:`output_dim`; :meth:`loss` defaults to the mean squared
    error used by the authors' script.
    """

    name: str = ""
    label: str = ""
    aliases: tuple[str, ...] = ()

    def output_dim(self, M: int) -> int:
        """Dimension V of Vec(f(X)) for an M x M input."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...], M: int) -> np.ndarray:
        """Draw inputs of shape ``shape + (M, M)`` (float64) from the problem's distribution."""
        raise NotImplementedError

    def target(self, X: np.ndarray) -> np.ndarray:
        """Exact f(X) for inputs ``(..., M, M)``, as float64 ``(..., V)``."""
        raise NotImplementedError

    def loss(self, y_true, y_pred):
        """Training cost averaged over the batch; ``(batch, K, V)`` tensors."""
        import keras

        return keras.ops.mean(keras.ops.square(y_pred - y_true))

    def tf_target(self, X):
        """f(X) computed by TensorFlow, for the runtime benchmark; None if not offered."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
