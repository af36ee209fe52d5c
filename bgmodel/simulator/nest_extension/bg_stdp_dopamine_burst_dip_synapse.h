/*
 * bg_stdp_dopamine_burst_dip_synapse: dopamine-modulated STDP (the rule of NEST's
 * stdp_dopamine_synapse) with one pair of STDP amplitudes for dopamine above its
 * baseline (burst) and another for dopamine below it (dip).
 *
 * State per connection: weight w, presynaptic trace Kplus, two eligibility traces
 * c_burst and c_dip, dopamine trace n. Between events
 *   dc_x/dt = -c_x / tau_c   (x = burst, dip),   dn/dt = -n / tau_n,
 *   dw/dt   = c_burst * (n - b)  while n > b,
 *             c_dip   * (n - b)  while n < b,
 * and w is kept in [Wmin, Wmax]. At a postsynaptic spike (arriving after the dendritic
 * delay) c_x += A_plus_x * Kplus; at a presynaptic spike c_x -= A_minus_x * K_minus
 * (the postsynaptic neuron's trace) and Kplus += 1 after decaying with tau_plus; at
 * each dopamine spike of multiplicity m, n += m / tau_n.
 *
 * w is integrated in closed form between events, as NEST does. n is monotonic between
 * dopamine spikes, so n - b changes sign at most once in such an interval, at
 * tau_n * ln(n0 / b); the interval is split there and each piece uses the trace of its
 * side. Where the two traces hold the same value (always, when both amplitude sets are
 * equal) no split is needed and the arithmetic is stdp_dopamine_synapse's, operation for
 * operation, so the two models give identical weights (tests/test_da_synapse.py).
 * docs/dopamine-synapse.md describes the model.
 *
 * Common properties (SetDefaults/CopyModel only): volume_transmitter, A_plus_burst,
 * A_minus_burst, A_plus_dip, A_minus_dip, tau_plus, tau_c, tau_n, b, Wmin, Wmax
 * (and weight_recorder). Per connection: weight, delay, Kplus, c_burst, c_dip, n.
 */
#ifndef BG_STDP_DOPAMINE_BURST_DIP_SYNAPSE_H
#define BG_STDP_DOPAMINE_BURST_DIP_SYNAPSE_H

#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "common_synapse_properties.h"
#include "connection.h"
#include "exceptions.h"
#include "kernel_manager.h"
#include "nest_names.h"
#include "numerics.h"
#include "spikecounter.h"
#include "volume_transmitter.h"

namespace bgmodel
{

// Status keys of this model that NEST's names do not have.
namespace burst_dip_names
{
inline const std::string A_plus_burst( "A_plus_burst" );
inline const std::string A_minus_burst( "A_minus_burst" );
inline const std::string A_plus_dip( "A_plus_dip" );
inline const std::string A_minus_dip( "A_minus_dip" );
inline const std::string c_burst( "c_burst" );
inline const std::string c_dip( "c_dip" );
}

// What every synapse of one model computes alike for a whole stretch between two
// consecutive dopamine spikes of the volume transmitter's current list: n is the same
// number in all of them (the same spikes through the same operations), so the stretch's
// closed-form integrals are too; each synapse then only scales them by its own
// eligibility. Filled by the first synapse that crosses the stretch, with its own n.
struct DopaStretch
{
  bool valid = false;
  bool crosses = false;     // n reaches b inside the stretch
  bool burst_first = false; // the side of b that n starts on is the burst side
  double j_whole = 0.0;     // integral factor of the whole stretch at one trace
  double j_first = 0.0;     // of the piece before the crossing (or the whole stretch)
  double j_second = 0.0;    // of the piece after the crossing
  double decay_cross = 1.0; // eligibility decay up to the crossing
  double n_next = 0.0;      // n just after the closing spike
  double c_decay = 1.0;     // eligibility decay over the whole stretch
};

// A piece of a stretch, from time `from` to time `to` (the start or the end of a synapse
// update inside the stretch that begins at dopamine spike `index`): its integrals depend
// only on these and on n at that spike, so the synapses updated at one time share them.
// At a trigger every synapse ends at the trigger time, and those not updated since the
// previous trigger start at the list's first spike; a presynaptic spike updates all its
// synapses on this thread one after the other, to one time.
struct DopaPiece
{
  bool valid = false;
  double list_start = 0.0;
  size_t index = 0;
  double n_at_index = 0.0;
  double from = 0.0;
  double to = 0.0;
  DopaStretch integrals; // n_next and c_decay unused
};

// One thread's stretches of the current list (entry 0 is the pseudo spike at the last
// trigger, so its time identifies the list; the list only grows until the next one),
// and its last head piece (to the first dopamine spike of an update, or the whole update
// if it has none) and last tail piece (from the last dopamine spike). Aligned to a cache
// line so that threads do not share one.
struct alignas( 64 ) DopaStretchCache
{
  double list_start = -1.0;
  std::vector< DopaStretch > stretches;
  DopaPiece head;
  DopaPiece tail;
};

class BurstDipDopaCommonProperties : public nest::CommonSynapseProperties
{
public:
  BurstDipDopaCommonProperties();

