"""Stands for fakeai/app.py: a module whose import reads this server's settings."""
