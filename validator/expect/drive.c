/*
 * The --expect and --write-expected drivers: every capture of a run against its expected
 * list, or its sidecar rewritten from the run (see expect.h).
 */
#include <string.h>

#include "expect/expect.h"
#include "run/corpus.h"

static const char *differ_text(guint what)
{
    return what == EXPECT_FINDINGS_DIFFER ? "findings"
           : what == EXPECT_FACTS_DIFFER  ? "connection facts"
                                          : "findings and connection facts";
}

/* ---- --expect --------------------------------------------------------------------------- */

typedef struct expect_tally {
    guint pass, fail, bad;
} expect_tally;

/* The list |f| is compared with: --expect FILE, or its sidecar. NULL: a FAIL was said. */
static char *expected_path(const result_file *f, const corpus_entry *e, const char *expect,
                           GString *out)
{
    if (strcmp(expect, "auto") != 0)
        return g_strdup(expect);
    if (e->is_stdin) {
        g_string_append_printf(out,
                               "FAIL %s: no expected list (stdin has no sidecar; use "
                               "--expect FILE)\n",
                               f->path);
        return NULL;
    }
    char *list_path = expect_sidecar_path(e->path);
    if (!g_file_test(list_path, G_FILE_TEST_EXISTS)) {
        char *shown = g_filename_display_name(list_path);
        g_string_append_printf(out, "FAIL %s: no expected list (%s does not exist)\n", f->path,
                               shown);
        g_free(shown);
        g_free(list_path);
        return NULL;
    }
    return list_path;
}

static void expect_one(const result_file *f, const corpus_entry *e, const char *expect,
                       const gboolean *ignored, GString *out, expect_tally *n)
{
    if (f->error != NULL) {
        g_string_append_printf(out, "ERROR %s: %s\n", f->path, f->error);
        n->bad++;
        return;
    }
    char *list_path = expected_path(f, e, expect, out);
    if (list_path == NULL) {
        n->fail++;
        return;
    }
    char *error = NULL;
    expect_list *l = expect_load(list_path, &error);
    g_free(list_path);
    if (l == NULL) {
        g_string_append_printf(out, "ERROR %s: expected list: %s\n", f->path, error);
        g_free(error);
        n->bad++;
        return;
    }
    GString *diff = g_string_new(NULL);
    guint what = expect_compare(l, f, ignored, diff);
    if (what == 0 && expect_has_facts(l)) {
        g_string_append_printf(out, "PASS %s (%u %s, %u %s)\n", f->path, f->findings->len,
                               f->findings->len == 1 ? "finding" : "findings", f->connections->len,
                               f->connections->len == 1 ? "connection" : "connections");
        n->pass++;
    } else if (what == 0) {
        g_string_append_printf(out, "PASS %s (%u %s)\n", f->path, f->findings->len,
                               f->findings->len == 1 ? "finding" : "findings");
        n->pass++;
    } else {
        g_string_append_printf(
            out, "FAIL %s: %s differ (+ found, not expected; - expected, not found)\n%s", f->path,
            differ_text(what), diff->str);
        n->fail++;
    }
    g_string_free(diff, TRUE);
    expect_free(l);
}

gboolean expect_run(const result_report *rep, GPtrArray *entries, const char *expect,
                    const gboolean *ignored, GString *out, gboolean *input_error)
{
    expect_tally n = {0, 0, 0};
    for (guint i = 0; i < rep->files->len; i++)
        expect_one(g_ptr_array_index(rep->files, i), g_ptr_array_index(entries, i), expect, ignored,
                   out, &n);
    g_string_append_printf(out, "expect: %u passed, %u failed, %u unreadable\n", n.pass, n.fail,
                           n.bad);
    *input_error = n.bad > 0;
    return n.fail == 0;
}

/* ---- --write-expected ------------------------------------------------------------------ */

typedef struct write_tally {
    guint created, updated, unchanged, bad;
} write_tally;

