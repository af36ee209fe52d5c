"""Action-selection protocol on a tiny network (NEST): stimulus timing, channel rates,
tables and figures.

The network is the small preset at scale 0.02 with a 2 x 2 grid and short durations.
The stimulus is made large (150 Hz per level on CSN, x1.8 on PTN) so that on / off is
unmistakable against the 2 Hz / 15 Hz background with few relays.
"""
import csv
import json

import numpy as np
import pytest

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network, periodic_distance
from bgmodel.results.rundir import RunDirectory

pytestmark = pytest.mark.nest

OVERRIDES = [
    "simulation.scale=0.02",
    "simulation.threads=1",
    "protocol.warmup_ms=300",
    "protocol.rest_window_ms=[100, 300]",
    "protocol.stimulus_ms=200",
    "protocol.pause_ms=200",
    "protocol.grid.channel1_levels=[0, 1]",
    "protocol.grid.channel2_levels=[0, 1]",
    "protocol.grid.rate_step_Hz=150",
    "protocol.sampled_relays.per_channel=10",
    "protocol.sampled_relays.scale_with_network=false",
]
BACKGROUND = {"CSN": 2.0, "PTN": 15.0}


def tiny_config(extra=()):
    return load_config("action_selection", preset="small", overrides=OVERRIDES + list(extra))


@pytest.fixture(scope="module", params=["spike_train_injector", "parrot_neuron"])
def stepped(request, tmp_path_factory):
    """Protocol driven step by step, keeping each step's spikes for the checks; once
    per relay model (numpy-drawn trains in injectors, or parrots fed by generators)."""
    from bgmodel.simulator.network import build_network
    from bgmodel.protocols.action_selection import ActionSelection

    config = tiny_config([f"simulation.relay_model={request.param}"])
    plan = derive_network(config)
    net = build_network(plan)
    rundir = RunDirectory.at(tmp_path_factory.mktemp("as_steps"))
    proto = ActionSelection(config, net, rundir, quiet=True)
    proto.prepare()
    proto.warm_up()
    records = []
    for k in range(len(proto.steps)):
        rec = proto.run_step(k)
        proto.record_step(rec)
        records.append(rec)
    return config, plan, net, proto, records


def _rate(times, n, t0, t1):
    return np.sum((times >= t0) & (times < t1)) / (n * (t1 - t0) / 1000.0)


def test_grid_order_and_stimulus_settings(stepped):
    config, plan, net, proto, records = stepped
    assert [(r["step"].i, r["step"].j) for r in records] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    # the stimuli hold the last step's rate and window (absolute times, ms)
    start, stop = 300 + 3 * 400, 300 + 3 * 400 + 200
    for key, rate in (("CSN_ch1", 150.0), ("PTN_ch1", 270.0), ("CSN_ch2", 150.0)):
        if config["simulation"]["relay_model"] == "parrot_neuron":
            status = net.stimuli[key].get(["rate", "start", "stop"])
        else:
            stim = net.poisson_inputs.stimuli[key]
            status = {"rate": stim.rate_Hz, "start": stim.start_ms, "stop": stim.stop_ms}
        assert status["rate"] == pytest.approx(rate)
        assert (status["start"], status["stop"]) == (pytest.approx(start), pytest.approx(stop))


