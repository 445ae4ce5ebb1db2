/* Input discovery and capture detection. See corpus.h. */
#include "run/corpus.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void corpus_entry_free(gpointer p)
{
    corpus_entry *e = p;
    g_free(e->path);
    g_free(e->display);
    g_free(e->relative);
    g_free(e->error);
    g_free(e);
}

guint64 corpus_fnv1a(const char *s)
{
    guint64 h = 0xcbf29ce484222325ULL;
    for (const guint8 *p = (const guint8 *)s; *p != 0; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

gssize corpus_read_full(int fd, guint8 *buf, gsize size)
{
    gsize got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (gsize)r;
    }
    return (gssize)got;
}

static corpus_kind sniff_plain(const guint8 *b, gsize len)
{
    if (len < 4)
        return CORPUS_NOT_CAPTURE;
    guint32 be = ((guint32)b[0] << 24) | ((guint32)b[1] << 16) | ((guint32)b[2] << 8) | b[3];
    switch (be) {
    case 0xa1b2c3d4: /* pcap, microseconds, big-endian writer */
    case 0xd4c3b2a1: /* ... little-endian writer */
    case 0xa1b23c4d: /* pcap, nanoseconds */
    case 0x4d3cb2a1:
    case 0xa1b2cd34: /* Kuznetzov's modified pcap */
    case 0x34cdb2a1:
        return CORPUS_PCAP;
    case 0x0a0d0d0a: /* pcapng Section Header Block */
        return CORPUS_PCAPNG;
    default:
        return CORPUS_NOT_CAPTURE;
    }
}

corpus_kind corpus_sniff(const guint8 *buf, gsize len)
{
    if (len == 0)
        return CORPUS_EMPTY;
    if (len >= 3 && buf[0] == 0x1f && buf[1] == 0x8b && buf[2] == 8) {
        /* gzip: what matters is what it holds */
        GZlibDecompressor *z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        guint8 out[512];
        gsize read = 0, written = 0;
        GConverterResult r = g_converter_convert(G_CONVERTER(z), buf, len, out, sizeof(out),
                                                 G_CONVERTER_NO_FLAGS, &read, &written, NULL);
        g_object_unref(z);
        if (r == G_CONVERTER_ERROR || written < 4)
            return CORPUS_NOT_CAPTURE;
        return sniff_plain(out, written) != CORPUS_NOT_CAPTURE ? CORPUS_GZIP : CORPUS_NOT_CAPTURE;
    }
    return sniff_plain(buf, len);
}

/* Names that say "capture" even when the content does not: reported, not skipped. */
static gboolean capture_name(const char *name)
{
    static const char *const ext[] = {".pcap",    ".pcapng",    ".cap",   ".ntar",
                                      ".pcap.gz", ".pcapng.gz", ".cap.gz"};
    for (size_t i = 0; i < G_N_ELEMENTS(ext); i++)
        if (g_str_has_suffix(name, ext[i]))
            return TRUE;
    return FALSE;
}

static corpus_entry *entry_new(const char *path, const char *relative)
{
    corpus_entry *e = g_new0(corpus_entry, 1);
    e->path = g_strdup(path);
    e->display = g_filename_display_name(path);
    e->relative = g_strdup(relative);
    return e;
}

/* Look at one file; returns NULL to skip it (walk, not a capture). */
static corpus_entry *check_file(const char *path, const char *relative, gboolean explicit_arg)
{
    corpus_entry *e = entry_new(path, relative);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        e->error = g_strdup_printf("cannot open: %s", g_strerror(errno));
        return e;
    }
    struct stat st;
    if (fstat(fd, &st) == 0)
        e->size = (guint64)st.st_size;
    guint8 buf[CORPUS_SNIFF_LEN];
    gssize n = corpus_read_full(fd, buf, sizeof(buf));
    int saved = errno;
    close(fd);
    if (n < 0) {
        e->error = g_strdup_printf("cannot read: %s", g_strerror(saved));
        return e;
    }
    corpus_kind k = corpus_sniff(buf, (gsize)n);
    if (k == CORPUS_PCAP || k == CORPUS_PCAPNG || k == CORPUS_GZIP)
        return e;
    if (!explicit_arg && !capture_name(path)) {
        corpus_entry_free(e);
        return NULL;
    }
    if (k == CORPUS_EMPTY)
        e->error = g_strdup("empty file, not a capture");
    else
        e->error = g_strdup("not a capture (no pcap, pcapng or gzip signature)");
    return e;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Relative paths of all regular files under |root|, sorted bytewise. */
static void walk(const char *root, const char *rel, GPtrArray *out, GPtrArray *errors)
{
    char *dir = rel[0] != '\0' ? g_build_filename(root, rel, NULL) : g_strdup(root);
    GError *error = NULL;
    GDir *d = g_dir_open(dir, 0, &error);
    if (d == NULL) {
        corpus_entry *e = entry_new(dir, rel);
        e->error = g_strdup_printf("cannot read directory: %s", error->message);
        g_ptr_array_add(errors, e);
        g_error_free(error);
        g_free(dir);
        return;
    }
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        char *child_rel = rel[0] != '\0' ? g_build_filename(rel, name, NULL) : g_strdup(name);
        char *child = g_build_filename(root, child_rel, NULL);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            walk(root, child_rel, out, errors); /* symlinked directories are not followed */
        else if (stat(child, &st) == 0 && S_ISREG(st.st_mode))
            g_ptr_array_add(out, g_strdup(child_rel));
        else if (capture_name(name))
            g_ptr_array_add(out, g_strdup(child_rel)); /* dangling link etc.: report it */
        g_free(child);
        g_free(child_rel);
    }
    g_dir_close(d);
    g_free(dir);
}

GPtrArray *corpus_collect(char **paths)
{
    GPtrArray *entries = g_ptr_array_new_with_free_func(corpus_entry_free);
    for (char **p = paths; p != NULL && *p != NULL; p++) {
        const char *arg = *p;
        if (strcmp(arg, "-") == 0) {
            corpus_entry *e = entry_new("-", "-");
            g_free(e->display);
            e->display = g_strdup("-");
            e->is_stdin = TRUE;
            g_ptr_array_add(entries, e);
            continue;
        }
        struct stat st;
        if (stat(arg, &st) != 0) {
            corpus_entry *e = entry_new(arg, arg);
            e->error = g_strdup_printf("cannot open: %s", g_strerror(errno));
            g_ptr_array_add(entries, e);
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            g_ptr_array_add(entries, check_file(arg, arg, TRUE));
            continue;
        }
        GPtrArray *rels = g_ptr_array_new_with_free_func(g_free);
        GPtrArray *errors = g_ptr_array_new();
        walk(arg, "", rels, errors);
        g_ptr_array_sort(rels, cmp_str);
        guint before = entries->len;
        for (guint i = 0; i < errors->len; i++)
            g_ptr_array_add(entries, g_ptr_array_index(errors, i));
        for (guint i = 0; i < rels->len; i++) {
            const char *rel = g_ptr_array_index(rels, i);
            char *full = g_build_filename(arg, rel, NULL);
            corpus_entry *e = check_file(full, rel, FALSE);
            if (e != NULL)
                g_ptr_array_add(entries, e);
            g_free(full);
        }
        if (entries->len == before) {
            corpus_entry *e = entry_new(arg, arg);
            e->error = g_strdup("directory holds no captures (pcap, pcapng or gzip-compressed)");
            g_ptr_array_add(entries, e);
        }
        g_ptr_array_free(errors, TRUE);
        g_ptr_array_free(rels, TRUE);
    }
    return entries;
}
