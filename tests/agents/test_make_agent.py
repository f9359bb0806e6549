"""`sac_tf.agents.make_agent`: an agent from its config section, or a `UserError`."""

import ml_collections
import pytest

from sac_tf.agents import AGENTS, make_agent
from sac_tf.agents.ddpg import DdpgAgent
from sac_tf.config import ddpg_config, td3_config
from sac_tf.envs.making import env_spec, make_vector_env
from sac_tf.errors import UserError
from tests.agents.test_sac import HYBRID_ID, SPEC
from tests.conftest import small_pendulum_config


def test_make_agent_builds_both_from_their_config_sections():
    for name in ("ddpg", "td3"):
        config = small_pendulum_config(agent=name)
        config[name] = td3_config() if name == "td3" else ddpg_config()
        config[name].hidden_sizes = (8,)
        assert isinstance(make_agent(config, SPEC), DdpgAgent)
    config.td3.noise_type = "pink"
    with pytest.raises(UserError, match="bad config.td3: noise_type must be one of"):
        make_agent(config, SPEC)


def test_agents_without_hybrid_support_refuse_hybrid_spaces():
    spec = env_spec(make_vector_env(HYBRID_ID, 1))
    for name, agent_class in AGENTS.items():
        if not agent_class.supports_hybrid_actions:
            config = ml_collections.ConfigDict(dict(agent=name, seed=0, **{name: {}}))
            with pytest.raises(UserError, match="hybrid"):
                make_agent(config, spec)
