/*
 * utf8: the characters rmad stores and the ones its outputs can carry.
 *
 * Intake refuses a Unicode noncharacter (U+FDD0..U+FDEF and the last two code points of every
 * plane, U+FFFE/U+FFFF ... U+10FFFE/U+10FFFF): XML 1.0 cannot carry U+FFFE/U+FFFF and cairo's
 * text clusters refuse every noncharacter, so a stored one would break each label, document and
 * record that shows it.  Outputs never fail on text stored before: utf8_scrub() replaces what
 * they cannot carry with U+FFFD.
 */
#ifndef CORE_UTF8_H
#define CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True for the 66 noncharacters: U+FDD0..U+FDEF and U+nFFFE, U+nFFFF in every plane. */
bool utf8_is_noncharacter(unsigned long cp);

/*
 * Decodes one UTF-8 sequence at s (RFC 3629: shortest form, no surrogates, at most U+10FFFF).
 * Returns its length in bytes, or 0 when it is not well-formed (*cp is then U+FFFD).
 */
size_t utf8_read(const char *s, unsigned long *cp);

/* True when s (valid UTF-8) holds a noncharacter. */
bool utf8_has_noncharacter(const char *s);

/* True for a code point the XML 1.0 Char production allows (and that is no noncharacter). */
bool utf8_xml_char(unsigned long cp);

/*
 * A copy of s (NULL as "") that every output can carry: each ill-formed byte, surrogate and
 * noncharacter becomes U+FFFD, and with xml also every character XML 1.0 cannot carry (C0
 * controls other than tab, new line and carriage return).  Never fails; free() the result.
 */
char *utf8_scrub(const char *s, bool xml);

#endif
