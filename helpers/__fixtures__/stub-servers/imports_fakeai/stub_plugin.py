"""A library with a FakeAI plugin: importing it imports a fakeai module, which the launcher must
never have before a fork (FakeAI reads its FAKEAI_* settings at import)."""
import fakeai.extra  # noqa: F401
