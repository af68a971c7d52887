from fakeai import config  # noqa: F401 - a candidate the launcher would preload
