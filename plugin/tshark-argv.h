/*
 * Which fields a "tshark -T fields" run prints, read from its command line. tshark 4.0 builds
 * a visible tree for -T fields and does not tell dissectors which -e fields it prints
 * (ws-compat.h, MPTCPV_WS_PRIMES_PRINTED_FIELDS), so without this list every mptcpv item has
 * to be in every tree for the few that get printed. GLib only (unit-tested on its own).
 */
#ifndef MPTCPV_TSHARK_ARGV_H
#define MPTCPV_TSHARK_ARGV_H

#include <glib.h>

/*
 * TRUE when |argv| is a tshark run whose only output per frame is -T fields, and every
 * argument was understood by tshark 4.0's option rules; |fields| then gets each -e name
 * (pointers into |argv|). FALSE for anything else: another program, -G, an option or long
 * option not known here (also an abbreviated one), a positional argument, -X (a Lua script
 * may read any item of the tree), another -T. The caller then builds the full tree: a
 * FALSE costs time, never output.
 */
gboolean mptcpv_tshark_printed_fields(int argc, char *const *argv, GPtrArray *fields);

/*
 * The same for this process, read from /proc/self/cmdline (at most |limit| bytes; FALSE if
 * the command line is longer, or unreadable as on systems without /proc). |fields| gets
 * copies, freed with the array (g_ptr_array_new_with_free_func(g_free)).
 */
gboolean mptcpv_tshark_printed_fields_of_process(GPtrArray *fields, gsize limit);

#endif /* MPTCPV_TSHARK_ARGV_H */
