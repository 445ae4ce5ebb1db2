/*
 * tshark discovery, plugin check and the capture run. See tshark.h.
 *
 * Where the plugin comes from (in this order):
 *   1. --plugin-dir DIR: WIRESHARK_PLUGIN_DIR=DIR (layout DIR/<major.minor>/epan/mptcpv.so).
 *   2. Whatever tshark loads by itself (the global plugin folder after `cmake --install` or
 *      from the package, or a personal plugin folder), if it is mptcpv.so of exactly this
 *      validator's build ("<version>+<build id>", see cmake/build_id.cmake). Another build
 *      there is an error, not a reason to look further: it is what tshark and Wireshark use.
 *   3. The build tree this validator was built in (MPTCPV_BUILD_PLUGIN_ROOT).
 * tshark started as root ignores WIRESHARK_PLUGIN_DIR, so for 1 and 3 a root user's tshark
 * runs as 'nobody' through setpriv(1), with HOME=/nonexistent, and the capture is piped to
 * it (the validator opens the file; tshark never needs to read the user's files). Without
 * setpriv, root must install the plugin.
 *
 * Every check is `tshark -G plugins` (is mptcpv.so loaded, from where, which version) and
 * `tshark -v` (tshark's version). Each costs about a tshark start (~0.4 s), more than a small
 * capture, so the outcome is cached in $XDG_CACHE_HOME/mptcpv/validate-probe.ini, keyed by
 * the size, mtime and inode of tshark, setpriv and every plugin file that could be loaded;
 * any change there, or --no-cache, probes again.
 */
#include "run/tshark.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "result/fields.h"
#include "mptcpv_build_id.h"
#include "result/result.h"

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
#define STDERR_MAX     (64 * 1024)

/* The one field table (fields.h), as tshark -e arguments. */
static const struct {
    const char *name;
    int enabled;
} field_table[FIELD_COUNT] = {
#define FIELD_ROW(e, name, enabled) {name, enabled},
    MPTCPV_VALIDATE_FIELDS(FIELD_ROW) MPTCPV_VALIDATE_PLOT_FIELDS(FIELD_ROW)
#undef FIELD_ROW
};

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

void tshark_free(tshark_handle *t)
{
    if (t == NULL)
        return;
    g_free(t->path);
    g_free(t->version);
    g_free(t->plugin_path);
    g_free(t->plugin_dir);
    g_free(t->setpriv);
    g_strfreev(t->envp);
    g_free(t->note);
    g_free(t);
}

const char *tshark_version(const tshark_handle *t)
{
    return t->version;
}

const char *tshark_plugin_path(const tshark_handle *t)
{
    return t->plugin_path;
}

const char *tshark_note(const tshark_handle *t)
{
    return t->note;
}

gboolean tshark_pipes_input(const tshark_handle *t)
{
    return t->as_nobody;
}

/* ---- environment and argv --------------------------------------------------------------- */

static char **make_env(const char *plugin_dir, gboolean as_nobody)
{
    char **env = g_get_environ();
    if (plugin_dir != NULL)
        env = g_environ_setenv(env, "WIRESHARK_PLUGIN_DIR", plugin_dir, TRUE);
    if (as_nobody) {
        /* root's HOME and config are not nobody's: give it none. */
        env = g_environ_setenv(env, "HOME", "/nonexistent", TRUE);
        env = g_environ_unsetenv(env, "XDG_CONFIG_HOME");
        env = g_environ_unsetenv(env, "WIRESHARK_CONFIG_DIR");
    }
    return env;
}

static void add_prefix(GPtrArray *argv, const char *tshark, gboolean as_nobody, const char *setpriv,
                       uid_t uid, gid_t gid)
{
    if (as_nobody) {
        g_ptr_array_add(argv, g_strdup(setpriv));
        g_ptr_array_add(argv, g_strdup_printf("--reuid=%u", (unsigned)uid));
        g_ptr_array_add(argv, g_strdup_printf("--regid=%u", (unsigned)gid));
        g_ptr_array_add(argv, g_strdup("--clear-groups"));
    }
    g_ptr_array_add(argv, g_strdup(tshark));
}

