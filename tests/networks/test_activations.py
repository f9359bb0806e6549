"""Hidden activations against numpy: ReLU, CReLU (width doubled), ReLU²."""

import numpy as np
import pytest

from sac_tf.networks.activations import activation_function, activation_layer
from sac_tf.networks.mlp import ensemble_mlp, mlp

X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], np.float32)


@pytest.mark.parametrize("name, expected", [
    ("relu", np.maximum(X, 0.0)),
    ("crelu", np.concatenate([np.maximum(X, 0.0), np.maximum(-X, 0.0)], axis=-1)),
    ("relu2", np.maximum(X, 0.0) ** 2),
])
def test_activations_match_numpy(name, expected):
    np.testing.assert_array_equal(activation_function(name)(X).numpy(), expected)
    np.testing.assert_array_equal(activation_layer(name)(X).numpy(), expected)


def test_crelu_doubles_the_width_the_next_layer_sees():
    torso = mlp((8, 6), activation="crelu")
    assert torso(np.zeros((4, 3), np.float32)).shape == (4, 12)
    kernels = [w for w in torso.weights if "kernel" in w.path]
    assert [tuple(k.shape) for k in kernels] == [(3, 8), (16, 6)]
    ensemble = ensemble_mlp(2, (8, 6), 1, activation="crelu")
    assert ensemble(np.zeros((4, 3), np.float32)).shape == (2, 4, 1)
    kernels = [w for w in ensemble.weights if "kernel" in w.path]
    assert [tuple(k.shape) for k in kernels] == [(2, 3, 8), (2, 16, 6), (2, 12, 1)]


def test_relu_torsos_are_built_as_before():
    """The default builds the layers it always did (one Dense with its ReLU per block; an
    ensemble's ReLU a Keras `Activation`), so plain SAC's checkpoints and initial weights
    are unchanged (the golden runs check the numbers)."""
    torso = mlp((8, 6))
    assert [type(layer).__name__ for layer in torso.layers] == ["Dense", "Dense"]
    assert all(layer.activation.__name__ == "relu" for layer in torso.layers)
    ensemble = ensemble_mlp(2, (8,), 1)
    assert [type(layer).__name__ for layer in ensemble.layers] == [
        "EnsembleDense", "Activation", "EnsembleDense"]


def test_an_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp((8,), activation="gelu")(X)
