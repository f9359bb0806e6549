"""Keras networks: they know shapes, not losses."""

from sac_tf.networks.actor import (CategoricalActor, DeterministicActor, GaussianActor,
                                   HybridActor)
from sac_tf.networks.critic import ActionValueEnsemble, CriticEnsemble
from sac_tf.networks.ensemble import EnsembleDense, EnsembleLayerNorm
from sac_tf.networks.mlp import ensemble_mlp, mlp
