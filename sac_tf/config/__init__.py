"""Run configs: defaults (`defaults`), config files (`files`), fields and checks (`fields`).

Config files import what they build on from here, e.g.
`from sac_tf.config import base_config, sac_config`.
"""

from sac_tf.config.defaults import (base_config, ddpg_config, deterministic_pendulum_config,
                                    pendulum_base_config, sac_config, td3_config)
from sac_tf.config.fields import env_kwargs, validate, with_overrides
from sac_tf.config.files import (CONFIG_DIR, PENDULUM_FAMILY, SAVED_RUN_CONFIG,
                                 ConfigArgumentError, config_for_agent, default_config, default_config_argument,
                                 high_update_ratio_sac_config, load_config,
                                 named_config_argument,
                                 saved_run_config_argument)

__all__ = ["base_config", "ddpg_config", "deterministic_pendulum_config", "pendulum_base_config",
           "sac_config", "td3_config", "env_kwargs", "validate", "with_overrides", "CONFIG_DIR",
           "PENDULUM_FAMILY", "SAVED_RUN_CONFIG", "ConfigArgumentError", "config_for_agent", "default_config",
           "default_config_argument", "high_update_ratio_sac_config", "load_config",
           "named_config_argument", "saved_run_config_argument"]
