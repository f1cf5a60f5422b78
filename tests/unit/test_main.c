/* The unit tests: every suite, run by CUnit's basic interface. */
#include <CUnit/Basic.h>

#include "helpers.h"
#include "log.h"

int
main(void)
{
	unsigned	 failed;

	/* Keep expected error lines out of the test output. */
	log_init("unit-tests", LOGL_ERROR);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite_params();
	suite_xml();
	suite_base64();
	suite_votable();
	suite_config();
	suite_scs();
	suite_links();
	suite_soda();
	suite_did();
	suite_db();
	suite_service();
	suite_upstream();
	suite_adql();
	suite_tap();
	suite_b2();
	suite_uws();
	suite_multipart();
	suite_upload();
	suite_upload_vot();
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
