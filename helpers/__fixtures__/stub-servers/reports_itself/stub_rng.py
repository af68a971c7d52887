"""A third-party-like module fakeai imports: the launcher preloads it. It holds its own generator,
as faker does (faker.generator.mod_random), and remembers which process imported it."""
import os
import random

RNG = random.Random()
IMPORTED_BY = os.getpid()
