"""Every config field has its one-line meaning beside its default (the docs' reference)."""

import pytest

from sac_tf.config import CONFIG_DIR, defaults, load_config

SECTIONS = ("sac", "td3", "ddpg")


def shipped_configs():
    return [path for path in sorted(CONFIG_DIR.glob("*.py"))
            if path.stem not in ("__init__", "saved_run")]


def test_every_default_field_has_a_one_line_meaning():
    for section, fields in (("", defaults.RUN_FIELDS), ("sac", defaults.SAC_FIELDS),
                            ("td3", defaults.TD3_FIELDS)):
        for name, (_, meaning) in fields.items():
            assert isinstance(meaning, str) and meaning.strip(), (section, name)
            assert "\n" not in meaning and len(meaning) <= 160, (section, name)


def test_the_builders_make_exactly_the_described_fields():
    assert set(defaults.base_config("sac", "Pendulum-v1")) == set(defaults.FIELD_HELP[""])
    assert set(defaults.sac_config()) == set(defaults.FIELD_HELP["sac"])
    assert set(defaults.td3_config()) == set(defaults.FIELD_HELP["td3"])
    assert set(defaults.ddpg_config()) == set(defaults.FIELD_HELP["ddpg"])


def test_each_config_gets_fresh_mutable_defaults():
    first, second = defaults.sac_config(), defaults.sac_config()
    first.target_entropy = -3.0
    assert second.target_entropy is None
    run = defaults.base_config("sac", "Pendulum-v1")
    run.env_kwargs.max_steps = 10
    assert "max_steps" not in defaults.base_config("sac", "Pendulum-v1").env_kwargs


@pytest.mark.parametrize("path", shipped_configs(), ids=lambda path: path.stem)
def test_every_field_of_a_shipped_config_is_described(path):
    config = load_config(str(path))
    for name, value in config.items():
        if name in SECTIONS:
            missing = set(value) - set(defaults.FIELD_HELP[name])
            assert not missing, f"{path.name}: config.{name} fields without a meaning {missing}"
        else:
            assert name in defaults.FIELD_HELP[""], f"{path.name}: config.{name} undescribed"
