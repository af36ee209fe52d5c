/*
 * The NEST extension module of bgmodel: registers the neuron bg_iaf_psc_alpha_2port and
 * the synapse bg_stdp_dopamine_burst_dip_synapse.
 *
 * NEST's ModuleManager opens the library and looks up the unmangled symbol "module",
 * which must be an object deriving from NESTExtensionInterface.
 */
#include "nest_extension_interface.h"

#include "bg_iaf_psc_alpha_2port.h"
#include "bg_spike_relay.h"
#include "bg_stdp_dopamine_burst_dip_synapse.h"

namespace bgmodel
{
class BgmodelModule : public nest::NESTExtensionInterface
{
public:
  void
  initialize() override
  {
    nest::register_node_model< bg_iaf_psc_alpha_2port >( "bg_iaf_psc_alpha_2port" );
    nest::register_node_model< bg_spike_relay >( "bg_spike_relay" );
    register_bg_stdp_dopamine_burst_dip_synapse( "bg_stdp_dopamine_burst_dip_synapse" );
  }
};
}

bgmodel::BgmodelModule module;
