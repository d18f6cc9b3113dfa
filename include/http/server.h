/*
 * server: the HTTP service.  libmicrohttpd with an epoll thread pool; one database connection
 * per pool thread.  Bounded everything: body size per route (413), connections in all and per
 * client, idle timeout, and a whole-request deadline against clients that drip bytes.
 */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

#define SERVER_LABEL_KEY_LEN 32

struct server_config {
    const char *listen_host; /* numeric IPv4 or IPv6 address */
    int port;
    unsigned threads;       /* pool threads = database connections */
    const char *conninfo;   /* libpq conninfo; "" for the PG* variables */
    const char *public_url; /* base of QR URLs, e.g. https://rma.example.com */
    const char *migrations_dir;
    unsigned char label_key[SERVER_LABEL_KEY_LEN];
    unsigned max_connections;
    unsigned per_ip_connections;
    unsigned idle_timeout_s;
    unsigned request_deadline_s;
    unsigned jobs_interval_s;    /* scheduled depot jobs every so many seconds; 0 = off */
    unsigned track_rate_per_min; /* public tracking requests per client and minute; 0 = off */
    bool listen_shared; /* SO_REUSEPORT: other processes may listen on the same port (a rolling
                           restart); off by default, so a second rmad started by mistake on the
                           port fails instead of silently taking part of the requests */
};

/* Serves until SIGINT or SIGTERM.  Returns 0 after a clean stop, -1 if it cannot start. */
int server_run(const struct server_config *cfg, struct err *err);

/*
 * Prints the route table to f, one "METHOD PATTERN" line per route in table order; with_roles
 * appends the roles allowed ("admin,agent") or "public".  Needs no database.
 */
void server_print_routes(FILE *f, bool with_roles);

#endif
