/*
 * The NEST extension module of bgmodel: registers bg_iaf_psc_alpha_2port.
 *
 * NEST's ModuleManager opens the library and looks up the unmangled symbol "module",
 * which must be an object deriving from NESTExtensionInterface.
 */
#include "nest_extension_interface.h"

#include "bg_iaf_psc_alpha_2port.h"

namespace bgmodel
{
class BgmodelModule : public nest::NESTExtensionInterface
{
public:
  void
  initialize() override
  {
    nest::register_node_model< bg_iaf_psc_alpha_2port >( "bg_iaf_psc_alpha_2port" );
  }
};
}

bgmodel::BgmodelModule module;
