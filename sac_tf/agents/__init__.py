"""Agents: losses, optimisers, target updates and the acting interface."""

import ml_collections

from sac_tf.agents.base import OffPolicyAgent
from sac_tf.agents.ddpg import DdpgAgent
from sac_tf.agents.discrete_sac import DiscreteSacAgent
from sac_tf.agents.sac import SacAgent
from sac_tf.errors import UserError
from sac_tf.core import nests
from sac_tf.core.precision import network_precision
from sac_tf.core.specs import EnvSpec
from sac_tf.networks.conv import CONV, MIN_IMAGE_SIZE, conv_feature_dim

#: `--agent` name → agent class; the config section of the same name holds its
#: constructor's keyword arguments.
AGENTS = {"sac": SacAgent, "ddpg": DdpgAgent, "td3": DdpgAgent}
#: Agents with a variant for `Discrete`/`MultiDiscrete` action spaces, and that variant.
DISCRETE_AGENTS = {"sac": DiscreteSacAgent}


def make_agent(config: ml_collections.ConfigDict, spec: EnvSpec,
               preprocessing_layers=None) -> OffPolicyAgent:
    """Builds `config.agent` from its config section, e.g. `config.sac`, with the observation
    encoders of `config.observation_encoders` (leaf → "flatten", "dense:N", "mlp:N,M"),
    replaced leaf by leaf by `preprocessing_layers` (leaf → Keras layer, the Python API's);
    its networks compute in `config.precision` (`sac_tf.core.precision`)."""
    if config.agent not in AGENTS:
        raise UserError(f"unknown agent {config.agent!r}; choose one of {sorted(AGENTS)}")
    if config.agent not in config:
        raise UserError(f"the config has no {config.agent!r} section for agent {config.agent!r}")
    agent_class = AGENTS[config.agent]
    if spec.is_discrete:
        if config.agent not in DISCRETE_AGENTS:
            raise UserError(f"agent {config.agent!r} needs a continuous Box action space; "
                            f"discrete actions are supported by {sorted(DISCRETE_AGENTS)}")
        agent_class = DISCRETE_AGENTS[config.agent]
    if spec.is_hybrid and not agent_class.supports_hybrid_actions:
        supported = sorted(name for name, cls in AGENTS.items() if cls.supports_hybrid_actions)
        raise UserError(f"agent {config.agent!r} needs a continuous Box action space; hybrid "
                        f"(continuous + discrete) actions are supported by {supported}")
    kwargs = dict(config[config.agent].to_dict(), seed=config.seed)
    if "lr_decay_updates" in kwargs and kwargs["lr_decay_updates"] is None:  # the run's updates
        kwargs["lr_decay_updates"] = max(1, (config.num_steps - config.learning_starts)
                                         * config.updates_per_step)
    if agent_class.takes_num_envs:
        kwargs["num_envs"] = config.num_envs
    named = config.get("observation_encoders") or {}
    named = named.to_dict() if isinstance(named, ml_collections.ConfigDict) else dict(named)
    encoders = {**image_encoders(spec), **named, **(preprocessing_layers or {})}
    check_image_leaves(spec, encoders, config[config.agent].get("normalize_observations"))
    if encoders:  # a run that names none keeps the constructor call it always had
        kwargs["encoders"] = encoders
    try:
        with network_precision(config.get("precision", "float32")):
            return agent_class(spec, **kwargs)
    except (TypeError, ValueError) as error:  # a missing, unknown or invalid setting
        raise UserError(f"bad config.{config.agent}: {error}") from None


def image_encoders(spec: EnvSpec) -> dict:
    """The pixel encoder (`conv`) for every image leaf (uint8 H×W×C), as SB3's
    `MultiInputPolicy` gives image keys its CNN; a named encoder replaces it."""
    return {leaf.name: CONV for leaf in nests.image_specs(spec.observation_nest)}


def check_image_leaves(spec: EnvSpec, encoders: dict, normalize_observations) -> None:
    """Raises `UserError` for an image leaf too small for the pixel encoder, for the pixel
    encoder on a leaf that is no uint8 image, or for observation normalisation with
    images (the encoder scales them)."""
    leaves = nests.leaf_specs(spec.observation_nest) if spec.is_nested else []
    for leaf in leaves:
        shape = "×".join(str(size) for size in leaf.shape)
        conv = isinstance(encoders.get(leaf.name), str) and conv_feature_dim(
            encoders[leaf.name]) is not None
        if conv and not nests.is_image(leaf):
            raise UserError(f"observation leaf {leaf.name!r} ({leaf.dtype.name} {shape}) is not "
                            f"a uint8 H×W×C image, which the pixel encoder takes: give the env "
                            f"a Box(0, 255, (H, W, C), uint8) observation")
        if conv and min(leaf.shape[:2]) < MIN_IMAGE_SIZE:
            raise UserError(f"image leaf {leaf.name!r} is {shape}; the pixel encoder needs at "
                            f"least {MIN_IMAGE_SIZE}×{MIN_IMAGE_SIZE} (DrQ: 84×84)")
    if nests.image_specs(spec.observation_nest) and normalize_observations:
        raise UserError("normalize_observations does not apply to image leaves (the pixel "
                        "encoder scales them to [0, 1]): set it to False")
