__version__ = "0.0.4-stub"
from fakeai import models  # noqa: F401 - a candidate the launcher would preload