/* Whether column |i| is asked from tshark (else it reads as empty). */
static gboolean field_asked(const tshark_handle *t, int i)
{
    return field_table[i].enabled && (i < FIELD_BASE_COUNT || t->plot_fields);
}

GPtrArray *tshark_argv(const tshark_handle *t, const char *input)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    add_prefix(argv, t->path, t->as_nobody, t->setpriv, t->nobody_uid, t->nobody_gid);
    /* Wireshark's own MPTCP analysis is not read here, and it costs time that grows with
     * the number of MPTCP connections per packet (BENCHMARKS.md): off. */
    const char *fixed[] = {"-n",
                           "-o",
                           "mptcp.analyze_mptcp:FALSE",
                           "-r",
                           input,
                           "-T",
                           "fields",
                           "-E",
                           "header=n",
                           "-E",
                           "separator=/t",
                           "-E",
                           "quote=n",
                           "-E",
                           "occurrence=a",
                           "-E",
                           "aggregator=\x1f"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(argv, g_strdup(fixed[i]));
    for (int i = 0; i < FIELD_COUNT; i++) {
        if (!field_asked(t, i))
            continue;
        g_ptr_array_add(argv, g_strdup("-e"));
        g_ptr_array_add(argv, g_strdup(field_table[i].name));
    }
    g_ptr_array_add(argv, NULL);
    return argv;
}

/* ---- probing ---------------------------------------------------------------------------- */

typedef struct probe_out {
    char *out;
    char *err;
    int status;
} probe_out;

static gboolean run_sync(GPtrArray *argv, char **envp, probe_out *po)
{
    GError *error = NULL;
    memset(po, 0, sizeof(*po));
    g_ptr_array_add(argv, NULL);
    gboolean ok = g_spawn_sync("/", (char **)argv->pdata, envp, G_SPAWN_STDIN_FROM_DEV_NULL, NULL,
                               NULL, &po->out, &po->err, &po->status, &error);
    if (!ok) {
        po->err = g_strdup(error->message);
        g_error_free(error);
    }
    return ok;
}

static void probe_out_clear(probe_out *po)
{
    g_free(po->out);
    g_free(po->err);
}

/* "TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as ...)" -> "4.0.17"; 4.2 and later end
 * the sentence: "TShark (Wireshark) 4.4.19." */
static char *parse_version(const char *out)
{
    const char *p = out != NULL ? strstr(out, "(Wireshark) ") : NULL;
    if (p == NULL)
        return NULL;
    p += strlen("(Wireshark) ");
    size_t n = strspn(p, "0123456789.");
    while (n > 0 && p[n - 1] == '.')
        n--;
    return n > 0 ? g_strndup(p, n) : NULL;
}

/* Find mptcpv.so in `tshark -G plugins` output: "name\tversion\ttype\tpath". */
static gboolean parse_plugins(const char *out, char **version, char **path)
{
    gboolean found = FALSE;
    gchar **lines = g_strsplit(out != NULL ? out : "", "\n", -1);
    for (gchar **l = lines; *l != NULL && !found; l++) {
        gchar **cols = g_strsplit(*l, "\t", -1);
        if (g_strv_length(cols) >= 4 && strcmp(g_strstrip(cols[0]), PLUGIN_FILE) == 0) {
            *version = g_strdup(g_strstrip(cols[1]));
            *path = g_strdup(g_strstrip(cols[3]));
            found = TRUE;
        }
        g_strfreev(cols);
    }
    g_strfreev(lines);
    return found;
}

