/*
 * Bulk reading and writing of one synapse model's connections, for Python through
 * ctypes (bgmodel/simulator/synapse_bulk.py).
 *
 * Why: PyNEST returns every connection's status as a Python dictionary, about 5 us per
 * synapse, so a checkpoint of the 7.2 million plastic synapses of the full-scale model
 * took minutes. These functions copy sources, targets and weights straight into
 * caller-owned arrays, one OpenMP thread per NEST thread.
 *
 * Order ("bulk order"): the model's connections thread by thread (NEST's thread index),
 * each thread's in NEST's own order (local connection id). The same network, built with
 * the same seed and thread count and simulated once (NEST sorts its connections by
 * source before the first simulation), lists them in the same order.
 *
 * NEST keeps its table of connectors (ConnectionManager::connections_) private and
 * offers no public way to count a thread's connections of one model. The explicit
 * instantiation below names that member (access checks do not apply to the template
 * arguments of an explicit instantiation), so the compiler checks its type against the
 * installed NEST headers. Everything else goes through public NEST calls: the
 * connector's get_synapse_status / set_synapse_status and the source table.
 *
 * Every function returns a negative number on failure and leaves a message for
 * bg_synapse_last_error().
 */
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "connection_manager.h"
#include "connector_base.h"
#include "dictionary.h"
#include "kernel_manager.h"
#include "model_manager.h"
#include "nest_names.h"

namespace
{
using ConnectorTable = std::vector< std::vector< nest::ConnectorBase* > >;
using ConnectorTableMember = ConnectorTable nest::ConnectionManager::*;

struct connector_table_tag
{
};

// Defined by the friend in `expose` below, instantiated for connections_.
ConnectorTableMember member_of( connector_table_tag );

template < ConnectorTableMember Member >
struct expose
{
  friend ConnectorTableMember
  member_of( connector_table_tag )
  {
    return Member;
  }
};

template struct expose< &nest::ConnectionManager::connections_ >;

thread_local std::string last_error;

ConnectorTable&
connector_table()
{
  return nest::kernel().connection_manager.*member_of( connector_table_tag() );
}

// The synapse model's id, or fail with a message naming it.
nest::synindex
synapse_id( const char* model )
{
  const std::string name( model );
  for ( size_t id = 0; id < nest::kernel().model_manager.get_num_connection_models(); ++id )
  {
    if ( nest::kernel().model_manager.get_connection_model( id, 0 ).get_name() == name )
    {
      return static_cast< nest::synindex >( id );
    }
  }
  throw std::runtime_error( "no synapse model named '" + name + "'" );
}

nest::ConnectorBase*
connector( ConnectorTable& table, size_t tid, nest::synindex syn_id )
{
  if ( tid >= table.size() or syn_id >= table[ tid ].size() )
  {
    return nullptr;
  }
  return table[ tid ][ syn_id ];
}

// Offsets of each thread's block in bulk order (size threads + 1).
std::vector< long >
thread_offsets( nest::synindex syn_id )
{
  ConnectorTable& table = connector_table();
  const size_t threads = nest::kernel().vp_manager.get_num_threads();
  std::vector< long > offsets( threads + 1, 0 );
  for ( size_t tid = 0; tid < threads; ++tid )
  {
    nest::ConnectorBase* c = connector( table, tid, syn_id );
    offsets[ tid + 1 ] = offsets[ tid ] + ( c ? static_cast< long >( c->size() ) : 0 );
  }
  return offsets;
}

// Run `per_thread(tid, connector, first)` for every NEST thread, in parallel as NEST's
// own threads would; exceptions become the return value -1.
template < typename Body >
long
for_each_thread( nest::synindex syn_id, const std::vector< long >& offsets, Body per_thread )
{
  ConnectorTable& table = connector_table();
  const size_t threads = offsets.size() - 1;
  std::vector< std::string > errors( threads );
#pragma omp parallel for num_threads( threads ) schedule( static, 1 )
  for ( size_t tid = 0; tid < threads; ++tid )
  {
    try
    {
      nest::ConnectorBase* c = connector( table, tid, syn_id );
      if ( c )
      {
        per_thread( tid, c, offsets[ tid ] );
      }
    }
    catch ( std::exception& err )
    {
      errors[ tid ] = err.what();
    }
  }
  for ( const std::string& e : errors )
  {
    if ( not e.empty() )
    {
      last_error = e;
      return -1;
    }
  }
  return offsets.back();
}

template < typename Body >
long
guarded( Body body )
{
  try
  {
    return body();
  }
  catch ( std::exception& err )
  {
    last_error = err.what();
    return -1;
  }
}

// The weight of one connection, through the connector's status (`status` is reused
// by the caller: its keys stay, only the values change).
double
weight_of( const nest::ConnectorBase& c, size_t tid, size_t lcid, Dictionary& status )
{
  c.get_synapse_status( tid, lcid, status );
  return status.get< double >( nest::names::weight );
}

// The model's id and its threads' offsets, or fail when the caller's arrays hold
// another number of connections than this process has.
std::pair< nest::synindex, std::vector< long > >
sized_model( const char* model, long n )
{
  const nest::synindex syn_id = synapse_id( model );
  std::vector< long > offsets = thread_offsets( syn_id );
  if ( offsets.back() != n )
  {
    throw std::runtime_error( std::string( "synapse model '" ) + model + "' has " + std::to_string( offsets.back() )
      + " connections on this process, the arrays hold " + std::to_string( n ) );
  }
  return { syn_id, std::move( offsets ) };
}
}

