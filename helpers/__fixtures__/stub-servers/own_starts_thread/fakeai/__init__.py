from fakeai import utils  # noqa: F401 - a candidate the launcher would preload
