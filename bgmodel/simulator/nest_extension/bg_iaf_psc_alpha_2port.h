/*
 * bg_iaf_psc_alpha_2port: the model's leaky integrate-and-fire neuron with
 * alpha-shaped synaptic currents on exactly two receptor ports.
 *
 * The spec's neuron is NEST's iaf_psc_alpha_multisynapse with ports AMPA, NMDA and
 * GABA; AMPA and GABA share one time constant, so bgmodel delivers both to port 1
 * and NMDA to port 2 (docs/model-notes.md). This class computes exactly what
 * iaf_psc_alpha_multisynapse computes for tau_syn = [tau_1, tau_2], operation for
 * operation in the same order, so spike trains are identical
 * (tests/test_nest_extension.py checks it). It is cheaper because its state,
 * propagators and input buffer are fixed-size members instead of per-neuron
 * std::vectors and one ring buffer per port.
 *
 * Parameters (status dictionary): C_m, tau_m, t_ref, E_L, I_e, V_reset, V_th,
 * V_min, V_m, tau_syn (a list of two time constants, ms).
 * Receptor ports: 1 (tau_syn[0]) and 2 (tau_syn[1]) for spikes; 0 for currents.
 * Recordables: V_m, I_syn_1, I_syn_2.
 */
#ifndef BG_IAF_PSC_ALPHA_2PORT_H
#define BG_IAF_PSC_ALPHA_2PORT_H

#include "archiving_node.h"
#include "connection.h"
#include "event.h"
#include "nest_types.h"
#include "recordables_map.h"
#include "ring_buffer.h"
#include "universal_data_logger.h"

#include <string>

namespace bgmodel
{

class bg_iaf_psc_alpha_2port : public nest::ArchivingNode
{
public:
  static constexpr size_t n_ports = 2;

  bg_iaf_psc_alpha_2port();
  bg_iaf_psc_alpha_2port( const bg_iaf_psc_alpha_2port& );

  using nest::Node::handle;
  using nest::Node::handles_test_event;

  size_t send_test_event( nest::Node&, size_t, nest::synindex, bool ) override;

  void handle( nest::SpikeEvent& ) override;
  void handle( nest::CurrentEvent& ) override;
  void handle( nest::DataLoggingRequest& ) override;

  size_t handles_test_event( nest::SpikeEvent&, size_t ) override;
  size_t handles_test_event( nest::CurrentEvent&, size_t ) override;
  size_t handles_test_event( nest::DataLoggingRequest&, size_t ) override;

  void get_status( Dictionary& ) const override;
  void set_status( const Dictionary& ) override;

private:
  void init_buffers_() override;
  void pre_run_hook() override;
  void update( nest::Time const&, const long, const long ) override;

  friend class nest::RecordablesMap< bg_iaf_psc_alpha_2port >;
  friend class nest::UniversalDataLogger< bg_iaf_psc_alpha_2port >;

  struct Parameters_
  {
    double tau_m;     // ms
    double C_m;       // pF
    double t_ref;     // ms
    double E_L;       // mV
    double I_e;       // pA
    double V_reset;   // mV, relative to E_L
    double V_th;      // mV, relative to E_L
    double V_min;     // mV, relative to E_L
    double tau_syn[ n_ports ];  // ms

    Parameters_();
    void get( Dictionary& ) const;
    double set( const Dictionary&, nest::Node* );  // returns the change of E_L
  };

  struct State_
  {
    double I_input;          // current from CurrentEvents, applied in the next step
    double y1[ n_ports ];    // derivative-like component of each port's alpha current
    double y2[ n_ports ];    // each port's synaptic current (pA)
    double V_m;              // mV, relative to E_L
    int refractory_steps;

    State_();
    void get( Dictionary&, const Parameters_& ) const;
    void set( const Dictionary&, const Parameters_&, double delta_EL, nest::Node* );
  };

  struct Buffers_
  {
    Buffers_( bg_iaf_psc_alpha_2port& );
    Buffers_( const Buffers_&, bg_iaf_psc_alpha_2port& );

    // Channels 0 and 1: summed spike weights of ports 1 and 2; channel 2: currents.
    nest::MultiChannelInputBuffer< n_ports + 1 > input;
    nest::UniversalDataLogger< bg_iaf_psc_alpha_2port > logger;
  };

  struct Variables_
  {
    double psc_initial[ n_ports ];  // e / tau_syn: a weight-1 spike peaks at 1 pA
    double P11[ n_ports ];
    double P21[ n_ports ];
    double P22[ n_ports ];
    double P31[ n_ports ];
    double P32[ n_ports ];
    double P30;
    double P33;
    int refractory_counts;
  };

  double
  get_V_m_() const
  {
    return S_.V_m + P_.E_L;
  }
  double
  get_I_syn_1_() const
  {
    return S_.y2[ 0 ];
  }
  double
  get_I_syn_2_() const
  {
    return S_.y2[ 1 ];
  }

  Parameters_ P_;
  State_ S_;
  Variables_ V_;
  Buffers_ B_;

  static nest::RecordablesMap< bg_iaf_psc_alpha_2port > recordablesMap_;
};

}  // namespace bgmodel

#endif