  void get_status( Dictionary& d ) const;
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  long get_vt_node_id() const;

  nest::volume_transmitter* volume_transmitter_;
  double A_plus_burst_;
  double A_minus_burst_;
  double A_plus_dip_;
  double A_minus_dip_;
  double tau_plus_;
  double tau_c_;
  double tau_n_;
  double b_;
  double Wmin_;
  double Wmax_;

  // Whether the burst and dip sets are equal (then the synapse is, bit for bit,
  // stdp_dopamine_synapse, and every decay is computed as there).
  bool
  equal_sets() const
  {
    return A_plus_burst_ == A_plus_dip_ and A_minus_burst_ == A_minus_dip_;
  }

  // Per thread, sized by set_status (single-threaded: SetDefaults, CopyModel) to the
  // kernel's thread count; a thread beyond it computes every stretch itself.
  mutable std::vector< DopaStretchCache > stretch_cache_;

  // This thread's cache of stretches for the list `dopa_spikes`, or nullptr.
  DopaStretchCache* stretches_for( size_t thread, const std::vector< nest::spikecounter >& dopa_spikes ) const;
};

inline DopaStretchCache*
BurstDipDopaCommonProperties::stretches_for( size_t thread, const std::vector< nest::spikecounter >& dopa_spikes ) const
{
  if ( thread >= stretch_cache_.size() or dopa_spikes.empty() )
  {
    return nullptr;
  }
  DopaStretchCache& cache = stretch_cache_[ thread ];
  if ( cache.list_start != dopa_spikes[ 0 ].spike_time_ )
  {
    cache.list_start = dopa_spikes[ 0 ].spike_time_;
    cache.stretches.clear();
  }
  if ( cache.stretches.size() < dopa_spikes.size() )
  {
    cache.stretches.resize( dopa_spikes.size() );
  }
  return &cache;
}

inline long
BurstDipDopaCommonProperties::get_vt_node_id() const
{
  return volume_transmitter_ ? static_cast< long >( volume_transmitter_->get_node_id() ) : -1;
}

// Registers the model (and its _hpc and _lbl variants) under `name`.
void register_bg_stdp_dopamine_burst_dip_synapse( const std::string& name );

template < typename targetidentifierT >
class bg_stdp_dopamine_burst_dip_synapse : public nest::Connection< targetidentifierT >
{
public:
  typedef BurstDipDopaCommonProperties CommonPropertiesType;
  typedef nest::Connection< targetidentifierT > ConnectionBase;

  static constexpr nest::ConnectionModelProperties properties = nest::ConnectionModelProperties::HAS_DELAY
    | nest::ConnectionModelProperties::IS_PRIMARY | nest::ConnectionModelProperties::SUPPORTS_HPC
    | nest::ConnectionModelProperties::SUPPORTS_LBL;

  bg_stdp_dopamine_burst_dip_synapse();
  bg_stdp_dopamine_burst_dip_synapse( const bg_stdp_dopamine_burst_dip_synapse& ) = default;
  bg_stdp_dopamine_burst_dip_synapse& operator=( const bg_stdp_dopamine_burst_dip_synapse& ) = default;

  using ConnectionBase::get_delay;
  using ConnectionBase::get_delay_steps;
  using ConnectionBase::get_rport;
  using ConnectionBase::get_target;

