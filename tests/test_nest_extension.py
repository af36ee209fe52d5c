"""bgmodel's NEST extension: bg_iaf_psc_alpha_2port computes exactly what NEST's
iaf_psc_alpha_multisynapse computes on two ports, and is found, built and refused
the way a user would meet it."""
from __future__ import annotations

import numpy as np
import pytest

from bgmodel import runner
from bgmodel.simulator import nest_extension
from bgmodel.model.config import load_config
from bgmodel.model.schema import ConfigError

pytestmark = pytest.mark.nest

MSN_LIKE = dict(C_m=13.0, tau_m=13.0, V_th=30.0, I_e=24.0, E_L=0.0, V_reset=0.0, V_m=0.0,
                V_min=-20.0, t_ref=2.0, tau_syn=[1.8393972058572117, 36.787944117144235])


def _network(model: str, threads: int = 2, seconds: float = 0.6):
    """300 neurons under Poisson drive on both ports, recurrent inhibition and a DC
    pulse; spike trains and V_m traces of five neurons."""
    import nest
    from bgmodel.simulator.network import install_extension
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads, "rng_seed": 5})
    if model == nest_extension.MODEL:
        install_extension()
    n = nest.Create(model, 300, params=MSN_LIKE)
    drive = nest.Create("poisson_generator", 3,
                        params=[{"rate": 8000.0}, {"rate": 6000.0}, {"rate": 3000.0}])
    nest.Connect(drive[0], n, syn_spec={"weight": 1.0, "receptor_type": 1, "delay": 1.0})
    nest.Connect(drive[1], n, syn_spec={"weight": -0.8, "receptor_type": 1, "delay": 1.5})
    nest.Connect(drive[2], n, syn_spec={"weight": 0.05, "receptor_type": 2, "delay": 2.0})
    nest.Connect(n, n, {"rule": "fixed_indegree", "indegree": 20},
                 syn_spec={"weight": -0.5, "receptor_type": 1, "delay": 1.0})
    dc = nest.Create("dc_generator", params={"amplitude": 1.5, "start": 200.0, "stop": 400.0})
    nest.Connect(dc, n)
    # A burst of strong inhibition drives the first neurons down to V_min.
    clamp = nest.Create("poisson_generator", params={"rate": 3000.0, "start": 450.0, "stop": 500.0})
    nest.Connect(clamp, n[:5], syn_spec={"weight": -30.0, "receptor_type": 1, "delay": 1.0})
    rec = nest.Create("spike_recorder")
    nest.Connect(n, rec)
    meter = nest.Create("multimeter", params={"record_from": ["V_m", "I_syn_1", "I_syn_2"],
                                              "interval": 0.1})
    nest.Connect(meter, n[:5])
    nest.Simulate(seconds * 1000.0)
    spikes, trace = rec.get("events"), meter.get("events")
    s, t = np.lexsort((spikes["times"], spikes["senders"])), np.lexsort((trace["times"], trace["senders"]))
    return (spikes["senders"][s], spikes["times"][s],
            {k: np.asarray(trace[k])[t] for k in ("V_m", "I_syn_1", "I_syn_2", "times", "senders")})


def test_the_two_port_neuron_reproduces_the_multisynapse_neuron_bit_for_bit():
    ours = _network(nest_extension.MODEL)
    nests = _network("iaf_psc_alpha_multisynapse")
    assert len(nests[0]) > 3000  # enough spikes for the comparison to mean something
    np.testing.assert_array_equal(ours[0], nests[0])
    np.testing.assert_array_equal(ours[1], nests[1])
    for key in ("V_m", "I_syn_1", "I_syn_2"):
        np.testing.assert_array_equal(ours[2][key], nests[2][key], err_msg=key)
    # The comparison went through the lower bound and the refractory period.
    trace = ours[2]
    assert trace["V_m"].min() == MSN_LIKE["V_min"]
    first = trace["senders"] == trace["senders"][0]
    t, v = trace["times"][first], trace["V_m"][first]
    spike_times = ours[1][ours[0] == trace["senders"][0]]
    assert len(spike_times) > 3
    for ts in spike_times[:3]:
        during = (t >= ts) & (t < ts + MSN_LIKE["t_ref"])
        assert during.sum() == 20 and np.all(v[during] == MSN_LIKE["V_reset"])


