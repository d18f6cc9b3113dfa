/*
 * label_render_tool: renders sample labels for tests/label/test_render_decode.sh (not a ctest).
 *
 *     label_render_tool <variant> <outdir>
 *
 * writes <outdir>/<variant>.png, .pdf and .zpl and prints the QR payload on stdout.  Variants:
 * "hostile" (names with ^ ~ \ _ CR LF, non-Latin text, four handling marks) and "plain" (a longer
 * https URL, no marks, a long RMA number).  Exit status 0 on success, 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/label.h"
#include "label/qrtag.h"
#include "label/render.h"

static const unsigned char KEY[] = "rmad-test-label-key-0123456789ab";

static int write_file(const char *dir, const char *variant, const char *ext,
                      const unsigned char *data, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.%s", dir, variant, ext);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const hostile_marks[] = {"FRAGILE", "THIS SIDE UP", "^XZ~JA KEEP DRY",
                                                "ESD SENSITIVE"};
    int (*const render[])(const struct label_content *, unsigned char **, size_t *,
                          struct err *) = {label_render_png, label_render_pdf, label_render_zpl};
    static const char *const ext[] = {"png", "pdf", "zpl"};
    struct label_content lc;
    struct err err = {0};
    char tag[QRTAG_LEN + 1];
    const char *url;

    if (argc != 3) {
        fprintf(stderr, "usage: label_render_tool hostile|plain <outdir>\n");
        return 1;
    }
    memset(&lc, 0, sizeof lc);
    lc.kind = LABEL_RETURN_TO_DEPOT;
    if (strcmp(argv[1], "hostile") == 0) {
        url = "http://127.0.0.1:8080/";
        lc.rma_number = "R000000174";
        lc.parcel_no = 1;
        lc.parcel_count = 2;
        lc.from.name = "M\xc3\xbcller ^XZ^XA^FO0,0^FDPWNED~JR \\ _5E 東京 Ωμέγα";
        lc.from.street = "Hauptstra\xc3\x9f"
                         "e 5\r\n^XZ";
        lc.from.city = "Z\xc3\xbcrich~DG";
        lc.from.postcode = "8001";
        lc.from.country = "CH";
        lc.to.name = "Acme Depot 東京 ^FS^XZ";
        lc.to.street = "1-2-3 Shinagawa\\^";
        lc.to.city = "Tokyo Ωμέγα";
        lc.to.postcode = "140-0002";
        lc.to.country = "JP";
        for (int i = 0; i < 4; i++)
            lc.marks[i] = hostile_marks[i];
    } else if (strcmp(argv[1], "plain") == 0) {
        url = "https://returns.depot-west.example.com/rma";
        lc.rma_number = "R000012340";
        lc.parcel_no = 2;
        lc.parcel_count = 3;
        lc.from.name = "Jane Smith";
        lc.from.street = "12 Long Road";
        lc.from.city = "Springfield";
        lc.from.postcode = "12345";
        lc.from.country = "US";
        lc.to.name = "Example Repair Depot";
        lc.to.street = "400 Industrial Way, Building 7, Dock 3, Attn Returns Intake Desk";
        lc.to.city = "Rivertown";
        lc.to.postcode = "54321";
        lc.to.country = "US";
    } else {
        fprintf(stderr, "label_render_tool: unknown variant %s\n", argv[1]);
        return 1;
    }
    if (qrtag_compute(KEY, sizeof KEY - 1, lc.rma_number, lc.parcel_no, tag) != 0 ||
        label_set_code(&lc, url, tag, &err) != 0) {
        fprintf(stderr, "label_render_tool: %s: %s\n", err.field, err.message);
        return 1;
    }
    for (size_t i = 0; i < 3; i++) {
        unsigned char *out;
        size_t len;
        int rc;

        if (render[i](&lc, &out, &len, &err) != 0) {
            fprintf(stderr, "label_render_tool: %s: %s: %s\n", ext[i], err.field, err.message);
            return 1;
        }
        rc = write_file(argv[2], argv[1], ext[i], out, len);
        free(out);
        if (rc != 0)
            return 1;
    }
    printf("%s\n", lc.qr_payload);
    return 0;
}
