"""A candidate module that starts a worker thread at import (an executor, a poller)."""
import threading
import time

threading.Thread(target=lambda: time.sleep(3600), name="stub-own-worker", daemon=True).start()
