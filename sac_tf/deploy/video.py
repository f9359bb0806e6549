"""Annotated MP4 videos: rgb_array frames with text drawn on a dark box."""

import pathlib
from typing import Sequence

import imageio.v2 as imageio
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sac_tf.errors import UserError


def annotate(frame: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """Draws `lines` in the top-left corner of `frame` on a translucent dark box.

    Args:
      frame: uint8 `[height, width, 3]` RGB image.
      lines: text lines, drawn top to bottom.

    Returns:
      A new uint8 `[height, width, 3]` image; the font scales with the frame
      height (1/20 of it, at least 12 px).
    """
    image = Image.fromarray(frame).convert("RGBA")
    font = ImageFont.load_default(size=max(12, image.height // 20))
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    margin = max(4, image.height // 60)
    text = "\n".join(lines)
    left, top, right, bottom = draw.multiline_textbbox((2 * margin, 2 * margin), text, font=font)
    draw.rectangle((margin, margin, right + margin, bottom + margin), fill=(0, 0, 0, 200))
    draw.multiline_text((2 * margin, 2 * margin), text, font=font, fill=(255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(image, overlay).convert("RGB"))


def _even_sized(frame: np.ndarray) -> np.ndarray:
    """Pads an odd height or width by one edge row/column (H.264 needs even sizes)."""
    pad = ((0, frame.shape[0] % 2), (0, frame.shape[1] % 2), (0, 0))
    return np.pad(frame, pad, mode="edge") if any(p[1] for p in pad) else frame


class AnnotatedVideo:
    """Writes frames, each with its text lines, to an H.264 MP4 (imageio-ffmpeg).

    Use as a context manager; `frames` counts the frames written. A `with` block
    left by an exception deletes the unfinished file.

    Args:
      path: the `.mp4` file to write (its directory must exist).
      fps: frames per second, e.g. the env's `metadata["render_fps"]`.
    """

    def __init__(self, path, fps: float):
        self.path = pathlib.Path(path)
        if not self.path.parent.is_dir():
            raise UserError(f"cannot write video {self.path}: no directory {self.path.parent}")
        if self.path.is_dir() or self.path.suffix.lower() != ".mp4":
            raise UserError(f"cannot write video {self.path}: give the path of a .mp4 file")
        self._writer = imageio.get_writer(self.path, format="FFMPEG", fps=fps, codec="libx264",
                                          macro_block_size=2)
        self.frames = 0

    def add(self, frame: np.ndarray, lines: Sequence[str]) -> None:
        """Appends uint8 `[height, width, 3]` `frame` with `lines` drawn on it."""
        self._writer.append_data(_even_sized(annotate(frame, lines)))
        self.frames += 1

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self._writer.close()
        if exc_type is not None:
            self.path.unlink(missing_ok=True)