def test_stimulus_switches_on_and_off_at_the_configured_times(stepped):
    config, plan, net, proto, records = stepped
    for rec in records:
        start, stop = rec["window_ms"]
        pause_end = stop + config["protocol"]["pause_ms"]
        for name, factor in (("CSN", 1.0), ("PTN", 1.8)):
            for ch, rate in zip((1, 2), (rec["step"].rate_ch1_Hz, rec["step"].rate_ch2_Hz)):
                idx = proto.sampled[(name, ch)]
                sp = rec["spikes"][name]
                times = sp.times[np.isin(sp.senders, idx)]
                on = _rate(times, len(idx), start, stop)
                # generator spikes reach parrot relays after a 1 ms connection delay
                off = _rate(times, len(idx), stop + 2.0, pause_end)
                expected_on = BACKGROUND[name] + rate * factor
                assert on == pytest.approx(expected_on, rel=0.25, abs=12.0), (name, ch, rec["step"])
                assert off < BACKGROUND[name] + 20.0, (name, ch, rec["step"], off)
    # spikes are cleared after every step: a step holds only its own stimulus and pause
    for rec in records:
        start, _ = rec["window_ms"]
        for name, sp in rec["spikes"].items():
            assert np.all((sp.times >= start) & (sp.times <= pause_end_of(config, start))), name
    # relays outside the sample keep their background rate during a stimulus
    rec = records[3]
    start, stop = rec["window_ms"]
    sp = rec["spikes"]["CSN"]
    others = np.setdiff1d(np.arange(plan.populations["CSN"].size),
                          np.concatenate([proto.sampled[("CSN", 1)], proto.sampled[("CSN", 2)]]))
    assert _rate(sp.times[np.isin(sp.senders, others)], len(others), start, stop) < 5.0


def pause_end_of(config, start):
    return start + config["protocol"]["stimulus_ms"] + config["protocol"]["pause_ms"]


def test_sampled_relays_lie_inside_their_channel(stepped):
    config, plan, net, proto, records = stepped
    radius = config["channels"]["radius"]
    for (name, ch), idx in proto.sampled.items():
        assert len(idx) == 10 and len(np.unique(idx)) == 10
        pos = plan.populations[name].positions[idx]
        dist = periodic_distance(pos, plan.channel_centres[ch], plan.extent)
        assert np.all(dist <= radius), (name, ch)
    # channel 1 and channel 2 samples differ
    assert not set(proto.sampled[("CSN", 1)]) & set(proto.sampled[("CSN", 2)])


def _members_by_position(plan, name, channel, radius):
    pop = plan.populations[name]
    return np.flatnonzero(periodic_distance(pop.positions, plan.channel_centres[channel],
                                            plan.extent) <= radius)


def test_channel_rates_come_from_the_channel_neurons(stepped):
    config, plan, net, proto, records = stepped
    radius = config["channels"]["radius"]
    for rec in records:
        start, stop = rec["window_ms"]
        for ch in config["channels"]["readout"]:
            for name in ("GPi", "CSN", "PTN"):
                members = _members_by_position(plan, name, ch, radius)
                sp = rec["spikes"][name]
                by_hand = _rate(sp.times[np.isin(sp.senders, members)], len(members), start, stop)
                assert rec["rates"][(name, ch)] == pytest.approx(by_hand), (name, ch)
            # MSN pools the D1 and D2 neurons of the channel
            n, count = 0, 0
            for part in ("MSN_D1", "MSN_D2"):
                members = _members_by_position(plan, part, ch, radius)
                sp = rec["spikes"][part]
                sel = np.isin(sp.senders, members) & (sp.times >= start) & (sp.times < stop)
                n, count = n + len(members), count + int(sel.sum())
            assert rec["rates"][("MSN", ch)] == pytest.approx(count / (n * (stop - start) / 1000.0))
    # the stimulated channel's CSN rate rises, the others stay at background
    rec = records[2]  # channel 1 on, channel 2 off
    assert rec["rates"][("CSN", 1)] > 10.0
    for ch in (0, 2, 3, 4):
        assert rec["rates"][("CSN", ch)] < 5.0
    assert rec["rates"][("CSN_stimulated", 1)] == pytest.approx(152.0, rel=0.25)


def test_outcome_follows_the_rule(stepped):
    config, plan, net, proto, records = stepped
    ref = proto.rest["reference_Hz"]
    for rec in records:
        drops = [ref[0] - rec["gpi"][0], ref[1] - rec["gpi"][1]]
        selected = [d > config["protocol"]["selection"]["threshold"] for d in drops]
        expected = {(True, True): "both", (True, False): "channel1",
                    (False, True): "channel2", (False, False): "none"}[tuple(selected)]
        assert rec["outcome"] == expected


