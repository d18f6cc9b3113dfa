/*
 * rmad: the after-sales returns and depot repair service.
 *
 *   rmad serve | migrate | demo-data | token create --role ROLE --name NAME [--carrier CODE]
 *   rmad routes [--roles] | db-stop | --help | --version
 *
 * Configuration comes from the environment (see usage()).  With no database configured, rmad
 * runs on an embedded PostgreSQL cluster under var/ that it creates and starts itself.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/log.h"
#include "db/db.h"
#include "db/tzcache.h"
#include "embedded_pg.h"
#include "core/label.h"
#include "http/server.h"
#include "xml/xml.h"

#ifndef RMAD_SOURCE_DIR
#define RMAD_SOURCE_DIR "."
#endif
#ifndef RMAD_VERSION
#define RMAD_VERSION "0"
#endif

static void usage(FILE *f)
{
    fputs(
        "usage: rmad COMMAND\n"
        "\n"
        "Runs a hardware vendor's after-sales returns and depot repair on PostgreSQL.\n"
        "\n"
        "commands:\n"
        "  serve                 apply pending migrations, then serve HTTP until SIGINT/SIGTERM\n"
        "  migrate               apply migrations/NNNN_*.sql not yet applied, in order, each in\n"
        "                        its own transaction\n"
        "  demo-data             load the demo depot, carriers, catalog and install base\n"
        "                        (idempotent)\n"
        "  token create --role ROLE --name NAME [--carrier CODE]\n"
        "                        make an API token; prints it alone on stdout (stored hashed);\n"
        "                        ROLE is admin, agent, engineer, depot, manager (the service\n"
        "                        manager: registers cases, assigns engineers) or carrier\n"
        "                        (which needs --carrier with the carrier's code)\n"
        "  carrier add --code CODE [--name NAME] [--account ACCOUNT] [--time-zone ZONE]\n"
        "            [--zone ZONE]\n"
        "                        add a carrier or update the one with this code (a new one\n"
        "                        needs --name and --account); --time-zone: its pickup days\n"
        "                        (default UTC), --zone: its tracking times without an offset\n"
        "  user create --name NAME --role ROLE\n"
        "                        make a staff user of the pages (depot scan station); the\n"
        "                        password comes from RMAD_PASSWORD or the first line of stdin\n"
        "                        (8 to 200 characters; stored as an argon2id hash)\n"
        "  routes [--roles]      print the route table, one \"METHOD PATTERN\" line per route;\n"
        "                        --roles adds the roles allowed (or public); needs no database\n"
        "  db-stop               stop the embedded PostgreSQL cluster under var/\n"
        "  --help, --version\n"
        "\n"
        "environment:\n"
        "  PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE ...\n"
        "                        the standard libpq variables select the database\n"
        "  RMAD_DATABASE_URL     a libpq connection URL or string, instead of PG* variables\n"
        "                        (with neither, rmad creates and starts a local cluster under\n"
        "                        RMAD_VAR_DIR: the embedded default)\n"
        "  RMAD_VAR_DIR          directory of the embedded cluster (default: <source>/var)\n"
        "  RMAD_LISTEN           address:port to serve on (default 127.0.0.1:8080; [::1]:8080)\n"
        "  RMAD_PUBLIC_URL       base URL printed in QR codes, e.g. https://rma.example.com\n"
        "                        (default http://<RMAD_LISTEN>); must fit the QR alphanumeric set\n"
        "  RMAD_LABEL_KEY        64 hex digits: the key that signs label tags; when unset, one is\n"
        "                        generated on first run and kept in the database\n"
        "  RMAD_THREADS          HTTP worker threads = database connections (default 8)\n"
        "  RMAD_LISTEN_SHARED    1: other processes may listen on the same port (SO_REUSEPORT,\n"
        "                        for a rolling restart); default 0: the port is rmad's alone\n"
        "  RMAD_MIGRATIONS_DIR   (default <source>/migrations)\n"
        "  RMAD_UBL_XSD_DIR      OASIS UBL 2.1 xsd directory: inbound documents are validated\n"
        "                        against it (default ../shared/standards/oasis-ubl-2.1/xsd\n"
        "                        beside the source tree when present)\n"
        "  RMAD_TRACK_RATE       public tracking requests per client and minute (default 60;\n"
        "                        0 turns the limit off)\n"
        "  RMAD_MAX_CONNECTIONS  (default 1000)   RMAD_PER_IP_CONNECTIONS (default 200)\n"
        "  RMAD_IDLE_TIMEOUT     seconds a connection may stay silent (default 30)\n"
        "  RMAD_REQUEST_DEADLINE seconds a whole request may take, slow clients included\n"
        "                        (default 60)\n"
        "  RMAD_SMTP_URL         outgoing mail server, smtp://host:port or smtps://host:port;\n"
        "                        unset: e-mails stay queued in the outbox table\n"
        "  RMAD_SMTP_FROM        sender address of rmad's e-mails (default rmad@localhost)\n"
        "  RMAD_SMTP_USER, RMAD_SMTP_PASSWORD   SMTP AUTH credentials (optional)\n"
        "  RMAD_OUTBOX_INTERVAL  seconds between the outbox sender's rounds (default 5)\n"
        "  RMAD_OUTBOX_LEASE     seconds a claimed e-mail is reserved for its sender (300)\n"
        "  RMAD_JOBS_INTERVAL    seconds between runs of the scheduled depot jobs (core\n"

        "                        reminders, overdue cores, quote expiry); default 3600, 0 off\n"
        "  RMAD_GS1_COMPANY_PREFIX, RMAD_SSCC_EXTENSION, RMAD_SSCC_FIRST, RMAD_SSCC_LAST\n"
        "                        SSCCs for parcels (README.md, Labels)\n"
        "  RMAD_DEMO_DATA        the SQL file of `rmad demo-data` (default deploy/demo-data.sql)\n"
        "  RMAD_DEBUG            1 logs every request\n",
        f);
}

static const char *env(const char *name, const char *def)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : def;
}

static unsigned env_uint(const char *name, unsigned def, unsigned min, unsigned max)
{
    const char *v = getenv(name);
    char *end;

    if (v == NULL || v[0] == '\0')
        return def;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "rmad: %s must be a whole number from %u to %u\n", name, min, max);
        exit(2);
    }
    return (unsigned)n;
}

static char conninfo_buf[1024];

/* The database: RMAD_DATABASE_URL, else the PG* variables, else the embedded cluster. */
static const char *database(void)
{
    static const char *const pgvars[] = {"PGHOST",     "PGHOSTADDR", "PGPORT",
                                         "PGDATABASE", "PGUSER",     "PGSERVICE"};
    struct err err = {0};

    if (getenv("RMAD_DATABASE_URL") != NULL && getenv("RMAD_DATABASE_URL")[0] != '\0')
        return getenv("RMAD_DATABASE_URL");
    for (size_t i = 0; i < sizeof pgvars / sizeof pgvars[0]; i++)
        if (getenv(pgvars[i]) != NULL && getenv(pgvars[i])[0] != '\0')
            return "";
    const char *var = env("RMAD_VAR_DIR", RMAD_SOURCE_DIR "/var");
    if (embedded_pg_ensure(var, conninfo_buf, sizeof conninfo_buf, &err) != 0) {
        fprintf(stderr, "rmad: embedded database: %s\n", err.message);
        exit(1);
    }
    log_info("database: the embedded PostgreSQL cluster under %s (running)", var);
    return conninfo_buf;
}

