/* --expect comparison and --write-expected rendering. See expect.h. */
#include "expect/expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

typedef enum line_kind {
    L_OTHER, /* blank, comment, or a reserved statement */
    L_FINDING,
    L_CONNECTION,
    L_SUBFLOW,
} line_kind;

typedef struct expect_line {
    line_kind kind;
    char *raw;     /* as in the file, without the line end */
    char *canon;   /* statements: the canonical text ("<frame> <rule>" for findings) */
    guint32 frame; /* findings */
    char *rule;
    guint conn, sub; /* facts: connection id; subflow id + 1 (0: the connection line) */
} expect_line;

struct expect_list {
    GPtrArray *lines; /* expect_line*, file order */
    gboolean facts;
};

static void line_free(gpointer p)
{
    expect_line *l = p;
    g_free(l->raw);
    g_free(l->canon);
    g_free(l->rule);
    g_free(l);
}

void expect_free(expect_list *l)
{
    if (l == NULL)
        return;
    g_ptr_array_free(l->lines, TRUE);
    g_free(l);
}

gboolean expect_has_facts(const expect_list *l)
{
    return l != NULL && l->facts;
}

/* ---- canonical values ------------------------------------------------------------------- */

/* A quoted string: '"', the text with '"', '\' and control bytes escaped, '"'. */
static void append_quoted(GString *s, const char *text)
{
    g_string_append_c(s, '"');
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(s, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf(s, "\\x%02x", *p);
        else
            g_string_append_c(s, (char)*p);
    }
    g_string_append_c(s, '"');
}

static char *endpoint_canon(const char *address, guint port)
{
    if (address == NULL || address[0] == '\0')
        return g_strdup("?");
    GInetAddress *a = g_inet_address_new_from_string(address);
    char *text = a != NULL ? g_inet_address_to_string(a) : g_strdup(address);
    if (a != NULL)
        g_object_unref(a);
    char *r = strchr(text, ':') != NULL ? g_strdup_printf("[%s]:%u", text, port)
                                        : g_strdup_printf("%s:%u", text, port);
    g_free(text);
    return r;
}

static const char *hex_or_dash(const char *v)
{
    return v != NULL ? v : "-";
}

static char *connection_canon(const result_connection *c)
{
    const result_subflow *first = c->subflows->len > 0 ? g_ptr_array_index(c->subflows, 0) : NULL;
    if (first != NULL && !first->roles_known)
        first = NULL; /* '?' rather than a guess */
    char *client =
        endpoint_canon(first ? first->client.address : NULL, first ? first->client.port : 0);
    char *server =
        endpoint_canon(first ? first->server.address : NULL, first ? first->server.port : 0);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "connection %u version ", c->id);
    if (c->version < 0)
        g_string_append_c(s, '?');
    else
        g_string_append_printf(s, "%d", c->version);
    g_string_append_printf(s, " client %s server %s subflows %u checksum %s", client, server,
                           c->subflows->len,
                           c->checksum < 0 ? "?"
                           : c->checksum   ? "on"
                                           : "off");
    g_string_append_printf(s, " client_key %s server_key %s client_token %s server_token %s",
                           hex_or_dash(c->client_key), hex_or_dash(c->server_key),
                           hex_or_dash(c->client_token), hex_or_dash(c->server_token));
    g_string_append(s, " fallback ");
    if (c->fallback != NULL)
        append_quoted(s, c->fallback);
    else
        g_string_append_c(s, '-');
    g_free(client);
    g_free(server);
    return g_string_free(s, FALSE);
}

static void append_addr_id(GString *s, gint id)
{
    if (id < 0)
        g_string_append_c(s, '?');
    else
        g_string_append_printf(s, "%d", id);
}

