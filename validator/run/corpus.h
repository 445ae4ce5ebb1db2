/*
 * Inputs: files, directories (walked recursively, sorted) and "-" (stdin). Captures are
 * recognised by content: pcap (both byte orders, micro- and nanosecond), pcapng, and gzip
 * whose decompressed start is one of these.
 */
#ifndef MPTCPV_VALIDATE_CORPUS_H
#define MPTCPV_VALIDATE_CORPUS_H

#include <glib.h>

typedef struct corpus_entry {
    char *path;     /* to open (bytes as given/found) */
    char *display;  /* UTF-8 for reports */
    char *relative; /* for --shard: path relative to its root argument */
    char *error;    /* set when the input is known to be bad before tshark runs */
    gboolean is_stdin;
    guint64 size; /* bytes, for the progress ETA (0 for stdin) */
} corpus_entry;

void corpus_entry_free(gpointer p);

/* Every input in corpus order. Bad inputs are entries with |error| set. */
GPtrArray *corpus_collect(char **paths);

typedef enum corpus_kind {
    CORPUS_NOT_CAPTURE,
    CORPUS_EMPTY,
    CORPUS_PCAP,
    CORPUS_PCAPNG,
    CORPUS_GZIP,
} corpus_kind;

/* What the first |len| bytes of a file say it is. */
corpus_kind corpus_sniff(const guint8 *buf, gsize len);

/* Read up to |size| bytes (fewer only at EOF). */
gssize corpus_read_full(int fd, guint8 *buf, gsize size);

/* FNV-1a, 64 bit, of |s| (the --shard hash). */
guint64 corpus_fnv1a(const char *s);

#define CORPUS_SNIFF_LEN 4096

#endif /* MPTCPV_VALIDATE_CORPUS_H */
