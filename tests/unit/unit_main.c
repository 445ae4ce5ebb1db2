/* Runs every unit suite; CK_RUN_SUITE=<name> selects one (CTest runs them one by one). */
#include <check.h>
#include <stdlib.h>

Suite *options_suite(void);
Suite *format_suite(void);
Suite *rules_suite(void);
Suite *crypto_suite(void);
Suite *dss_checksum_suite(void);
Suite *tracker_suite(void);
Suite *conn_handshake_suite(void);
Suite *conn_join_suite(void);
Suite *conn_signal_suite(void);
Suite *conn_data_suite(void);
Suite *conn_close_suite(void);
Suite *limits_suite(void);
Suite *tshark_argv_suite(void);
Suite *frame_store_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(options_suite());
    srunner_add_suite(sr, format_suite());
    srunner_add_suite(sr, rules_suite());
    srunner_add_suite(sr, crypto_suite());
    srunner_add_suite(sr, dss_checksum_suite());
    srunner_add_suite(sr, tracker_suite());
    srunner_add_suite(sr, conn_handshake_suite());
    srunner_add_suite(sr, conn_join_suite());
    srunner_add_suite(sr, conn_signal_suite());
    srunner_add_suite(sr, conn_data_suite());
    srunner_add_suite(sr, conn_close_suite());
    srunner_add_suite(sr, limits_suite());
    srunner_add_suite(sr, tshark_argv_suite());
    srunner_add_suite(sr, frame_store_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
