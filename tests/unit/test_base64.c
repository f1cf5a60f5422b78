/*
 * base64: RFC 4648's vectors, at once and as a stream however it is cut;
 * decoded back, with blanks anywhere, and every malformed text refused.
 */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "helpers.h"

static const struct {
	const char	*in, *out;
} vectors[] = {		/* RFC 4648 §10 */
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" }
};
#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

static void
test_vectors(void)
{
	struct strbuf	 b = STRBUF_INIT;

	for (size_t i = 0; i < NVECTORS; i++) {
		strbuf_reset(&b);
		CU_ASSERT_EQUAL(b64_encode(&b, vectors[i].in,
		    strlen(vectors[i].in)), 0);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&b), vectors[i].out);
	}
	strbuf_free(&b);
}

/* IN streamed in pieces of CUT bytes (0: one byte, then all the rest). */
static void
stream(const unsigned char *in, size_t len, size_t cut, struct strbuf *out)
{
	struct response		 r;
	struct b64_stream	 b;
	size_t			 n;

	strbuf_reset(out);
	body_init(&r, out);
	b64_init(&b, &r);
	b64_write(&b, in, 0);
	for (size_t at = 0; at < len; at += n) {
		n = cut == 0 ? (at == 0 ? 1 : len - at) : cut;
		if (n > len - at)
			n = len - at;
		b64_write(&b, in + at, n);
		b64_write(&b, in + at, 0);
	}
	b64_finish(&b);
}

static void
test_leftovers(void)
{
	struct strbuf	 b = STRBUF_INIT;
	char		 want[16];

	/* Every vector, cut after 0, 1 or 2 bytes of a group and in ones. */
	for (size_t i = 0; i < NVECTORS; i++)
		for (size_t cut = 0; cut <= 4; cut++) {
			stream((const unsigned char *)vectors[i].in,
			    strlen(vectors[i].in), cut, &b);
			snprintf(want, sizeof(want), "%s%s", vectors[i].out,
			    *vectors[i].out != '\0' ? "\n" : "");
			CU_ASSERT_STRING_EQUAL(strbuf_str(&b), want);
		}
	strbuf_free(&b);
}

/* Lines of 76 characters, through many flushes, same text however cut. */
static void
test_lines(void)
{
	unsigned char	 in[20000];
	struct strbuf	 one = STRBUF_INIT, b = STRBUF_INIT;
	const char	*p;
	size_t		 k, n, cuts[] = { 0, 1, 2, 5, 57, 700, 4999, 19999 };

	for (k = 0; k < sizeof(in); k++)
		in[k] = (unsigned char)(k * 7 + k / 256);
	CU_ASSERT_EQUAL_FATAL(b64_encode(&one, in, sizeof(in)), 0);
	for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		stream(in, sizeof(in), cuts[k], &b);
		/* Every line full but the last, and the text the one-shot's. */
		for (p = b.s, n = 0; *p != '\0'; p += strcspn(p, "\n") + 1) {
			CU_ASSERT(strcspn(p, "\n") == B64_LINE ||
			    p[strcspn(p, "\n") + 1] == '\0');
			CU_ASSERT_EQUAL(memcmp(p, one.s + n, strcspn(p, "\n")),
			    0);
			n += strcspn(p, "\n");
		}
		CU_ASSERT_EQUAL(n, one.len);
	}
	/* 57 bytes are exactly one line. */
	stream(in, 57, 0, &b);
	CU_ASSERT_EQUAL(b.len, B64_LINE + 1);
	CU_ASSERT(strchr(b.s, '\n') == b.s + B64_LINE);
	strbuf_free(&one);
	strbuf_free(&b);
}

/* Every vector decoded back, at once and fed a character at a time. */
static void
test_decode_vectors(void)
{
	struct strbuf	 b = STRBUF_INIT;
	struct b64_dec	 d;
	const char	*t;

	for (size_t i = 0; i < NVECTORS; i++) {
		t = vectors[i].out;
		strbuf_reset(&b);
		CU_ASSERT_EQUAL(b64_decode(&b, t, strlen(t)), 0);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&b), vectors[i].in);
		strbuf_reset(&b);
		b64_dec_init(&d);
		for (size_t k = 0; t[k] != '\0'; k++) {
			CU_ASSERT_EQUAL(b64_dec_write(&d, t + k, 1, &b), 0);
			CU_ASSERT_EQUAL(b64_dec_write(&d, t, 0, &b), 0);
		}
		CU_ASSERT_EQUAL(b64_dec_finish(&d), 0);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&b), vectors[i].in);
	}
	strbuf_free(&b);
}

