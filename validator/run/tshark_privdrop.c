/*
 * Privilege dropping: tshark started as root ignores WIRESHARK_PLUGIN_DIR, so a root user's
 * tshark with a --plugin-dir or build-tree plugin runs as 'nobody' through setpriv(1), with
 * HOME=/nonexistent, and the capture is piped to it (the validator opens the file; tshark
 * never needs to read the user's files). Without setpriv, root must install the plugin.
 */
#include <pwd.h>

#include "run/tshark_private.h"

void tshark_find_nobody(tshark_handle *t)
{
    t->setpriv = g_find_program_in_path("setpriv");
    /* cppcheck-suppress getpwnamCalled ; once, from tshark_find in the main thread, before
     * any worker thread exists. */
    struct passwd *pw = getpwnam("nobody");
    if (pw != NULL) {
        t->nobody_uid = pw->pw_uid;
        t->nobody_gid = pw->pw_gid;
    } else {
        g_clear_pointer(&t->setpriv, g_free);
    }
}

char **tshark_env(const char *plugin_dir, gboolean as_nobody)
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

void tshark_argv_start(GPtrArray *argv, const tshark_handle *t, gboolean as_nobody)
{
    if (as_nobody) {
        g_ptr_array_add(argv, g_strdup(t->setpriv));
        g_ptr_array_add(argv, g_strdup_printf("--reuid=%u", (unsigned)t->nobody_uid));
        g_ptr_array_add(argv, g_strdup_printf("--regid=%u", (unsigned)t->nobody_gid));
        g_ptr_array_add(argv, g_strdup("--clear-groups"));
    }
    g_ptr_array_add(argv, g_strdup(t->path));
}
