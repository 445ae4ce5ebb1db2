/* --expect comparison. See expect.h. */
#include "expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ve_item {
    guint32 frame;
    char *rule;
} ve_item;

struct ve_list {
    GArray *items; /* ve_item */
};

static void item_clear(gpointer p)
{
    g_free(((ve_item *)p)->rule);
}

void ve_free(ve_list *l)
{
    if (l == NULL)
        return;
    g_array_free(l->items, TRUE);
    g_free(l);
}

ve_list *ve_load(const char *path, char **error)
{
    char *text = NULL;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        *error = g_strdup(gerr->message);
        g_error_free(gerr);
        return NULL;
    }
    ve_list *l = g_new0(ve_list, 1);
    l->items = g_array_new(FALSE, TRUE, sizeof(ve_item));
    g_array_set_clear_func(l->items, item_clear);
    gchar **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    guint lineno = 0;
    for (gchar **ln = lines; *ln != NULL; ln++) {
        lineno++;
        char *hash = strchr(*ln, '#');
        if (hash != NULL)
            *hash = '\0';
        gchar **tok = g_strsplit_set(g_strstrip(*ln), " \t", -1);
        /* g_strsplit_set yields empty tokens for runs of blanks: compact them */
        guint n = 0;
        for (guint i = 0; tok[i] != NULL; i++)
            if (tok[i][0] != '\0')
                tok[n++] = tok[i];
            else
                g_free(tok[i]);
        tok[n] = NULL;
        if (n == 0 || !g_ascii_isdigit(tok[0][0])) {
            g_strfreev(tok); /* blank, comment, or a reserved statement */
            continue;
        }
        guint64 frame;
        if (!g_ascii_string_to_unsigned(tok[0], 10, 1, G_MAXUINT32, &frame, NULL) || n < 2) {
            *error = g_strdup_printf("%s:%u: expected \"<frame> <rule-id>\"", path, lineno);
            g_strfreev(tok);
            g_strfreev(lines);
            ve_free(l);
            return NULL;
        }
        if (mptcpv_rule_find(tok[1]) == NULL)
            fprintf(stderr, "mptcpv-validate: %s:%u: warning: unknown rule id \"%s\"\n", path, lineno,
                       tok[1]);
        ve_item it = {(guint32)frame, g_strdup(tok[1])};
        g_array_append_val(l->items, it);
        g_strfreev(tok);
    }
    g_strfreev(lines);
    return l;
}

static gint cmp_item(gconstpointer a, gconstpointer b)
{
    const ve_item *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

gboolean ve_compare(const ve_list *expected, const vr_file *f, const gboolean *ignored,
                    GString *diff)
{
    GArray *want = g_array_new(FALSE, FALSE, sizeof(ve_item));
    GArray *got = g_array_new(FALSE, FALSE, sizeof(ve_item));
    for (guint i = 0; expected != NULL && i < expected->items->len; i++) {
        ve_item it = g_array_index(expected->items, ve_item, i);
        const mptcpv_rule *r = mptcpv_rule_find(it.rule);
        if (r != NULL && ignored != NULL && ignored[r->rule])
            continue;
        g_array_append_val(want, it);
    }
    for (guint i = 0; i < f->findings->len; i++) {
        const vr_finding *fd = &g_array_index(f->findings, vr_finding, i);
        ve_item it = {fd->frame, fd->rule};
        g_array_append_val(got, it);
    }
    g_array_sort(want, cmp_item);
    g_array_sort(got, cmp_item);
    guint i = 0, k = 0;
    gboolean same = TRUE;
    while (i < want->len || k < got->len) {
        const ve_item *w = i < want->len ? &g_array_index(want, ve_item, i) : NULL;
        const ve_item *g = k < got->len ? &g_array_index(got, ve_item, k) : NULL;
        int c = w == NULL ? 1 : g == NULL ? -1 : cmp_item(w, g);
        if (c == 0) {
            i++;
            k++;
            continue;
        }
        same = FALSE;
        if (c < 0) {
            g_string_append_printf(diff, "- %u %s\n", w->frame, w->rule);
            i++;
        } else {
            g_string_append_printf(diff, "+ %u %s\n", g->frame, g->rule);
            k++;
        }
    }
    g_array_free(want, TRUE);
    g_array_free(got, TRUE);
    return same;
}
