/*
 * bg_spike_relay: an input relay that emits a spike train loaded into it, one spike
 * event per listed time, shared by all its targets.
 *
 * It emits what NEST's spike_train_injector emits for on-grid times (each time in
 * (now, ...] on the simulation grid; a time listed twice gives two events), so a
 * network gives the same spikes with either (tests/test_spike_relay.py). The injector
 * also builds Time objects and checks start/stop and origin in every time slice; a
 * relay stores its spikes as steps and does one integer comparison per slice when it
 * has nothing to send. With tens of thousands of relays that check was a fifth of a
 * full-scale run (docs/benchmarks.md).
 *
 * Status: spike_times (ms, sorted, on the grid, after the current time). Setting them
 * replaces the train.
 */
#ifndef BG_SPIKE_RELAY_H
#define BG_SPIKE_RELAY_H

#include <limits>
#include <vector>

#include "event.h"
#include "nest_types.h"
#include "node.h"

namespace bgmodel
{

class bg_spike_relay : public nest::Node
{
public:
  bg_spike_relay();
  bg_spike_relay( const bg_spike_relay& ) = default;

  using nest::Node::handles_test_event;
  size_t send_test_event( nest::Node&, size_t, nest::synindex, bool ) override;

  void get_status( Dictionary& ) const override;
  void set_status( const Dictionary& ) override;

  // Replaces the train by `n` times (ms) from `times`; throws BadProperty as set_status.
  void load( const double* times, size_t n );

private:
  void init_buffers_() override;
  void pre_run_hook() override;
  void update( nest::Time const&, const long, const long ) override;

  // The step of the next spike to emit (or the largest long), kept in the node itself:
  // the check of every time slice then reads no other memory. Tens of thousands of
  // relays, each train in its own allocation, made that check a cache miss per relay.
  long next_step_;
  size_t position_;           // index of that spike in steps_
  std::vector< long > steps_; // emission steps: a spike at step s has time s * h

  void set_next_step_();
};

} // namespace bgmodel

#endif
