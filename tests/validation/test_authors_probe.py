"""scripts/validation/authors_plasticity_probe.py: the spike readout over every thread's file and
the channel membership it reads weights for (no NEST, no authors' code)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validation" / "authors_plasticity_probe.py"
HEADER = "# NEST version: 3.10.0\n# RecordingBackendASCII version: 2\nsender\ttime_ms\n"


def _probe():
    spec = importlib.util.spec_from_file_location("authors_plasticity_probe", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Recorder:
    """What the probe asks of a NEST spike recorder: get("filenames")."""

    def __init__(self, names):
        self.names = names

    def get(self, key):
        assert key == "filenames"
        return self.names


def test_spikes_of_all_threads_reads_every_thread_file(tmp_path):
    (tmp_path / "GPi-17-0.dat").write_text(HEADER + "3\t10.0\n5\t11.5\n")
    (tmp_path / "GPi-17-1.dat").write_text(HEADER + "4\t10.2\n")
    (tmp_path / "GPi-170-0.dat").write_text(HEADER + "9\t1.0\n")  # another recorder
    (tmp_path / "GPe-18-0.dat").write_text(HEADER + "8\t1.0\n")
    # NEST 3.10 names one thread's file only
    spikes = _probe().spikes_of_all_threads(_Recorder(str(tmp_path / "GPi-17-1.dat")))
    order = np.argsort(spikes["times"])
    assert spikes["senders"][order].tolist() == [3, 4, 5]
    assert spikes["times"][order].tolist() == [10.0, 10.2, 11.5]


def test_spikes_of_all_threads_without_spikes(tmp_path):
    (tmp_path / "MSN-20-0.dat").write_text(HEADER)
    (tmp_path / "MSN-20-1.dat").write_text(HEADER)
    spikes = _probe().spikes_of_all_threads(_Recorder([str(tmp_path / "MSN-20-0.dat")]))
    assert len(spikes["senders"]) == 0 and len(spikes["times"]) == 0


def test_channel_members_within_radius(tmp_path):
    table = tmp_path / "MSN_d1.txt"
    # node id, x, y
    np.savetxt(table, [[10, 0.20, 0.0], [11, 0.31, 0.0], [12, 0.0, 0.24],
                       [13, 0.0, 0.35], [14, 0.0, 0.0]], fmt="%1.3f")
    centers = np.array([[0.0, -0.24], [0.2, 0.0], [0.0, 0.24]])
    members = _probe().channel_members(table, centers, 0.12)
    assert members == {1: [10, 11], 2: [12, 13]}


def test_summary_of_a_probe_folder(tmp_path):
    """Rewards follow their CS+ rule (GPi ch1 below ch2); the weight change is divided by
    the rewarded episodes and by their D1 rate."""
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "episodes.csv").write_text(
        "episode,wall_s,w_MSN_D1_ch1,w_MSN_D1_ch2\n0,1,0.5,0.5\n1,1,0.5,0.5\n2,1,0.50002,0.50001\n")
    np.savetxt(folder / "GPi_fr.txt", [[80, 70, 75, 80, 80], [80, 76, 75, 80, 80],
                                       [80, 70, 75, 80, 80]])
    np.savetxt(folder / "MSN_d1_fr.txt", [[0, 0.2, 0.1, 0, 0], [0, 0.1, 0.1, 0, 0],
                                          [0, 0.2, 0.1, 0, 0]])
    row = _probe().summary([folder], 3).splitlines()[2]
    assert row == "| probe | 1 of 2 | 0.150 / 0.100 | -2.0 | 20.0 / 10.0 | 100 / 100 |"
