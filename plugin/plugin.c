/*
 * The symbols Wireshark looks for in an epan plugin (doc/README.plugins; plugin_describe
 * since 4.4). Out of tree there is no generated plugin.c, so this file is it. The plugin is
 * built for one Wireshark major.minor (see plugin/CMakeLists.txt) and refuses to load into
 * another.
 */
#include <wireshark.h>

#include <epan/proto.h>

#include "mptcpv_build_id.h"
#include "packet-mptcpv.h"
#if MPTCPV_WS_HAS_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>
#endif

/* "0.1.0+<build id>": the validator checks that tshark loaded the build it belongs to. */
WS_DLL_PUBLIC_DEF const gchar plugin_version[] = MPTCPV_VERSION "+" MPTCPV_BUILD_ID;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#if MPTCPV_WS_HAS_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_mptcpv;
    plug.register_handoff = proto_reg_handoff_mptcpv;
    proto_register_plugin(&plug);
}
