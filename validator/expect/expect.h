/*
 * --expect: compare a file's result with an expected list; --write-expected: write one.
 *
 * Expected-list format (see mptcpv-validate.1, EXPECTED RESULTS), one statement per line:
 *
 *   <frame> <rule-id>                                      a finding
 *   connection <n> version <v|?> client <ep> server <ep> subflows <k> checksum <on|off|?>
 *       client_key <0x..|-> server_key <0x..|-> client_token <0x..|-> server_token <0x..|->
 *       fallback <"reason"|->                              facts of connection n (one line)
 *   subflow <n>.<k> <initial|join> client <ep> server <ep> backup <0|1>
 *       address_ids <c|?>/<s|?>                            facts of subflow k of connection n
 *
 * <ep> is a.b.c.d:port, [v6]:port or ?. After the leading words, the key/value pairs of a
 * fact line may come in any order; every key is required, once. '#' outside a quoted string
 * starts a comment; blank lines are ignored; lines whose first word is neither a number nor
 * "connection"/"subflow" are reserved for later statements and ignored. Findings are always
 * compared; connections and subflows only when the list has at least one fact line, and then
 * all of them (a list of findings alone still works as it always did).
 */
#ifndef MPTCPV_VALIDATE_EXPECT_H
#define MPTCPV_VALIDATE_EXPECT_H

#include <glib.h>

#include "result/result.h"

typedef struct expect_list expect_list;

/* NULL and |error| set when the file cannot be read or a line is malformed. */
expect_list *expect_load(const char *path, char **error);
/* The same from text in memory; |name| is used in messages. */
expect_list *expect_parse(const char *name, const char *text, char **error);
void expect_free(expect_list *l);
/* Whether the list has connection or subflow lines (and so facts are compared). */
gboolean expect_has_facts(const expect_list *l);

/* What expect_compare found different; 0: equal. */
enum {
    EXPECT_FINDINGS_DIFFER = 1 << 0,
    EXPECT_FACTS_DIFFER = 1 << 1,
};

/* Compare; appends "+ <frame> <rule>" (found, not expected) and "- <frame> <rule>" (expected,
 * not found) lines to |diff|, sorted by frame then rule, then, if the list has fact lines, the
 * same for "connection ..." and "subflow ..." lines, sorted by connection then subflow, "-"
 * before "+". Expected findings of rules in |ignored| are dropped first (facts are not
 * affected). Returns a EXPECT_*_DIFFER mask, 0 iff equal. */
guint expect_compare(const expect_list *expected, const result_file *f, const gboolean *ignored,
                     GString *diff);

/* The fact lines of |f| (connection, then its subflows, by id), each with a '\n'. */
void expect_facts_text(const result_file *f, GString *out);

/* The expected list |f| would match exactly: its findings and facts. With |old| (the
 * current list, or NULL) its layout is kept: the comment lines at the top, each statement
 * that stays the same verbatim (trailing comment included) with the comment lines above it;
 * comments of statements that go are kept at the end. Without |old| a one-line comment
 * naming |capture| starts the list. */
char *expect_render(const expect_list *old, const result_file *f, const char *capture);

/* "<capture>.expected": the sidecar of |capture| (--expect auto, --write-expected). */
char *expect_sidecar_path(const char *capture);

/* ---- the drivers (drive.c); entries[i] (corpus_entry*) is rep->files[i]'s input ---- */

/* --expect FILE|auto: a PASS/FAIL/ERROR line per capture (and its diff), then a tally, into
 * |out|. TRUE iff every capture matched; |input_error| set if a list could not be read. */
gboolean expect_run(const result_report *rep, GPtrArray *entries, const char *expect,
                    const gboolean *ignored, GString *out, gboolean *input_error);
/* --write-expected: each capture's sidecar from |rep|, a CREATED/UPDATED/UNCHANGED/ERROR
 * line each (and what changed), then a tally; |input_error| set if one was not written. */
void expect_write(const result_report *rep, GPtrArray *entries, GString *out,
                  gboolean *input_error);

#endif /* MPTCPV_VALIDATE_EXPECT_H */
