/* Where a report goes: a file, written whole, or stdout (see report.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report.h"

#define PROG "mptcpv-validate"

gboolean report_emit(const char *path, const char *data, gsize len)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        gboolean ok = fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0;
        if (!ok)
            fprintf(stderr, "%s: cannot write to stdout: %s\n", PROG, g_strerror(errno));
        return ok;
    }
    /* g_file_set_contents() renames a temporary file over the target: as root that would
     * turn /dev/null or a FIFO into a regular file, and it would replace a symlink. Those
     * are written in place; new and regular files atomically. */
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        FILE *f = fopen(path, "w");
        gboolean ok = f != NULL && fwrite(data, 1, len, f) == len;
        if (f != NULL && fclose(f) != 0)
            ok = FALSE;
        if (!ok)
            fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path, g_strerror(errno));
        return ok;
    }
    GError *error = NULL;
    if (!g_file_set_contents(path, data, (gssize)len, &error)) {
        /* GLib's message names its temporary file: say the user's path */
        fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path,
                g_strerror(error->domain == G_FILE_ERROR ? errno : EIO));
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

/* Can a file be created in |dir|? (g_file_set_contents() writes a temporary file there.) */
static gboolean dir_writable(const char *dir, int *err)
{
    char *tmpl = g_build_filename(dir, ".mptcpv-validate-XXXXXX", NULL);
    int fd = g_mkstemp(tmpl);
    *err = fd < 0 ? errno : 0;
    if (fd >= 0) {
        close(fd);
        unlink(tmpl);
    }
    g_free(tmpl);
    return fd >= 0;
}

gboolean report_check_output(const char *option, const char *path, gboolean is_dir)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return TRUE;
    struct stat st;
    int err = 0;
    gboolean exists = stat(path, &st) == 0;
    if (is_dir) {
        if (exists && !S_ISDIR(st.st_mode))
            err = ENOTDIR;
        else if (!exists && g_mkdir_with_parents(path, 0755) != 0)
            err = errno;
        else
            dir_writable(path, &err);
    } else if (exists && S_ISDIR(st.st_mode)) {
        err = EISDIR;
    } else if (exists && !S_ISREG(st.st_mode)) {
        if (access(path, W_OK) != 0) /* FIFO, device: written in place, not opened twice */
            err = errno;
    } else {
        char *dir = g_path_get_dirname(path);
        dir_writable(dir, &err);
        g_free(dir);
    }
    if (err != 0)
        fprintf(stderr, "%s: %s %s: cannot write there: %s\n", PROG, option, path, g_strerror(err));
    return err == 0;
}

gboolean report_emit_stream(const char *path, GOutputStream *mem)
{
    return report_emit(path, g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(mem)),
                       g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(mem)));
}

gboolean report_write(const result_report *r, report_writer fn, const char *path)
{
    GOutputStream *mem = g_memory_output_stream_new_resizable();
    GError *error = NULL;
    gboolean ok = fn(r, mem, &error) && g_output_stream_close(mem, NULL, &error);
    if (ok)
        ok = report_emit_stream(path, mem);
    else
        fprintf(stderr, "%s: cannot write the report: %s\n", PROG, error->message);
    g_clear_error(&error);
    g_object_unref(mem);
    return ok;
}
