#include "bg_iaf_psc_alpha_2port.h"

#include <cmath>
#include <limits>
#include <vector>

#include "dict_util.h"
#include "event_delivery_manager_impl.h"
#include "exceptions.h"
#include "iaf_propagator.h"
#include "kernel_manager.h"
#include "nest_names.h"
#include "numerics.h"
#include "ring_buffer_impl.h"
#include "universal_data_logger_impl.h"

namespace nest
{
template <>
void
RecordablesMap< bgmodel::bg_iaf_psc_alpha_2port >::create()
{
  insert_( names::V_m, &bgmodel::bg_iaf_psc_alpha_2port::get_V_m_ );
  insert_( "I_syn_1", &bgmodel::bg_iaf_psc_alpha_2port::get_I_syn_1_ );
  insert_( "I_syn_2", &bgmodel::bg_iaf_psc_alpha_2port::get_I_syn_2_ );
}
}

namespace bgmodel
{

nest::RecordablesMap< bg_iaf_psc_alpha_2port > bg_iaf_psc_alpha_2port::recordablesMap_;

// Defaults are iaf_psc_alpha_multisynapse's; bgmodel sets every value from the config.
bg_iaf_psc_alpha_2port::Parameters_::Parameters_()
  : tau_m( 10.0 )
  , C_m( 250.0 )
  , t_ref( 2.0 )
  , E_L( -70.0 )
  , I_e( 0.0 )
  , V_reset( -70.0 - E_L )
  , V_th( -55.0 - E_L )
  , V_min( -std::numeric_limits< double >::max() )
  , tau_syn { 2.0, 2.0 }
{
}

void
bg_iaf_psc_alpha_2port::Parameters_::get( Dictionary& d ) const
{
  d[ nest::names::E_L ] = E_L;
  d[ nest::names::I_e ] = I_e;
  d[ nest::names::V_th ] = V_th + E_L;
  d[ nest::names::V_reset ] = V_reset + E_L;
  d[ nest::names::V_min ] = V_min + E_L;
  d[ nest::names::C_m ] = C_m;
  d[ nest::names::tau_m ] = tau_m;
  d[ nest::names::t_ref ] = t_ref;
  d[ nest::names::tau_syn ] = std::vector< double >( tau_syn, tau_syn + n_ports );
  d[ nest::names::n_synapses ] = static_cast< long >( n_ports );
}

// Potentials are stored relative to E_L; a new E_L moves those not given with it.
static void
update_relative( const Dictionary& d, const std::string& key, double& value, double E_L, double delta_EL,
  nest::Node* node )
{
  if ( nest::update_value_param( d, key, value, node ) )
  {
    value -= E_L;
  }
  else
  {
    value -= delta_EL;
  }
}

double
bg_iaf_psc_alpha_2port::Parameters_::set( const Dictionary& d, nest::Node* node )
{
  const double E_L_old = E_L;
  nest::update_value_param( d, nest::names::E_L, E_L, node );
  const double delta_EL = E_L - E_L_old;
  update_relative( d, nest::names::V_reset, V_reset, E_L, delta_EL, node );
  update_relative( d, nest::names::V_th, V_th, E_L, delta_EL, node );
  update_relative( d, nest::names::V_min, V_min, E_L, delta_EL, node );
  nest::update_value_param( d, nest::names::I_e, I_e, node );
  nest::update_value_param( d, nest::names::C_m, C_m, node );
  nest::update_value_param( d, nest::names::tau_m, tau_m, node );
  nest::update_value_param( d, nest::names::t_ref, t_ref, node );

  std::vector< double > taus;
  if ( d.update_value( nest::names::tau_syn, taus ) )
  {
    if ( taus.size() != n_ports )
    {
      throw nest::BadProperty( "bg_iaf_psc_alpha_2port: tau_syn must hold exactly 2 time constants (ports 1 and 2), got "
        + std::to_string( taus.size() ) + "." );
    }
    for ( size_t i = 0; i < n_ports; ++i )
    {
      tau_syn[ i ] = taus[ i ];
    }
  }

  if ( C_m <= 0 )
  {
    throw nest::BadProperty( "Capacitance must be strictly positive." );
  }
  if ( tau_m <= 0 )
  {
    throw nest::BadProperty( "Membrane time constant must be strictly positive." );
  }
  for ( size_t i = 0; i < n_ports; ++i )
  {
    if ( tau_syn[ i ] <= 0 )
    {
      throw nest::BadProperty( "All synaptic time constants must be strictly positive." );
    }
  }
  if ( t_ref < 0 )
  {
    throw nest::BadProperty( "Refractory time must not be negative." );
  }
  if ( V_reset >= V_th )
  {
    throw nest::BadProperty( "Reset potential must be smaller than threshold." );
  }
  return delta_EL;
}

bg_iaf_psc_alpha_2port::State_::State_()
  : I_input( 0.0 )
  , y1 { 0.0, 0.0 }
  , y2 { 0.0, 0.0 }
  , V_m( 0.0 )
  , refractory_steps( 0 )
{
}

void
bg_iaf_psc_alpha_2port::State_::get( Dictionary& d, const Parameters_& p ) const
{
  d[ nest::names::V_m ] = V_m + p.E_L;
}

void
bg_iaf_psc_alpha_2port::State_::set( const Dictionary& d, const Parameters_& p, double delta_EL, nest::Node* node )
{
  update_relative( d, nest::names::V_m, V_m, p.E_L, delta_EL, node );
}

bg_iaf_psc_alpha_2port::Buffers_::Buffers_( bg_iaf_psc_alpha_2port& n )
  : logger( n )
{
}

bg_iaf_psc_alpha_2port::Buffers_::Buffers_( const Buffers_&, bg_iaf_psc_alpha_2port& n )
  : logger( n )
{
}

bg_iaf_psc_alpha_2port::bg_iaf_psc_alpha_2port()
  : ArchivingNode()
  , P_()
  , S_()
  , B_( *this )
{
  recordablesMap_.create();
}

bg_iaf_psc_alpha_2port::bg_iaf_psc_alpha_2port( const bg_iaf_psc_alpha_2port& n )
  : ArchivingNode( n )
  , P_( n.P_ )
  , S_( n.S_ )
  , B_( n.B_, *this )
{
}

size_t
bg_iaf_psc_alpha_2port::send_test_event( nest::Node& target, size_t receptor_type, nest::synindex, bool )
{
  nest::SpikeEvent e;
  e.set_sender( *this );
  return target.handles_test_event( e, receptor_type );
}

size_t
bg_iaf_psc_alpha_2port::handles_test_event( nest::SpikeEvent&, size_t receptor_type )
{
  if ( receptor_type < 1 or receptor_type > n_ports )
  {
    throw nest::UnknownReceptorType( receptor_type, get_name() );
  }
  return receptor_type;
}

size_t
bg_iaf_psc_alpha_2port::handles_test_event( nest::CurrentEvent&, size_t receptor_type )
{
  if ( receptor_type != 0 )
  {
    throw nest::UnknownReceptorType( receptor_type, get_name() );
  }
  return 0;
}

size_t
bg_iaf_psc_alpha_2port::handles_test_event( nest::DataLoggingRequest& dlr, size_t receptor_type )
{
  if ( receptor_type != 0 )
  {
    throw nest::UnknownReceptorType( receptor_type, get_name() );
  }
  return B_.logger.connect_logging_device( dlr, recordablesMap_ );
}

void
bg_iaf_psc_alpha_2port::get_status( Dictionary& d ) const
{
  P_.get( d );
  S_.get( d, P_ );
  ArchivingNode::get_status( d );
  d[ nest::names::recordables ] = recordablesMap_.get_list();
}

void
bg_iaf_psc_alpha_2port::set_status( const Dictionary& d )
{
  Parameters_ p = P_;  // copies, so that a bad value leaves the neuron unchanged
  const double delta_EL = p.set( d, this );
  State_ s = S_;
  s.set( d, p, delta_EL, this );
  ArchivingNode::set_status( d );
  P_ = p;
  S_ = s;
}

void
bg_iaf_psc_alpha_2port::init_buffers_()
{
  B_.input.clear();
  B_.logger.reset();
  ArchivingNode::clear_history();
}

void
bg_iaf_psc_alpha_2port::pre_run_hook()
{
  B_.logger.init();
  const double h = nest::Time::get_resolution().get_ms();

  // The same expressions as iaf_psc_alpha_multisynapse, so that every propagator
  // has the same bits.
  V_.P33 = std::exp( -h / P_.tau_m );
  V_.P30 = 1 / P_.C_m * ( 1 - V_.P33 ) * P_.tau_m;
  for ( size_t i = 0; i < n_ports; ++i )
  {
    V_.P11[ i ] = V_.P22[ i ] = std::exp( -h / P_.tau_syn[ i ] );
    V_.P21[ i ] = h * V_.P11[ i ];
    std::tie( V_.P31[ i ], V_.P32[ i ] ) = IAFPropagatorAlpha( P_.tau_syn[ i ], P_.tau_m, P_.C_m ).evaluate( h );
    V_.psc_initial[ i ] = 1.0 * numerics::e / P_.tau_syn[ i ];
  }
  V_.refractory_counts = nest::Time( nest::Time::ms( P_.t_ref ) ).get_steps();
}

void
bg_iaf_psc_alpha_2port::update( nest::Time const& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    if ( S_.refractory_steps == 0 )
    {
      // Same order of operations as iaf_psc_alpha_multisynapse: membrane and constant
      // current first, then the ports one by one.
      S_.V_m = V_.P30 * ( S_.I_input + P_.I_e ) + V_.P33 * S_.V_m;
      S_.V_m += V_.P31[ 0 ] * S_.y1[ 0 ] + V_.P32[ 0 ] * S_.y2[ 0 ];
      S_.V_m += V_.P31[ 1 ] * S_.y1[ 1 ] + V_.P32[ 1 ] * S_.y2[ 1 ];
      S_.V_m = ( S_.V_m < P_.V_min ? P_.V_min : S_.V_m );
    }
    else
    {
      --S_.refractory_steps;
    }

    const size_t slot = nest::kernel().event_delivery_manager.get_modulo( lag );
    const auto& input = B_.input.get_values_all_channels( slot );
    for ( size_t i = 0; i < n_ports; ++i )
    {
      S_.y2[ i ] = V_.P21[ i ] * S_.y1[ i ] + V_.P22[ i ] * S_.y2[ i ];
      S_.y1[ i ] *= V_.P11[ i ];
      S_.y1[ i ] += V_.psc_initial[ i ] * input[ i ];
    }

    if ( S_.V_m >= P_.V_th )
    {
      S_.refractory_steps = V_.refractory_counts;
      S_.V_m = P_.V_reset;
      set_spiketime( nest::Time::step( origin.get_steps() + lag + 1 ) );
      nest::SpikeEvent se;
      nest::kernel().event_delivery_manager.send( *this, se, lag );
    }

    S_.I_input = input[ n_ports ];
    B_.input.reset_values_all_channels( slot );
    B_.logger.record_data( origin.get_steps() + lag );
  }
}

void
bg_iaf_psc_alpha_2port::handle( nest::SpikeEvent& e )
{
  assert( e.get_delay_steps() > 0 );
  const size_t slot = nest::kernel().event_delivery_manager.get_modulo(
    e.get_rel_delivery_steps( nest::kernel().simulation_manager.get_slice_origin() ) );
  B_.input.add_value( slot, e.get_rport() - 1, e.get_weight() * e.get_multiplicity() );
}

void
bg_iaf_psc_alpha_2port::handle( nest::CurrentEvent& e )
{
  assert( e.get_delay_steps() > 0 );
  const size_t slot = nest::kernel().event_delivery_manager.get_modulo(
    e.get_rel_delivery_steps( nest::kernel().simulation_manager.get_slice_origin() ) );
  B_.input.add_value( slot, n_ports, e.get_weight() * e.get_current() );
}

void
bg_iaf_psc_alpha_2port::handle( nest::DataLoggingRequest& e )
{
  B_.logger.handle( e );
}

}  // namespace bgmodel
