/*
 * The differences between the Wireshark releases the plugin builds against (4.0, 4.2, 4.4,
 * 4.6), in one place. The plugin is written against the newest API; this header maps it to
 * the older releases. Nothing else in plugin/ tests WIRESHARK_VERSION_*.
 */
#ifndef MPTCPV_WS_COMPAT_H
#define MPTCPV_WS_COMPAT_H

#include <wireshark.h>

#include <epan/proto.h>

#define MPTCPV_WS_AT_LEAST(major, minor)                                                           \
    (WIRESHARK_VERSION_MAJOR > (major) ||                                                          \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#if !MPTCPV_WS_AT_LEAST(4, 0)
#error "mptcpv needs Wireshark 4.0 or later"
#endif

/* 4.4 renamed the GLib-typed tvb accessors (tvb_get_guint8 is deprecated there). */
#if !MPTCPV_WS_AT_LEAST(4, 4)
#define tvb_get_uint8 tvb_get_guint8
#endif

/* field_info holds its value by pointer since 4.2. */
#if MPTCPV_WS_AT_LEAST(4, 2)
#define MPTCPV_FINFO_VALUE(fi) ((fi)->value)
#else
#define MPTCPV_FINFO_VALUE(fi) (&(fi)->value)
#endif

/* register_follow_stream takes a stream counter and a sub-stream finder since 4.2; mptcpv
 * has neither (connections are numbered as tracked, without sub-streams). */
#if MPTCPV_WS_AT_LEAST(4, 2)
#define mptcpv_register_follow_stream(proto, tap, conv, index, address, port, packet)              \
    register_follow_stream(proto, tap, conv, index, address, port, packet, NULL, NULL)
#else
#define mptcpv_register_follow_stream(proto, tap, conv, index, address, port, packet)              \
    register_follow_stream(proto, tap, conv, index, address, port, packet)
#endif

/* Boolean preferences are C bool since 4.4 (gboolean before). */
#if MPTCPV_WS_AT_LEAST(4, 4)
typedef bool mptcpv_pref_bool;
#else
typedef gboolean mptcpv_pref_bool;
#endif

/* tshark -T fields primes the fields it prints (-e) before each dissection in 4.4 and 4.6
 * (HF_REF_TYPE_PRINT); 4.0 does not: it reads them from a visible tree, so an item left out
 * of one is missing from its output. 4.2 is not verified: treated as 4.0. */
#define MPTCPV_WS_PRIMES_PRINTED_FIELDS MPTCPV_WS_AT_LEAST(4, 4)

/* 4.4 asks plugins what they provide (plugin_describe, shown by tshark -G plugins). */
#define MPTCPV_WS_HAS_PLUGIN_DESCRIBE MPTCPV_WS_AT_LEAST(4, 4)

#endif /* MPTCPV_WS_COMPAT_H */