static const char *migrations_dir(void)
{
    return env("RMAD_MIGRATIONS_DIR", RMAD_SOURCE_DIR "/migrations");
}

static int cmd_migrate(struct db *db)
{
    struct err err = {0};
    int applied = 0;

    if (db_migrate(db, migrations_dir(), &applied, &err) != 0) {
        fprintf(stderr, "rmad: migrate: %s\n", err.message);
        return 1;
    }
    log_info("migrations: %d applied, schema current", applied);
    return 0;
}

static int cmd_demo_data(struct db *db)
{
    struct err err = {0};
    const char *path = env("RMAD_DEMO_DATA", RMAD_SOURCE_DIR "/deploy/demo-data.sql");

    if (db_exec_file(db, path, &err) != DB_ONE) {
        fprintf(stderr, "rmad: demo-data: %s\n", err.message);
        return 1;
    }
    log_info("demo data loaded from %s", path);
    return 0;
}

/* rmad user create --name NAME --role ROLE (pages, issue 7) */
static int cmd_user(struct db *db, int argc, char **argv)
{
    const char *name = NULL;
    const char *role = NULL;
    struct err err = {0};
    enum role r;
    char line[256] = "";
    const char *pw = getenv("RMAD_PASSWORD");

    if (argc < 1 || strcmp(argv[0], "create") != 0) {
        fputs("usage: rmad user create --name NAME --role ROLE\n", stderr);
        return 2;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--name") == 0)
            name = argv[i + 1];
        else if (strcmp(argv[i], "--role") == 0)
            role = argv[i + 1];
    }
    if (name == NULL || role == NULL || argc != 5) {
        fputs("rmad: user create needs --name NAME --role ROLE\n", stderr);
        return 2;
    }
    if (pw == NULL) {
        if (fgets(line, sizeof line, stdin) == NULL) {
            fputs("rmad: user create: no password on stdin (or RMAD_PASSWORD)\n", stderr);
            return 1;
        }
        line[strcspn(line, "\r\n")] = '\0';
        pw = line;
    }
    if (role_parse(role, &r, &err) != 0 || db_ready(db, &err) != DB_ONE ||
        db_user_create(db, name, r, pw, &err) != DB_ONE) {
        fprintf(stderr, "rmad: user create: %s%s%s\n", err.field[0] ? err.field : "",
                err.field[0] ? ": " : "", err.message);
        sodium_memzero(line, sizeof line);
        return 1;
    }
    sodium_memzero(line, sizeof line);
    fprintf(stderr, "rmad: user %s (%s) created\n", name, role);
    return 0;
}

