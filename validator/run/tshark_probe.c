/*
 * Finding tshark and the mptcpv plugin (see tshark.h).
 *
 * Where the plugin comes from (in this order):
 *   1. --plugin-dir DIR: WIRESHARK_PLUGIN_DIR=DIR (layout DIR/<major.minor>/epan/mptcpv.so).
 *   2. Whatever tshark loads by itself (the global plugin folder after `cmake --install` or
 *      from the package, or a personal plugin folder), if it is mptcpv.so of exactly this
 *      validator's build ("<version>+<build id>", see cmake/build_id.cmake). Another build
 *      there is an error, not a reason to look further: it is what tshark and Wireshark use.
 *   3. The build tree this validator was built in (MPTCPV_BUILD_PLUGIN_ROOT).
 * As root, 1 and 3 run tshark as nobody (tshark_privdrop.c); the outcome is cached
 * (tshark_cache.c).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run/tshark_private.h"

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

char *tshark_plugin_file_in(const char *root)
{
    return g_build_filename(root, MPTCPV_WIRESHARK_ABI, "epan", PLUGIN_FILE, NULL);
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
    char *from_env = env != NULL && *env != '\0' ? tshark_plugin_file_in(env) : NULL;
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
    tshark_argv_start(argv, t, as_nobody);
    g_ptr_array_add(argv, g_strdup("-G"));
    g_ptr_array_add(argv, g_strdup("plugins"));
    char **env = tshark_env(plugin_dir, as_nobody);
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
        char *own = *MPTCPV_BUILD_PLUGIN_ROOT != '\0'
                        ? tshark_plugin_file_in(MPTCPV_BUILD_PLUGIN_ROOT)
                        : NULL;
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

/* Why no usable plugin was found (|why|: one "  - ..." line per place tried) and what to do. */
static char *not_usable(const tshark_handle *t, const char *why)
{
    char *global = global_plugin_folder(t);
    GString *msg = g_string_new(NULL);
    g_string_append_printf(msg, "the mptcpv plugin %s is not usable with %s%s%s%s:\n%s",
                           PLUGIN_VERSION, t->path, t->version ? " (Wireshark " : "",
                           t->version ? t->version : "", t->version ? ")" : "", why);
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
    g_free(global);
    return g_string_free(msg, FALSE);
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
    tshark_find_nobody(t);

    char *key = tshark_cache_key(t->path, t->setpriv, opt);
    gboolean ok = opt->use_cache && tshark_cache_load(t, key);
    if (!ok) {
        g_clear_pointer(&t->version, g_free);
        g_clear_pointer(&t->plugin_path, g_free);
        g_clear_pointer(&t->plugin_dir, g_free);
        g_clear_pointer(&t->note, g_free);
        t->as_nobody = FALSE;
        GString *why = g_string_new(NULL);
        ok = probe(t, opt, why);
        if (ok) {
            tshark_cache_store(t, key);
        } else {
            *problem = not_usable(t, why->str);
        }
        g_string_free(why, TRUE);
    }
    g_free(key);
    if (!ok) {
        tshark_free(t);
        return NULL;
    }
    t->envp = tshark_env(t->plugin_dir, t->as_nobody);
    t->plot_fields = opt->plot_fields;
    if (opt->verbose)
        fprintf(stderr, "mptcpv-validate: tshark %s (%s), plugin %s%s\n", t->version, t->path,
                t->plugin_path, t->as_nobody ? ", tshark runs as nobody" : "");
    return t;
}
