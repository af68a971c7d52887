"""A candidate module that needs the package to have run first: under the unexecuted package the
import fails, and so nothing of fakeai may be preloaded."""
from fakeai import __version__  # noqa: F401