/* rmad carrier add --code CODE [--name NAME] [--account ACCOUNT] [--time-zone ZONE]
 * [--zone ZONE] (issue 5): adds the carrier or updates the one with this code */
static int cmd_carrier(struct db *db, int argc, char **argv)
{
    static const char use[] = "usage: rmad carrier add --code CODE [--name NAME] "
                              "[--account ACCOUNT] [--time-zone ZONE] [--zone ZONE]\n";
    struct db_carrier_set c = {0};
    struct err err = {0}, tz_err = {0};
    char code[32];
    bool created = false;

    if (argc < 1 || strcmp(argv[0], "add") != 0) {
        fputs(use, stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--code") == 0      ? &c.code :
                            strcmp(argv[i], "--name") == 0      ? &c.name :
                            strcmp(argv[i], "--account") == 0   ? &c.account :
                            strcmp(argv[i], "--time-zone") == 0 ? &c.time_zone :
                            strcmp(argv[i], "--zone") == 0      ? &c.zone :
                                                                  NULL;
        if (slot == NULL || i + 1 >= argc) {
            fprintf(stderr, "rmad: carrier add: unexpected argument %s\n%s", argv[i], use);
            return 2;
        }
        *slot = argv[++i];
    }
    if (c.code == NULL) {
        fprintf(stderr, "rmad: carrier add needs --code\n%s", use);
        return 2;
    }
    size_t n = strlen(c.code);
    bool ok = n >= 2 && n < sizeof code;
    for (size_t i = 0; ok && i <= n; i++) {
        char ch = c.code[i];
        code[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
        ok = ch == '\0' || (code[i] >= 'A' && code[i] <= 'Z') ||
             (i > 0 && ((code[i] >= '0' && code[i] <= '9') || code[i] == '_' || code[i] == '-'));
    }
    if (!ok)
        err_set(&err, ERR_INVALID, "code",
                "must be 2 to 31 letters, digits, _ or -, from a letter");
    else if (c.name != NULL && (c.name[0] == '\0' || strlen(c.name) > 100))
        err_set(&err, ERR_INVALID, "name", "must be 1 to 100 characters");
    else if (c.account != NULL && (c.account[0] == '\0' || strlen(c.account) > 64))
        err_set(&err, ERR_INVALID, "account", "must be 1 to 64 characters");
    else if (c.time_zone != NULL && db_tz_get(c.time_zone, &tz_err) == NULL)
        err_set(&err, ERR_INVALID, "time-zone", "is not a time zone of the zoneinfo database");
    else if (c.zone != NULL && db_tz_get(c.zone, &tz_err) == NULL)
        err_set(&err, ERR_INVALID, "zone", "is not a time zone of the zoneinfo database");
    c.code = code;
    if (err_is_set(&err) || db_ready(db, &err) != DB_ONE ||
        db_carrier_upsert(db, &c, &created, &err) != DB_ONE) {
        fprintf(stderr, "rmad: carrier add: %s%s%s\n", err.field[0] ? err.field : "",
                err.field[0] ? ": " : "", err.message);
        return 1;
    }
    fprintf(stderr, "rmad: carrier %s %s\n", code, created ? "added" : "updated");
    return 0;
}

static int cmd_token(struct db *db, int argc, char **argv)
{
    const char *role = NULL;
    const char *name = NULL;
    const char *carrier = NULL;
    struct err err = {0};
    enum role r;
    char token[DB_TOKEN_LEN + 1];

    if (argc < 1 || strcmp(argv[0], "create") != 0) {
        fputs("usage: rmad token create --role ROLE --name NAME [--carrier CODE]\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--role") == 0    ? &role :
                            strcmp(argv[i], "--name") == 0    ? &name :
                            strcmp(argv[i], "--carrier") == 0 ? &carrier :
                                                                NULL;
        if (slot == NULL || i + 1 >= argc) {
            fprintf(stderr, "rmad: token create: unexpected argument %s\n", argv[i]);
            return 2;
        }
        *slot = argv[++i];
    }
    if (role == NULL || name == NULL) {
        fputs("rmad: token create needs --role and --name\n", stderr);
        return 2;
    }
    if (role_parse(role, &r, &err) != 0 ||
        db_token_create(db, r, name, carrier, token, &err) != DB_ONE) {
        fprintf(stderr, "rmad: token create: %s%s%s\n", err.field[0] ? err.field : "",
                err.field[0] ? ": " : "", err.message);
        return 1;
    }
    printf("%s\n", token);
    return 0;
}

static int parse_listen(const char *listen, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(listen, ':');
    const char *h = listen;
    size_t n;

    if (colon == NULL)
        return -1;
    n = (size_t)(colon - listen);
    if (listen[0] == '[') {
        if (n < 2 || listen[n - 1] != ']')
            return -1;
        h++;
        n -= 2;
    }
    if (n == 0 || n >= hostlen)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || p < 1 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

static int cmd_serve(struct db *db, const char *conninfo)
{
    static struct server_config cfg;
    static char host[128];
    struct err err = {0};
    const char *listen = env("RMAD_LISTEN", "127.0.0.1:8080");

    if (parse_listen(listen, host, sizeof host, &cfg.port) != 0) {
        fprintf(stderr, "rmad: RMAD_LISTEN must be address:port, such as 127.0.0.1:8080\n");
        return 2;
    }
    cfg.listen_host = host;
    cfg.conninfo = conninfo;
    cfg.threads = env_uint("RMAD_THREADS", 8, 1, 256);
    cfg.max_connections = env_uint("RMAD_MAX_CONNECTIONS", 1000, 4, 60000);
    cfg.per_ip_connections = env_uint("RMAD_PER_IP_CONNECTIONS", 200, 1, 60000);
    cfg.idle_timeout_s = env_uint("RMAD_IDLE_TIMEOUT", 30, 1, 3600);
    cfg.request_deadline_s = env_uint("RMAD_REQUEST_DEADLINE", 60, 1, 3600);
    cfg.track_rate_per_min = env_uint("RMAD_TRACK_RATE", 60, 0, 10000000);
    cfg.jobs_interval_s = env_uint("RMAD_JOBS_INTERVAL", 3600, 0, 86400 * 7);
    cfg.listen_shared = env_uint("RMAD_LISTEN_SHARED", 0, 0, 1) == 1;
    cfg.migrations_dir = migrations_dir();
    char *public_url = NULL;
    if (getenv("RMAD_PUBLIC_URL") && getenv("RMAD_PUBLIC_URL")[0])
        public_url = strdup(getenv("RMAD_PUBLIC_URL"));
    else if (asprintf(&public_url, "http://%s", listen) < 0)
        return 1;
    cfg.public_url = public_url;
    {
        struct label_content probe = {
            .rma_number = "R000000010", .parcel_no = 1, .parcel_count = 1};
        if (label_set_code(&probe, cfg.public_url, "00000000", &err) != 0) {
            fprintf(stderr, "rmad: RMAD_PUBLIC_URL: %s\n", err.message);
            return 2;
        }
    }

    const char *xsd = getenv("RMAD_UBL_XSD_DIR");
    struct stat st;
    if (xsd == NULL && stat(RMAD_SOURCE_DIR "/../shared/standards/oasis-ubl-2.1/xsd", &st) == 0)
        xsd = RMAD_SOURCE_DIR "/../shared/standards/oasis-ubl-2.1/xsd";
    if (xsd != NULL && xsd[0] == '\0')
        xsd = NULL;
    if (xml_init(xsd, &err) != 0) {
        fprintf(stderr, "rmad: RMAD_UBL_XSD_DIR: %s\n", err.message);
        return 1;
    }
    log_info("inbound documents %s",
             xsd ? "are validated against the UBL schemas" : "are checked without the UBL schemas");

    if (cmd_migrate(db) != 0)
        return 1;
    const char *hex = getenv("RMAD_LABEL_KEY");
    if (hex != NULL && hex[0] != '\0') {
        size_t got = 0;
        if (sodium_hex2bin(cfg.label_key, sizeof cfg.label_key, hex, strlen(hex), NULL, &got,
                           NULL) != 0 ||
            got != sizeof cfg.label_key) {
            fprintf(stderr, "rmad: RMAD_LABEL_KEY must be 64 hex digits\n");
            return 2;
        }
    } else if (db_secret(db, "label_key", cfg.label_key, sizeof cfg.label_key, &err) != DB_ONE) {
        fprintf(stderr, "rmad: label key: %s\n", err.message);
        return 1;
    }
    db_free(db);
    int rc = server_run(&cfg, &err);
    if (rc != 0)
        fprintf(stderr, "rmad: %s\n", err.message);
    xml_shutdown();
    db_tz_cache_free(); /* the zones the threads shared (issue 3) */
    sodium_memzero(cfg.label_key, sizeof cfg.label_key);
    free(public_url);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("rmad %s\n", RMAD_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "routes") == 0) {
        bool with_roles = argc == 3 && strcmp(argv[2], "--roles") == 0;
        if (argc > 3 || (argc == 3 && !with_roles)) {
            fputs("usage: rmad routes [--roles]\n", stderr);
            return 2;
        }
        server_print_routes(stdout, with_roles);
        return 0;
    }
    if (sodium_init() < 0) {
        fputs("rmad: libsodium cannot start\n", stderr);
        return 1;
    }
    /* a database host that does not answer must not hang a worker for minutes */
    setenv("PGCONNECT_TIMEOUT", "5", 0);
    log_set_debug(getenv("RMAD_DEBUG") != NULL && strcmp(getenv("RMAD_DEBUG"), "1") == 0);
    const char *cmd = argv[1];
    if (strcmp(cmd, "db-stop") == 0) {
        struct err err = {0};
        const char *var = env("RMAD_VAR_DIR", RMAD_SOURCE_DIR "/var");
        if (embedded_pg_stop(var, &err) != 0) {
            fprintf(stderr, "rmad: db-stop: %s\n", err.message);
            return 1;
        }
        fprintf(stderr, "rmad: the embedded database under %s is stopped\n", var);
        return 0;
    }
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 && strcmp(cmd, "demo-data") != 0 &&
        strcmp(cmd, "token") != 0 && strcmp(cmd, "user") != 0 && strcmp(cmd, "carrier") != 0) {
        fprintf(stderr, "rmad: unknown command %s (rmad --help lists them)\n", cmd);
        return 2;
    }
    const char *conninfo = database();
    struct db *db = db_new(conninfo);
    int rc;
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(db, conninfo);
    if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate(db);
    else if (strcmp(cmd, "demo-data") == 0)
        rc = cmd_demo_data(db);
    else if (strcmp(cmd, "user") == 0)
        rc = cmd_user(db, argc - 2, argv + 2);
    else if (strcmp(cmd, "carrier") == 0)
        rc = cmd_carrier(db, argc - 2, argv + 2);
    else
        rc = cmd_token(db, argc - 2, argv + 2);
    db_free(db);
    return rc;
}
