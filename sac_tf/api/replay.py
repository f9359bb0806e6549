"""The replay buffer as the Python API shows it: numpy transitions in env units."""

import numpy as np

from sac_tf.api.inputs import checked_transition
from sac_tf.core.frames import FrameReplayBuffer
from sac_tf.errors import UserError
from sac_tf.run.state import RunState


class ApiReplayBuffer:
    """The agent's replay buffer, filled with numpy transitions in env units.

    Transitions are staged on the host and written to the `tf.Variable`
    storage in one call before the agent learns or saves (or every
    `FLUSH_EVERY` transitions).
    """

    #: Most transitions staged before they are written.
    FLUSH_EVERY = 1_000

    def __init__(self, state: RunState, goals=None):
        self._state = state
        self._capacity = state.replay_buffer.capacity
        self._writer = state.staged_writer(goals)  # goals: HER's (compute_reward, ...)
        self._staged_steps = 0
        self.end_episodes_in_progress()  # a loaded agent's: the user's envs start afresh

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        """Stores one transition, or a batch of them (leading dimension `[B]`).

        Args:
          obs: `[obs_dim]` or `[B, obs_dim]`, the observation acted on (for nested
            observations a dict/tuple of such leaves, as the env gives it).
          action: `[act_dim]` or `[B, act_dim]`, the action taken, in env units
            (clipped to the action space's bounds, as environments do).
          reward: scalar or `[B]`.
          next_obs: like `obs`; at an episode's end, the real final observation.
          terminated: bool, scalar or `[B]`: the episode reached a terminal state,
            so its value is not bootstrapped.
          truncated: bool, scalar or `[B]`: the episode was cut short (a time
            limit). Accepted so a gymnasium step's outputs pass straight
            through; a truncated step still bootstraps from `next_obs`.

        A batch of one row per env (`config.num_envs` rows, row i from env i) also
        restarts the exploration state (DDPG's OU noise) of the envs whose episode ended.
        With `her`, every call must be such a batch (one row with one env): an episode
        that ends (terminated or truncated) gets its relabelled copies. So with
        `n_step > 1`: its windows follow each env's rows, cut where an episode ends (with
        `her` too, whose rows then reach the buffer, and `len`, when their episode ends).

        Raises:
          UserError: for shapes that do not match the spec or each other, and
            for NaN or infinite values.
        """
        transition, batch, _ = checked_transition(self._state.spec, [
            ("obs", obs), ("action", action), ("reward", reward), ("next_obs", next_obs),
            ("terminated", terminated), ("truncated", truncated)])
        if batch > self._capacity:
            raise UserError(f"a batch of {batch} transitions does not fit the replay buffer's "
                            f"capacity of {self._capacity}")
        if self._staged_steps + batch > min(self._capacity, self.FLUSH_EVERY):
            self.flush()
        episode_end = np.logical_or(transition.terminated > 0,
                                    np.broadcast_to(np.asarray(truncated, bool), (batch,)))
        config = self._state.config
        if ((self._state.hindsight is not None or config.get("n_step", 1) > 1
             or isinstance(self._state.replay_buffer, FrameReplayBuffer))
                and batch != config.num_envs):
            raise UserError(f"with her, n_step > 1 or images, add one transition per env: "
                            f"{config.num_envs} rows (config.num_envs), got {batch}")
        self._writer(transition, episode_end)
        self._staged_steps += batch
        agent = self._state.agent
        if batch == agent.exploration_batch_size:
            if episode_end.any():
                agent.restart_exploration(episode_end)

    def end_episodes_in_progress(self) -> None:
        """Ends the episodes a loaded HER agent's checkpoint had in progress where they were
        cut (relabelled as they stand), as a resumed training run does: what is added
        next starts new episodes. Called when the buffer is attached."""
        end_all = getattr(self._writer, "end_all_episodes", None)
        if end_all is not None:
            end_all()

    def flush(self) -> None:
        """Writes staged transitions to the buffer and counts them as env steps."""
        self._writer.flush()
        self._state.env_step.assign_add(self._staged_steps)
        self._staged_steps = 0

    def __len__(self) -> int:
        """Transitions stored (at most the buffer's capacity)."""
        self.flush()
        return int(self._state.replay_buffer.size)
