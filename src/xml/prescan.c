/*
 * prescan: a linear byte scan of an untrusted XML document before libxml2 reads it (see
 * xml_prescan() in xml/xml.h).
 *
 * It knows just enough XML to tell markup from text: start and end tags with quoted attribute
 * values, comments, processing instructions, CDATA sections and declarations.  It counts; it
 * never decides whether the document is well-formed, so whatever it lets through the parser
 * still checks.  Each byte is looked at a bounded number of times whatever the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "xml/xml.h"

#define XML_STR_(x) #x
#define XML_STR(x) XML_STR_(x)

/* Length of the noncharacter encoded at p (left bytes available), 0 when there is none. */
static size_t noncharacter_at(const unsigned char *p, size_t left)
{
    unsigned long cp;
    size_t n;

    if (p[0] >= 0xE0 && p[0] <= 0xEF && left >= 3)
        n = 3, cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    else if (p[0] >= 0xF0 && p[0] <= 0xF4 && left >= 4)
        n = 4, cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
                    (p[3] & 0x3Fu);
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return utf8_is_noncharacter(cp) ? n : 0;
}

static bool is_name_end(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' || c == '=';
}

static bool starts(const char *buf, size_t len, size_t i, const char *s)
{
    size_t n = strlen(s);
    return len - i >= n && memcmp(buf + i, s, n) == 0;
}

/* The name of the attribute whose '=' is at buf[eq] is a namespace declaration. */
static bool declares_namespace(const char *buf, size_t from, size_t eq)
{
    size_t end = eq, start;

    while (end > from && strchr(" \t\r\n", buf[end - 1]) != NULL && buf[end - 1] != '\0')
        end--;
    start = end;
    while (start > from && !is_name_end((unsigned char)buf[start - 1]) && buf[start - 1] != '"' &&
           buf[start - 1] != '\'')
        start--;
    return end - start >= 5 && memcmp(buf + start, "xmlns", 5) == 0 &&
           (end - start == 5 || buf[start + 5] == ':');
}

/* The local name of the start tag at buf[at] ('<' there) into dst. */
static void element_name(const char *buf, size_t len, size_t at, char *dst, size_t size)
{
    size_t i = at + 1, start = i, n = 0;

    while (i < len && !is_name_end((unsigned char)buf[i])) {
        if (buf[i] == ':')
            start = i + 1;
        i++;
    }
    while (start + n < i && n + 1 < size) {
        unsigned char c = (unsigned char)buf[start + n];
        if (c < 0x20 || c >= 0x7F) /* only ASCII names are named back */
            break;
        dst[n] = (char)c;
        n++;
    }
    dst[n] = '\0';
    if (n == 0)
        strcpy(dst, "document");
}

static int refuse(struct err *err, int line, const char *field, const char *msg)
{
    err_set(err, ERR_INVALID, field, "%s", msg);
    err_set_line(err, line);
    return -1;
}

/* Whether name[n] (a declared encoding) is one whose markup is ASCII bytes, each character of
 * it one byte (case does not matter). */
static bool ascii_markup_encoding(const char *name, size_t n)
{
    static const char *const ok[] = {"UTF-8",       "UTF8",         "US-ASCII", "ASCII",
                                     "ISO-8859-1",  "ISO_8859-1",   "LATIN1",   "ISO-LATIN-1",
                                     "ISO-8859-15", "WINDOWS-1252", "CP1252"};

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == n && strncasecmp(ok[i], name, n) == 0)
            return true;
    return false;
}

/*
 * The encoding: the byte scan reads markup as ASCII, which holds for UTF-8 and the single-byte
 * ASCII supersets only.  Anything libxml2 would detect from the first bytes as another
 * encoding (a UTF-16 or UTF-32 byte order mark, NUL bytes, EBCDIC "<?xm") or the XML
 * declaration's encoding="..." naming another one is refused before the scan trusts a byte.
 */
