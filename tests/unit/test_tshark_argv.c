/*
 * Reading tshark's -e fields from its command line (plugin/tshark-argv.c): every way tshark
 * 4.0 accepts an option is read as it does, and everything else gives FALSE (full tree).
 */
#include <check.h>
#include <string.h>

#include "tshark-argv.h"

/* Runs |args| (NULL-terminated, argv[0] first); |expected| the fields wanted, "," separated,
 * or NULL for FALSE. */
static void check_fields(const char *const *args, const char *expected)
{
    int argc = 0;
    while (args[argc] != NULL)
        argc++;
    GPtrArray *fields = g_ptr_array_new();
    /* tshark's argv is writable; a copy stands in for it. */
    char **argv = g_new0(char *, (gsize)argc + 1);
    for (int i = 0; i < argc; i++)
        argv[i] = g_strdup(args[i]);
    gboolean found = mptcpv_tshark_printed_fields(argc, argv, fields);
    if (expected == NULL) {
        ck_assert_msg(!found, "%s ...: read, should not be", args[1]);
        ck_assert_uint_eq(fields->len, 0);
    } else {
        ck_assert_msg(found, "%s ...: not read", args[1]);
        GString *got = g_string_new(NULL);
        for (guint i = 0; i < fields->len; i++)
            g_string_append_printf(got, "%s%s", i > 0 ? "," : "",
                                   (const char *)g_ptr_array_index(fields, i));
        ck_assert_str_eq(got->str, expected);
        g_string_free(got, TRUE);
    }
    g_ptr_array_free(fields, TRUE);
    g_strfreev(argv);
}

#define FIELDS(expected, ...)                                                                      \
    do {                                                                                           \
        const char *args_[] = {__VA_ARGS__, NULL};                                                 \
        check_fields(args_, expected);                                                             \
    } while (0)

START_TEST(test_plain_fields_run)
{
    FIELDS("mptcpv.connection,mptcpv.rule", "tshark", "-r", "a.pcap", "-T", "fields", "-e",
           "mptcpv.connection", "-e", "mptcpv.rule");
    FIELDS("frame.number", "/usr/bin/tshark", "-Tfields", "-eframe.number", "-ra.pcap");
}
END_TEST

START_TEST(test_grouped_flags_and_attached_argument)
{
    /* -n, -q and -2 take no argument; the T that follows takes the rest of the word. */
    FIELDS("mptcpv.dsn", "tshark", "-nq2Tfields", "-r", "a.pcap", "-e", "mptcpv.dsn");
    /* -o takes "fields" as its value here, not as -T's. */
    FIELDS(NULL, "tshark", "-nofields", "-r", "a.pcap", "-e", "mptcpv.dsn");
    FIELDS("mptcpv.dsn", "tshark", "-nofields", "-Tfields", "-r", "a.pcap", "-e", "mptcpv.dsn");
    /* A value that looks like an option is still the value. */
    FIELDS("-e", "tshark", "-Tfields", "-e", "-e", "-r", "a.pcap");
}
END_TEST

START_TEST(test_long_options)
{
    FIELDS("mptcpv.rule", "tshark", "--log-level=warning", "--disable-protocol", "http", "-Tfields",
           "-e", "mptcpv.rule", "-r", "a.pcap", "--no-duplicate-keys");
    /* An abbreviation ws_getopt would accept is not guessed at; nor is an unknown one. */
    FIELDS(NULL, "tshark", "--disable-prot", "http", "-Tfields", "-e", "mptcpv.rule");
    FIELDS(NULL, "tshark", "--read-file", "a.pcap", "-Tfields", "-e", "mptcpv.rule");
    /* A flag given a value, a value missing at the end. */
    FIELDS(NULL, "tshark", "--version=1", "-Tfields", "-e", "mptcpv.rule");
    FIELDS(NULL, "tshark", "-Tfields", "-e", "mptcpv.rule", "--temp-dir");
}
END_TEST

START_TEST(test_what_needs_the_full_tree)
{
    FIELDS(NULL, "tshark", "-r", "a.pcap", "-e", "mptcpv.rule");               /* no -T */
    FIELDS(NULL, "tshark", "-r", "a.pcap", "-T", "json", "-e", "mptcpv.rule"); /* -T json */
    FIELDS(NULL, "tshark", "-Tfields", "-r", "a.pcap");                        /* no -e */
    FIELDS(NULL, "tshark", "-Tfields", "-e", "mptcpv.rule", "-X", "lua_script:a.lua");
    FIELDS(NULL, "tshark", "-G", "fields");
    FIELDS(NULL, "tshark", "-Tfields", "-e", "mptcpv.rule", "-i", "lo", "tcp"); /* filter */
    FIELDS(NULL, "tshark", "-Tfields", "-e", "mptcpv.rule", "-r", "-", "--");
    FIELDS(NULL, "tshark", "-Tfields", "-e", "mptcpv.rule", "-Z", "x"); /* unknown */
    FIELDS(NULL, "tshark", "-Tfields", "-e");                           /* missing */
    FIELDS(NULL, "tshark", "-Tfields", "-e", "mptcpv.rule", "-");
    /* The last -T counts, as in tshark. */
    FIELDS(NULL, "tshark", "-Tfields", "-e", "mptcpv.rule", "-Tpdml");
    FIELDS("mptcpv.rule", "tshark", "-Tpdml", "-e", "mptcpv.rule", "-Tfields");
}
END_TEST

START_TEST(test_other_programs)
{
    FIELDS(NULL, "wireshark", "-Tfields", "-e", "mptcpv.rule");
    FIELDS(NULL, "/usr/bin/tshark-wrapper", "-Tfields", "-e", "mptcpv.rule");
    FIELDS("mptcpv.rule", "C:\\Program Files\\Wireshark\\TShark.exe", "-Tfields", "-e",
           "mptcpv.rule");
    const char *only_name[] = {"tshark", NULL};
    check_fields(only_name, NULL);
}
END_TEST

START_TEST(test_this_process)
{
    /* The unit test binary is not tshark. */
    GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
    ck_assert(!mptcpv_tshark_printed_fields_of_process(fields, 64 * 1024));
    ck_assert(!mptcpv_tshark_printed_fields_of_process(fields, 1));
    ck_assert_uint_eq(fields->len, 0);
    g_ptr_array_free(fields, TRUE);
}
END_TEST

Suite *tshark_argv_suite(void);

Suite *tshark_argv_suite(void)
{
    Suite *s = suite_create("tshark_argv");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_plain_fields_run);
    tcase_add_test(tc, test_grouped_flags_and_attached_argument);
    tcase_add_test(tc, test_long_options);
    tcase_add_test(tc, test_what_needs_the_full_tree);
    tcase_add_test(tc, test_other_programs);
    tcase_add_test(tc, test_this_process);
    suite_add_tcase(s, tc);
    return s;
}
