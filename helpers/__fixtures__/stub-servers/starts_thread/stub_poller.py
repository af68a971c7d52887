"""A library that starts a background thread when imported (a metrics poller, say): forking after
importing it would leave the child with the thread's locks and none of its work."""
import threading
import time

threading.Thread(target=lambda: time.sleep(3600), name="stub-poller", daemon=True).start()
