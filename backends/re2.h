/*
 * re2.h - RE2 regular expressions for the targets that use Google's RE2
 * (KQL `matches regex`, YARA-L `re.regex`): literal text escaped for RE2,
 * and Sigma's PCRE checked for what RE2 lacks.
 */
#ifndef SC_BACKEND_RE2_H
#define SC_BACKEND_RE2_H

#include "backend.h"

/* SC_RE2_NO_BACKQUOTE: the pattern goes into a `...` literal, which has
 * no escape for its own delimiter; a backquote is written \x60. */
enum { SC_RE2_NO_BACKQUOTE = 1 };

/* One literal character: alphanumeric ASCII, space and non-ASCII bytes
 * as they are, other punctuation behind a backslash, control characters
 * as \x{HH}. */
void sc_re2_put_char(sc_buf *out, unsigned char c, unsigned flags);

/* The value of a |re match as RE2 (|i |m |s as a (?ims) prefix), or false
 * with a diagnostic for back-references, lookaround, possessive
 * quantifiers and escapes RE2 does not know. */
bool sc_re2_from_pcre(sc_emit *e, const sc_match *m, const sc_value *v, sc_buf *out,
                      unsigned flags);

#endif
