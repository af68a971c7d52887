import stub_poller  # noqa: F401 - preloaded by the launcher, where its thread makes a fork unsafe
