"""sac_tf: Soft Actor-Critic on TensorFlow 2, in small modules with one job each.

Importing the package imports TensorFlow with its native start-up logging kept
off stderr (see `sac_tf.tf_setup`).
"""

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

from sac_tf.agents import DdpgAgent, SacAgent, make_agent  # noqa: E402
from sac_tf.api import DDPG, SAC, TD3  # noqa: E402
from sac_tf.core.distributions import TanhNormal  # noqa: E402
from sac_tf.core.replay_buffer import ReplayBuffer  # noqa: E402
from sac_tf.core.types import LossInfo, Transition  # noqa: E402

__version__ = "0.2.0"
__all__ = ["SAC", "DDPG", "TD3", "SacAgent", "DdpgAgent", "make_agent", "TanhNormal",
           "ReplayBuffer", "LossInfo", "Transition"]
