#include "bg_stdp_dopamine_burst_dip_synapse.h"

#include "connector_model.h"
#include "kernel_manager.h"
#include "nest_impl.h"
#include "node_collection.h"

namespace bgmodel
{
// Every trigger of a volume transmitter walks the connectors of every synapse model,
// and NEST's generic Connector tests the transmitter once per synapse. With several SNc
// groups (one transmitter and one copy of this model per group) each trigger then walks
// every copy's synapses, those of the other groups included. The transmitter is the
// model's (a common property), so one test per connector is enough: the
// specialisations below skip a copy on another transmitter at once. Same updates in the
// same order, so the same weights bit for bit.
template < typename ConnectionT >
inline void
trigger_connector( BlockVector< ConnectionT >& connections,
  const size_t syn_id,
  const long vt_node_id,
  const size_t tid,
  const std::vector< nest::spikecounter >& dopa_spikes,
  const double t_trig,
  const std::vector< nest::ConnectorModel* >& cm )
{
  const auto& cp = static_cast< nest::GenericConnectorModel< ConnectionT >* >( cm[ syn_id ] )->get_common_properties();
  if ( cp.get_vt_node_id() != vt_node_id )
  {
    return;
  }
  for ( size_t i = 0; i < connections.size(); ++i )
  {
    connections[ i ].trigger_update_weight( tid, dopa_spikes, t_trig, cp );
  }
}
} // namespace bgmodel

namespace nest
{
template <>
void
Connector< bgmodel::bg_stdp_dopamine_burst_dip_synapse< TargetIdentifierPtrRport > >::trigger_update_weight(
  const long vt_node_id,
  const size_t tid,
  const std::vector< spikecounter >& dopa_spikes,
  const double t_trig,
  const std::vector< ConnectorModel* >& cm )
{
  bgmodel::trigger_connector( C_, syn_id_, vt_node_id, tid, dopa_spikes, t_trig, cm );
}

template <>
void
Connector< bgmodel::bg_stdp_dopamine_burst_dip_synapse< TargetIdentifierIndex > >::trigger_update_weight(
  const long vt_node_id,
  const size_t tid,
  const std::vector< spikecounter >& dopa_spikes,
  const double t_trig,
  const std::vector< ConnectorModel* >& cm )
{
  bgmodel::trigger_connector( C_, syn_id_, vt_node_id, tid, dopa_spikes, t_trig, cm );
}
} // namespace nest

namespace bgmodel
{

// Defaults are stdp_dopamine_synapse's, with its A_plus and A_minus for both sets.
BurstDipDopaCommonProperties::BurstDipDopaCommonProperties()
  : nest::CommonSynapseProperties()
  , volume_transmitter_( nullptr )
  , A_plus_burst_( 1.0 )
  , A_minus_burst_( 1.5 )
  , A_plus_dip_( 1.0 )
  , A_minus_dip_( 1.5 )
  , tau_plus_( 20.0 )
  , tau_c_( 1000.0 )
  , tau_n_( 200.0 )
  , b_( 0.0 )
  , Wmin_( 0.0 )
  , Wmax_( 200.0 )
{
}

void
BurstDipDopaCommonProperties::get_status( Dictionary& d ) const
{
  nest::CommonSynapseProperties::get_status( d );
  d[ burst_dip_names::A_plus_burst ] = A_plus_burst_;
  d[ burst_dip_names::A_minus_burst ] = A_minus_burst_;
  d[ burst_dip_names::A_plus_dip ] = A_plus_dip_;
  d[ burst_dip_names::A_minus_dip ] = A_minus_dip_;
  d[ nest::names::tau_plus ] = tau_plus_;
  d[ nest::names::tau_c ] = tau_c_;
  d[ nest::names::tau_n ] = tau_n_;
  d[ nest::names::b ] = b_;
  d[ nest::names::Wmin ] = Wmin_;
  d[ nest::names::Wmax ] = Wmax_;
  d[ nest::names::volume_transmitter ] = nest::NodeCollection::create( volume_transmitter_ );
}

void
BurstDipDopaCommonProperties::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  // Everything is checked before anything changes.
  BurstDipDopaCommonProperties next = *this;
  d.update_value( burst_dip_names::A_plus_burst, next.A_plus_burst_ );
  d.update_value( burst_dip_names::A_minus_burst, next.A_minus_burst_ );
  d.update_value( burst_dip_names::A_plus_dip, next.A_plus_dip_ );
  d.update_value( burst_dip_names::A_minus_dip, next.A_minus_dip_ );
  d.update_value( nest::names::tau_plus, next.tau_plus_ );
  d.update_value( nest::names::tau_c, next.tau_c_ );
  d.update_value( nest::names::tau_n, next.tau_n_ );
  d.update_value( nest::names::b, next.b_ );
  d.update_value( nest::names::Wmin, next.Wmin_ );
  d.update_value( nest::names::Wmax, next.Wmax_ );
  if ( not( next.tau_plus_ > 0.0 and next.tau_c_ > 0.0 and next.tau_n_ > 0.0 ) )
  {
    throw nest::BadProperty( "tau_plus, tau_c and tau_n must be positive." );
  }
  if ( not( next.Wmin_ <= next.Wmax_ ) )
  {
    throw nest::BadProperty( "Wmin must not exceed Wmax." );
  }

  nest::NodeCollectionPTR vt_nc;
  if ( d.update_value( nest::names::volume_transmitter, vt_nc ) )
  {
    if ( vt_nc->size() != 1 )
    {
      throw nest::BadProperty( "volume_transmitter must be a NodeCollection of one node" );
    }
    // The volume transmitter is replicated on every thread; take this thread's copy.
    const size_t tid = nest::kernel().vp_manager.get_thread_id();
    nest::Node* node = nest::kernel().node_manager.get_node_or_proxy( ( *vt_nc )[ 0 ], tid );
    next.volume_transmitter_ = dynamic_cast< nest::volume_transmitter* >( node );
    if ( not next.volume_transmitter_ )
    {
      throw nest::BadProperty( "volume_transmitter must be a node of the model volume_transmitter" );
    }
  }

  next.nest::CommonSynapseProperties::set_status( d, cm );
  // One cache of dopamine stretches per thread (BurstDipDopaCommonProperties);
  // set_status runs single-threaded, before any synapse reads it.
  next.stretch_cache_.assign( nest::kernel().vp_manager.get_num_threads(), DopaStretchCache() );
  *this = next;
}

void
register_bg_stdp_dopamine_burst_dip_synapse( const std::string& name )
{
  nest::register_connection_model< bg_stdp_dopamine_burst_dip_synapse >( name );
}

} // namespace bgmodel
