import stub_rng  # noqa: F401 - imported the way FakeAI imports its libraries: the probe lists it
