"""Learning-rate schedules: values against the formulas, in the fused learner, across a
resume, and refusals."""

import math

import numpy as np
import pytest

from sac_tf.agents import make_agent
from sac_tf.agents.schedules import learning_rate
from sac_tf.config import load_config
from sac_tf.core.learner import Learner
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.errors import UserError
from sac_tf.run.checkpoints import Checkpointer
from tests.agents.test_sac import SPEC, fixed_batch, make_sac


def linear(t, initial=1e-3, floor=0.1, total=10):
    return initial * (1 - (1 - floor) * min(t, total) / total)


def cosine(t, initial=1e-3, floor=0.1, total=10):
    return initial * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(t, total) / total)))


@pytest.mark.parametrize("kind, formula", [("linear", linear), ("cosine", cosine)])
def test_schedules_follow_their_formula(kind, formula):
    schedule = learning_rate(1e-3, kind, floor=0.1, decay_updates=10)
    for step in (0, 3, 7, 10, 25):
        np.testing.assert_allclose(float(schedule(step)), formula(step), rtol=1e-6)
    assert learning_rate(1e-3, "constant") == 1e-3  # a plain float: today's optimiser


def train(agent, updates):
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
    buffer.add_batch(fixed_batch(size=50))
    Learner(agent, buffer, batch_size=16, jit_compile=True).run(updates)


def test_scheduled_rates_decay_in_the_learner_and_continue_after_a_resume(tmp_path):
    options = dict(actor_lr=1e-3, critic_lr=1e-3, alpha_lr=1e-3, actor_lr_schedule="cosine",
                   critic_lr_schedule="linear", lr_floor=0.1, lr_decay_updates=10)
    agent = make_sac(**options)
    assert agent.learning_rates() == pytest.approx({"lr_actor": cosine(0), "lr_critic": linear(0)})
    train(agent, 4)
    assert agent.learning_rates() == pytest.approx({"lr_actor": cosine(4), "lr_critic": linear(4)})
    Checkpointer(tmp_path, agent=agent).save(4)
    resumed = make_sac(**options)
    assert Checkpointer(tmp_path, agent=resumed).restore_latest()
    assert resumed.learning_rates() == agent.learning_rates()
    train(resumed, 3)
    assert resumed.learning_rates() == pytest.approx({"lr_actor": cosine(7),
                                                      "lr_critic": linear(7)})
    assert make_sac().learning_rates() == {}


def test_the_decay_length_defaults_to_the_runs_updates_and_bad_schedules_are_refused():
    config = load_config("configs/td3_pendulum.py")
    config.td3.actor_lr_schedule = "linear"
    config.num_steps, config.learning_starts, config.updates_per_step = 5000, 1000, 2
    agent = make_agent(config, SPEC)
    assert agent.lr_decay_updates == 8000
    config.td3.actor_lr_schedule = "exponential"
    with pytest.raises(UserError, match="actor_lr_schedule must be one of"):
        make_agent(config, SPEC)
    with pytest.raises(ValueError, match="lr_floor must be in"):
        make_sac(critic_lr_schedule="cosine", lr_floor=1.5, lr_decay_updates=10)


def test_a_delayed_actor_decays_over_its_own_steps():
    agent = make_sac(actor_lr_schedule="linear", alpha_lr_schedule="linear",
                     critic_lr_schedule="linear", lr_decay_updates=10, actor_update_interval=4)
    schedules = {role: getattr(agent, f"{role}_optimizer")._learning_rate
                 for role in ("actor", "alpha", "critic")}
    assert [schedules[role].decay_steps for role in ("actor", "alpha", "critic")] == [3, 3, 10]
