#include "report/html_escape.h"

void html_escape(GString *out, const char *text)
{
    if (text == NULL)
        return;
    /* Finding details and paths are bytes from the capture or the file system. */
    char *valid = g_utf8_make_valid(text, -1);
    for (char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\'':
            g_string_append(out, "&#39;");
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c < 0xa0))
                g_string_append(out, "\xef\xbf\xbd"); /* U+FFFD */
            else
                g_string_append_len(out, p, g_utf8_next_char(p) - p);
        }
    }
    g_free(valid);
}
