/*
 * Inside run/tshark_*.c (see tshark.h): the handle, the build's plugin identity and what the
 * files of the part call in each other. tshark_probe.c finds tshark and the plugin,
 * tshark_cache.c keeps the outcome, tshark_privdrop.c runs tshark as nobody for root,
 * tshark_run.c runs it on a capture.
 */
#ifndef MPTCPV_VALIDATE_TSHARK_PRIVATE_H
#define MPTCPV_VALIDATE_TSHARK_PRIVATE_H

#include <sys/types.h>

#include <glib.h>

#include "mptcpv_build_id.h"
#include "run/tshark.h"

#ifndef MPTCPV_VERSION
#error "MPTCPV_VERSION must be defined by the build"
#endif
#ifndef MPTCPV_BUILD_PLUGIN_ROOT
#define MPTCPV_BUILD_PLUGIN_ROOT ""
#endif
#ifndef MPTCPV_GLOBAL_PLUGIN_DIR
#define MPTCPV_GLOBAL_PLUGIN_DIR ""
#endif
#ifndef MPTCPV_WIRESHARK_ABI
#define MPTCPV_WIRESHARK_ABI "4.0"
#endif

#define PLUGIN_FILE "mptcpv.so"
/* What the plugin of this validator's build says in tshark -G plugins. */
#define PLUGIN_VERSION MPTCPV_VERSION "+" MPTCPV_BUILD_ID

struct tshark_handle {
    char *path;
    char *version;
    char *plugin_path;
    char *plugin_dir; /* WIRESHARK_PLUGIN_DIR for tshark, or NULL */
    gboolean as_nobody;
    char *setpriv;
    uid_t nobody_uid;
    gid_t nobody_gid;
    char **envp;
    gboolean plot_fields;
    char *note;       /* a problem that does not stop the run (a second copy of the plugin) */
    gboolean foreign; /* tshark loads another build of mptcpv by itself */
};

/* tshark_privdrop.c: */
/* Find setpriv and user nobody (t->setpriv stays NULL if either is missing). */
void tshark_find_nobody(tshark_handle *t);
/* tshark's environment: WIRESHARK_PLUGIN_DIR=|plugin_dir| (if not NULL) and, as nobody, no
 * HOME or configuration of root's. */
char **tshark_env(const char *plugin_dir, gboolean as_nobody);
/* argv[0..]: "setpriv --reuid=.. --regid=.. --clear-groups" as nobody, then tshark. */
void tshark_argv_start(GPtrArray *argv, const tshark_handle *t, gboolean as_nobody);

/* tshark_cache.c: */
/* "size:mtime:inode" of |path|, or "absent". */
char *tshark_stamp(const char *path);
/* Everything whose change invalidates the cached probe. */
char *tshark_cache_key(const char *tshark, const char *setpriv, const tshark_options *opt);
/* TRUE: |t| has the cached outcome for |key| (and its plugin file is unchanged). */
gboolean tshark_cache_load(tshark_handle *t, const char *key);
/* Keep |t|'s outcome under |key|; a cache that cannot be written is no error. */
void tshark_cache_store(const tshark_handle *t, const char *key);

/* tshark_probe.c: */
/* |root|/<major.minor>/epan/mptcpv.so */
char *tshark_plugin_file_in(const char *root);

#endif /* MPTCPV_VALIDATE_TSHARK_PRIVATE_H */
