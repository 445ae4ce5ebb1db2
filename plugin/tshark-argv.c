/*
 * tshark's command line, as tshark 4.0 reads it (ws_getopt_long: short options may be grouped,
 * an argument may be attached, long options take "=value" or the next argument). The tables
 * were checked against tshark 4.0.17 one option at a time (which ones want an argument);
 * anything outside them ends the reading with FALSE, so a later tshark's new option costs
 * the fast path, not a field.
 */
#include "tshark-argv.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Short options that take an argument, and those that take none. */
static const char short_with_argument[] = "abBcCdeEfFGHijJKMNoOrRsStTuUwWXyYz";
static const char short_flags[] = "2DgIhlLnpPqQvVx";

typedef struct long_option {
    const char *name;
    gboolean argument;
} long_option;

static const long_option long_options[] = {
    {"autostop", TRUE},
    {"buffer-size", TRUE},
    {"capture-comment", TRUE},
    {"color", FALSE},
    {"compress", TRUE},
    {"disable-heuristic", TRUE},
    {"disable-protocol", TRUE},
    {"elastic-mapping-filter", TRUE},
    {"enable-heuristic", TRUE},
    {"enable-protocol", TRUE},
    {"export-objects", TRUE},
    {"export-tls-session-keys", TRUE},
    {"help", FALSE},
    {"hexdump", TRUE},
    {"interface", TRUE},
    {"linktype", TRUE},
    {"list-data-link-types", FALSE},
    {"list-interfaces", FALSE},
    {"list-time-stamp-types", FALSE},
    /* Read by ws_log_parse_args before getopt, with "=value" or the next argument. */
    {"log-debug", TRUE},
    {"log-domains", TRUE},
    {"log-fatal", TRUE},
    {"log-file", TRUE},
    {"log-level", TRUE},
    {"log-noisy", TRUE},
    {"monitor-mode", FALSE},
    {"no-duplicate-keys", FALSE},
    {"no-promiscuous-mode", FALSE},
    {"print", FALSE},
    {"ring-buffer", TRUE},
    {"selected-frame", TRUE},
    {"snapshot-length", TRUE},
    {"temp-dir", TRUE},
    {"time-stamp-type", TRUE},
    {"version", FALSE},
};

static const long_option *find_long_option(const char *name, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(long_options); i++)
        if (strlen(long_options[i].name) == len && strncmp(long_options[i].name, name, len) == 0)
            return &long_options[i];
    return NULL;
}

static gboolean is_tshark(const char *argv0)
{
    const char *base = argv0;
    for (const char *p = argv0; *p != '\0'; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    return strcmp(base, "tshark") == 0 || g_ascii_strcasecmp(base, "tshark.exe") == 0;
}

/* One short option |letter| with |value|: FALSE if it rules the reading out. */
static gboolean take_short(char letter, const char *value, const char **format, GPtrArray *fields)
{
    switch (letter) {
    case 'T':
        *format = value;
        return TRUE;
    case 'e':
        g_ptr_array_add(fields, (gpointer)(uintptr_t)value);
        return TRUE;
    case 'G': /* a report instead of a dissection */
    case 'X': /* extensions: Lua scripts can walk every item of a tree */
        return FALSE;
    default:
        return TRUE;
    }
}

gboolean mptcpv_tshark_printed_fields(int argc, char *const *argv, GPtrArray *fields)
{
    if (argc < 2 || argv[0] == NULL || !is_tshark(argv[0]))
        return FALSE;
    const char *format = NULL;
    guint first_field = fields->len;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0')
            goto not_understood; /* a capture filter, or "-" */
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *equals = strchr(name, '=');
            size_t len = equals != NULL ? (size_t)(equals - name) : strlen(name);
            const long_option *opt = find_long_option(name, len);
            if (opt == NULL)
                goto not_understood; /* also "--" and abbreviations */
            if (opt->argument && equals == NULL && ++i >= argc)
                goto not_understood;
            if (!opt->argument && equals != NULL)
                goto not_understood;
            continue;
        }
        for (const char *p = arg + 1; *p != '\0'; p++) {
            if (strchr(short_flags, *p) != NULL)
                continue;
            if (strchr(short_with_argument, *p) == NULL)
                goto not_understood;
            const char *value = p[1] != '\0' ? p + 1 : (++i < argc ? argv[i] : NULL);
            if (value == NULL || !take_short(*p, value, &format, fields))
                goto not_understood;
            break;
        }
    }
    if (format != NULL && strcmp(format, "fields") == 0 && fields->len > first_field)
        return TRUE;
not_understood:
    g_ptr_array_set_size(fields, (gint)first_field);
    return FALSE;
}

gboolean mptcpv_tshark_printed_fields_of_process(GPtrArray *fields, gsize limit)
{
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (f == NULL)
        return FALSE;
    char *buf = g_malloc(limit + 1);
    size_t len = fread(buf, 1, limit + 1, f);
    gboolean complete = len <= limit && !ferror(f);
    fclose(f);
    gboolean found = FALSE;
    if (complete && len > 0) {
        /* NUL-separated arguments, the last one NUL-terminated too. */
        buf[len] = '\0';
        GPtrArray *argv = g_ptr_array_new();
        for (size_t at = 0; at < len; at += strlen(buf + at) + 1)
            g_ptr_array_add(argv, buf + at);
        GPtrArray *names = g_ptr_array_new();
        found = mptcpv_tshark_printed_fields((int)argv->len, (char *const *)argv->pdata, names);
        for (guint i = 0; i < names->len; i++)
            g_ptr_array_add(fields, g_strdup((const char *)g_ptr_array_index(names, i)));
        g_ptr_array_free(names, TRUE);
        g_ptr_array_free(argv, TRUE);
    }
    g_free(buf);
    return found;
}
