/* Stand-in for libltdl's ltdl.h, used only when the system has none (a fresh machine
 * without libltdl-dev).
 *
 * NEST's module_manager.h includes <ltdl.h> for a single name: the type of the handle
 * it keeps per loaded module (a member of a struct that bgmodel's module never touches).
 * libltdl declares that handle as an opaque pointer; the same declaration here gives the
 * same layout, so a module compiled against this file is ABI-identical to one compiled
 * against the real header. bgmodel's module calls no libltdl function.
 */
#ifndef BGMODEL_COMPAT_LTDL_H
#define BGMODEL_COMPAT_LTDL_H

typedef struct lt__handle* lt_dlhandle;

#endif
