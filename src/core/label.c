/*
 * label: the code printed on a label, decided in core; see include/core/label.h.
 *
 * The QR payload must stay inside the QR alphanumeric set (0-9 A-Z space $ % * + - . / :) so the
 * symbol uses alphanumeric mode and stays small:
 *
 *     public_url "http://127.0.0.1:8080/"  rma "R000000174"  parcel 1  tag "B7M8W1Z4"
 *     qr_payload "HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4"
 *     token      "R000000174-1-B7M8W1Z4"
 *
 * Nothing is written to lc unless the whole code is valid.
 */
#include "core/label.h"

#include <stdio.h>
#include <string.h>

static bool is_qr_alnum_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr(" $%*+-./:", c));
}

bool label_tracking_number_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= 'a' && s[i] <= 'z')))
            return false;
    return true;
}

bool label_is_qr_alnum(const char *s)
{
    if (s == NULL)
        return false;
    for (; *s != '\0'; s++)
        if (!is_qr_alnum_char(*s))
            return false;
    return true;
}

/* True when s is 1 to max characters of [0-9A-Z]. */
static bool is_code_part(const char *s, size_t max)
{
    size_t len;

    if (s == NULL)
        return false;
    len = strlen(s);
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

int label_set_code(struct label_content *lc, const char *public_url, const char *tag,
                   struct err *err)
{
    char url[LABEL_PAYLOAD_MAX];
    char payload[LABEL_PAYLOAD_MAX];
    char token[LABEL_TOKEN_MAX];
    const char *host;
    size_t len;
    int n;

    if (!is_code_part(lc->rma_number, 24))
        return err_set(err, ERR_INVALID, "rma_number", "must be 1 to 24 letters and digits");
    if (lc->parcel_no < 1 || lc->parcel_count < lc->parcel_no || lc->parcel_count > 999)
        return err_set(err, ERR_INVALID, "parcel_no", "must be between 1 and the parcel count");
    if (!is_code_part(tag, 16))
        return err_set(err, ERR_INVALID, "tag", "must be 1 to 16 letters and digits");
    if (public_url == NULL)
        return err_set(err, ERR_INVALID, "public_url", "is missing");
    len = strlen(public_url);
    while (len > 0 && public_url[len - 1] == '/')
        len--;
    if (len >= sizeof url)
        return err_set(err, ERR_INVALID, "public_url", "is too long for a qr code");
    for (size_t i = 0; i < len; i++) {
        char c = public_url[i];

        url[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    url[len] = '\0';
    host = strstr(url, "://");
    if (host == NULL || host == url || host[3] == '\0' || host[3] == '/')
        return err_set(err, ERR_INVALID, "public_url", "must be scheme://host[:port][/path]");
    if (!label_is_qr_alnum(url) || strchr(url, ' ') != NULL)
        return err_set(err, ERR_INVALID, "public_url",
                       "must use only letters, digits and $%%*+-./: for a qr code");
    /* outbound parcels (shipments) are /S/ and their token -S<n>-, never an inbound parcel's */
    bool ship = lc->kind == LABEL_OUTBOUND || lc->kind == LABEL_SPARE;
    n = snprintf(payload, sizeof payload, "%s/%s/%s/%d/%s", url, ship ? "S" : "P", lc->rma_number,
                 lc->parcel_no, tag);
    if (n < 0 || (size_t)n >= sizeof payload)
        return err_set(err, ERR_INVALID, "public_url", "is too long for a qr code");
    n = snprintf(token, sizeof token, "%s-%s%d-%s", lc->rma_number, ship ? "S" : "", lc->parcel_no,
                 tag);
    if (n < 0 || (size_t)n >= sizeof token)
        return err_set(err, ERR_INVALID, "rma_number", "is too long for a label token");
    memcpy(lc->qr_payload, payload, sizeof payload);
    memcpy(lc->token, token, sizeof token);
    return 0;
}

int label_unexpected_tag(struct label_content *lc, const char *public_url, const char *internal_id,
                         const char *station, const char *serial, struct err *err)
{
    char payload[LABEL_PAYLOAD_MAX];
    size_t len = public_url != NULL ? strlen(public_url) : 0;
    int n;

    while (len > 0 && public_url[len - 1] == '/')
        len--;
    n = snprintf(payload, sizeof payload, "%.*s/U/%s", (int)len, len ? public_url : "",
                 internal_id);
    if (n < 0 || (size_t)n >= sizeof payload)
        return err_set(err, ERR_INVALID, "public_url", "is too long for a qr code");
    for (char *c = payload; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    if (!label_is_qr_alnum(payload))
        return err_set(err, ERR_INVALID, "public_url",
                       "must use only letters, digits and $%%*+-./: for a qr code");
    memset(lc, 0, sizeof *lc);
    lc->kind = LABEL_PART_TAG;
    lc->heading = "UNEXPECTED ARRIVAL";
    lc->rma_number = internal_id;
    lc->station = station;
    lc->serial_number = serial;
    memcpy(lc->qr_payload, payload, sizeof payload);
    snprintf(lc->token, sizeof lc->token, "%s", internal_id);
    return 0;
}

const char *label_kind_name(enum label_kind kind)
{
    switch (kind) {
    case LABEL_RETURN_TO_DEPOT:
        return "return";
    case LABEL_OUTBOUND:
        return "outbound";
    case LABEL_SPARE:
        return "spare";
    case LABEL_PART_TAG:
        return "tag";
    }
    return NULL;
}

const char *label_core_instructions(const char *rma_number, const char *due_date, char *out,
                                    size_t n)
{
    snprintf(out, n, "Send the defective unit back in this box by %s with the return label of %s.",
             due_date && due_date[0] ? due_date : "the due date", rma_number ? rma_number : "");
    return out;
}

const char *label_core_note(void)
{
    return "Cores not returned are invoiced.";
}
