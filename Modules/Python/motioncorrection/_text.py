"""Keyword values as the text the engine's parameter setters parse (the engine validates them)."""
import os
from collections.abc import Sequence

import numpy as np


def as_text(name, value, list_names=()):
    """value as engine text; a sequence only for the parameters named in list_names ("0,1,0")."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (Sequence, np.ndarray)) and name in list_names:
        return ",".join(as_text(name, int(v) if isinstance(v, (bool, np.bool_)) else v, list_names) for v in value)
    raise TypeError(f"{name}: cannot use a value of type {type(value).__name__} ({value!r})")
