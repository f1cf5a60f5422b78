/* params: decoding, case-insensitive names, repeats, every error code. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "params.h"

enum { P_X, P_N, P_S, P_B, P_MULTI, P__MAX };

static const struct param_rule rules[P__MAX] = {
	[P_X] = { .name = "X", .type = PARAM_DOUBLE, .min = -10, .max = 10,
	    .max_count = 1, .required = 1 },
	[P_N] = { .name = "N", .type = PARAM_INT, .max = 100, .max_count = 1 },
	[P_S] = { .name = "Str", .type = PARAM_STRING, .maxlen = 8,
	    .max_count = 1 },
	[P_B] = { .name = "flag", .type = PARAM_BOOL, .max_count = 1 },
	[P_MULTI] = { .name = "ID", .type = PARAM_STRING, .max_count = 3 },
};

static enum params_err
parse_get(struct params *p, const char *query)
{
	struct request	 r;

	req_get(&r, "/x", query);
	return params_parse(p, &r, rules, P__MAX, 16);
}

static void
test_basic_and_case(void)
{
	struct params	 p;

	CU_ASSERT_EQUAL(parse_get(&p, "x=1.5&n=42&STR=abc&FLAG=True"), PARAMS_OK);
	CU_ASSERT_DOUBLE_EQUAL(params_get(&p, P_X)->d, 1.5, 0);
	CU_ASSERT_EQUAL(params_get(&p, P_N)->i, 42);
	CU_ASSERT_STRING_EQUAL(params_get(&p, P_S)->raw, "abc");
	CU_ASSERT_EQUAL(params_get(&p, P_B)->b, 1);
	CU_ASSERT_PTR_NULL(params_get(&p, P_MULTI));
	params_free(&p);
}

static void
test_decoding(void)
{
	struct params	 p;

	CU_ASSERT_EQUAL(parse_get(&p, "X=1e-05&ID=a+b&id=c%26d&&Id=%C3%A9"),
	    PARAMS_OK);
	CU_ASSERT_DOUBLE_EQUAL(params_get(&p, P_X)->d, 1e-5, 0);
	CU_ASSERT_EQUAL(params_count(&p, P_MULTI), 3);
	/* Values keep the order they came in, and their case. */
	CU_ASSERT_STRING_EQUAL(params_get(&p, P_MULTI)[0].raw, "a b");
	CU_ASSERT_STRING_EQUAL(params_get(&p, P_MULTI)[1].raw, "c&d");
	CU_ASSERT_STRING_EQUAL(params_get(&p, P_MULTI)[2].raw, "\xc3\xa9");
	params_free(&p);
}

static void
test_post_body(void)
{
	struct params	 p;
	struct request	 r;

	req_post(&r, "/x", "X=2&ID=one&ID=two");
	r.query = "n=5";
	CU_ASSERT_EQUAL(params_parse(&p, &r, rules, P__MAX, 16), PARAMS_OK);
	CU_ASSERT_EQUAL(params_get(&p, P_N)->i, 5);
	CU_ASSERT_EQUAL(params_count(&p, P_MULTI), 2);
	params_free(&p);

	req_post(&r, "/x", "X=2");
	r.content_type = "application/x-www-form-urlencoded; charset=UTF-8";
	CU_ASSERT_EQUAL(params_parse(&p, &r, rules, P__MAX, 16), PARAMS_OK);
	params_free(&p);

	req_post(&r, "/x", "{\"X\": 2}");
	r.content_type = "application/json";
	CU_ASSERT_EQUAL(params_parse(&p, &r, rules, P__MAX, 16), PARAMS_ECTYPE);
	params_free(&p);

	req_post(&r, "/x", "X=2");
	r.body_too_large = 1;
	CU_ASSERT_EQUAL(params_parse(&p, &r, rules, P__MAX, 16), PARAMS_EBODY);
	params_free(&p);
}

static void
expect(const char *query, enum params_err err, const char *msg)
{
	struct params	 p;
	char		 buf[256];

	CU_ASSERT_EQUAL(parse_get(&p, query), err);
	if (msg != NULL)
		CU_ASSERT_STRING_EQUAL(params_error(&p, buf, sizeof(buf)), msg);
	params_free(&p);
}

