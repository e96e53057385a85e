/* Shared CUnit boilerplate: each tests/unit/test_*.c is its own program.
 *
 *   static const rg_test tests[] = { {"name", fn}, ..., {NULL, NULL} };
 *   int main(void) { return rg_test_run("suite", tests); }
 *
 * Exit status is non-zero if any assertion failed. */
#ifndef RG_TESTUTIL_H
#define RG_TESTUTIL_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>

typedef struct rg_test {
    const char *name;
    void (*fn)(void);
} rg_test;

static inline int rg_test_run(const char *suite_name, const rg_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (!suite)
        return 2;
    for (const rg_test *t = tests; t->name; t++)
        if (!CU_add_test(suite, t->name, t->fn))
            return 2;
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() +
                      CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0) {
        fprintf(stderr, "%s: no test ran\n", suite_name);
        return 1;
    }
    return failed ? 1 : 0;
}

#endif
