"""Residual, layer-normalised MLP torsos that keep improving with width and depth.

SimBa (Lee et al. 2024) replaces the plain MLP of SAC with an input
projection, pre-norm residual blocks with a 4× inverted bottleneck, and a
final layer norm:

  h₀ = W_in x
  h_{l+1} = h_l + W₂ relu(W₁ LayerNorm(h_l))      (W₁: width → 4·width, W₂: back)
  features = LayerNorm(h_L)

`residual_mlp` builds that torso for one network; `ensemble_residual_mlp` for
a critic ensemble evaluated in one batched call (`EnsembleDense`,
`EnsembleLayerNorm`). Actors and critics put their own output layer on top.

`activation` replaces the ReLU (CReLU doubles W₂'s input), and
`extra_layer_norm` adds NormFormer's post-activation layer norm (Shleifer et
al. 2021) inside the branch: h + W₂ LayerNorm(f(W₁ LayerNorm(h))).

This is SimBa's block, not BRO's: BroNet (Nauman et al. 2024) is post-norm
(dense → layer norm → relu inside the residual branch) without the 4× expansion.
"""

from typing import Callable, Optional, Sequence

import keras

from sac_tf.networks.activations import activation_function
from sac_tf.networks.ensemble import EnsembleDense, EnsembleLayer, EnsembleLayerNorm, call_ensemble

#: Hidden width of a block's bottleneck relative to the torso width (SimBa).
EXPANSION = 4


class ResidualBlock(EnsembleLayer):
    """`h + project(post_norm(f(expand(norm(h)))))`, shape-preserving (`[..., width]`);
    `f` is the `activation`, `post_norm` None (SimBa) or a NormFormer layer norm.

    With ensemble layers inside (a critic ensemble's torso), `members` `[M]`
    computes only those members; single networks (actors) leave it `None`.
    """

    def __init__(self, norm: keras.layers.Layer, expand: keras.layers.Layer,
                 project: keras.layers.Layer, activation: str = "relu",
                 post_norm: Optional[keras.layers.Layer] = None, **kwargs):
        super().__init__(**kwargs)
        self.norm = norm
        self.expand = expand
        self.project = project
        self.activation = activation_function(activation)
        if post_norm is not None:  # tracked only when present: SimBa's checkpoints keep their layout
            self.post_norm = post_norm

    def call(self, inputs, members=None):
        hidden = call_ensemble(self.norm, inputs, members)
        hidden = self.activation(call_ensemble(self.expand, hidden, members))
        if hasattr(self, "post_norm"):
            hidden = call_ensemble(self.post_norm, hidden, members)
        return inputs + call_ensemble(self.project, hidden, members)


def residual_width(hidden_sizes: Sequence[int]) -> int:
    """The single width a residual torso takes, from a `hidden_sizes=(width,)` setting."""
    if len(hidden_sizes) != 1:
        raise ValueError(f"a residual torso has one width: set hidden_sizes=(width,), "
                         f"got {tuple(hidden_sizes)}")
    return int(hidden_sizes[0])


def check_not_residual_moe(moe) -> None:
    """Raises `ValueError` for a Soft MoE setting (`moe` not None) with a residual torso."""
    if moe is not None:
        raise ValueError("a Soft MoE replaces the penultimate layer of a plain MLP: leave "
                         "residual_blocks at 0 with moe_experts")


def _residual_torso(dense: Callable[[int], keras.layers.Layer],
                    norm: Callable[[], keras.layers.Layer], width: int, num_blocks: int,
                    activation: str, extra_layer_norm: bool, name: str) -> keras.Sequential:
    layers = [dense(width)]
    layers += [ResidualBlock(norm(), dense(EXPANSION * width), dense(width), activation,
                             norm() if extra_layer_norm else None)
               for _ in range(num_blocks)]
    layers.append(norm())
    return keras.Sequential(layers, name=name)


def residual_mlp(width: int, num_blocks: int, activation: str = "relu",
                 extra_layer_norm: bool = False, name: str = "residual_mlp",
                 kernel_init: str = "glorot_uniform") -> keras.Sequential:
    """`[B, in] → [B, width]` features through `num_blocks` residual blocks (dense kernels
    initialised as `kernel_init` names it)."""
    return _residual_torso(lambda units: keras.layers.Dense(units, kernel_initializer=kernel_init),
                           lambda: keras.layers.LayerNormalization(epsilon=1e-3),
                           width, num_blocks, activation, extra_layer_norm, name)


def ensemble_residual_mlp(num_members: int, width: int, num_blocks: int,
                          activation: str = "relu", extra_layer_norm: bool = False,
                          name: str = "ensemble_residual_mlp",
                          kernel_init: str = "glorot_uniform") -> keras.Sequential:
    """`num_members` residual torsos `[B, in] → [num_members, B, width]`, batched."""
    return _residual_torso(lambda units: EnsembleDense(num_members, units, kernel_init),
                           lambda: EnsembleLayerNorm(num_members), width, num_blocks,
                           activation, extra_layer_norm, name)
