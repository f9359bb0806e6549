"""Writing files so that a crash never leaves one half-written."""

import os
import pathlib
from typing import Union


def write_atomically(path, content: Union[str, bytes]) -> None:
    """Writes `content` (text or bytes) to `path.tmp`, then renames it over `path`:
    a reader sees the old file or the new one, never a part."""
    path = pathlib.Path(path)
    temporary = path.with_name(path.name + ".tmp")
    if isinstance(content, bytes):
        temporary.write_bytes(content)
    else:
        temporary.write_text(content)
    os.replace(temporary, path)