static char *subflow_canon(const result_connection *c, const result_subflow *sf)
{
    /* What the capture does not show is '?', not a guess: the kind without the plugin's
     * linking or a handshake, the roles without the plugin or a SYN. */
    char *client =
        sf->roles_known ? endpoint_canon(sf->client.address, sf->client.port) : g_strdup("?");
    char *server =
        sf->roles_known ? endpoint_canon(sf->server.address, sf->server.port) : g_strdup("?");
    const char *kind = !sf->kind_known ? "?" : sf->initial ? "initial" : "join";
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "subflow %u.%u %s client %s server %s backup %d address_ids ", c->id,
                           sf->id, kind, client, server, sf->backup ? 1 : 0);
    append_addr_id(s, sf->client_addr_id);
    g_string_append_c(s, '/');
    append_addr_id(s, sf->server_addr_id);
    g_free(client);
    g_free(server);
    return g_string_free(s, FALSE);
}

/* ---- facts of a result ------------------------------------------------------------------ */

typedef struct fact {
    guint conn, sub; /* sub: subflow id + 1, 0 for the connection line */
    char *canon;     /* owned by whoever made the array */
    int sign;        /* diffs: -1 expected, not found; +1 found, not expected */
} fact;

static void fact_clear(gpointer p)
{
    g_free(((fact *)p)->canon);
}

static GArray *facts_of_result(const result_file *f)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(fact));
    g_array_set_clear_func(a, fact_clear);
    for (guint i = 0; i < f->connections->len; i++) {
        const result_connection *c = g_ptr_array_index(f->connections, i);
        fact x = {c->id, 0, connection_canon(c), 0};
        g_array_append_val(a, x);
        for (guint k = 0; k < c->subflows->len; k++) {
            const result_subflow *sf = g_ptr_array_index(c->subflows, k);
            fact y = {c->id, sf->id + 1, subflow_canon(c, sf), 0};
            g_array_append_val(a, y);
        }
    }
    return a;
}

void expect_facts_text(const result_file *f, GString *out)
{
    GArray *a = facts_of_result(f);
    for (guint i = 0; i < a->len; i++)
        g_string_append_printf(out, "%s\n", g_array_index(a, fact, i).canon);
    g_array_free(a, TRUE);
}

/* ---- parsing ---------------------------------------------------------------------------- */

typedef struct token {
    char *text;
    gboolean quoted;
} token;

static void token_clear(gpointer p)
{
    g_free(((token *)p)->text);
}

/* Words separated by blanks; "..." is one word (\" \\ \xHH inside); '#' outside quotes ends
 * the line. NULL and |why| on a broken quoted string. */
static GArray *tokenize(const char *line, char **why)
{
    GArray *t = g_array_new(FALSE, FALSE, sizeof(token));
    g_array_set_clear_func(t, token_clear);
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (*p == '\0' || *p == '#')
            break;
        token tk = {NULL, *p == '"'};
        GString *w = g_string_new(NULL);
        if (tk.quoted) {
            p++;
            while (*p != '"') {
                if (*p == '\0') {
                    *why = g_strdup("unterminated quoted string");
                    g_string_free(w, TRUE);
                    g_array_free(t, TRUE);
                    return NULL;
                }
                if (*p == '\\') {
                    p++;
                    if (*p == '"' || *p == '\\') {
                        g_string_append_c(w, *p++);
                    } else if (*p == 'x' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
                        g_string_append_c(w, (char)(g_ascii_xdigit_value(p[1]) * 16 +
                                                    g_ascii_xdigit_value(p[2])));
                        p += 3;
                    } else {
                        *why = g_strdup("bad escape in quoted string (\\\" \\\\ \\xHH)");
                        g_string_free(w, TRUE);
                        g_array_free(t, TRUE);
                        return NULL;
                    }
                } else {
                    g_string_append_c(w, *p++);
                }
            }
            p++;
            if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#') {
                *why = g_strdup("a quoted string must be followed by a blank");
                g_string_free(w, TRUE);
                g_array_free(t, TRUE);
                return NULL;
            }
        } else {
            while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
                g_string_append_c(w, *p++);
        }
        tk.text = g_string_free(w, FALSE);
        g_array_append_val(t, tk);
    }
    return t;
}