def test_status_and_e_l_shifts_match_the_multisynapse_neuron():
    import nest
    from bgmodel.simulator.network import install_extension
    nest.ResetKernel()
    install_extension()
    keys = ("E_L", "V_th", "V_reset", "V_min", "V_m", "I_e", "C_m", "tau_m", "t_ref", "tau_syn")
    pair = [nest.Create(m, params=MSN_LIKE) for m in (nest_extension.MODEL, "iaf_psc_alpha_multisynapse")]
    # E_L alone keeps the other potentials where they are; given together, they are taken
    # as they come.
    for change in ({"E_L": -65.0}, {"E_L": -60.0, "V_th": 20.0, "V_m": -61.0},
                   {"E_L": -70.0, "V_reset": -75.0, "V_min": -90.0}, {"I_e": 3.0}):
        statuses = []
        for node in pair:
            node.set(change)
            statuses.append({k: np.atleast_1d(v).tolist() for k, v in node.get(keys).items()})
        assert statuses[0] == statuses[1], change
    for node in pair:
        with pytest.raises(Exception, match="Reset potential must be smaller than threshold"):
            node.set({"V_reset": 40.0})


def test_dopamine_stdp_onto_either_neuron_gives_the_same_weights():
    import nest
    from bgmodel.simulator.network import install_extension

    def weights(model):
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": 2, "rng_seed": 3})
        if model == nest_extension.MODEL:
            install_extension()
        post = nest.Create(model, 20, params=MSN_LIKE)
        pre = nest.Create("parrot_neuron", 60)
        nest.Connect(nest.Create("poisson_generator", params={"rate": 20.0}), pre)
        drive = nest.Create("poisson_generator", params={"rate": 9000.0})
        nest.Connect(drive, post, syn_spec={"weight": 1.0, "receptor_type": 1, "delay": 1.0})
        dopa = nest.Create("parrot_neuron")
        nest.Connect(nest.Create("poisson_generator", params={"rate": 20.0, "start": 300.0,
                                                              "stop": 900.0}), dopa)
        vt = nest.Create("volume_transmitter")
        nest.Connect(dopa, vt)
        nest.CopyModel("stdp_dopamine_synapse", "test_dopa",
                       {"volume_transmitter": vt, "A_plus": 0.05, "A_minus": 0.04, "Wmax": 4.0})
        nest.Connect(pre, post, {"rule": "fixed_indegree", "indegree": 15},
                     syn_spec={"synapse_model": "test_dopa", "weight": 1.0, "delay": 1.0,
                               "receptor_type": 1})
        nest.Connect(pre, post, {"rule": "fixed_indegree", "indegree": 15},
                     syn_spec={"synapse_model": "test_dopa", "weight": 0.05, "delay": 1.0,
                               "receptor_type": 2})
        nest.Simulate(1200.0)
        c = nest.GetConnections(synapse_model="test_dopa")
        cols = c.get(["source", "target", "receptor", "weight"])
        order = np.lexsort((cols["weight"], cols["receptor"], cols["target"], cols["source"]))
        return {k: np.asarray(v)[order] for k, v in cols.items()}

    ours, nests = weights(nest_extension.MODEL), weights("iaf_psc_alpha_multisynapse")
    changed = np.abs(nests["weight"] - np.where(nests["receptor"] == 1, 1.0, 0.05)) > 1e-6
    assert changed.mean() > 0.5  # dopamine moved most weights
    for key in nests:
        np.testing.assert_array_equal(ours[key], nests[key], err_msg=key)


def test_the_network_gives_the_same_spikes_with_either_neuron(tiny_overrides):
    from bgmodel.model.derive import derive_network
    from bgmodel.simulator.network import build_network

    def spikes(model):
        cfg = load_config("resting_state", overrides=tiny_overrides + [
            "simulation.threads=2", f"neuron_model.model={model}"])
        plan = derive_network(cfg)
        net = build_network(plan)
        pops = [p for p, v in plan.populations.items() if v.kind == "nucleus"]
        net.record_spikes(pops)
        net.simulate(300.0)
        return {p: net.take_spikes(p) for p in pops}

    ours, nests = spikes(nest_extension.MODEL), spikes("iaf_psc_alpha_multisynapse")
    assert sum(len(s.times) for s in nests.values()) > 500
    for pop in nests:
        np.testing.assert_array_equal(ours[pop].senders, nests[pop].senders, err_msg=pop)
        np.testing.assert_array_equal(ours[pop].times, nests[pop].times, err_msg=pop)