extern "C"
{
  const char*
  bg_synapse_last_error()
  {
    return last_error.c_str();
  }

  // Connections of `model` on this process, or -1.
  long
  bg_synapse_count( const char* model )
  {
    return guarded( [ & ]() { return thread_offsets( synapse_id( model ) ).back(); } );
  }

  // Fill source and target node ids and weights (any may be null) of the `n`
  // connections of `model` on this process, in bulk order; n written, or -1.
  long
  bg_synapse_read( const char* model, long n, long* source, long* target, double* weight )
  {
    return guarded(
      [ & ]()
      {
        const auto [ syn_id, offsets ] = sized_model( model, n );
        nest::ConnectionManager& cm = nest::kernel().connection_manager;
        return for_each_thread( syn_id,
          offsets,
          [ & ]( size_t tid, nest::ConnectorBase* c, long first )
          {
            // One dictionary per thread, reused: its keys stay, only values change.
            Dictionary status;
            const size_t size = c->size();
            for ( size_t lcid = 0; lcid < size; ++lcid )
            {
              const long i = first + static_cast< long >( lcid );
              if ( source )
              {
                source[ i ] = static_cast< long >( cm.get_source_node_id( tid, syn_id, lcid ) );
              }
              if ( target )
              {
                target[ i ] = static_cast< long >( c->get_target_node_id( tid, lcid ) );
              }
              if ( weight )
              {
                weight[ i ] = weight_of( *c, tid, lcid, status );
              }
            }
          } );
      } );
  }

  // Fill weight[k] with the weight of the connection at bulk position positions[k] of
  // `model` on this process (positions ascending); n read, or -1.
  long
  bg_synapse_read_weights_at( const char* model, long n, const long* positions, double* weight )
  {
    return guarded(
      [ & ]()
      {
        const nest::synindex syn_id = synapse_id( model );
        const std::vector< long > offsets = thread_offsets( syn_id );
        ConnectorTable& table = connector_table();
        Dictionary status;
        size_t tid = 0;
        for ( long k = 0; k < n; ++k )
        {
          const long p = positions[ k ];
          if ( p < 0 or p >= offsets.back() or ( k > 0 and p <= positions[ k - 1 ] ) )
          {
            throw std::runtime_error( "position " + std::to_string( p ) + " at index " + std::to_string( k )
              + ": positions must ascend within 0.." + std::to_string( offsets.back() - 1 ) );
          }
          while ( p >= offsets[ tid + 1 ] )
          {
            ++tid;
          }
          weight[ k ] = weight_of( *connector( table, tid, syn_id ), tid, static_cast< size_t >( p - offsets[ tid ] ), status );
        }
        return n;
      } );
  }

  // Set the weights of the `n` connections of `model` on this process, in bulk order;
  // n written, or -1.
  long
  bg_synapse_write_weights( const char* model, long n, const double* weight )
  {
    return guarded(
      [ & ]()
      {
        const auto [ syn_id, offsets ] = sized_model( model, n );
        return for_each_thread( syn_id,
          offsets,
          [ & ]( size_t tid, nest::ConnectorBase* c, long first )
          {
            nest::ConnectorModel& model_of_thread = nest::kernel().model_manager.get_connection_model( syn_id, tid );
            Dictionary update;
            const size_t size = c->size();
            for ( size_t lcid = 0; lcid < size; ++lcid )
            {
              update[ nest::names::weight ] = weight[ first + static_cast< long >( lcid ) ];
              c->set_synapse_status( lcid, update, model_of_thread );
            }
          } );
      } );
  }
}