static gboolean parse_uint(const char *s, guint64 max, guint64 *out)
{
    return s[0] != '\0' && g_ascii_isdigit(s[0]) &&
           g_ascii_string_to_unsigned(s, 10, 0, max, out, NULL);
}

/* "?" or a number up to |max|. */
static char *canon_number_or_unknown(const char *v, guint64 max)
{
    guint64 n;
    if (strcmp(v, "?") == 0)
        return g_strdup("?");
    return parse_uint(v, max, &n) ? g_strdup_printf("%" G_GUINT64_FORMAT, n) : NULL;
}

static char *canon_endpoint(const char *v)
{
    if (strcmp(v, "?") == 0)
        return g_strdup("?");
    char *addr;
    const char *port;
    if (v[0] == '[') {
        const char *end = strstr(v, "]:");
        if (end == NULL)
            return NULL;
        addr = g_strndup(v + 1, (gsize)(end - v - 1));
        port = end + 2;
    } else {
        const char *colon = strrchr(v, ':');
        if (colon == NULL)
            return NULL;
        addr = g_strndup(v, (gsize)(colon - v));
        port = colon + 1;
        if (strchr(addr, ':') != NULL) { /* IPv6 without brackets */
            g_free(addr);
            return NULL;
        }
    }
    guint64 n;
    char *r = NULL;
    if (addr[0] != '\0' && parse_uint(port, 65535, &n))
        r = endpoint_canon(addr, (guint)n);
    g_free(addr);
    return r;
}

/* "-" or 0x and up to |digits| hex digits, written with exactly |digits|. */
static char *canon_hex(const char *v, int digits)
{
    if (strcmp(v, "-") == 0)
        return g_strdup("-");
    guint64 n;
    if ((v[0] != '0' || (v[1] != 'x' && v[1] != 'X')) || v[2] == '\0' ||
        strlen(v + 2) > (size_t)digits || !g_ascii_isxdigit(v[2]) ||
        !g_ascii_string_to_unsigned(v + 2, 16, 0, G_MAXUINT64, &n, NULL))
        return NULL;
    return g_strdup_printf("0x%0*" G_GINT64_MODIFIER "x", digits, n);
}

static char *canon_choice(const char *v, const char *const *choices)
{
    for (; *choices != NULL; choices++)
        if (strcmp(v, *choices) == 0)
            return g_strdup(v);
    return NULL;
}

static char *canon_address_ids(const char *v)
{
    gchar **parts = g_strsplit(v, "/", -1);
    char *r = NULL;
    if (g_strv_length(parts) == 2) {
        char *a = canon_number_or_unknown(parts[0], 255);
        char *b = canon_number_or_unknown(parts[1], 255);
        if (a != NULL && b != NULL)
            r = g_strdup_printf("%s/%s", a, b);
        g_free(a);
        g_free(b);
    }
    g_strfreev(parts);
    return r;
}

static char *canon_fallback(const token *t)
{
    GString *s = g_string_new(NULL);
    if (!t->quoted && strcmp(t->text, "-") == 0)
        g_string_append_c(s, '-');
    else
        append_quoted(s, t->text);
    return g_string_free(s, FALSE);
}

enum {
    K_VERSION,
    K_CLIENT,
    K_SERVER,
    K_SUBFLOWS,
    K_CHECKSUM,
    K_CLIENT_KEY,
    K_SERVER_KEY,
    K_CLIENT_TOKEN,
    K_SERVER_TOKEN,
    K_FALLBACK,
    K_BACKUP,
    K_ADDRESS_IDS,
    K_COUNT
};

static const char *const key_names[K_COUNT] = {
    "version",    "client",       "server",       "subflows", "checksum", "client_key",
    "server_key", "client_token", "server_token", "fallback", "backup",   "address_ids",
};