  void get_status( Dictionary& d ) const;
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  // c_burst, c_dip and n cannot be given to Connect when several threads run (as for
  // stdp_dopamine_synapse's c and n).
  void check_synapse_params( const Dictionary& d ) const;

  bool send( nest::Event& e, size_t t, const CommonPropertiesType& cp );

  void trigger_update_weight( size_t t,
    const std::vector< nest::spikecounter >& dopa_spikes,
    double t_trig,
    const CommonPropertiesType& cp );

  class ConnTestDummyNode : public nest::ConnTestDummyNodeBase
  {
  public:
    using nest::ConnTestDummyNodeBase::handles_test_event;
    size_t
    handles_test_event( nest::SpikeEvent&, size_t ) override
    {
      return nest::invalid_port;
    }
  };

  // A volume transmitter must be set before connecting; the target archives its spikes.
  void
  check_connection( nest::Node& s, nest::Node& t, size_t receptor_type, const CommonPropertiesType& cp )
  {
    if ( not cp.volume_transmitter_ )
    {
      throw nest::BadProperty(
        "bg_stdp_dopamine_burst_dip_synapse needs its volume_transmitter (SetDefaults or CopyModel) before Connect." );
    }
    ConnTestDummyNode dummy_target;
    ConnectionBase::check_connection_( dummy_target, s, t, receptor_type );
    t.register_stdp_connection( t_lastspike_ - get_delay(), get_delay() );
  }

  void
  set_weight( double w )
  {
    weight_ = w;
  }

private:
  // The weight over one stretch between dopamine spikes: w += integral of
  // c(s) * (n(s) - b) ds over s in [0, -minus_dt], c decaying from c0 with tau_c and n
  // from n0 with tau_n, then clipped to [Wmin, Wmax].
  void add_weight_change_( double c0, double n0, double minus_dt, const CommonPropertiesType& cp );
  // The integral factor of add_weight_change_ (the weight changes by -c0 times it).
  static double integral_factor_( double n0, double minus_dt, const CommonPropertiesType& cp );
  // weight -= c0 * factor, clipped to [Wmin, Wmax].
  void apply_change_( double c0, double factor, const CommonPropertiesType& cp );
  // The stretch from dopamine spike dopa_spikes_idx_ to the next, computed with n_.
  static DopaStretch make_stretch_( double n0, double minus_dt, double multiplicity, const CommonPropertiesType& cp );
  // advance_weight_ over a whole stretch from its cached integrals (same operations).
  void apply_stretch_( double c_burst0, double c_dip0, const DopaStretch& s, const CommonPropertiesType& cp );

  // advance_weight_ over the piece from `from` to `to` of the stretch at dopa_spikes_idx_
  // (n0 is n_ decayed to `from`), through the thread's piece cache where it has one: its
  // head slot for the start of an update, its tail slot for the end.
  void advance_piece_( double c_burst0,
    double c_dip0,
    double from,
    double to,
    bool tail,
    const std::vector< nest::spikecounter >& dopa_spikes,
    size_t thread,
    const CommonPropertiesType& cp );

  // The same with the two eligibility traces: each side of n = b uses its own.
  void advance_weight_( double c_burst0,
    double c_dip0,
    double n0,
    double minus_dt,
    const CommonPropertiesType& cp );

  // n from the current dopamine spike to the next, plus the next one's share.
  void next_dopamine_spike_( const std::vector< nest::spikecounter >& dopa_spikes, const CommonPropertiesType& cp );

  // Weight from t0 to t1 over the dopamine spikes in (t0, t1]; traces c to t1.
  void advance_to_( const std::vector< nest::spikecounter >& dopa_spikes,
    double t0,
    double t1,
    size_t thread,
    const CommonPropertiesType& cp );

  void facilitate_( double kplus, const CommonPropertiesType& cp );
  void depress_( double kminus, const CommonPropertiesType& cp );

  double weight_;
  double Kplus_;
  double c_burst_;
  double c_dip_;
  double n_;

  // The entry of the volume transmitter's spike list that n_ refers to; entry 0 is the
  // pseudo spike at the last trigger time (or 0 ms).
  size_t dopa_spikes_idx_;

