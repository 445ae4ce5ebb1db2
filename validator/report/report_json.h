/* JSON report (schema "mptcpv-report/1", validator/schema/report-v1.json) and merge. */
#ifndef MPTCPV_VALIDATE_REPORT_JSON_H
#define MPTCPV_VALIDATE_REPORT_JSON_H

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "result/result.h"

#define VR_SCHEMA "mptcpv-report/1"

/* Merge shard reports (`mptcpv-validate merge`). On success returns the merged report; sets
 * |failing| (findings at or above the reports' fail_on, or |fail_on| if not NULL),
 * |unreadable| (files with an error) and, if some shard is missing, |warning|. */
JsonNode *vr_json_merge(char **paths, const char *fail_on, guint *failing, guint *unreadable,
                        char **warning, char **error);

gboolean vr_json_write_node(JsonNode *root, GOutputStream *out, GError **error);

/* "error", "warning", "info", "none" -> severity; FALSE if unknown. */
gboolean vr_parse_fail_on(const char *s, mptcpv_severity *sev, gboolean *never);

#endif