def test_tables_are_written_step_by_step(stepped):
    config, plan, net, proto, records = stepped
    results = proto.rundir.results
    with open(results / "rates.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["step", "i", "j", "rate_ch1_Hz", "rate_ch2_Hz", "population",
                             "channel", "rate_Hz"]
    read = config["protocol"]["read_populations"]
    readout = config["channels"]["readout"]
    stimulated = len(config["protocol"]["stimulated_inputs"]) * 2
    assert len(rows) == 4 * (len(read) * len(readout) + stimulated)
    assert {r["population"] for r in rows} == set(read) | {"CSN_stimulated", "PTN_stimulated"}
    row = next(r for r in rows if r["step"] == "2" and r["population"] == "GPi"
               and r["channel"] == "1")
    assert float(row["rate_ch1_Hz"]) == 150.0 and float(row["rate_ch2_Hz"]) == 0.0
    assert float(row["rate_Hz"]) == pytest.approx(records[2]["rates"][("GPi", 1)], rel=1e-5)
    with open(results / "selection.csv", newline="") as fh:
        sel = list(csv.DictReader(fh))
    assert [r["outcome"] for r in sel] == [r["outcome"] for r in records]
    assert [r["expected"] for r in sel] == ["tie", "channel2", "channel1", "tie"]
    summary = json.loads((results / "summary.json").read_text())
    assert summary["complete"] and summary["steps_done"] == 4
    assert len(summary["step_wall_s"]) == 4
    assert summary["metrics"]["unequal_steps"] == 2
    rest = list(csv.DictReader(open(results / "rest_rates.csv", newline="")))
    gpi_all = next(r for r in rest if r["population"] == "GPi" and r["channel"] == "all")
    assert 20.0 < float(gpi_all["rate_Hz"]) < 200.0
    arrays = np.load(results / "sampled_relays.npz")
    np.testing.assert_array_equal(arrays["CSN_ch1"], proto.sampled[("CSN", 1)])


def test_run_command_and_plots(tmp_path):
    """`bgmodel run action_selection` then `bgmodel plot RUN` write tables and figures."""
    from bgmodel.cli import main

    from bgmodel.protocols.selection import classify

    args = ["run", "action_selection", "--preset", "small", "-q", "--out", str(tmp_path)]
    # with the competition margin, which reaches the rule through the config
    for o in OVERRIDES + ["protocol.grid.channel2_levels=[1]", "protocol.selection.margin_Hz=3"]:
        args += ["--set", o]
    assert main(args) == 0
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["status"] == "done" and meta["protocol"] == "action_selection"
    with open(run_dir / "results" / "selection.csv", newline="") as fh:
        sel = list(csv.DictReader(fh))
    assert len(sel) == 2
    for row in sel:
        gpi = [float(row[k]) for k in ("gpi_ch1_Hz", "gpi_ch2_Hz", "gpi_rest_ch1_Hz",
                                       "gpi_rest_ch2_Hz")]
        assert row["outcome"] == classify(*gpi, 5.0, "Hz", 3.0)
    summary = json.loads((run_dir / "results" / "summary.json").read_text())
    assert summary["selection_rule"]["margin_Hz"] == 3
    assert "grid" in meta["timings_s"]
    assert main(["plot", str(run_dir)]) == 0
    figures = sorted(p.name for p in (run_dir / "figures").iterdir())
    assert figures == sorted(f"action_selection_{k}.{ext}" for k in ("gpi", "outcome", "striatum")
                             for ext in ("png", "pdf"))
    for p in (run_dir / "figures").iterdir():
        assert p.stat().st_size > 5000, p


