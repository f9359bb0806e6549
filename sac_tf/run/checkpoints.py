"""Atomic checkpoints of everything a run needs to continue, with clear errors."""

import contextlib
import logging
import pathlib
import re

import tensorflow as tf

from sac_tf.errors import UserError, first_line


class Checkpointer:
    """Saves and restores trackable objects under `directory`.

    `tf.train.CheckpointManager` writes each checkpoint's files first and then
    atomically replaces the `checkpoint` index file, so a run killed while
    saving still finds the previous checkpoint intact.

    Args:
      directory: where checkpoints live.
      max_to_keep: how many recent checkpoints are kept.
      **items: the trackables to save (agent, replay buffer, counters...).
    """

    def __init__(self, directory: pathlib.Path, max_to_keep: int = 2, **items):
        self.directory = pathlib.Path(directory)
        self._checkpoint = tf.train.Checkpoint(**items)
        try:
            with _tensorflow_warnings_muted():  # a bad index is reported below, as one line
                self._manager = tf.train.CheckpointManager(
                    self._checkpoint, str(self.directory), max_to_keep=max_to_keep)
        except (tf.errors.OpError, ValueError) as error:
            raise UserError(f"unreadable checkpoint index in {self.directory}: "
                            f"{first_line(error)}") from None

    @property
    def latest(self):
        """Path prefix of the newest checkpoint, or None."""
        return self._manager.latest_checkpoint

    def restore_latest(self) -> bool:
        """Restores the newest checkpoint; returns False when there is none.

        Every object given must be in the checkpoint; what the checkpoint holds
        beyond them (its save counter; a replay buffer that an export does not
        need) is skipped silently.

        Raises:
          UserError: when a checkpoint exists but cannot be read or does not
            match the objects being restored (another config, say).
        """
        path = self.latest
        if path is None:
            leftovers = [self.directory / "checkpoint", *self.directory.glob("ckpt-*.index")]
            if any(leftover.exists() for leftover in leftovers):
                raise UserError(
                    f"{self.directory} holds checkpoint files but no readable checkpoint index "
                    f"(move {self.directory} away to start afresh)")
            return False
        try:
            self._checkpoint.read(path).assert_existing_objects_matched().expect_partial()
        except AssertionError as error:
            raise UserError(
                f"checkpoint {path} does not hold this agent's variables "
                f"({_unmatched_names(error)} missing): it was written with another config "
                f"or sac_tf version (move {self.directory} away to start afresh)") from None
        except (tf.errors.OpError, ValueError, IndexError, KeyError) as error:
            raise UserError(
                f"cannot restore checkpoint {path}: {first_line(error)} "
                f"(move {self.directory} away to start afresh)") from None
        return True

    def save(self, step: int) -> str:
        """Writes a checkpoint numbered `step` and returns its path prefix."""
        return self._manager.save(checkpoint_number=step)


@contextlib.contextmanager
def _tensorflow_warnings_muted():
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _unmatched_names(error: AssertionError) -> str:
    """The variable names in TensorFlow's "objects not bound" message, comma-separated."""
    names = sorted(set(re.findall(r"<tf\.Variable '([^':]+)", str(error))))
    return ", ".join(names) if names else first_line(error)
