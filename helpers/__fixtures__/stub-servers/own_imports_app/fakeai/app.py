"""Stands for fakeai/app.py (AppConfig() from this server's FAKEAI_* settings at import, route
registration): never imported before a fork, whatever imports it."""
