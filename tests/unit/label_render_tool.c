/*
 * label_render_tool: renders sample labels for tests/label/test_render_decode.sh (not a ctest).
 *
 *     label_render_tool <variant> <outdir>
 *
 * writes <outdir>/<variant>.png, .pdf and .zpl and prints the QR payload on stdout.  Variants:
 * "hostile" (names with ^ ~ \ _ CR LF, non-Latin text, four handling marks) and "plain" (a longer
 * https URL, no marks, a long RMA number).
 *
 *     label_render_tool all <outdir>
 *
 * renders every template (return, outbound, spare, tag) in every output: <kind>-<dpi>.png and
 * .zpl at 203 and 300 dpi, <kind>.pdf, with a tracking number and an SSCC, plus batch.pdf and
 * batch.zpl (the four labels in one file) and the script scripts "scripts-<n>" (names in Latin,
 * Cyrillic, Greek, CJK, Arabic, Hebrew and emoji); prints one line per file:
 *     <file> <qr payload> <code 128 data or -> <sscc or ->
 * Exit status 0 on success, 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static const char *const KIND_NAMES[] = {"return", "outbound", "spare", "tag"};

/* A fixed content per kind, for the decode tests and the golden files. */
static void fixed(struct label_content *lc, enum label_kind kind)
{
    static const char *const marks[] = {"FRAGILE", "ESD", "LITHIUM BATTERY", NULL};
    struct address customer = {"ACME GmbH ^XZ~JA", "Mainzer Landstr. 1", "Frankfurt", "60329",
                               "DE"};
    struct address depot = {"rmad Demo Depot Frankfurt", "Hanauer Landstrasse 200",
                            "Frankfurt am Main", "60314", "DE"};

    memset(lc, 0, sizeof *lc);
    lc->kind = kind;
    lc->rma_number = "R000000174";
    lc->parcel_no = 1;
    lc->parcel_count = 2;
    lc->from = kind == LABEL_RETURN_TO_DEPOT || kind == LABEL_PART_TAG ? customer : depot;
    lc->to = kind == LABEL_RETURN_TO_DEPOT || kind == LABEL_PART_TAG ? depot : customer;
    for (int i = 0; marks[i] != NULL; i++)
        lc->marks[i] = marks[i];
    if (kind != LABEL_PART_TAG) {
        lc->carrier = "UPS";
        lc->tracking_number = "1Z680RA4DL08720000";
        lc->sscc = "006141411234567890";
    }
    if (kind == LABEL_SPARE) {
        static char buf[256];

        lc->core_due_date = "2026-12-31";
        lc->core_instructions =
            label_core_instructions(lc->rma_number, lc->core_due_date, buf, sizeof buf);
        lc->core_note = label_core_note();
    }
    lc->line_no = 1;
    lc->serial_number = "SRV7400001";
    lc->product_model = "SRV-R740";
}

static int set_code(struct label_content *lc, const char *url)
{
    char tag[QRTAG_LEN + 1];
    struct err err = {0};
    bool ship = lc->kind == LABEL_OUTBOUND || lc->kind == LABEL_SPARE;

    if ((ship ? qrtag_compute_ship(KEY, sizeof KEY - 1, lc->rma_number, lc->parcel_no, tag) :
                qrtag_compute(KEY, sizeof KEY - 1, lc->rma_number, lc->parcel_no, tag)) != 0 ||
        label_set_code(lc, url, tag, &err) != 0) {
        fprintf(stderr, "label_render_tool: %s: %s\n", err.field, err.message);
        return -1;
    }
    return 0;
}

static int render_to(const char *dir, const char *name, const struct label_content *lcs, size_t n,
                     enum label_format fmt, int dpi)
{
    struct err err = {0};
    unsigned char *out;
    size_t len;
    int rc;

    if (label_render(lcs, n, fmt, dpi, &out, &len, &err) != 0) {
        fprintf(stderr, "label_render_tool: %s: %s: %s\n", name, err.field, err.message);
        return -1;
    }
    rc = write_file(dir, name, label_format_ext(fmt), out, len);
    free(out);
    return rc;
}

static void manifest(const char *file, const struct label_content *lc)
{
    printf("%s %s %s %s\n", file, lc->qr_payload,
           lc->tracking_number && lc->tracking_number[0] ? lc->tracking_number : "-",
           lc->sscc && lc->sscc[0] ? lc->sscc : "-");
}

/* Names in every script the label must print: shaped by pango, flagged in ZPL. */
static const struct address SCRIPTS[] = {
    {"Jürgen Größe-Çelik", "Straße 5", "Zürich", "8001", "CH"},
    {"Иван Петров", "ул. Тверская, д. 7", "Москва", "125009", "RU"},
    {"Γιώργος Παπαδόπουλος", "Οδός Ερμού 12", "Αθήνα", "10563", "GR"},
    {"株式会社テスト 山田太郎", "千代田区丸の内1-1", "東京都", "100-0005", "JP"},
    {"شركة الاختبار محمد", "شارع الملك فهد ١٢", "الرياض", "12211", "SA"},
    {"חברת בדיקה דוד כהן", "רחוב הרצל 10", "תל אביב", "6120101", "IL"},
    {"Emoji Shop 📦🚚✨", "Rue du Test 1", "Paris", "75001", "FR"},
};