def test_the_library_is_keyed_by_the_nest_build_and_the_sources(monkeypatch):
    import dataclasses
    path = nest_extension.build(quiet=True)
    assert path.is_file()
    nest = nest_extension.find_nest()
    assert nest.version in path.parent.name and nest.fingerprint in path.parent.name
    # Another build of NEST (same version), MPI, or compiler: another library.
    for other in (dataclasses.replace(nest, fingerprint="0" * 12),
                  dataclasses.replace(nest, mpi=not nest.mpi)):
        assert nest_extension.library_path(other) != path
    monkeypatch.setenv("CXX", "clang++")
    assert nest_extension.library_path(nest) != path
    monkeypatch.delenv("CXX")


def test_changing_any_source_or_header_changes_the_library_key(monkeypatch, tmp_path):
    import shutil
    copy = tmp_path / "sources"
    shutil.copytree(nest_extension.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(nest_extension, "HERE", copy)
    unchanged = nest_extension.source_hash()
    assert unchanged == nest_extension.source_hash()
    for name in nest_extension.SOURCES + nest_extension.HEADERS:
        original = (copy / name).read_bytes()
        (copy / name).write_bytes(original + b"\n// one more line\n")
        assert nest_extension.source_hash() != unchanged, name
        (copy / name).write_bytes(original)
    assert nest_extension.source_hash() == unchanged
    # A file that is not compiled in does not change it.
    (copy / "README.txt").write_text("notes")
    assert nest_extension.source_hash() == unchanged


def test_a_third_port_or_a_wrong_tau_list_is_refused():
    with pytest.raises(ConfigError) as err:
        load_config("resting_state", overrides=["receptors.GABA.port=3",
                                                 "neuron_model.model=bg_iaf_psc_alpha_2port"])
    assert err.value.path == "neuron_model.model" and "exactly 2" in err.value.allowed
    import nest
    from bgmodel.simulator.network import install_extension
    nest.ResetKernel()
    install_extension()
    with pytest.raises(Exception, match="exactly 2"):
        nest.Create(nest_extension.MODEL, params={"tau_syn": [1.0, 2.0, 3.0]})
    n = nest.Create(nest_extension.MODEL)
    with pytest.raises(Exception, match="[Rr]eceptor"):
        nest.Connect(nest.Create("poisson_generator"), n, syn_spec={"receptor_type": 3})


def test_without_a_buildable_extension_the_run_uses_nests_models_with_the_same_spikes(
        monkeypatch, tmp_path, capsys):
    import json
    overrides = ["simulation.scale=0.02", "simulation.threads=1",
                 "protocol.duration_ms=400.0", "protocol.analysis_start_ms=100.0"]
    cfg = load_config("resting_state", preset="small", overrides=overrides)
    assert cfg["neuron_model"]["model"] == nest_extension.MODEL
    assert cfg["simulation"]["relay_model"] == nest_extension.RELAY_MODEL
    built_dir, _ = runner.run_protocol(cfg, out=tmp_path / "built", quiet=True)
    # A fresh, unbuilt location and a compiler that always fails.
    monkeypatch.setattr(nest_extension, "library_path",
                        lambda nest=None: tmp_path / "lib" / nest_extension.LIBRARY)
    monkeypatch.setenv("CXX", "false")
    capsys.readouterr()
    fallback_dir, _ = runner.run_protocol(cfg, out=tmp_path / "fallback", quiet=True)
    said = [line for line in capsys.readouterr().err.splitlines()
            if line.strip() and not line.startswith("bgmodel: caveat:")]
    assert len(said) == 1
    assert "iaf_psc_alpha_multisynapse and spike_train_injector" in said[0]
    assert "could not be built" in said[0]
    assert "python -m bgmodel.simulator.nest_extension" in said[0]
    meta = json.loads((fallback_dir.path / "run.json").read_text())
    assert meta["status"] == "done"
    assert meta["nest_extension"]["model"] == "iaf_psc_alpha_multisynapse"
    assert meta["nest_extension"]["requested"] == nest_extension.MODEL
    assert meta["nest_extension"]["relay_model"] == "spike_train_injector"
    assert "compiling the NEST extension failed" in meta["nest_extension"]["fallback_reason"]
    # The frozen config is the one asked for (same folder hash), the spikes the same.
    assert (fallback_dir.path / "config.yaml").read_text() == cfg.to_yaml()
    assert fallback_dir.path.name.split("_")[-1] == built_dir.path.name.split("_")[-1]
    ours = np.load(built_dir.path / "results" / "spikes.npz")
    nests = np.load(fallback_dir.path / "results" / "spikes.npz")
    assert sorted(ours.files) == sorted(nests.files) and len(ours.files) > 0
    assert sum(ours[k].size for k in ours.files) > 100
    for key in ours.files:
        np.testing.assert_array_equal(ours[key], nests[key])


def test_a_failed_build_is_reported_by_later_processes_without_compiling_again(monkeypatch, tmp_path):
    monkeypatch.setattr(nest_extension, "library_path",
                        lambda nest=None: tmp_path / "lib" / nest_extension.LIBRARY)
    monkeypatch.setenv("CXX", "false")
    with pytest.raises(nest_extension.ExtensionError, match="compiling the NEST extension failed"):
        nest_extension.build(quiet=True)
    assert (tmp_path / "lib" / "build-failed.txt").is_file()
    # Another rank or task: the earlier failure, at once (no compiler is run: it would
    # succeed now).
    monkeypatch.setenv("CXX", "true")
    with pytest.raises(nest_extension.ExtensionError, match="earlier build"):
        nest_extension.build(quiet=True)
    # The command line retries: `true` "compiles" without writing the library.
    with pytest.raises(nest_extension.ExtensionError):
        nest_extension.build(quiet=True, retry_failed=True)


def test_boost_and_ltdl_headers_are_supplied_where_the_machine_has_none(monkeypatch, tmp_path):
    from bgmodel.simulator.nest_extension import headers
    monkeypatch.delenv(headers.BOOST_ENV, raising=False)
    monkeypatch.setattr(headers, "compiler_finds", lambda cxx, header, dirs=(): False)
    fetched = tmp_path / "boost-include"
    monkeypatch.setattr(headers, "fetch_boost", lambda scratch, quiet=False: fetched)
    extra, origins = headers.dependency_includes("g++", tmp_path, quiet=True)
    assert extra == [fetched, headers.COMPAT]
    assert origins["boost"].startswith("PyPI boost-headers") and "compat" in origins["ltdl"]
    # The stand-in declares libltdl's handle type exactly as libltdl does.
    assert "typedef struct lt__handle* lt_dlhandle;" in (headers.COMPAT / "ltdl.h").read_text()
    # Where the system has them, nothing is added.
    monkeypatch.setattr(headers, "compiler_finds", lambda cxx, header, dirs=(): True)
    assert headers.dependency_includes("g++", tmp_path, quiet=True) == (
        [], {"boost": "system", "ltdl": "system"})


def test_a_boost_folder_without_boost_or_a_failed_download_says_what_to_install(monkeypatch,
                                                                                  tmp_path):
    from bgmodel.simulator.nest_extension import headers
    monkeypatch.setenv(headers.BOOST_ENV, str(tmp_path))
    with pytest.raises(headers.HeaderError, match=f"{headers.BOOST_ENV}=.* has no boost/type_index"):
        headers.dependency_includes("g++", tmp_path, quiet=True)
    # No pip (or no PyPI): the error names the packages and the variable.
    with pytest.raises(headers.HeaderError) as err:
        headers.fetch_boost(tmp_path, quiet=True, python="false")
    assert "libboost-dev" in str(err.value) and headers.BOOST_ENV in str(err.value)
    # The same reaches a build as an ExtensionError.
    monkeypatch.setattr(nest_extension, "library_path",
                        lambda nest=None: tmp_path / "lib" / nest_extension.LIBRARY)
    with pytest.raises(nest_extension.ExtensionError, match="has no boost/type_index"):
        nest_extension.build(quiet=True, retry_failed=True)