static void
test_errors(void)
{
	expect("n=1", PARAMS_EMISSING, "X: missing");
	expect("X=1&x=2", PARAMS_EREPEATED, "X: given 2 times; it takes one value");
	expect("X=1&ID=a&ID=b&ID=c&ID=d", PARAMS_EREPEATED,
	    "ID: given 4 times; at most 3 values");
	expect("X=", PARAMS_EEMPTY, "X: empty value");
	expect("X=abc", PARAMS_ESYNTAX, "X: 'abc' is not a decimal number");
	expect("X=11", PARAMS_ERANGE, "X: 11 is out of range [-10, 10]");
	expect("X=1&N=1.5", PARAMS_ESYNTAX, "N: '1.5' is not an integer");
	expect("X=1&flag=maybe", PARAMS_ESYNTAX, "flag: 'maybe' is not true or false");
	expect("X=1&Str=123456789", PARAMS_ETOOLONG, "Str: value longer than 8 bytes");
	expect("X=%zz", PARAMS_EENCODING, NULL);
	expect("X=%4", PARAMS_EENCODING, NULL);
	expect("X=1%00", PARAMS_EENCODING, NULL);
	/* Not numbers in the DALI sense, though strtod would take them. */
	expect("X=nan", PARAMS_ESYNTAX, NULL);
	expect("X=inf", PARAMS_ESYNTAX, NULL);
	expect("X=0x10", PARAMS_ESYNTAX, NULL);
	expect("X=1e999", PARAMS_ESYNTAX, NULL);
	expect("X=1.0.0", PARAMS_ESYNTAX, NULL);
	expect("a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&"
	    "n=14&o=15&p=16&q=17", PARAMS_ETOOMANY, "too many parameters");
	/* Long user text is shortened in messages. */
	expect("X=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    PARAMS_ESYNTAX,
	    "X: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a decimal number");
}

static void
test_unknown_ignored(void)
{
	struct params	 p;

	CU_ASSERT_EQUAL(parse_get(&p, "X=1&FOO=bar&=x&novalue"), PARAMS_OK);
	CU_ASSERT_EQUAL(p.npairs, 4);
	params_free(&p);
}

static void
test_converters(void)
{
	double		 d;
	long long	 l;
	int		 b;

	CU_ASSERT_EQUAL(parse_double(" 12.5 ", &d), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, 12.5, 0);
	CU_ASSERT_EQUAL(parse_double("-1E3", &d), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, -1000, 0);
	CU_ASSERT_EQUAL(parse_double("", &d), -1);
	CU_ASSERT_EQUAL(parse_double("1 2", &d), -1);
	CU_ASSERT_EQUAL(parse_llong("9223372036854775807", &l), 0);
	CU_ASSERT_EQUAL(parse_llong("9223372036854775808", &l), -1);
	CU_ASSERT_EQUAL(parse_llong("1e3", &l), -1);
	CU_ASSERT_EQUAL(parse_bool("FALSE", &b), 0);
	CU_ASSERT_EQUAL(b, 0);
	CU_ASSERT_EQUAL(parse_bool("yes", &b), 0);
	CU_ASSERT_EQUAL(b, 1);
	CU_ASSERT_EQUAL(parse_bool("", &b), -1);
}

/* Even numbers only; the half goes into v->i and a word into v->s. */
static int
even(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	if (v->i % 2 != 0) {
		snprintf(why, whysize, "%s: %lld is odd", r->name, v->i);
		return -1;
	}
	v->i /= 2;
	v->s = r->valid_arg;
	return 0;
}

static void
test_validator(void)
{
	static const struct param_rule vr[] = {
		{ .name = "E", .type = PARAM_INT, .max = 100, .max_count = 2,
		    .valid = even, .valid_arg = "even" },
	};
	struct request	 r;
	struct params	 p;
	char		 buf[128];

	req_get(&r, "/x", "e=8&E=4");
	CU_ASSERT_EQUAL_FATAL(params_parse(&p, &r, vr, 1, 16), PARAMS_OK);
	CU_ASSERT_EQUAL(params_get(&p, 0)[0].i, 4);
	CU_ASSERT_EQUAL(params_get(&p, 0)[1].i, 2);
	CU_ASSERT_STRING_EQUAL(params_get(&p, 0)[1].s, "even");
	params_free(&p);
	/* The type's check comes first; the validator's sentence is kept. */
	req_get(&r, "/x", "E=101");
	CU_ASSERT_EQUAL(params_parse(&p, &r, vr, 1, 16), PARAMS_ERANGE);
	params_free(&p);
	req_get(&r, "/x", "E=2&E=7");
	CU_ASSERT_EQUAL(params_parse(&p, &r, vr, 1, 16), PARAMS_EINVALID);
	CU_ASSERT_STRING_EQUAL(params_error(&p, buf, sizeof(buf)),
	    "E: 7 is odd");
	params_free(&p);
}

void
suite_params(void)
{
	CU_pSuite	 s = CU_add_suite("params", NULL, NULL);

	CU_add_test(s, "names are case-insensitive, values typed", test_basic_and_case);
	CU_add_test(s, "percent and plus decoding, repeats in order", test_decoding);
	CU_add_test(s, "form-encoded POST bodies", test_post_body);
	CU_add_test(s, "every error has its message", test_errors);
	CU_add_test(s, "unknown parameters are ignored", test_unknown_ignored);
	CU_add_test(s, "number and boolean converters", test_converters);
	CU_add_test(s, "a rule's own validator", test_validator);
}
