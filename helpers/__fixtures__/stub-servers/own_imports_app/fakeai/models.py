"""A candidate module that imports a module outside the candidates: here the app itself."""
from fakeai import app  # noqa: F401