def test_figures_plot_the_run_tables(stepped, tmp_path, monkeypatch):
    """The maps and the contrast plot show results/rates.csv and selection.csv: each
    cell at its (channel 1, channel 2) input rates, the outcome coded per step."""
    import bgmodel.plotting.action_selection as plots
    from bgmodel.protocols.selection import OUTCOMES
    from bgmodel.results.rundir import atomic_write_text

    config, plan, net, proto, records = stepped
    results = proto.rundir.results
    atomic_write_text(proto.rundir.config_file, config.to_yaml())
    figures = {}
    save = plots.save

    def keep(fig, stem, *args, **kw):
        figures[stem.name] = fig
        return save(fig, stem, *args, **kw)

    monkeypatch.setattr(plots, "save", keep)
    plots.plot_run(proto.rundir.path, tmp_path)
    with open(results / "rates.csv", newline="") as fh:
        rates = list(csv.DictReader(fh))
    with open(results / "selection.csv", newline="") as fh:
        selection = list(csv.DictReader(fh))
    step = config["protocol"]["grid"]["rate_step_Hz"]
    r1 = [lv * step for lv in config["protocol"]["grid"]["channel1_levels"]]
    r2 = [lv * step for lv in config["protocol"]["grid"]["channel2_levels"]]

    def table_map(population, channel):
        grid = np.full((len(r1), len(r2)), np.nan)
        for r in rates:
            if r["population"] == population and int(r["channel"]) == channel:
                grid[r1.index(float(r["rate_ch1_Hz"])), r2.index(float(r["rate_ch2_Hz"]))] = \
                    float(r["rate_Hz"])
        assert not np.isnan(grid).any()
        return grid

    def plotted(fig, title):
        (ax,) = [a for a in fig.axes if a.get_title().startswith(title)]
        (mesh,) = ax.collections[:1]
        xy = mesh.get_coordinates()  # cell corners, (len(r2) + 1, len(r1) + 1, 2)
        np.testing.assert_allclose((xy[0, 1:, 0] + xy[0, :-1, 0]) / 2, r1, err_msg=title)
        np.testing.assert_allclose((xy[1:, 0, 1] + xy[:-1, 0, 1]) / 2, r2, err_msg=title)
        return np.asarray(mesh.get_array()).reshape(len(r2), len(r1)).T

    c1, c2 = config["protocol"]["competing_channels"]
    gpi = figures["action_selection_gpi"]
    g1, g2 = table_map("GPi", c1), table_map("GPi", c2)
    assert not np.allclose(g1, g1.T)  # a transposed map would show
    np.testing.assert_array_equal(plotted(gpi, f"GPi, channel {c1}"), g1)
    np.testing.assert_array_equal(plotted(gpi, f"GPi, channel {c2}"), g2)
    np.testing.assert_array_equal(plotted(gpi, "GPi contrast"), g2 - g1)
    striatum = figures["action_selection_striatum"]
    for pop in ("D1", "D2"):
        for c in (c1, c2):
            np.testing.assert_array_equal(plotted(striatum, f"{pop} MSN, channel {c}"),
                                          table_map(f"MSN_{pop}", c))
    outcome = figures["action_selection_outcome"]
    codes = np.full((len(r1), len(r2)), np.nan)
    for r in selection:
        codes[r1.index(float(r["rate_ch1_Hz"])), r2.index(float(r["rate_ch2_Hz"]))] = \
            OUTCOMES.index(r["outcome"])
    np.testing.assert_array_equal(plotted(outcome, "selection outcome"), codes)
    (ax,) = [a for a in outcome.axes if a.get_title().startswith("GPi contrast against")]
    (steps,) = [line for line in ax.get_lines() if line.get_label() == "grid steps"]
    np.testing.assert_allclose(steps.get_xdata(), [float(r["rate_ch1_Hz"]) - float(r["rate_ch2_Hz"])
                                                   for r in selection])
    np.testing.assert_allclose(steps.get_ydata(), [float(r["gpi_ch2_Hz"]) - float(r["gpi_ch1_Hz"])
                                                   for r in selection])
    # and the tables are the run's: the GPi rates the protocol measured step by step
    for rec in records:
        i, j = rec["step"].i, rec["step"].j
        assert g1[i, j] == pytest.approx(rec["rates"][("GPi", c1)], rel=1e-5)