static char *stamp(const char *path)
{
    struct stat st;
    if (path == NULL || *path == '\0' || stat(path, &st) != 0)
        return g_strdup("absent");
    return g_strdup_printf("%lld:%lld.%09ld:%llu", (long long)st.st_size,
                           (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
                           (unsigned long long)st.st_ino);
}

static char *plugin_file_in(const char *root)
{
    return g_build_filename(root, MPTCPV_WIRESHARK_ABI, "epan", PLUGIN_FILE, NULL);
}

/* Everything whose change invalidates the cached probe. */
static char *probe_key(const char *tshark, const char *setpriv, const tshark_options *opt)
{
    GString *k = g_string_new(NULL);
    char *personal =
        g_build_filename(g_get_home_dir(), ".local", "lib", "wireshark", "plugins", NULL);
    const char *env_dir = g_getenv("WIRESHARK_PLUGIN_DIR");
    const char *roots[] = {opt->plugin_dir, MPTCPV_BUILD_PLUGIN_ROOT, personal, env_dir};
    g_string_append_printf(k, "validator=%s;euid=%u;tshark=%s;", PLUGIN_VERSION,
                           (unsigned)geteuid(), tshark);
    char *s = stamp(tshark);
    g_string_append_printf(k, "%s;setpriv=%s;", s, setpriv != NULL ? setpriv : "");
    g_free(s);
    s = stamp(setpriv);
    g_string_append_printf(k, "%s;opt=%s;env=%s;", s, opt->plugin_dir ? opt->plugin_dir : "",
                           env_dir ? env_dir : "");
    g_free(s);
    for (size_t i = 0; i < G_N_ELEMENTS(roots); i++) {
        if (roots[i] == NULL || *roots[i] == '\0')
            continue;
        char *file = plugin_file_in(roots[i]);
        s = stamp(file);
        g_string_append_printf(k, "%s=%s;", file, s);
        g_free(s);
        g_free(file);
    }
    if (*MPTCPV_GLOBAL_PLUGIN_DIR != '\0') {
        char *file = g_build_filename(MPTCPV_GLOBAL_PLUGIN_DIR, PLUGIN_FILE, NULL);
        s = stamp(file);
        g_string_append_printf(k, "%s=%s;", file, s);
        g_free(s);
        g_free(file);
    }
    g_free(personal);
    return g_string_free(k, FALSE);
}

static char *cache_file(void)
{
    return g_build_filename(g_get_user_cache_dir(), "mptcpv", "validate-probe.ini", NULL);
}

static gboolean cache_load(tshark_handle *t, const char *key)
{
    char *file = cache_file();
    GKeyFile *kf = g_key_file_new();
    gboolean ok = g_key_file_load_from_file(kf, file, G_KEY_FILE_NONE, NULL);
    char *k = ok ? g_key_file_get_string(kf, "probe", "key", NULL) : NULL;
    ok = k != NULL && strcmp(k, key) == 0;
    if (ok) {
        t->version = g_key_file_get_string(kf, "probe", "tshark_version", NULL);
        t->plugin_path = g_key_file_get_string(kf, "probe", "plugin_path", NULL);
        char *dir = g_key_file_get_string(kf, "probe", "plugin_dir", NULL);
        t->plugin_dir = dir != NULL && *dir != '\0' ? dir : (g_free(dir), NULL);
        t->as_nobody = g_key_file_get_boolean(kf, "probe", "as_nobody", NULL);
        char *note = g_key_file_get_string(kf, "probe", "note", NULL);
        t->note = note != NULL && *note != '\0' ? note : (g_free(note), NULL);
        ok = t->version != NULL && t->plugin_path != NULL;
        /* the plugin file must still be the one that was checked */
        char *plugin_stamp = g_key_file_get_string(kf, "probe", "plugin_stamp", NULL);
        char *now = stamp(t->plugin_path);
        ok = ok && plugin_stamp != NULL && strcmp(plugin_stamp, now) == 0;
        g_free(plugin_stamp);
        g_free(now);
    }
    g_free(k);
    g_key_file_free(kf);
    g_free(file);
    return ok;
}

static void cache_store(const tshark_handle *t, const char *key)
{
    char *file = cache_file();
    char *dir = g_path_get_dirname(file);
    GKeyFile *kf = g_key_file_new();
    g_key_file_set_string(kf, "probe", "key", key);
    g_key_file_set_string(kf, "probe", "tshark_version", t->version);
    g_key_file_set_string(kf, "probe", "plugin_path", t->plugin_path);
    g_key_file_set_string(kf, "probe", "plugin_dir", t->plugin_dir ? t->plugin_dir : "");
    g_key_file_set_boolean(kf, "probe", "as_nobody", t->as_nobody);
    g_key_file_set_string(kf, "probe", "note", t->note != NULL ? t->note : "");
    char *ps = stamp(t->plugin_path);
    g_key_file_set_string(kf, "probe", "plugin_stamp", ps);
    g_free(ps);
    gsize len;
    char *data = g_key_file_to_data(kf, &len, NULL);
    /* a cache that cannot be written is no error */
    if (g_mkdir_with_parents(dir, 0700) == 0)
        (void)g_file_set_contents(file, data, (gssize)len, NULL);
    g_free(data);
    g_key_file_free(kf);
    g_free(dir);
    g_free(file);
}

/* Whether |path| lies inside directory |dir| (both absolute). */
static gboolean path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* The copies of mptcpv.so other than |loaded| in the folders tshark reads by itself, one
 * per line, or NULL. */
static char *other_copies(const char *loaded)
{
    char *personal = g_build_filename(g_get_home_dir(), ".local", "lib", "wireshark", "plugins",
                                      MPTCPV_WIRESHARK_ABI, "epan", PLUGIN_FILE, NULL);
    char *global = g_build_filename(MPTCPV_GLOBAL_PLUGIN_DIR, PLUGIN_FILE, NULL);
    /* For users other than root, WIRESHARK_PLUGIN_DIR takes the global folder's place. */
    const char *env = g_getenv("WIRESHARK_PLUGIN_DIR");
    char *from_env = env != NULL && *env != '\0' ? plugin_file_in(env) : NULL;
    const char *candidates[] = {from_env != NULL ? from_env : global, personal};
    GString *found = g_string_new(NULL);
    char *loaded_abs = g_canonicalize_filename(loaded, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(candidates); i++) {
        if (candidates[i] == NULL || !g_file_test(candidates[i], G_FILE_TEST_EXISTS))
            continue;
        char *abs = g_canonicalize_filename(candidates[i], NULL);
        if (strcmp(abs, loaded_abs) != 0)
            g_string_append_printf(found, "    %s\n", abs);
        g_free(abs);
    }
    g_free(loaded_abs);
    g_free(personal);
    g_free(global);
    g_free(from_env);
    return g_string_free(found, found->len == 0);
}

/*
 * `tshark -G plugins` in the given environment; TRUE if mptcpv.so of our build loads. When
 * it loads another build of mptcpv, |foreign| (if not NULL) gets "<path> (<version>)".
 */
static gboolean check_plugins(tshark_handle *t, const char *plugin_dir, gboolean as_nobody,
                              GString *why, char **foreign)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    add_prefix(argv, t->path, as_nobody, t->setpriv, t->nobody_uid, t->nobody_gid);
    g_ptr_array_add(argv, g_strdup("-G"));
    g_ptr_array_add(argv, g_strdup("plugins"));
    char **env = make_env(plugin_dir, as_nobody);
    probe_out po;
    gboolean ran = run_sync(argv, env, &po);
    char *version = NULL, *path = NULL;
    gboolean ok = FALSE;
    const char *who = as_nobody ? " (run as nobody via setpriv)" : "";
    if (!ran) {
        g_string_append_printf(why, "  - could not run %s%s: %s\n", t->path, who, po.err);
    } else if (!parse_plugins(po.out, &version, &path)) {
        if (plugin_dir != NULL)
            g_string_append_printf(why,
                                   "  - WIRESHARK_PLUGIN_DIR=%s%s: tshark loaded no %s "
                                   "(expected %s/%s/epan/%s, readable by tshark's user)\n",
                                   plugin_dir, who, PLUGIN_FILE, plugin_dir, MPTCPV_WIRESHARK_ABI,
                                   PLUGIN_FILE);
        else
            g_string_append_printf(why, "  - tshark's own plugin folders%s: no %s installed\n", who,
                                   PLUGIN_FILE);
    } else if (plugin_dir != NULL && !path_under(path, plugin_dir)) {
        /* tshark also loads a user's personal plugin folder next to WIRESHARK_PLUGIN_DIR:
         * the plugin asked for must be the one that loaded. */
        g_string_append_printf(why,
                               "  - WIRESHARK_PLUGIN_DIR=%s%s: tshark loaded %s instead "
                               "(expected %s/%s/epan/%s)\n",
                               plugin_dir, who, path, plugin_dir, MPTCPV_WIRESHARK_ABI,
                               PLUGIN_FILE);
    } else if (strcmp(version, PLUGIN_VERSION) != 0) {
        if (foreign != NULL)
            *foreign = g_strdup_printf("%s (mptcpv %s)", path, version);
        else
            g_string_append_printf(why,
                                   "  - %s%s is mptcpv %s, another build than this "
                                   "validator's (%s)\n",
                                   path, who, version, PLUGIN_VERSION);
    } else {
        ok = TRUE;
        t->plugin_path = g_strdup(path);
        t->plugin_dir = plugin_dir != NULL ? g_strdup(plugin_dir) : NULL;
        t->as_nobody = as_nobody;
        char *others = po.err != NULL && strstr(po.err, "found in multiple directories") != NULL
                           ? other_copies(path)
                           : NULL;
        if (others != NULL) {
            g_free(t->note);
            t->note = g_strdup_printf(
                "mptcpv.so is installed more than once; tshark uses %s and warns on every "
                "start, the Wireshark GUI stops at a dialog. Remove the other copy:\n%s",
                path, others);
        }
        g_free(others);
    }
    g_free(version);
    g_free(path);
    probe_out_clear(&po);
    g_strfreev(env);
    g_ptr_array_free(argv, TRUE);
    return ok;
}

