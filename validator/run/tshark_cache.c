/*
 * The probe cache. Every check is `tshark -G plugins` (is mptcpv.so loaded, from where, which
 * version) and `tshark -v` (tshark's version). Each costs about a tshark start (~0.4 s), more
 * than a small capture, so the outcome is cached in $XDG_CACHE_HOME/mptcpv/validate-probe.ini,
 * keyed by the size, mtime and inode of tshark, setpriv and every plugin file that could be
 * loaded; any change there, or --no-cache, probes again.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/tshark_private.h"

char *tshark_stamp(const char *path)
{
    struct stat st;
    if (path == NULL || *path == '\0' || stat(path, &st) != 0)
        return g_strdup("absent");
    return g_strdup_printf("%lld:%lld.%09ld:%llu", (long long)st.st_size,
                           (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
                           (unsigned long long)st.st_ino);
}

char *tshark_cache_key(const char *tshark, const char *setpriv, const tshark_options *opt)
{
    GString *k = g_string_new(NULL);
    char *personal =
        g_build_filename(g_get_home_dir(), ".local", "lib", "wireshark", "plugins", NULL);
    const char *env_dir = g_getenv("WIRESHARK_PLUGIN_DIR");
    const char *roots[] = {opt->plugin_dir, MPTCPV_BUILD_PLUGIN_ROOT, personal, env_dir};
    g_string_append_printf(k, "validator=%s;euid=%u;tshark=%s;", PLUGIN_VERSION,
                           (unsigned)geteuid(), tshark);
    char *s = tshark_stamp(tshark);
    g_string_append_printf(k, "%s;setpriv=%s;", s, setpriv != NULL ? setpriv : "");
    g_free(s);
    s = tshark_stamp(setpriv);
    g_string_append_printf(k, "%s;opt=%s;env=%s;", s, opt->plugin_dir ? opt->plugin_dir : "",
                           env_dir ? env_dir : "");
    g_free(s);
    for (size_t i = 0; i < G_N_ELEMENTS(roots); i++) {
        if (roots[i] == NULL || *roots[i] == '\0')
            continue;
        char *file = tshark_plugin_file_in(roots[i]);
        s = tshark_stamp(file);
        g_string_append_printf(k, "%s=%s;", file, s);
        g_free(s);
        g_free(file);
    }
    if (*MPTCPV_GLOBAL_PLUGIN_DIR != '\0') {
        char *file = g_build_filename(MPTCPV_GLOBAL_PLUGIN_DIR, PLUGIN_FILE, NULL);
        s = tshark_stamp(file);
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

gboolean tshark_cache_load(tshark_handle *t, const char *key)
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
        char *now = tshark_stamp(t->plugin_path);
        ok = ok && plugin_stamp != NULL && strcmp(plugin_stamp, now) == 0;
        g_free(plugin_stamp);
        g_free(now);
    }
    g_free(k);
    g_key_file_free(kf);
    g_free(file);
    return ok;
}

void tshark_cache_store(const tshark_handle *t, const char *key)
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
    char *ps = tshark_stamp(t->plugin_path);
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