static const char *const key_values[K_COUNT] = {
    "0, 1, ... or ?",
    "a.b.c.d:port, [IPv6]:port or ?",
    "a.b.c.d:port, [IPv6]:port or ?",
    "a number",
    "on, off or ?",
    "0x and 16 hex digits, or -",
    "0x and 16 hex digits, or -",
    "0x and 8 hex digits, or -",
    "0x and 8 hex digits, or -",
    "\"reason\" or -",
    "0 or 1",
    "<client id>/<server id>, each a number or ?",
};

static const int connection_keys[] = {
    K_VERSION,    K_CLIENT,       K_SERVER,       K_SUBFLOWS, K_CHECKSUM, K_CLIENT_KEY,
    K_SERVER_KEY, K_CLIENT_TOKEN, K_SERVER_TOKEN, K_FALLBACK, -1};
static const int subflow_keys[] = {K_CLIENT, K_SERVER, K_BACKUP, K_ADDRESS_IDS, -1};

static char *canon_value(int key, const token *t)
{
    static const char *const checksum[] = {"on", "off", "?", NULL};
    static const char *const backup[] = {"0", "1", NULL};
    switch (key) {
    case K_VERSION:
        return canon_number_or_unknown(t->text, 255);
    case K_CLIENT:
    case K_SERVER:
        return canon_endpoint(t->text);
    case K_SUBFLOWS: {
        guint64 n;
        return parse_uint(t->text, G_MAXUINT32, &n) ? g_strdup_printf("%u", (guint)n) : NULL;
    }
    case K_CHECKSUM:
        return canon_choice(t->text, checksum);
    case K_CLIENT_KEY:
    case K_SERVER_KEY:
        return canon_hex(t->text, 16);
    case K_CLIENT_TOKEN:
    case K_SERVER_TOKEN:
        return canon_hex(t->text, 8);
    case K_FALLBACK:
        return canon_fallback(t);
    case K_BACKUP:
        return canon_choice(t->text, backup);
    case K_ADDRESS_IDS:
        return canon_address_ids(t->text);
    default:
        return NULL;
    }
}

/* The key/value pairs of tokens [first..]: every key of |keys| once, in any order; their
 * canonical text in |keys| order appended to |out|. FALSE and |why| otherwise. */
static gboolean parse_pairs(GArray *t, guint first, const int *keys, GString *out, char **why)
{
    char *vals[K_COUNT] = {NULL};
    gboolean ok = TRUE;
    for (guint i = first; ok && i < t->len; i += 2) {
        const token *k = &g_array_index(t, token, i);
        int key = -1;
        for (const int *p = keys; *p >= 0 && !k->quoted; p++)
            if (strcmp(k->text, key_names[*p]) == 0)
                key = *p;
        if (key < 0 || key >= K_COUNT) {
            GString *known = g_string_new(NULL);
            for (const int *p = keys; *p >= 0; p++)
                g_string_append_printf(known, "%s%s", p == keys ? "" : ", ", key_names[*p]);
            *why = g_strdup_printf("unknown key \"%s\" (keys: %s)", k->text, known->str);
            g_string_free(known, TRUE);
            ok = FALSE;
        } else if (vals[key] != NULL) {
            *why = g_strdup_printf("key \"%s\" given twice", k->text);
            ok = FALSE;
        } else if (i + 1 >= t->len) {
            *why = g_strdup_printf("key \"%s\" without a value", k->text);
            ok = FALSE;
        } else if ((vals[key] = canon_value(key, &g_array_index(t, token, i + 1))) == NULL) {
            *why = g_strdup_printf("%s \"%s\": expected %s", k->text,
                                   g_array_index(t, token, i + 1).text, key_values[key]);
            ok = FALSE;
        }
    }
    for (const int *p = keys; ok && *p >= 0; p++)
        if (vals[*p] == NULL) {
            *why = g_strdup_printf("key \"%s\" missing (every key is required)", key_names[*p]);
            ok = FALSE;
        }
    for (const int *p = keys; ok && *p >= 0; p++)
        g_string_append_printf(out, " %s %s", key_names[*p], vals[*p]);
    for (int i = 0; i < K_COUNT; i++)
        g_free(vals[i]);
    return ok;
}