  // Time of the last update: a presynaptic spike or a trigger by the volume transmitter.
  double t_last_update_;
  double t_lastspike_;
};

template < typename targetidentifierT >
constexpr nest::ConnectionModelProperties bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::properties;

template < typename targetidentifierT >
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::bg_stdp_dopamine_burst_dip_synapse()
  : ConnectionBase()
  , weight_( 1.0 )
  , Kplus_( 0.0 )
  , c_burst_( 0.0 )
  , c_dip_( 0.0 )
  , n_( 0.0 )
  , dopa_spikes_idx_( 0 )
  , t_last_update_( 0.0 )
  , t_lastspike_( 0.0 )
{
}

template < typename targetidentifierT >
void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::get_status( Dictionary& d ) const
{
  ConnectionBase::get_status( d );
  d[ nest::names::weight ] = weight_;
  d[ nest::names::Kplus ] = Kplus_;
  d[ burst_dip_names::c_burst ] = c_burst_;
  d[ burst_dip_names::c_dip ] = c_dip_;
  d[ nest::names::n ] = n_;
}

template < typename targetidentifierT >
void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  double kplus = Kplus_;
  d.update_value( nest::names::Kplus, kplus );
  if ( kplus < 0 )
  {
    throw nest::BadProperty( "Kplus must not be negative." );
  }
  ConnectionBase::set_status( d, cm );
  d.update_value( nest::names::weight, weight_ );
  d.update_value( burst_dip_names::c_burst, c_burst_ );
  d.update_value( burst_dip_names::c_dip, c_dip_ );
  d.update_value( nest::names::n, n_ );
  Kplus_ = kplus;
}