static char *global_plugin_folder(const tshark_handle *t)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup(t->path));
    g_ptr_array_add(argv, g_strdup("-G"));
    g_ptr_array_add(argv, g_strdup("folders"));
    probe_out po;
    char *dir = NULL;
    if (run_sync(argv, NULL, &po) && po.out != NULL) {
        const char *p = strstr(po.out, "Global Plugins:");
        if (p != NULL) {
            p += strlen("Global Plugins:");
            size_t n = strcspn(p, "\n");
            dir = g_strstrip(g_strndup(p, n));
        }
    }
    probe_out_clear(&po);
    g_ptr_array_free(argv, TRUE);
    return dir;
}

static gboolean probe(tshark_handle *t, const tshark_options *opt, GString *why)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup(t->path));
    g_ptr_array_add(argv, g_strdup("-v"));
    probe_out po;
    gboolean ran = run_sync(argv, NULL, &po);
    g_ptr_array_free(argv, TRUE);
    t->version = ran ? parse_version(po.out) : NULL;
    if (t->version == NULL) {
        g_string_append_printf(why, "  - %s -v: %s\n", t->path,
                               ran ? "did not print a Wireshark version" : po.err);
        probe_out_clear(&po);
        return FALSE;
    }
    probe_out_clear(&po);
    /* The plugin is built for one Wireshark major.minor and loads into no other. */
    if (!g_str_has_prefix(t->version, MPTCPV_WIRESHARK_ABI ".")) {
        g_string_append_printf(why,
                               "  - %s is Wireshark %s; the mptcpv plugin is built for %s.x "
                               "(rebuild mptcpv against this Wireshark's headers, or use "
                               "--tshark with a %s.x tshark)\n",
                               t->path, t->version, MPTCPV_WIRESHARK_ABI, MPTCPV_WIRESHARK_ABI);
        return FALSE;
    }
    gboolean root = geteuid() == 0;
    char *foreign = NULL;
    if (opt->plugin_dir == NULL && check_plugins(t, NULL, FALSE, why, &foreign))
        return TRUE;
    if (foreign != NULL) {
        /* tshark and Wireshark use that other build; a build-tree plugin would load next to
         * it (or not at all, as root): say which two builds these are. */
        char *own =
            *MPTCPV_BUILD_PLUGIN_ROOT != '\0' ? plugin_file_in(MPTCPV_BUILD_PLUGIN_ROOT) : NULL;
        g_string_append_printf(why,
                               "  - tshark loads %s by itself, another build than this "
                               "validator's (%s%s%s)\n"
                               "  fix: install this build over it (scripts/build, or `cmake "
                               "--install BUILD`), or remove that copy (apt remove mptcpv, if "
                               "the package installed it)\n",
                               foreign, PLUGIN_VERSION,
                               own != NULL && g_file_test(own, G_FILE_TEST_EXISTS) ? ", built at "
                                                                                   : "",
                               own != NULL && g_file_test(own, G_FILE_TEST_EXISTS) ? own : "");
        g_free(own);
        g_free(foreign);
        t->foreign = TRUE;
        return FALSE;
    }
    const char *given = opt->plugin_dir != NULL ? opt->plugin_dir : MPTCPV_BUILD_PLUGIN_ROOT;
    if (*given == '\0')
        return FALSE;
    /* tshark resolves a relative WIRESHARK_PLUGIN_DIR against nothing useful: absolute. */
    char *dir = g_canonicalize_filename(given, NULL);
    gboolean ok;
    if (root && t->setpriv == NULL) {
        g_string_append_printf(why,
                               "  - %s: tshark run as root ignores WIRESHARK_PLUGIN_DIR, and "
                               "setpriv (to run it as nobody) was not found\n",
                               dir);
        ok = FALSE;
    } else {
        ok = check_plugins(t, dir, root, why, NULL);
    }
    g_free(dir);
    return ok;
}