/* A "connection ..." or "subflow ..." line into |l|; FALSE and |why| if malformed. */
static gboolean parse_fact(const char *line, expect_line *l, char **why)
{
    GArray *t = tokenize(line, why);
    if (t == NULL)
        return FALSE;
    GString *canon = g_string_new(NULL);
    gboolean ok = FALSE;
    const char *w1 = t->len > 1 ? g_array_index(t, token, 1).text : "";
    guint64 n;
    if (l->kind == L_CONNECTION) {
        if (!parse_uint(w1, G_MAXUINT32, &n)) {
            *why = g_strdup("expected \"connection <n> version ... fallback ...\"");
        } else {
            l->conn = (guint)n;
            l->sub = 0;
            g_string_append_printf(canon, "connection %u", l->conn);
            ok = parse_pairs(t, 2, connection_keys, canon, why);
        }
    } else {
        gchar **ids = g_strsplit(w1, ".", -1);
        guint64 k;
        const char *kind = t->len > 2 ? g_array_index(t, token, 2).text : "";
        if (g_strv_length(ids) != 2 || !parse_uint(ids[0], G_MAXUINT32, &n) ||
            !parse_uint(ids[1], G_MAXUINT32 - 1, &k) ||
            (strcmp(kind, "initial") != 0 && strcmp(kind, "join") != 0 && strcmp(kind, "?") != 0)) {
            *why = g_strdup("expected \"subflow <connection>.<subflow> initial|join|? client ... "
                            "address_ids ...\"");
        } else {
            l->conn = (guint)n;
            l->sub = (guint)k + 1;
            g_string_append_printf(canon, "subflow %u.%u %s", l->conn, l->sub - 1, kind);
            ok = parse_pairs(t, 3, subflow_keys, canon, why);
        }
        g_strfreev(ids);
    }
    g_array_free(t, TRUE);
    if (ok)
        l->canon = g_string_free(canon, FALSE);
    else
        g_string_free(canon, TRUE);
    return ok;
}

/* The first word of |line| (up to a blank, '#' or '"'), or "" for none. */
static char *first_word(const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    const char *end = p;
    while (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\r' && *end != '#' &&
           *end != '"')
        end++;
    return g_strndup(p, (gsize)(end - p));
}

/* A findings line, as always: '#' anywhere starts a comment, "<frame> <rule-id> ...". */
static gboolean parse_finding(const char *path, guint lineno, const char *line, expect_line *l,
                              char **error)
{
    char *copy = g_strdup(line);
    char *hash = strchr(copy, '#');
    if (hash != NULL)
        *hash = '\0';
    gchar **tok = g_strsplit_set(g_strstrip(copy), " \t", -1);
    /* g_strsplit_set yields empty tokens for runs of blanks: compact them */
    guint n = 0;
    for (guint i = 0; tok[i] != NULL; i++)
        if (tok[i][0] != '\0')
            tok[n++] = tok[i];
        else
            g_free(tok[i]);
    tok[n] = NULL;
    guint64 frame;
    gboolean ok = g_ascii_string_to_unsigned(tok[0], 10, 1, G_MAXUINT32, &frame, NULL) && n >= 2;
    if (!ok) {
        *error = g_strdup_printf("%s:%u: expected \"<frame> <rule-id>\"", path, lineno);
    } else {
        if (mptcpv_rule_find(tok[1]) == NULL)
            fprintf(stderr, "mptcpv-validate: %s:%u: warning: unknown rule id \"%s\"\n", path,
                    lineno, tok[1]);
        l->frame = (guint32)frame;
        l->rule = g_strdup(tok[1]);
        l->canon = g_strdup_printf("%u %s", l->frame, l->rule);
    }
    g_strfreev(tok);
    g_free(copy);
    return ok;
}