/* The sidecar |sidecar| as it is: FALSE and |problem| set if it cannot be read or parsed. */
static gboolean read_sidecar(const char *sidecar, const char *shown, gboolean exists, char **text,
                             expect_list **old, char **problem)
{
    GError *gerr = NULL;
    if (exists && !g_file_get_contents(sidecar, text, NULL, &gerr)) {
        *problem = g_strdup(gerr->message);
        g_clear_error(&gerr);
    } else if (exists && (*old = expect_parse(shown, *text, problem)) == NULL) {
        char *p = g_strdup_printf("%s; fix or remove it first", *problem);
        g_free(*problem);
        *problem = p;
    }
    return *problem == NULL;
}

/* Write |fresh| over the sidecar and say what changed against |old|. */
static void write_sidecar(const result_file *f, const char *sidecar, const char *shown,
                          const char *text, const expect_list *old, const char *fresh, GString *out,
                          write_tally *n)
{
    gboolean exists = text != NULL;
    GError *gerr = NULL;
    if (exists && strcmp(fresh, text) == 0) {
        g_string_append_printf(out, "UNCHANGED %s\n", shown);
        n->unchanged++;
        return;
    }
    if (!g_file_set_contents(sidecar, fresh, -1, &gerr)) {
        g_string_append_printf(out, "ERROR %s: %s\n", shown, gerr->message);
        g_clear_error(&gerr);
        n->bad++;
        return;
    }
    g_string_append_printf(out, "%s %s (%u %s, %u %s)\n", exists ? "UPDATED" : "CREATED", shown,
                           f->findings->len, f->findings->len == 1 ? "finding" : "findings",
                           f->connections->len,
                           f->connections->len == 1 ? "connection" : "connections");
    exists ? n->updated++ : n->created++;
    /* What the old list said differently; a changed finding deserves a look. */
    GString *diff = g_string_new(NULL);
    guint what = exists ? expect_compare(old, f, NULL, diff) : 0;
    if (what != 0)
        g_string_append_printf(out, "  %s changed (+ now, - before):\n%s", differ_text(what),
                               diff->str);
    else if (exists && !expect_has_facts(old))
        g_string_append(out, "  findings unchanged; connection facts added\n");
    g_string_free(diff, TRUE);
}

static void write_one(const result_file *f, const corpus_entry *e, GString *out, write_tally *n)
{
    if (f->error != NULL) {
        g_string_append_printf(out, "ERROR %s: %s (sidecar left alone)\n", f->path, f->error);
        n->bad++;
        return;
    }
    if (e->is_stdin) {
        g_string_append_printf(out, "ERROR %s: stdin has no sidecar\n", f->path);
        n->bad++;
        return;
    }
    char *sidecar = expect_sidecar_path(e->path);
    char *shown = expect_sidecar_path(f->path);
    char *text = NULL, *problem = NULL;
    expect_list *old = NULL;
    gboolean exists = g_file_test(sidecar, G_FILE_TEST_EXISTS);
    if (!read_sidecar(sidecar, shown, exists, &text, &old, &problem)) {
        g_string_append_printf(out, "ERROR %s: %s\n", shown, problem);
        n->bad++;
    } else {
        char *base = g_path_get_basename(f->path);
        char *fresh = expect_render(old, f, base);
        g_free(base);
        write_sidecar(f, sidecar, shown, text, old, fresh, out, n);
        g_free(fresh);
    }
    expect_free(old);
    g_free(text);
    g_free(problem);
    g_free(sidecar);
    g_free(shown);
}

void expect_write(const result_report *rep, GPtrArray *entries, GString *out, gboolean *input_error)
{
    write_tally n = {0, 0, 0, 0};
    for (guint i = 0; i < rep->files->len; i++)
        write_one(g_ptr_array_index(rep->files, i), g_ptr_array_index(entries, i), out, &n);
    g_string_append_printf(out,
                           "write-expected: %u created, %u updated, %u unchanged, %u "
                           "not written\n",
                           n.created, n.updated, n.unchanged, n.bad);
    *input_error = n.bad > 0;
}
