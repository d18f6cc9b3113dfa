/*
 * utf8: noncharacters and the replacement of what outputs cannot carry (see core/utf8.h).
 */
#include "core/utf8.h"

#include <string.h>

#include "core/xalloc.h"

bool utf8_is_noncharacter(unsigned long cp)
{
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || ((cp & 0xFFFE) == 0xFFFE && cp <= 0x10FFFF);
}

size_t utf8_read(const char *str, unsigned long *cp)
{
    static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};
    const unsigned char *s = (const unsigned char *)str;
    unsigned long c = s[0];
    size_t n;

    *cp = 0xFFFD;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    c &= 0x7Fu >> n;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

bool utf8_has_noncharacter(const char *s)
{
    while (s != NULL && *s != '\0') {
        unsigned long cp;
        size_t n = utf8_read(s, &cp);
        if (n > 0 && utf8_is_noncharacter(cp))
            return true;
        s += n ? n : 1;
    }
    return false;
}

bool utf8_xml_char(unsigned long cp)
{
    return (cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
            (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF)) &&
           !utf8_is_noncharacter(cp);
}

char *utf8_scrub(const char *s, bool xml)
{
    const char *p = s ? s : "";
    /* U+FFFD is 3 bytes and replaces at least 1 */
    char *out = xmalloc(strlen(p) * 3 + 1);
    size_t len = 0;

    while (*p != '\0') {
        unsigned long cp;
        size_t n = utf8_read(p, &cp);
        bool bad = n == 0 || utf8_is_noncharacter(cp) || (xml && !utf8_xml_char(cp));

        if (bad) {
            memcpy(out + len, "\xEF\xBF\xBD", 3);
            len += 3;
        } else {
            memcpy(out + len, p, n);
            len += n;
        }
        p += n ? n : 1;
    }
    out[len] = '\0';
    return out;
}