tshark_handle *tshark_find(const tshark_options *opt, char **problem)
{
    tshark_handle *t = g_new0(tshark_handle, 1);
    *problem = NULL;
    const char *name = opt->tshark != NULL ? opt->tshark : "tshark";
    t->path = g_find_program_in_path(name);
    if (t->path == NULL) {
        if (opt->tshark != NULL)
            *problem = g_strdup_printf("tshark not found: --tshark %s is not an executable "
                                       "file",
                                       opt->tshark);
        else
            *problem = g_strdup_printf("tshark not found on PATH (%s): install it (Debian: "
                                       "apt install tshark) or pass --tshark PATH",
                                       g_getenv("PATH") ? g_getenv("PATH") : "unset");
        tshark_free(t);
        return NULL;
    }
    t->setpriv = g_find_program_in_path("setpriv");
    struct passwd *pw = getpwnam("nobody");
    if (pw != NULL) {
        t->nobody_uid = pw->pw_uid;
        t->nobody_gid = pw->pw_gid;
    } else {
        g_clear_pointer(&t->setpriv, g_free);
    }

    char *key = probe_key(t->path, t->setpriv, opt);
    gboolean ok = opt->use_cache && cache_load(t, key);
    if (!ok) {
        g_clear_pointer(&t->version, g_free);
        g_clear_pointer(&t->plugin_path, g_free);
        g_clear_pointer(&t->plugin_dir, g_free);
        g_clear_pointer(&t->note, g_free);
        t->as_nobody = FALSE;
        GString *why = g_string_new(NULL);
        ok = probe(t, opt, why);
        if (ok) {
            cache_store(t, key);
        } else {
            char *global = global_plugin_folder(t);
            GString *msg = g_string_new(NULL);
            g_string_append_printf(msg, "the mptcpv plugin %s is not usable with %s%s%s%s:\n%s",
                                   PLUGIN_VERSION, t->path, t->version ? " (Wireshark " : "",
                                   t->version ? t->version : "", t->version ? ")" : "", why->str);
            if (t->foreign)
                ; /* |why| says what to do */
            else
                g_string_append_printf(msg,
                                       "  fix: install it into tshark's global plugin "
                                       "folder (%s/epan) with `cmake --install BUILD` as "
                                       "root",
                                       global != NULL ? global : "see `tshark -G folders`");
            if (t->foreign)
                ;
            else if (geteuid() != 0)
                g_string_append(msg, ", or point --plugin-dir at BUILD/plugins");
            else if (t->setpriv == NULL)
                g_string_append(msg, " (as root a build-tree plugin needs setpriv)");
            else
                g_string_append(msg, ", or make --plugin-dir readable by user nobody");
            *problem = g_string_free(msg, FALSE);
            g_free(global);
        }
        g_string_free(why, TRUE);
    }
    g_free(key);
    if (!ok) {
        tshark_free(t);
        return NULL;
    }
    t->envp = make_env(t->plugin_dir, t->as_nobody);
    t->plot_fields = opt->plot_fields;
    if (opt->verbose)
        fprintf(stderr, "mptcpv-validate: tshark %s (%s), plugin %s%s\n", t->version, t->path,
                t->plugin_path, t->as_nobody ? ", tshark runs as nobody" : "");
    return t;
}

