"""A run that interrupts itself at a known episode: fault injection for tests and for
reproducing interruptions (a SLURM time limit, Ctrl-C, a lost node) without timing a
signal from outside.

    BGMODEL_STOP_AFTER_EPISODE=N   once N episodes are done (their rows, authors' files
                                   and, when one is due, the checkpoint written), ...
    BGMODEL_STOP_SIGNAL=TERM|INT|KILL   ... the run sends itself this signal (TERM if
                                   unset). TERM and INT stop it as any SIGTERM or SIGINT
                                   does (run.json: interrupted); KILL leaves run.json
                                   saying running, as a lost process would.

The plasticity protocol reads both once, when it is made; with
BGMODEL_STOP_AFTER_EPISODE unset nothing happens. Under MPI every rank stops itself.
"""
from __future__ import annotations

import os
import signal
from dataclasses import dataclass

STOP_AFTER_EPISODE = "BGMODEL_STOP_AFTER_EPISODE"
STOP_SIGNAL = "BGMODEL_STOP_SIGNAL"
SIGNALS = {"TERM": signal.SIGTERM, "INT": signal.SIGINT, "KILL": signal.SIGKILL}


@dataclass(frozen=True)
class StopHook:
    """Send `signum` to this process once `after_episodes` episodes are done."""

    after_episodes: int
    signum: signal.Signals

    @classmethod
    def from_environment(cls, environ=os.environ) -> "StopHook | None":
        """The hook the environment asks for, or None."""
        raw = environ.get(STOP_AFTER_EPISODE, "").strip()
        if not raw:
            return None
        name = environ.get(STOP_SIGNAL, "TERM").strip().upper().removeprefix("SIG")
        if not raw.isdigit() or int(raw) < 1 or name not in SIGNALS:
            raise ValueError(f"{STOP_AFTER_EPISODE}={raw!r} {STOP_SIGNAL}={name!r}: expected "
                             f"a positive episode count and one of {', '.join(SIGNALS)}")
        return cls(int(raw), SIGNALS[name])

    def episode_done(self, episodes_done: int) -> None:
        """Call after each episode's files are written."""
        if episodes_done == self.after_episodes:
            os.kill(os.getpid(), self.signum)
