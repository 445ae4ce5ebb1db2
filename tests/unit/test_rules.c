/* The rule table: ids unique and dotted, every field filled, lookups both ways. */
#include <check.h>
#include <string.h>

#include "mptcpv/rules.h"

START_TEST(test_table)
{
    for (int i = 0; i < MPTCPV_RULE_COUNT; i++) {
        const mptcpv_rule *r = mptcpv_rule_get((mptcpv_rule_id)i);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(r->rule, i);
        ck_assert_ptr_nonnull(strchr(r->id, '.'));
        ck_assert_uint_gt(strlen(r->rfc), 0);
        ck_assert_uint_gt(strlen(r->catalogue), 0);
        ck_assert_uint_gt(strlen(r->description), 0);
        ck_assert_ptr_eq(mptcpv_rule_find(r->id), r);
        for (int k = 0; k < i; k++)
            ck_assert_str_ne(mptcpv_rule_get((mptcpv_rule_id)k)->id, r->id);
    }
    ck_assert_ptr_null(mptcpv_rule_get(MPTCPV_RULE_COUNT));
    ck_assert_ptr_null(mptcpv_rule_find("no.such_rule"));
    ck_assert_ptr_null(mptcpv_rule_find(NULL));
    ck_assert_str_eq(mptcpv_rule_get(MPTCPV_RULE_OPTION_MALFORMED)->id, "option.malformed");
    ck_assert_str_eq(mptcpv_severity_name(MPTCPV_SEVERITY_ERROR), "error");
    ck_assert_str_eq(mptcpv_severity_name(MPTCPV_SEVERITY_WARNING), "warning");
    ck_assert_str_eq(mptcpv_severity_name(MPTCPV_SEVERITY_INFO), "info");
}
END_TEST

Suite *rules_suite(void);

Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_table);
    suite_add_tcase(s, tc);
    return s;
}
