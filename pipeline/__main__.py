"""`python -m pipeline` entry point."""
import sys

# pandera imports hypothesis (installed with the tests) for its data-synthesis strategies, which no
# command uses: 50–80 ms of a district month's 1.9 s. A module set to None is one Python does not import.
sys.modules.setdefault("hypothesis", None)

from .cli import main  # noqa: E402 (after the line above)

if __name__ == "__main__":
    sys.exit(main())
