import sys, threading, logging
logging.basicConfig(level=logging.INFO, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
import traceback
def show(f):
    try: f()
    except BaseException as e: traceback.print_exc()
def during():
    try: 1/0
    except ZeroDivisionError: [][1]
def group():
    raise ExceptionGroup("unhandled errors in a TaskGroup", [ValueError("first"), KeyError("second")])
def pyd():
    from pydantic import BaseModel
    class M(BaseModel):
        x: int
    M()
show(during); show(group); show(pyd)
class D:
    def __del__(self): raise RuntimeError("in __del__")
d = D(); del d
logging.getLogger("asyncio").error("Task exception was never retrieved\nfuture: <Task finished name='Task-5' coro=<sample() done> exception=ValueError('x')>", exc_info=(ValueError, ValueError("x"), None))