/* ---- running ---------------------------------------------------------------------------- */

typedef struct feeder {
    int to;   /* tshark's stdin */
    int from; /* the capture */
    const guint8 *prefix;
    gsize prefix_len;
    gboolean read_error;
    int read_errno;
} feeder;

static gboolean write_all(int fd, const guint8 *p, gsize n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return FALSE; /* EPIPE: tshark stopped reading; it will say why */
        p += w;
        n -= (gsize)w;
    }
    return TRUE;
}

static gpointer feed(gpointer data)
{
    feeder *f = data;
    guint8 *buf = g_malloc(1 << 16);
    if (write_all(f->to, f->prefix, f->prefix_len)) {
        for (;;) {
            ssize_t r = read(f->from, buf, 1 << 16);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                f->read_error = TRUE;
                f->read_errno = errno;
                break;
            }
            if (r == 0 || !write_all(f->to, buf, (gsize)r))
                break;
        }
    }
    g_free(buf);
    close(f->to);
    return NULL;
}

typedef struct drain {
    int fd;
    GString *text;
} drain;

static gpointer drain_stderr(gpointer data)
{
    drain *d = data;
    char buf[4096];
    for (;;) {
        ssize_t r = read(d->fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (d->text->len < STDERR_MAX)
            g_string_append_len(d->text, buf, r);
    }
    close(d->fd);
    return NULL;
}

/* tshark's stderr without the root warning, as lines. */
static GPtrArray *stderr_lines(const char *text)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    gchar **all = g_strsplit(text, "\n", -1);
    for (gchar **l = all; *l != NULL; l++) {
        char *s = g_strstrip(g_strdup(*l));
        if (*s == '\0' || strstr(s, "This could be dangerous") != NULL) {
            g_free(s);
            continue;
        }
        g_ptr_array_add(lines, s);
    }
    g_strfreev(all);
    return lines;
}