static int render_all(const char *dir)
{
    static const int dpis[] = {203, 300};
    struct label_content lcs[LABEL_KINDS];
    char name[64];

    for (int k = 0; k < LABEL_KINDS; k++) {
        fixed(&lcs[k], (enum label_kind)k);
        if (set_code(&lcs[k], "http://127.0.0.1:8080/") != 0)
            return -1;
        for (size_t d = 0; d < 2; d++) {
            for (int f = LABEL_PNG; f <= LABEL_ZPL; f += 2) {
                snprintf(name, sizeof name, "%s-%d", KIND_NAMES[k], dpis[d]);
                if (render_to(dir, name, &lcs[k], 1, (enum label_format)f, dpis[d]) != 0)
                    return -1;
                snprintf(name, sizeof name, "%s-%d.%s", KIND_NAMES[k], dpis[d],
                         label_format_ext((enum label_format)f));
                manifest(name, &lcs[k]);
            }
        }
        if (render_to(dir, KIND_NAMES[k], &lcs[k], 1, LABEL_PDF, 203) != 0)
            return -1;
        snprintf(name, sizeof name, "%s.pdf", KIND_NAMES[k]);
        manifest(name, &lcs[k]);
    }
    if (render_to(dir, "batch", lcs, LABEL_KINDS, LABEL_PDF, 203) != 0 ||
        render_to(dir, "batch", lcs, LABEL_KINDS, LABEL_ZPL, 203) != 0)
        return -1;
    for (size_t i = 0; i < sizeof SCRIPTS / sizeof SCRIPTS[0]; i++) {
        struct label_content lc;

        fixed(&lc, LABEL_OUTBOUND);
        lc.to = SCRIPTS[i];
        lc.sscc = NULL;
        lc.tracking_number = NULL;
        if (set_code(&lc, "http://127.0.0.1:8080/") != 0)
            return -1;
        snprintf(name, sizeof name, "scripts-%zu", i);
        for (int f = LABEL_PNG; f <= LABEL_ZPL; f++)
            if (render_to(dir, name, &lc, 1, (enum label_format)f, 203) != 0)
                return -1;
        for (int f = LABEL_PNG; f <= LABEL_ZPL; f++) {
            snprintf(name, sizeof name, "scripts-%zu.%s", i,
                     label_format_ext((enum label_format)f));
            manifest(name, &lc);
        }
    }
    return 0;
}

/* Hostile addresses for the ZPL lint: commands, escapes, line breaks, very long text. */
static const char *const HOSTILE[] = {
    "^XZ^XA^FO0,0^FDPWNED^FS",
    "~JR~DGR:X.GRF,10,1,FF~JA",
    "back\\slash \\& _5E _XX _",
    "CR\rLF\nTAB\tVT\v^FS",
    ">;>8 <>:^BCN,1^FD1",
    "\xef\xbb\xbf\xe2\x80\xae RTL override \xe2\x80\xac\xe2\x81\xa6 isolate",
    "\xc3\x28 bad \xff utf-8 \xed\xa0\x80 surrogate",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
};

static int render_lint(const char *dir)
{
    size_t n = sizeof HOSTILE / sizeof HOSTILE[0];
    char name[64];

    for (int k = 0; k < LABEL_KINDS; k++) {
        for (size_t i = 0; i < n; i++) {
            struct label_content lc;

            fixed(&lc, (enum label_kind)k);
            lc.from.name = lc.to.name = HOSTILE[i];
            lc.from.street = lc.to.street = HOSTILE[(i + 1) % n];
            lc.from.city = lc.to.city = HOSTILE[(i + 2) % n];
            lc.from.postcode = lc.to.postcode = HOSTILE[(i + 3) % n];
            lc.from.country = lc.to.country = HOSTILE[(i + 4) % n];
            lc.carrier = HOSTILE[(i + 5) % n];
            lc.marks[0] = HOSTILE[(i + 6) % n];
            lc.product_model = HOSTILE[(i + 7) % n];
            lc.serial_number = HOSTILE[i];
            if (set_code(&lc, "http://127.0.0.1:8080/") != 0)
                return -1;
            snprintf(name, sizeof name, "lint-%s-%zu", KIND_NAMES[k], i);
            if (render_to(dir, name, &lc, 1, LABEL_ZPL, 203) != 0 ||
                render_to(dir, name, &lc, 1, LABEL_PNG, 203) != 0)
                return -1;
            snprintf(name, sizeof name, "lint-%s-%zu.zpl", KIND_NAMES[k], i);
            manifest(name, &lc);
        }
    }
    return 0;
}

/* Labels per second of each output at 203 dpi: the return label, n times each. */
static int bench(int n)
{
    struct label_content lc;
    struct timespec t0, t1;

    fixed(&lc, LABEL_RETURN_TO_DEPOT);
    if (set_code(&lc, "https://rma.example.com/") != 0)
        return -1;
    for (int f = LABEL_PNG; f <= LABEL_ZPL; f++) {
        size_t bytes = 0;

        for (int i = -3; i < n; i++) { /* three warm-up rounds (fonts, caches) */
            struct err err = {0};
            unsigned char *out;
            size_t len;

            if (i == 0)
                clock_gettime(CLOCK_MONOTONIC, &t0);
            if (label_render(&lc, 1, (enum label_format)f, 203, &out, &len, &err) != 0)
                return -1;
            bytes = len;
            free(out);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("%s %d labels in %.3f s: %.0f labels/s, %.2f ms/label, %zu bytes\n",
               label_format_ext((enum label_format)f), n, s, n / s, s * 1000 / n, bytes);
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
        fprintf(stderr, "usage: label_render_tool hostile|plain|all <outdir>\n");
        return 1;
    }
    if (strcmp(argv[1], "all") == 0)
        return render_all(argv[2]) == 0 ? 0 : 1;
    if (strcmp(argv[1], "lint") == 0)
        return render_lint(argv[2]) == 0 ? 0 : 1;
    if (strcmp(argv[1], "bench") == 0)
        return bench(atoi(argv[2]) > 0 ? atoi(argv[2]) : 200) == 0 ? 0 : 1;
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
