/*
 * Finding tshark and the mptcpv plugin (tshark_probe.c, the outcome cached by tshark_cache.c,
 * root's tshark run as nobody by tshark_privdrop.c), and running tshark on one capture
 * (tshark_run.c).
 *
 * tshark is always started with an argv array (g_spawn), never through a shell. Its field
 * output is read line by line and handed to a callback, so nothing per packet is kept.
 */
#ifndef MPTCPV_VALIDATE_TSHARK_H
#define MPTCPV_VALIDATE_TSHARK_H

#include <glib.h>

typedef struct tshark_handle tshark_handle;

typedef struct tshark_options {
    const char *tshark;     /* --tshark, or NULL: "tshark" on PATH */
    const char *plugin_dir; /* --plugin-dir, or NULL: installed plugin, else the build tree */
    gboolean use_cache;     /* reuse the result of an earlier probe (see tshark_find) */
    gboolean verbose;       /* say on stderr which tshark and plugin are used */
    gboolean plot_fields;   /* also ask MPTCPV_VALIDATE_PLOT_FIELDS (--html, --csv) */
} tshark_options;

/*
 * Find tshark and a loaded mptcpv plugin of this validator's build. On failure returns NULL and
 * sets |problem| to a message saying what was looked for where and how to fix it (exit code 3).
 */
tshark_handle *tshark_find(const tshark_options *opt, char **problem);
void tshark_free(tshark_handle *t);
const char *tshark_version(const tshark_handle *t);
const char *tshark_plugin_path(const tshark_handle *t);
/* A problem worth saying that does not stop the run (mptcpv.so installed twice), or NULL. */
const char *tshark_note(const tshark_handle *t);
/* TRUE when tshark runs as 'nobody' (root with a build-tree plugin): captures are piped. */
gboolean tshark_pipes_input(const tshark_handle *t);

/* The field list as tshark -e arguments, for --print-tshark-command and the docs. */
GPtrArray *tshark_argv(const tshark_handle *t, const char *input);

typedef void (*tshark_row_fn)(char **cols, gpointer user);

typedef enum tshark_status {
    TSHARK_OK = 0,
    TSHARK_INPUT_ERROR = 2, /* this capture could not be read; |error| says why */
    TSHARK_ERROR = 3,       /* tshark or the plugin failed; |error| says why */
} tshark_status;

/*
 * Run tshark on one capture. With |input_fd| < 0 tshark opens |path| itself; otherwise the
 * bytes |prefix| (already read from the fd, for sniffing) and then the rest of |input_fd| are
 * piped to tshark's stdin. |rows| (may be NULL) is incremented atomically per packet.
 */
tshark_status tshark_run(const tshark_handle *t, const char *path, int input_fd, const void *prefix,
                         gsize prefix_len, tshark_row_fn fn, gpointer user, gint *rows,
                         char **error);

#endif /* MPTCPV_VALIDATE_TSHARK_H */
