import stub_plugin  # noqa: F401 - listed by the probe as a third-party module to preload
