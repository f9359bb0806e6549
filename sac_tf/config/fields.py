"""Changing a config's fields (flags, keyword overrides) and checking that it can run."""

from typing import Mapping

import ml_collections

from sac_tf.core.precision import check_precision
from sac_tf.errors import UserError


def with_overrides(config: ml_collections.ConfigDict,
                   overrides: Mapping) -> ml_collections.ConfigDict:
    """`config` with `overrides` set: each name a top-level field (`batch_size`) or a field
    of the agent's section (`actor_lr` for `config.sac.actor_lr`). Changes `config`.

    Raises:
      UserError: for a name in neither, or a value of the wrong type.
    """
    section = config.get(config.get("agent") or "", ml_collections.ConfigDict())
    for name, value in overrides.items():
        target = config if name in config else section if name in section else None
        if target is None:
            raise UserError(f"unknown config field {name!r}: not in the run config or in "
                            f"config.{config.get('agent')}")
        try:
            target[name] = value
        except TypeError as error:
            raise UserError(f"bad value for config field {name!r}: {error}") from None
    return config


def env_kwargs(config: ml_collections.ConfigDict) -> dict:
    """The keyword arguments a run's environment is made with, as a plain dict."""
    kwargs = config.get("env_kwargs") or {}
    return kwargs.to_dict() if isinstance(kwargs, ml_collections.ConfigDict) else dict(kwargs)


def validate(config: ml_collections.ConfigDict) -> None:
    """Raises `UserError` for settings that cannot run."""
    positive = ("num_steps", "num_envs", "train_every", "updates_per_step", "batch_size",
                "buffer_capacity", "eval_interval", "eval_episodes", "log_interval",
                "checkpoint_interval")
    for name in positive:
        if config[name] < 1:
            raise UserError(f"{name} must be at least 1, got {config[name]}")
    if config.get("stop_patience", 1) < 1:
        raise UserError(f"stop_patience must be at least 1, got {config.stop_patience}")
    if config.get("n_step", 1) < 1:
        raise UserError(f"n_step must be at least 1, got {config.n_step}")
    if config.get("frame_stack", 1) < 1:
        raise UserError(f"frame_stack must be at least 1, got {config.frame_stack}")
    try:
        check_precision(config.get("precision", "float32"),
                        config.get("learner_compile", "auto"))
    except ValueError as error:
        raise UserError(str(error)) from None
    if config.learning_starts < 0:
        raise UserError(f"learning_starts must be >= 0, got {config.learning_starts}")
    if not 0 <= config.seed < 2**32:
        raise UserError(f"seed must be in [0, 2**32), got {config.seed}")
    section = config.get(config.agent, {})
    for field in ("hidden_sizes", "critic_hidden_sizes"):
        sizes = section.get(field)
        if field in section and not (field == "critic_hidden_sizes" and sizes is None) and not (
                isinstance(sizes, (tuple, list)) and sizes
                and all(isinstance(width, int) and width >= 1 for width in sizes)):
            raise UserError(f"{config.agent}.{field} must be a tuple of layer widths ≥ 1, "
                            f"such as (256, 256); got {sizes!r}")
