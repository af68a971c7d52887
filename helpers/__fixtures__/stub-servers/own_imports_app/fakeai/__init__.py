from fakeai import models  # noqa: F401 - a candidate the launcher would preload
