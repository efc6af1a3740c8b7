"""Give freed heap pages back to the system between the stages of a big month."""
from __future__ import annotations

import ctypes
import gc

# a collection of the youngest objects every 20,000 new ones, not every 700: a city month's frames
# and rows make millions, and the default scheduling took 0.6 s of the job and 0.3 s of its second
# process for the few cycles pandas leaves (the peak memory measured the same)
YOUNG_COLLECTION_EVERY = 20_000


def give_back_memory() -> None:
    """glibc keeps the pages a finished stage freed; without this the next stage's temporary frames
    stack on the last one's, and the peak, not the need, decides whether a city month fits."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back
        pass


def collect_cycles_less() -> None:
    """A batch job's schedule for Python's cycle collector (YOUNG_COLLECTION_EVERY), inherited by
    the processes it forks."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, max(middle, 20), old)
