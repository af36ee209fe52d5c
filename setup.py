"""Packaging beyond pyproject.toml: a wheel carries configs/ as bgmodel/configs.

configs/ stays at the top of the repository, where users edit and read it; a
non-editable install (pip install ., a built wheel) has no repository beside the
package, so the build copies the YAML files in (bgmodel.model.config looks there first).
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CONFIGS = Path(__file__).resolve().parent / "configs"


class BuildPyWithConfigs(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads configs/ in the checkout
        target = Path(self.build_lib) / "bgmodel" / "configs"
        for source in sorted(CONFIGS.rglob("*")):
            if source.is_file() and source.suffix in (".yaml", ".md"):
                dest = target / source.relative_to(CONFIGS)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildPyWithConfigs})
