"""Run the authors' top_BG_nest3 code unmodified, from a temporary copy of its folder.

Their modules read their parameter files and write log/ relative to the working
directory, so the copy becomes the working directory while they run. Shared by
scripts/bench_resting_state.py and scripts/validation/compare_wiring.py.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def authors_copy(folder: Path):
    """Copy `folder` to a temporary place, make it the working directory and importable
    (their modules: fetch_params, nest_routine, ini_all, stim_all_model); remove it after."""
    work = Path(tempfile.mkdtemp(prefix="authors_code_"))
    cwd = os.getcwd()
    try:
        shutil.copytree(folder, work / "code")
        (work / "code" / "log").mkdir(exist_ok=True)
        os.chdir(work / "code")
        sys.path.insert(0, str(work / "code"))
        yield work / "code"
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
