"""Keras networks: they know shapes, not losses."""

from sac_tf.networks.actor import DeterministicActor, GaussianActor, HybridActor
from sac_tf.networks.critic import CriticEnsemble
from sac_tf.networks.ensemble import EnsembleDense, EnsembleLayerNorm
from sac_tf.networks.mlp import ensemble_mlp, mlp
