"""Config files: `load_config` loads them as `--config` does, or fails with a `UserError`;
the default config file of each agent and env."""

import pytest

from sac_tf.config import CONFIG_DIR, ConfigArgumentError, default_config_argument, load_config
from sac_tf.errors import UserError


@pytest.fixture
def config_files(tmp_path):
    """A folder of config files, each broken in its own way."""
    files = {
        "takes_env.py": "def get_config(env_id):\n    return {'env_id': env_id}\n",
        "takes_none.py": "def get_config():\n    return {'agent': 'sac'}\n",
        "buggy.py": "def get_config(env_id):\n    return 1 + 'x'\n",
        "nested.py": ("class Base:\n    @staticmethod\n    def get_config():\n        return None\n\n\n"
                      "def get_config(env_id):\n    return Base.get_config(env_id)\n"),
        "refuses.py": ("from sac_tf.errors import UserError\n\n\n"
                       "def get_config(root_dir):\n    raise UserError(f'no run in {root_dir}')\n"),
        "not_python.txt": "Soft Actor-Critic — notes\n",
        "imports_missing.py": "import no_such_module_here\n",
        "no_function.py": "CONFIG = {}\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_get_config_receives_the_text_after_the_first_colon(config_files):
    assert load_config(f"{config_files}/takes_env.py:pkg.mod:Env") == {"env_id": "pkg.mod:Env"}
    assert load_config(f"{config_files}/takes_none.py") == {"agent": "sac"}
    assert load_config(f"{CONFIG_DIR}/sac_tqc.py:Hopper-v5").sac.quantiles_to_drop == 5


@pytest.mark.parametrize("argument, error_type, message", [
    ("missing.py", UserError, "no config file '.*missing.py'"),
    ("not_python.txt", UserError, "not_python.txt is not valid Python: invalid character"),
    ("no_function.py", UserError, r"no_function.py defines no get_config\(\)"),
    ("imports_missing.py", UserError,
     "imports_missing.py failed: ModuleNotFoundError: No module named"),
    ("takes_none.py:Hopper-v5", ConfigArgumentError,
     r"does not fit get_config\(\): use .*takes_none.py$"),
    ("takes_env.py", ConfigArgumentError,
     r"does not fit get_config\(env_id\): use .*takes_env.py:ENV_ID$"),
    ("refuses.py:runs/x", UserError, "^no run in runs/x$"),
])
def test_a_file_that_cannot_give_a_config_raises_one_user_error(config_files, argument,
                                                                error_type, message):
    with pytest.raises(UserError, match=message) as error:
        load_config(f"{config_files}/{argument}")
    assert type(error.value) is error_type
    if argument == "imports_missing.py":  # the traceback of the failed import is kept
        assert isinstance(error.value.__cause__, ModuleNotFoundError)


def test_an_error_inside_get_config_is_not_taken_for_a_wrong_argument(config_files):
    with pytest.raises(UserError, match="buggy.py:x' failed: TypeError: unsupported operand") \
            as error:
        load_config(f"{config_files}/buggy.py:x")
    assert isinstance(error.value.__cause__, TypeError)  # the traceback of the bug is kept
    with pytest.raises(UserError, match=r"failed: TypeError: .*get_config\(\) takes 0") \
            as error:
        load_config(f"{config_files}/nested.py:x")
    assert not isinstance(error.value, ConfigArgumentError)


@pytest.mark.parametrize("agent, env_id, learning_starts", [
    ("td3", "Hopper-v5", 25_000), ("ddpg", "Walker2d-v5", 10_000),
    ("td3", "Pendulum-v1", 1_000), ("ddpg", "Pendulum-v1", 1_000)])
def test_default_configs_of_ddpg_and_td3(agent, env_id, learning_starts):
    config = load_config(default_config_argument(agent, env_id))
    assert (config.agent, config.env_id, config.learning_starts) == (agent, env_id,
                                                                    learning_starts)
    assert config[agent].hidden_sizes == (256, 256)
    assert config[agent].policy_delay == (2 if agent == "td3" else 1)


@pytest.mark.parametrize("option", ["sac_redq", "sac_droq"])
@pytest.mark.parametrize("env_id, target_entropy", [
    ("Hopper-v5", -1.0), ("HalfCheetah-v5", -3.0), ("Walker2d-v5", -3.0), ("Ant-v5", -4.0),
    ("Humanoid-v5", -2.0), ("Pendulum-v1", None)])
def test_redq_and_droq_take_their_codes_entropy_target_per_task(option, env_id, target_entropy):
    """REDQ's code (MBPO's table), kept by DroQ's; None is SAC's −act_dim."""
    assert load_config(f"{CONFIG_DIR / option}.py:{env_id}").sac.target_entropy == target_entropy


def test_crossq_config_is_the_authors_settings_but_the_critic_width():
    config = load_config(f"{CONFIG_DIR / 'sac_crossq'}.py:Hopper-v5")
    sac = config.sac
    assert (sac.batch_renorm, sac.target_networks, sac.adam_beta_1) == (True, False, 0.5)
    assert (sac.actor_lr, sac.critic_lr, sac.alpha_lr) == (1e-3, 1e-3, 1e-3)
    assert (sac.actor_update_interval, config.updates_per_step) == (3, 1)
    assert (config.learning_starts, sac.batch_renorm_momentum) == (5_000, 0.99)
    assert sac.batch_renorm_warmup == 100_000 and sac.hidden_sizes == (256, 256)