static const char *strip_tshark(const char *line)
{
    return g_str_has_prefix(line, "tshark: ") ? line + strlen("tshark: ") : line;
}

static tshark_status judge(const tshark_handle *t, int wait_status, const char *err_text,
                           char **error)
{
    GPtrArray *lines = stderr_lines(err_text);
    tshark_status st = TSHARK_OK;
    const char *first = lines->len > 0 ? g_ptr_array_index(lines, 0) : NULL;
    const char *second = lines->len > 1 ? g_ptr_array_index(lines, 1) : NULL;
    if (strstr(err_text, "aren't valid") != NULL || strstr(err_text, "isn't valid") != NULL) {
        const char *bad = second != NULL ? second : "";
        *error = g_strdup_printf("tshark does not know the field(s) %s: the mptcpv plugin at %s "
                                 "did not load or is not build %s",
                                 bad, t->plugin_path, PLUGIN_VERSION);
        st = TSHARK_ERROR;
    } else if (WIFSIGNALED(wait_status)) {
        *error = g_strdup_printf("tshark was killed by signal %d (%s) on this capture: a bug in "
                                 "tshark or the mptcpv plugin",
                                 WTERMSIG(wait_status), g_strsignal(WTERMSIG(wait_status)));
        st = TSHARK_ERROR;
    } else if (strstr(err_text, "cut short in the middle of a packet") != NULL) {
        *error = g_strdup("truncated capture: cut short in the middle of a packet");
        st = TSHARK_INPUT_ERROR;
    } else if (strstr(err_text, "damaged or corrupt") != NULL) {
        *error = g_strdup_printf("corrupt capture%s%s", second != NULL ? ": " : "",
                                 second != NULL ? second : "");
        st = TSHARK_INPUT_ERROR;
    } else if (strstr(err_text, "isn't a capture file") != NULL ||
               strstr(err_text, "unknown file format") != NULL) {
        *error = g_strdup("not a capture file tshark can read");
        st = TSHARK_INPUT_ERROR;
    } else if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
        *error =
            g_strdup_printf("tshark failed (exit status %d)%s%s",
                            WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1,
                            first != NULL ? ": " : "", first != NULL ? strip_tshark(first) : "");
        st = TSHARK_INPUT_ERROR;
    }
    g_ptr_array_free(lines, TRUE);
    return st;
}

