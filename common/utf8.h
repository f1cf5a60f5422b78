/*
 * utf8: one decoder for every check of UTF-8 text (XML output, DID names).
 */
#ifndef RIF_UTF8_H
#define RIF_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length (2 to 4) of the well-formed multi-byte UTF-8 sequence at S
 * (LEN bytes left), with its code point in *CP; 0 when it is malformed: a
 * bad lead byte (an ASCII byte too), a bad or missing continuation, an
 * overlong form, a surrogate, or above U+10FFFF.
 */
size_t	utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

#endif