/* Blanks are skipped wherever they are, as the encoder's line ends. */
static void
test_decode_blanks(void)
{
	unsigned char	 in[1000];
	struct strbuf	 text = STRBUF_INIT, b = STRBUF_INIT;

	for (size_t k = 0; k < sizeof(in); k++)
		in[k] = (unsigned char)(k * 13 + 5);
	stream(in, sizeof(in), 0, &text);	/* lines of 76 */
	CU_ASSERT(strchr(strbuf_str(&text), '\n') != NULL);
	CU_ASSERT_EQUAL(b64_decode(&b, text.s, text.len), 0);
	CU_ASSERT_EQUAL(b.len, sizeof(in));
	CU_ASSERT(b.len == sizeof(in) && memcmp(b.s, in, sizeof(in)) == 0);
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(b64_decode(&b, " Zm\r\n9v\tYm E=\n ", 15), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "fooba");
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(b64_decode(&b, "Zg=\n=", 5), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "f");
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(b64_decode(&b, " \n", 2), 0);
	CU_ASSERT_EQUAL(b.len, 0);
	/* Every byte value decodes, NUL included. */
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(b64_decode(&b, "AP8A", 4), 0);
	CU_ASSERT(b.len == 3 && memcmp(b.s, "\0\xff\0", 3) == 0);
	strbuf_free(&text);
	strbuf_free(&b);
}

static void
test_decode_refusals(void)
{
	static const char *const bad[] = {
		"Zg", "Zg=", "Zm9", "Z", "Z===", "====", "Zm9v=", "Zg=x",
		"Zm=v", "Zg==Zg==", "Zg==x", "Zm9v*", "Zm9-", "Zm_v", "Zm9v\v",
		"Zm\0v"
	};
	struct strbuf	 b = STRBUF_INIT;
	struct b64_dec	 d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t	 n = i == sizeof(bad) / sizeof(bad[0]) - 1 ? 4 :
			    strlen(bad[i]);

		strbuf_reset(&b);
		CU_ASSERT_EQUAL(b64_decode(&b, bad[i], n), B64_EBAD);
	}
	/* A refusal in a later piece, and a stream left inside a group. */
	strbuf_reset(&b);
	b64_dec_init(&d);
	CU_ASSERT_EQUAL(b64_dec_write(&d, "Zm9vYg", 6, &b), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "foo");
	CU_ASSERT_EQUAL(b64_dec_write(&d, "=", 1, &b), 0);
	CU_ASSERT_EQUAL(b64_dec_write(&d, "x", 1, &b), B64_EBAD);
	b64_dec_init(&d);
	CU_ASSERT_EQUAL(b64_dec_write(&d, "Zm9vY", 5, &b), 0);
	CU_ASSERT_EQUAL(b64_dec_finish(&d), B64_EBAD);
	/* finish() leaves the decoder ready for another text. */
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(b64_dec_write(&d, "Zm8=", 4, &b), 0);
	CU_ASSERT_EQUAL(b64_dec_finish(&d), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "fo");
	strbuf_free(&b);
}

void
suite_base64(void)
{
	CU_pSuite	 s = CU_add_suite("base64", NULL, NULL);

	CU_add_test(s, "RFC 4648 vectors", test_vectors);
	CU_add_test(s, "a stream cut anywhere in a group", test_leftovers);
	CU_add_test(s, "lines of 76 through the buffer", test_lines);
	CU_add_test(s, "decoding the vectors, at once and in pieces",
	    test_decode_vectors);
	CU_add_test(s, "decoding skips blanks anywhere", test_decode_blanks);
	CU_add_test(s, "decoding refuses what is not base64",
	    test_decode_refusals);
}
