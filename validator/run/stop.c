/* Stopping a run on SIGINT/SIGTERM (see stop.h). */
#include "run/stop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib-unix.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static int stop_pipe[2] = {-1, -1};
static GMutex children_lock;
static GHashTable *children; /* GPid -> GPid */

static void on_signal(int sig)
{
    int saved = errno;
    stop_signal = sig;
    if (stop_pipe[1] >= 0) {
        ssize_t w = write(stop_pipe[1], "x", 1);
        (void)w;
    }
    errno = saved;
}

void stop_install(void)
{
    if (stop_pipe[0] < 0 && !g_unix_open_pipe(stop_pipe, FD_CLOEXEC, NULL))
        stop_pipe[0] = stop_pipe[1] = -1;
    if (stop_pipe[1] >= 0)
        fcntl(stop_pipe[1], F_SETFL, O_NONBLOCK);
    struct sigaction sa;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* A second signal: the default action, at once. SA_RESETHAND is the flag bit 0x80000000
     * as an unsigned constant for an int field: the cast keeps the bit. */
    sa.sa_flags = (int)SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int stop_requested(void)
{
    return stop_signal;
}

int stop_fd(void)
{
    return stop_pipe[0];
}

void stop_child_started(GPid pid)
{
    g_mutex_lock(&children_lock);
    if (children == NULL)
        children = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_add(children, GINT_TO_POINTER(pid));
    g_mutex_unlock(&children_lock);
}

void stop_child_ended(GPid pid)
{
    g_mutex_lock(&children_lock);
    if (children != NULL)
        g_hash_table_remove(children, GINT_TO_POINTER(pid));
    g_mutex_unlock(&children_lock);
}

void stop_children(void)
{
    g_mutex_lock(&children_lock);
    GHashTableIter it;
    gpointer key;
    if (children != NULL) {
        g_hash_table_iter_init(&it, children);
        while (g_hash_table_iter_next(&it, &key, NULL))
            kill(-(pid_t)GPOINTER_TO_INT(key), SIGTERM);
    }
    g_mutex_unlock(&children_lock);
}
