/*
 * --expect: compare a file's findings with an expected list.
 *
 * Expected-list format, one finding per line:  <frame> <rule-id>
 * '#' starts a comment; blank lines are ignored; lines whose first token is not a number are
 * reserved for later statements (e.g. "connection ...") and ignored for now.
 */
#ifndef MPTCPV_VALIDATE_EXPECT_H
#define MPTCPV_VALIDATE_EXPECT_H

#include <glib.h>

#include "result.h"

typedef struct ve_list ve_list;

/* NULL and |error| set when the file cannot be read or a line is malformed. */
ve_list *ve_load(const char *path, char **error);
void ve_free(ve_list *l);

/* Compare; appends "+ <frame> <rule>" (found, not expected) and "- <frame> <rule>" (expected,
 * not found) lines to |diff|, sorted by frame then rule. Expected entries for rules in
 * |ignored| are dropped first. TRUE iff equal. */
gboolean ve_compare(const ve_list *expected, const vr_file *f, const gboolean *ignored,
                    GString *diff);

#endif /* MPTCPV_VALIDATE_EXPECT_H */