tshark_status tshark_run(const tshark_handle *t, const char *path, int input_fd, const void *prefix,
                         gsize prefix_len, tshark_row_fn fn, gpointer user, volatile gint *rows,
                         char **error)
{
    *error = NULL;
    GPtrArray *argv = tshark_argv(t, input_fd >= 0 ? "-" : path);
    int in_fd = -1, out_fd = -1, err_fd = -1;
    GPid pid;
    GError *gerr = NULL;
    GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD;
    if (input_fd < 0)
        flags |= G_SPAWN_STDIN_FROM_DEV_NULL;
    /* Inherit the working directory: capture paths on the command line may be relative. */
    if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, t->envp, flags, NULL, NULL, &pid,
                                  input_fd >= 0 ? &in_fd : NULL, &out_fd, &err_fd, &gerr)) {
        *error = g_strdup_printf("cannot start %s: %s", t->path, gerr->message);
        g_error_free(gerr);
        g_ptr_array_free(argv, TRUE);
        return TSHARK_ERROR;
    }
    g_ptr_array_free(argv, TRUE);

    drain d = {err_fd, g_string_new(NULL)};
    GThread *drain_thread = g_thread_new("tshark-stderr", drain_stderr, &d);
    feeder f = {in_fd, input_fd, prefix, prefix_len, FALSE, 0};
    GThread *feed_thread = input_fd >= 0 ? g_thread_new("tshark-stdin", feed, &f) : NULL;

    /* Columns of asked fields in table order; the others read as empty. */
    int map[FIELD_COUNT], ncols = 0;
    for (int i = 0; i < FIELD_COUNT; i++)
        if (field_asked(t, i))
            map[ncols++] = i;
    char *cols[FIELD_COUNT];
    static char empty[] = "";

    FILE *fp = fdopen(out_fd, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        for (int i = 0; i < FIELD_COUNT; i++)
            cols[i] = empty;
        char *p = line;
        for (int c = 0; c < ncols && p != NULL; c++) {
            char *tab = strchr(p, '\t');
            if (tab != NULL)
                *tab = '\0';
            cols[map[c]] = p;
            p = tab != NULL ? tab + 1 : NULL;
        }
        fn(cols, user);
        if (rows != NULL)
            g_atomic_int_inc(rows);
    }
    free(line);
    fclose(fp);
    if (feed_thread != NULL)
        g_thread_join(feed_thread);
    g_thread_join(drain_thread);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(pid);

    tshark_status st = judge(t, status, d.text->str, error);
    if (st == TSHARK_OK && f.read_error) {
        *error = g_strdup_printf("read error: %s", g_strerror(f.read_errno));
        st = TSHARK_INPUT_ERROR;
    }
    g_string_free(d.text, TRUE);
    return st;
}