expect_list *expect_parse(const char *name, const char *text, char **error)
{
    expect_list *l = g_new0(expect_list, 1);
    l->lines = g_ptr_array_new_with_free_func(line_free);
    gchar **lines = g_strsplit(text, "\n", -1);
    guint count = g_strv_length(lines);
    if (count > 0 && lines[count - 1][0] == '\0')
        count--; /* the text ends with a newline */
    for (guint i = 0; i < count; i++) {
        guint lineno = i + 1;
        expect_line *ln = g_new0(expect_line, 1);
        gsize len = strlen(lines[i]);
        if (len > 0 && lines[i][len - 1] == '\r')
            lines[i][len - 1] = '\0';
        ln->raw = g_strdup(lines[i]);
        g_ptr_array_add(l->lines, ln);
        char *w = first_word(ln->raw);
        gboolean ok = TRUE;
        if (g_ascii_isdigit(w[0])) {
            ln->kind = L_FINDING;
            ok = parse_finding(name, lineno, ln->raw, ln, error);
        } else if (strcmp(w, "connection") == 0 || strcmp(w, "subflow") == 0) {
            char *why = NULL;
            ln->kind = w[0] == 'c' ? L_CONNECTION : L_SUBFLOW;
            ok = parse_fact(ln->raw, ln, &why);
            if (!ok) {
                *error = g_strdup_printf("%s:%u: %s", name, lineno, why);
                g_free(why);
            }
            l->facts = TRUE;
        } /* else blank, comment, or a reserved statement */
        g_free(w);
        if (!ok) {
            g_strfreev(lines);
            expect_free(l);
            return NULL;
        }
    }
    g_strfreev(lines);
    return l;
}

expect_list *expect_load(const char *path, char **error)
{
    char *text = NULL;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        *error = g_strdup(gerr->message);
        g_error_free(gerr);
        return NULL;
    }
    expect_list *l = expect_parse(path, text, error);
    g_free(text);
    return l;
}

/* ---- comparing -------------------------------------------------------------------------- */

/* What sorted_diff() found on one side only: |sign| -1 in |want| (expected, not found), +1
 * in |got| (found, not expected). */
typedef void (*diff_fn)(gconstpointer item, int sign, gpointer user);

/* The one sorted merge of the comparisons: |want| and |got| (same element type, both sorted
 * by |cmp|) walked side by side; |fn| is called for each element of one side only, in merge
 * order. TRUE iff there was none. */
static gboolean sorted_diff(GArray *want, GArray *got, GCompareFunc cmp, diff_fn fn, gpointer user)
{
    guint size = g_array_get_element_size(want);
    guint i = 0, k = 0;
    gboolean same = TRUE;
    while (i < want->len || k < got->len) {
        gconstpointer w = i < want->len ? want->data + (gsize)i * size : NULL;
        gconstpointer g = k < got->len ? got->data + (gsize)k * size : NULL;
        int c = w == NULL ? 1 : g == NULL ? -1 : cmp(w, g);
        if (c == 0) {
            i++;
            k++;
            continue;
        }
        same = FALSE;
        if (c < 0) {
            fn(w, -1, user);
            i++;
        } else {
            fn(g, 1, user);
            k++;
        }
    }
    return same;
}

typedef struct expect_item {
    guint32 frame;
    const char *rule;
} expect_item;

