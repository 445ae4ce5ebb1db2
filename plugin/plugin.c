/*
 * The four symbols Wireshark looks for in an epan plugin (doc/README.plugins). Out of tree
 * there is no generated plugin.c, so this file is it. The plugin is built for one
 * Wireshark major.minor (see plugin/CMakeLists.txt) and refuses to load into another.
 */
#include <wireshark.h>

#include <epan/proto.h>

#include "packet-mptcpv.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = MPTCPV_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_mptcpv;
    plug.register_handoff = proto_reg_handoff_mptcpv;
    proto_register_plugin(&plug);
}
