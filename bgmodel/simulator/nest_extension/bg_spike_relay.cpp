/*
 * bg_spike_relay: see bg_spike_relay.h.
 */
#include "bg_spike_relay.h"

#include <string>

#include "dictionary.h"
#include "event_delivery_manager.h"
#include "exceptions.h"
#include "kernel_manager.h"
#include "nest_names.h"
#include "nest_time.h"

namespace bgmodel
{

bg_spike_relay::bg_spike_relay()
  : nest::Node()
  , next_step_( std::numeric_limits< long >::max() )
  , position_( 0 )
{
}

void
bg_spike_relay::set_next_step_()
{
  next_step_ = position_ < steps_.size() ? steps_[ position_ ] : std::numeric_limits< long >::max();
}

size_t
bg_spike_relay::send_test_event( nest::Node& target, size_t receptor_type, nest::synindex, bool )
{
  nest::SpikeEvent e;
  e.set_sender( *this );
  return target.handles_test_event( e, receptor_type );
}

void
bg_spike_relay::get_status( Dictionary& d ) const
{
  std::vector< double > times;
  times.reserve( steps_.size() );
  for ( const long step : steps_ )
  {
    times.push_back( nest::Time( nest::Time::step( step ) ).get_ms() );
  }
  d[ nest::names::spike_times ] = times;
}

void
bg_spike_relay::set_status( const Dictionary& d )
{
  if ( d.known( nest::names::spike_times ) )
  {
    const auto times = d.get< std::vector< double > >( nest::names::spike_times );
    load( times.data(), times.size() );
  }
}

void
bg_spike_relay::load( const double* times, size_t n )
{
  const long now = nest::kernel().simulation_manager.get_time().get_steps();
  std::vector< long > steps;
  steps.reserve( n );
  for ( size_t i = 0; i < n; ++i )
  {
    // As spike_train_injector converts an on-grid time.
    const nest::Time t = nest::Time( nest::Time::ms( times[ i ] ) );
    if ( not t.is_grid_time() )
    {
      throw nest::BadProperty( "bg_spike_relay: spike time " + std::to_string( times[ i ] )
        + " ms is not on the simulation grid." );
    }
    const long step = t.get_steps();
    if ( step <= now )
    {
      throw nest::BadProperty( "bg_spike_relay: spike time " + std::to_string( times[ i ] )
        + " ms is not after the current time." );
    }
    if ( not steps.empty() and step < steps.back() )
    {
      throw nest::BadProperty( "bg_spike_relay: spike times must be sorted in non-descending order." );
    }
    steps.push_back( step );
  }
  steps_.swap( steps );
  position_ = 0;
  set_next_step_();
}

void
bg_spike_relay::init_buffers_()
{
}

void
bg_spike_relay::pre_run_hook()
{
}

void
bg_spike_relay::update( nest::Time const& origin, const long from, const long to )
{
  // Spikes with steps in (origin + from, origin + to], each sent at lag step - origin - 1
  // (send adds the one back to the event's stamp), as spike_train_injector does.
  const long t0 = origin.get_steps();
  if ( next_step_ > t0 + to )
  {
    return;
  }
  while ( position_ < steps_.size() and steps_[ position_ ] <= t0 + to )
  {
    const long step = steps_[ position_ ];
    ++position_;
    if ( step <= t0 + from )
    {
      continue; // in the past: loaded late, as the injector skips them
    }
    nest::SpikeEvent se;
    nest::kernel().event_delivery_manager.send( *this, se, step - t0 - 1 );
  }
  set_next_step_();
}

} // namespace bgmodel