static gint cmp_item(gconstpointer a, gconstpointer b)
{
    const expect_item *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

/* A finding on one side only: "- <frame> <rule>" or "+ <frame> <rule>", into the diff. */
static void finding_diff_line(gconstpointer item, int sign, gpointer user)
{
    const expect_item *it = item;
    g_string_append_printf(user, "%c %u %s\n", sign < 0 ? '-' : '+', it->frame, it->rule);
}

static gboolean compare_findings(const expect_list *expected, const result_file *f,
                                 const gboolean *ignored, GString *diff)
{
    GArray *want = g_array_new(FALSE, FALSE, sizeof(expect_item));
    GArray *got = g_array_new(FALSE, FALSE, sizeof(expect_item));
    for (guint i = 0; expected != NULL && i < expected->lines->len; i++) {
        const expect_line *ln = g_ptr_array_index(expected->lines, i);
        if (ln->kind != L_FINDING)
            continue;
        const mptcpv_rule *r = mptcpv_rule_find(ln->rule);
        if (r != NULL && ignored != NULL && ignored[r->rule])
            continue;
        expect_item it = {ln->frame, ln->rule};
        g_array_append_val(want, it);
    }
    for (guint i = 0; i < f->findings->len; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        expect_item it = {fd->frame, fd->rule};
        g_array_append_val(got, it);
    }
    g_array_sort(want, cmp_item);
    g_array_sort(got, cmp_item);
    gboolean same = sorted_diff(want, got, cmp_item, finding_diff_line, diff);
    g_array_free(want, TRUE);
    g_array_free(got, TRUE);
    return same;
}

static gint cmp_fact(gconstpointer a, gconstpointer b)
{
    const fact *x = a, *y = b;
    if (x->conn != y->conn)
        return x->conn < y->conn ? -1 : 1;
    if (x->sub != y->sub)
        return x->sub < y->sub ? -1 : 1;
    if (x->sign != y->sign)
        return x->sign < y->sign ? -1 : 1;
    return strcmp(x->canon, y->canon);
}

/* A fact on one side only, kept with its sign: facts are sorted again before printing. */
static void fact_diff_line(gconstpointer item, int sign, gpointer user)
{
    fact x = *(const fact *)item;
    x.sign = sign;
    g_array_append_val((GArray *)user, x);
}

static gboolean compare_facts(const expect_list *expected, const result_file *f, GString *diff)
{
    GArray *want = g_array_new(FALSE, FALSE, sizeof(fact));
    g_array_set_clear_func(want, fact_clear);
    for (guint i = 0; i < expected->lines->len; i++) {
        const expect_line *ln = g_ptr_array_index(expected->lines, i);
        if (ln->kind != L_CONNECTION && ln->kind != L_SUBFLOW)
            continue;
        fact x = {ln->conn, ln->sub, g_strdup(ln->canon), 0};
        g_array_append_val(want, x);
    }
    GArray *got = facts_of_result(f);
    g_array_sort(want, cmp_fact);
    g_array_sort(got, cmp_fact);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(fact)); /* borrows the strings */
    sorted_diff(want, got, cmp_fact, fact_diff_line, out);
    g_array_sort(out, cmp_fact);
    for (guint n = 0; n < out->len; n++) {
        const fact *x = &g_array_index(out, fact, n);
        g_string_append_printf(diff, "%c %s\n", x->sign < 0 ? '-' : '+', x->canon);
    }
    gboolean same = out->len == 0;
    g_array_free(out, TRUE);
    g_array_free(want, TRUE);
    g_array_free(got, TRUE);
    return same;
}

guint expect_compare(const expect_list *expected, const result_file *f, const gboolean *ignored,
                     GString *diff)
{
    guint what = 0;
    if (!compare_findings(expected, f, ignored, diff))
        what |= EXPECT_FINDINGS_DIFFER;
    if (expect_has_facts(expected) && !compare_facts(expected, f, diff))
        what |= EXPECT_FACTS_DIFFER;
    return what;
}

/* ---- writing ---------------------------------------------------------------------------- */

typedef struct statement {
    line_kind kind;
    char *canon;
} statement;

static gint cmp_finding_ptr(gconstpointer a, gconstpointer b)
{
    const result_finding *x = *(const result_finding *const *)a,
                         *y = *(const result_finding *const *)b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

static gboolean is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t')
            return FALSE;
    return TRUE;
}

static void append_line(GString *s, const char *line)
{
    g_string_append(s, line);
    g_string_append_c(s, '\n');
}

