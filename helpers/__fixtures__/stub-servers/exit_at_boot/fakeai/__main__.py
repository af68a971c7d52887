"""Exits at boot with code 3 after one line, like a server whose configuration is broken."""
import sys

sys.stderr.write("stub exit_at_boot: configuration is broken, giving up\n")
sys.stderr.flush()
sys.exit(3)
