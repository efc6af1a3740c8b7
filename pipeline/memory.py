"""Give freed heap pages back to the system between the stages of a big month."""
from __future__ import annotations

import ctypes


def give_back_memory() -> None:
    """glibc keeps the pages a finished stage freed; without this the next stage's temporary frames
    stack on the last one's, and the peak, not the need, decides whether a city month fits."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back
        pass