char *expect_render(const expect_list *old, const result_file *f, const char *capture)
{
    /* What the list must say: findings by frame and rule, then the facts. */
    GArray *want = g_array_new(FALSE, FALSE, sizeof(statement));
    GPtrArray *sorted = g_ptr_array_new();
    for (guint i = 0; i < f->findings->len; i++)
        g_ptr_array_add(sorted, &g_array_index(f->findings, result_finding, i));
    g_ptr_array_sort(sorted, cmp_finding_ptr);
    for (guint i = 0; i < sorted->len; i++) {
        const result_finding *fd = g_ptr_array_index(sorted, i);
        statement st = {L_FINDING, g_strdup_printf("%u %s", fd->frame, fd->rule)};
        g_array_append_val(want, st);
    }
    g_ptr_array_free(sorted, TRUE);
    GArray *facts = facts_of_result(f);
    for (guint i = 0; i < facts->len; i++) {
        fact *x = &g_array_index(facts, fact, i);
        statement st = {x->sub == 0 ? L_CONNECTION : L_SUBFLOW, x->canon};
        x->canon = NULL; /* moved */
        g_array_append_val(want, st);
    }
    g_array_free(facts, TRUE);

    GString *s = g_string_new(NULL);
    GPtrArray *lines = old != NULL ? old->lines : NULL;
    guint nlines = lines != NULL ? lines->len : 0;
    /* The old statements' positions; line i's block of other lines starts at block[i]. */
    guint *block = g_new0(guint, nlines + 1);
    gboolean *used = g_new0(gboolean, nlines + 1);
    guint header = 0, start = 0;
    gboolean seen_statement = FALSE;
    for (guint i = 0; i < nlines; i++) {
        const expect_line *ln = g_ptr_array_index(lines, i);
        if (ln->kind == L_OTHER)
            continue;
        if (!seen_statement)
            header = i;
        block[i] = seen_statement ? start : i; /* the header is not the first one's block */
        start = i + 1;
        seen_statement = TRUE;
    }
    if (!seen_statement)
        header = nlines;
    if (old == NULL)
        g_string_append_printf(s, "# %s: expected results (mptcpv-validate --write-expected)\n",
                               capture);
    for (guint i = 0; i < header; i++)
        append_line(s, ((expect_line *)g_ptr_array_index(lines, i))->raw);

    gboolean facts_begun = FALSE;
    for (guint n = 0; n < want->len; n++) {
        const statement *st = &g_array_index(want, statement, n);
        gint found = -1;
        for (guint i = header; i < nlines && found < 0; i++) {
            const expect_line *ln = g_ptr_array_index(lines, i);
            if (!used[i] && ln->kind == st->kind && strcmp(ln->canon, st->canon) == 0)
                found = (gint)i;
        }
        gboolean fact_line = st->kind != L_FINDING;
        if (found >= 0) {
            used[found] = TRUE;
            for (guint i = block[found]; i <= (guint)found; i++)
                append_line(s, ((expect_line *)g_ptr_array_index(lines, i))->raw);
        } else {
            /* a blank line between the findings (or the header) and the facts */
            if (fact_line && !facts_begun && s->len > 0 &&
                !(s->len >= 2 && s->str[s->len - 2] == '\n'))
                g_string_append_c(s, '\n');
            append_line(s, st->canon);
        }
        facts_begun |= fact_line;
    }
    /* Comments above statements that went, then whatever followed the last statement. */
    guint tail = start;
    for (guint i = header; i < nlines && seen_statement; i++) {
        const expect_line *ln = g_ptr_array_index(lines, i);
        if (ln->kind == L_OTHER || used[i])
            continue;
        for (guint k = block[i]; k < i; k++) {
            const char *raw = ((expect_line *)g_ptr_array_index(lines, k))->raw;
            if (!is_blank(raw))
                append_line(s, raw);
        }
    }
    for (guint i = seen_statement ? tail : nlines; i < nlines; i++)
        append_line(s, ((expect_line *)g_ptr_array_index(lines, i))->raw);

    for (guint n = 0; n < want->len; n++)
        g_free(g_array_index(want, statement, n).canon);
    g_array_free(want, TRUE);
    g_free(block);
    g_free(used);
    return g_string_free(s, FALSE);
}

char *expect_sidecar_path(const char *capture)
{
    return g_strconcat(capture, ".expected", NULL);
}