template < typename targetidentifierT >
void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::check_synapse_params( const Dictionary& syn_spec ) const
{
  if ( nest::kernel().vp_manager.get_num_threads() > 1 )
  {
    for ( const std::string& key : { burst_dip_names::c_burst, burst_dip_names::c_dip, nest::names::n } )
    {
      if ( syn_spec.known( key ) )
      {
        throw nest::NotImplemented( "With several threads, Connect cannot set " + key
          + " of bg_stdp_dopamine_burst_dip_synapse; use SetDefaults() or CopyModel()." );
      }
    }
  }
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::next_dopamine_spike_(
  const std::vector< nest::spikecounter >& dopa_spikes,
  const CommonPropertiesType& cp )
{
  const double minus_dt = dopa_spikes[ dopa_spikes_idx_ ].spike_time_ - dopa_spikes[ dopa_spikes_idx_ + 1 ].spike_time_;
  ++dopa_spikes_idx_;
  n_ = n_ * std::exp( minus_dt / cp.tau_n_ ) + dopa_spikes[ dopa_spikes_idx_ ].multiplicity_ / cp.tau_n_;
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::add_weight_change_( double c0,
  double n0,
  double minus_dt,
  const CommonPropertiesType& cp )
{
  apply_change_( c0, integral_factor_( n0, minus_dt, cp ), cp );
}

template < typename targetidentifierT >
inline double
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::integral_factor_( double n0,
  double minus_dt,
  const CommonPropertiesType& cp )
{
  // Closed form of the integral (minus_dt = -length <= 0), written in the same
  // operations as stdp_dopamine_synapse so that equal traces round identically:
  //   c0 * ( n0 / k * (1 - e^{-k L}) - b * tau_c * (1 - e^{-L / tau_c}) ),
  //   k = 1 / tau_c + 1 / tau_n, evaluated as (tau_c + tau_n) / (tau_c * tau_n);
  // the weight changes by -c0 times the factor returned here.
  const double k = ( cp.tau_c_ + cp.tau_n_ ) / ( cp.tau_c_ * cp.tau_n_ );
  return n0 / k * numerics::expm1( k * minus_dt ) - cp.b_ * cp.tau_c_ * numerics::expm1( minus_dt / cp.tau_c_ );
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::apply_change_( double c0,
  double factor,
  const CommonPropertiesType& cp )
{
  weight_ = weight_ - c0 * factor;
  if ( weight_ < cp.Wmin_ )
  {
    weight_ = cp.Wmin_;
  }
  if ( weight_ > cp.Wmax_ )
  {
    weight_ = cp.Wmax_;
  }
}

template < typename targetidentifierT >
inline DopaStretch
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::make_stretch_( double n0,
  double minus_dt,
  double multiplicity,
  const CommonPropertiesType& cp )
{
  // The same decisions and operations as advance_weight_ and next_dopamine_spike_.
  DopaStretch s;
  s.valid = true;
  s.j_whole = integral_factor_( n0, minus_dt, cp );
  s.burst_first = n0 > cp.b_ or ( n0 == cp.b_ and n0 < 0.0 );
  s.j_first = s.j_whole;
  if ( cp.b_ != 0.0 and n0 / cp.b_ > 1.0 )
  {
    const double s_cross = cp.tau_n_ * std::log( n0 / cp.b_ );
    if ( s_cross < -minus_dt )
    {
      s.crosses = true;
      s.j_first = integral_factor_( n0, -s_cross, cp );
      s.decay_cross = std::exp( -s_cross / cp.tau_c_ );
      s.j_second = integral_factor_( cp.b_, minus_dt + s_cross, cp );
    }
  }
  s.n_next = n0 * std::exp( minus_dt / cp.tau_n_ ) + multiplicity / cp.tau_n_;
  s.c_decay = std::exp( minus_dt / cp.tau_c_ );
  return s;
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::apply_stretch_( double c_burst0,
  double c_dip0,
  const DopaStretch& s,
  const CommonPropertiesType& cp )
{
  if ( c_burst0 == c_dip0 )
  {
    apply_change_( c_burst0, s.j_whole, cp );
    return;
  }
  if ( s.crosses )
  {
    apply_change_( s.burst_first ? c_burst0 : c_dip0, s.j_first, cp );
    apply_change_( ( s.burst_first ? c_dip0 : c_burst0 ) * s.decay_cross, s.j_second, cp );
    return;
  }
  apply_change_( s.burst_first ? c_burst0 : c_dip0, s.j_whole, cp );
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::advance_weight_( double c_burst0,
  double c_dip0,
  double n0,
  double minus_dt,
  const CommonPropertiesType& cp )
{
  if ( c_burst0 == c_dip0 )
  {
    // One trace: stdp_dopamine_synapse's single closed form, no split.
    add_weight_change_( c_burst0, n0, minus_dt, cp );
    return;
  }
  // Which side of b n starts on: above if n0 > b; at n0 == b, the side n moves to.
  const bool burst = n0 > cp.b_ or ( n0 == cp.b_ and n0 < 0.0 );
  // n(s) = n0 exp(-s / tau_n) reaches b only if n0 / b > 1 (same sign, |n0| > |b|).
  if ( cp.b_ != 0.0 and n0 / cp.b_ > 1.0 )
  {
    const double s_cross = cp.tau_n_ * std::log( n0 / cp.b_ );
    if ( s_cross < -minus_dt )
    {
      add_weight_change_( burst ? c_burst0 : c_dip0, n0, -s_cross, cp );
      // Within a piece dw/dt keeps its sign, so clipping at the piece's end is exact.
      const double decay = std::exp( -s_cross / cp.tau_c_ );
      add_weight_change_( ( burst ? c_dip0 : c_burst0 ) * decay, cp.b_, minus_dt + s_cross, cp );
      return;
    }
  }
  add_weight_change_( burst ? c_burst0 : c_dip0, n0, minus_dt, cp );
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::advance_piece_( double c_burst0,
  double c_dip0,
  double from,
  double to,
  bool tail,
  const std::vector< nest::spikecounter >& dopa_spikes,
  size_t thread,
  const CommonPropertiesType& cp )
{
  const double t_index = dopa_spikes[ dopa_spikes_idx_ ].spike_time_;
  // From the spike itself n0 is n_ (exp(0) is 1 exactly, so both forms are one number).
  const bool from_spike = from == t_index;
  DopaStretchCache* cache = cp.stretches_for( thread, dopa_spikes );
  if ( not cache )
  {
    const double n0 = from_spike ? n_ : n_ * std::exp( ( t_index - from ) / cp.tau_n_ );
    advance_weight_( c_burst0, c_dip0, n0, from - to, cp );
    return;
  }
  DopaPiece& piece = tail ? cache->tail : cache->head;
  if ( not( piece.valid and piece.list_start == dopa_spikes[ 0 ].spike_time_ and piece.index == dopa_spikes_idx_
         and piece.n_at_index == n_ and piece.from == from and piece.to == to ) )
  {
    const double n0 = from_spike ? n_ : n_ * std::exp( ( t_index - from ) / cp.tau_n_ );
    piece.valid = true;
    piece.list_start = dopa_spikes[ 0 ].spike_time_;
    piece.index = dopa_spikes_idx_;
    piece.n_at_index = n_;
    piece.from = from;
    piece.to = to;
    piece.integrals = make_stretch_( n0, from - to, 0.0, cp );
  }
  // apply_stretch_ makes advance_weight_'s decisions and operations from the same integrals.
  apply_stretch_( c_burst0, c_dip0, piece.integrals, cp );
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::advance_to_(
  const std::vector< nest::spikecounter >& dopa_spikes,
  double t0,
  double t1,
  size_t thread,
  const CommonPropertiesType& cp )
{
  const double eps = nest::kernel().connection_manager.get_stdp_eps();
  // Weight and c are at t0; n is at the dopamine spike dopa_spikes_idx_ (<= t0).
  if ( dopa_spikes.size() > dopa_spikes_idx_ + 1 and t1 - dopa_spikes[ dopa_spikes_idx_ + 1 ].spike_time_ > -1.0 * eps )
  {
    // From t0 to the first dopamine spike in (t0, t1].
    advance_piece_( c_burst_, c_dip_, t0, dopa_spikes[ dopa_spikes_idx_ + 1 ].spike_time_, false, dopa_spikes, thread, cp );
    next_dopamine_spike_( dopa_spikes, cp );

    // From one dopamine spike to the next; c is still at t0. The stretches are the same
    // for every synapse of the model (DopaStretch): computed once per thread.
    // With different sets the eligibility's decay to each stretch is carried from
    // stretch to stretch by the cached factors (one multiplication instead of an
    // exponential per synapse and dopamine spike); with equal sets it is computed
    // afresh each time, as stdp_dopamine_synapse does.
    double decay;
    DopaStretchCache* cache = cp.stretches_for( thread, dopa_spikes );
    const bool carry_decay = cache and not cp.equal_sets();
    bool first_stretch = true;
    while ( dopa_spikes.size() > dopa_spikes_idx_ + 1
      and t1 - dopa_spikes[ dopa_spikes_idx_ + 1 ].spike_time_ > -1.0 * eps )
    {
      if ( first_stretch or not carry_decay )
      {
        decay = std::exp( ( t0 - dopa_spikes[ dopa_spikes_idx_ ].spike_time_ ) / cp.tau_c_ );
        first_stretch = false;
      }
      if ( cache )
      {
        DopaStretch& stretch = cache->stretches[ dopa_spikes_idx_ ];
        if ( not stretch.valid )
        {
          stretch = make_stretch_( n_,
            dopa_spikes[ dopa_spikes_idx_ ].spike_time_ - dopa_spikes[ dopa_spikes_idx_ + 1 ].spike_time_,
            dopa_spikes[ dopa_spikes_idx_ + 1 ].multiplicity_,
            cp );
        }
        apply_stretch_( c_burst_ * decay, c_dip_ * decay, stretch, cp );
        ++dopa_spikes_idx_;
        n_ = stretch.n_next;
        decay *= stretch.c_decay;
        continue;
      }
      advance_weight_( c_burst_ * decay,
        c_dip_ * decay,
        n_,
        dopa_spikes[ dopa_spikes_idx_ ].spike_time_ - dopa_spikes[ dopa_spikes_idx_ + 1 ].spike_time_,
        cp );
      next_dopamine_spike_( dopa_spikes, cp );
    }

    // From the last dopamine spike to t1.
    decay = std::exp( ( t0 - dopa_spikes[ dopa_spikes_idx_ ].spike_time_ ) / cp.tau_c_ );
    advance_piece_(
      c_burst_ * decay, c_dip_ * decay, dopa_spikes[ dopa_spikes_idx_ ].spike_time_, t1, true, dopa_spikes, thread, cp );
  }
  else
  {
    advance_piece_( c_burst_, c_dip_, t0, t1, false, dopa_spikes, thread, cp );
  }

  const double decay = std::exp( ( t0 - t1 ) / cp.tau_c_ );
  c_burst_ = c_burst_ * decay;
  c_dip_ = c_dip_ * decay;
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::facilitate_( double kplus, const CommonPropertiesType& cp )
{
  c_burst_ += cp.A_plus_burst_ * kplus;
  c_dip_ += cp.A_plus_dip_ * kplus;
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::depress_( double kminus, const CommonPropertiesType& cp )
{
  c_burst_ -= cp.A_minus_burst_ * kminus;
  c_dip_ -= cp.A_minus_dip_ * kminus;
}

template < typename targetidentifierT >
inline bool
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::send( nest::Event& e,
  size_t t,
  const CommonPropertiesType& cp )
{
  nest::Node* target = get_target( t );
  const double dendritic_delay = get_delay();
  const double t_spike = e.get_stamp().get_ms();
  const std::vector< nest::spikecounter >& dopa_spikes = cp.volume_transmitter_->deliver_spikes();

  // Postsynaptic spikes in (t_last_update, t_spike], as they arrive at the synapse.
  std::deque< nest::histentry >::iterator start;
  std::deque< nest::histentry >::iterator finish;
  target->get_history( t_last_update_ - dendritic_delay, t_spike - dendritic_delay, &start, &finish );

  double t0 = t_last_update_;
  for ( ; start != finish; ++start )
  {
    advance_to_( dopa_spikes, t0, start->t_ + dendritic_delay, t, cp );
    t0 = start->t_ + dendritic_delay;
    // No facilitation by a postsynaptic spike at the time of this presynaptic one.
    if ( t_spike - start->t_ > nest::kernel().connection_manager.get_stdp_eps() )
    {
      facilitate_( Kplus_ * std::exp( ( t_last_update_ - t0 ) / cp.tau_plus_ ), cp );
    }
  }

  advance_to_( dopa_spikes, t0, t_spike, t, cp );
  depress_( target->get_K_value( t_spike - dendritic_delay ), cp );

  e.set_receiver( *target );
  e.set_weight( weight_ );
  e.set_delay_steps( get_delay_steps() );
  e.set_rport( get_rport() );
  e();

  Kplus_ = Kplus_ * std::exp( ( t_last_update_ - t_spike ) / cp.tau_plus_ ) + 1.0;
  t_last_update_ = t_spike;
  t_lastspike_ = t_spike;
  return true;
}

template < typename targetidentifierT >
inline void
bg_stdp_dopamine_burst_dip_synapse< targetidentifierT >::trigger_update_weight( size_t t,
  const std::vector< nest::spikecounter >& dopa_spikes,
  const double t_trig,
  const CommonPropertiesType& cp )
{
  // All state to t_trig (the postsynaptic trace K_minus lives in the target).
  const double dendritic_delay = get_delay();
  std::deque< nest::histentry >::iterator start;
  std::deque< nest::histentry >::iterator finish;
  get_target( t )->get_history( t_last_update_ - dendritic_delay, t_trig - dendritic_delay, &start, &finish );

  double t0 = t_last_update_;
  for ( ; start != finish; ++start )
  {
    advance_to_( dopa_spikes, t0, start->t_ + dendritic_delay, t, cp );
    t0 = start->t_ + dendritic_delay;
    facilitate_( Kplus_ * std::exp( ( t_last_update_ - t0 ) / cp.tau_plus_ ), cp );
  }

  advance_to_( dopa_spikes, t0, t_trig, t, cp );
  n_ = n_ * std::exp( ( dopa_spikes[ dopa_spikes_idx_ ].spike_time_ - t_trig ) / cp.tau_n_ );
  Kplus_ = Kplus_ * std::exp( ( t_last_update_ - t_trig ) / cp.tau_plus_ );

  t_last_update_ = t_trig;
  // The volume transmitter now starts its list with a pseudo spike at t_trig.
  dopa_spikes_idx_ = 0;
}

} // namespace bgmodel

#endif
