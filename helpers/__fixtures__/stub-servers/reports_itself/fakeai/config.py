"""Stands for FakeAI's env-independent modules (fakeai/config/, models/, utils/): the launcher may
preload it. It holds a generator, as fakeai/utils's Faker() does through faker's, reads a variable
that is the same in every server (allowed), warns at import as fakeai/models/chat.py does, and
remembers which process imported it."""
import os
import random
import warnings

RNG = random.Random()
IMPORTED_BY = os.getpid()
HOME_AT_IMPORT = os.environ.get("HOME")
warnings.warn("stub reports_itself warns at import, as FakeAI's models do", UserWarning)
# A filter installed at import, as numpy installs four: a server keeps it, forked or spawned.
warnings.filterwarnings("ignore", message="stub reports_itself filter")