static int check_encoding(const char *buf, size_t len, struct err *err)
{
    const unsigned char *u = (const unsigned char *)buf;
    size_t i = 0, end;

    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        i = 3;
    if (i < len && (u[i] == 0 || u[i] >= 0x80))
        goto refused; /* FE FF, FF FE, 00 00 FE FF, 00 3C 00 3F, ... */
    if (i + 1 < len && u[i] == '<' && u[i + 1] == 0)
        goto refused; /* UTF-16LE or UCS-4LE without a byte order mark */
    if (len - i >= 4 && memcmp(u + i, "\x4C\x6F\xA7\x94", 4) == 0)
        goto refused; /* "<?xm" in EBCDIC */
    if (!starts(buf, len, i, "<?xml"))
        return 0;
    /* the declaration: <?xml version="1.0" encoding="NAME" standalone="yes"?> */
    end = i + 5;
    while (end < len && !starts(buf, len, end, "?>"))
        end++;
    for (size_t j = i + 5; j + 8 <= end; j++) {
        size_t k = j + 8, name;
        char q;

        if (memcmp(buf + j, "encoding", 8) != 0)
            continue;
        while (k < end && strchr(" \t\r\n", buf[k]) != NULL)
            k++;
        if (k >= end || buf[k] != '=')
            break;
        for (k++; k < end && strchr(" \t\r\n", buf[k]) != NULL; k++)
            ;
        if (k >= end || (buf[k] != '"' && buf[k] != '\''))
            break;
        q = buf[k++];
        for (name = k; k < end && buf[k] != q; k++)
            ;
        if (k >= end || !ascii_markup_encoding(buf + name, k - name))
            goto refused;
        break;
    }
    return 0;
refused:
    err_set(err, ERR_BAD_REQUEST, "document",
            "must be encoded in UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 or windows-1252");
    err_set_line(err, 1);
    return -1;
}

int xml_prescan(const char *buf, size_t len, struct err *err)
{
    enum { TEXT, TAG, QUOTE, COMMENT, PI, CDATA, DECL } state = TEXT;
    char quote = 0, elem[48] = "document";
    size_t tag_start = 0, attrs = 0, ns_decls = 0, run_start = 0, depth = 0;
    bool end_tag = false;
    int line = 1;

    if (check_encoding(buf, len, err) != 0)
        return -1;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)buf[i];

        if (c == '\n')
            line++;
        if (c >= 0xE0) {
            size_t n = noncharacter_at((const unsigned char *)buf + i, len - i);
            if (n > 0)
                return refuse(err, line, elem, XML_NONCHARACTER_MESSAGE);
        }
        if ((state == TAG || state == QUOTE) && !end_tag && i - tag_start >= XML_TAG_BYTES_MAX)
            return refuse(err, line, "document",
                          "a start tag is longer than " XML_STR(XML_TAG_BYTES_MAX) " bytes");
        if (state != TAG && state != QUOTE && i - run_start >= XML_TEXT_BYTES_MAX)
            return refuse(err, line, "document",
                          "has a text node, comment, CDATA section or processing instruction "
                          "longer than " XML_STR(XML_TEXT_BYTES_MAX) " bytes");
        switch (state) {
        case TEXT:
            if (c != '<')
                break;
            run_start = i;
            if (starts(buf, len, i, "<!--")) {
                state = COMMENT, i += 4;
                continue;
            }
            if (starts(buf, len, i, "<![CDATA[")) {
                state = CDATA, i += 9;
                continue;
            }
            if (starts(buf, len, i, "<!"))
                state = DECL;
            else if (starts(buf, len, i, "<?"))
                state = PI;
            else {
                state = TAG;
                tag_start = i;
                attrs = 0;
                end_tag = starts(buf, len, i, "</");
                if (!end_tag)
                    element_name(buf, len, i, elem, sizeof elem);
                if (end_tag && depth > 0)
                    depth--;
                else if (!end_tag && ++depth > XML_DEPTH_MAX)
                    return refuse(err, line, "document",
                                  "nests elements more than " XML_STR(XML_DEPTH_MAX) " deep");
            }
            break;
        case TAG:
            if (c == '"' || c == '\'') {
                state = QUOTE, quote = (char)c;
            } else if (c == '>') {
                state = TEXT;
                run_start = i + 1;
                if (!end_tag && buf[i - 1] == '/' && depth > 0)
                    depth--; /* <empty/> */
            } else if (c == '=' && !end_tag) {
                if (++attrs > XML_TAG_ATTRS_MAX)
                    return refuse(
                        err, line, "document",
                        "a start tag has more than " XML_STR(XML_TAG_ATTRS_MAX) " attributes");
                if (declares_namespace(buf, tag_start, i) && ++ns_decls > XML_NS_DECLS_MAX)
                    return refuse(err, line, "document",
                                  "declares more than " XML_STR(XML_NS_DECLS_MAX) " namespaces");
            }
            break;
        case QUOTE:
            if (c == (unsigned char)quote)
                state = TAG;
            break;
        case COMMENT:
            if (starts(buf, len, i, "-->"))
                state = TEXT, i += 2, run_start = i + 1;
            break;
        case PI:
            if (starts(buf, len, i, "?>"))
                state = TEXT, i += 1, run_start = i + 1;
            break;
        case CDATA:
            if (starts(buf, len, i, "]]>"))
                state = TEXT, i += 2, run_start = i + 1;
            break;
        case DECL:
            if (c == '>')
                state = TEXT, run_start = i + 1;
            break;
        }
        i++;
    }
    return 0;
}
