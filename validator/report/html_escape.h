/* Text into HTML/SVG: everything that comes from a capture or a path goes through here. */
#ifndef MPTCPV_VALIDATE_HTML_ESCAPE_H
#define MPTCPV_VALIDATE_HTML_ESCAPE_H

#include <glib.h>

/* Append |text| as HTML text or a quoted attribute value: & < > " ' become references,
 * invalid UTF-8 and control characters (other than tab and newline) become U+FFFD. */
void html_escape(GString *out, const char *text);

#endif
