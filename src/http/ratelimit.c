/*
 * ratelimit: a token bucket per client address for the public tracking endpoint.
 * Kept in this process (a fixed table, oldest entries reused); behind several rmad processes
 * each enforces its own share.  NEEDSWORK: a limiter shared through PostgreSQL or the load
 * balancer when more than one process serves /track.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "request.h"

#define BUCKETS 4096

struct bucket {
    unsigned char key[16];
    double tokens;
    int64_t last_ms;
    bool used;
};

static struct bucket buckets[BUCKETS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void client_key(const struct sockaddr *addr, unsigned char key[16])
{
    memset(key, 0, 16);
    if (addr == NULL)
        return;
    if (addr->sa_family == AF_INET) {
        memcpy(key, &((const struct sockaddr_in *)addr)->sin_addr, 4);
    } else if (addr->sa_family == AF_INET6) {
        /* one bucket per /64: a client owns its whole prefix */
        memcpy(key, &((const struct sockaddr_in6 *)addr)->sin6_addr, 8);
        key[15] = 6;
    }
}

bool ratelimit_allow(const struct sockaddr *addr, unsigned per_min, int64_t now_ms)
{
    unsigned char key[16];
    uint32_t h = 2166136261u;
    bool ok;

    if (per_min == 0)
        return true;
    client_key(addr, key);
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    pthread_mutex_lock(&lock);
    struct bucket *b = &buckets[h % BUCKETS];
    double burst = per_min < 10 ? per_min : (per_min / 2.0 > 10 ? per_min / 2.0 : 10);
    if (!b->used || memcmp(b->key, key, 16) != 0) {
        memcpy(b->key, key, 16);
        b->tokens = burst;
        b->last_ms = now_ms;
        b->used = true;
    }
    b->tokens += (double)(now_ms - b->last_ms) * per_min / 60000.0;
    if (b->tokens > burst)
        b->tokens = burst;
    b->last_ms = now_ms;
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    pthread_mutex_unlock(&lock);
    return ok;
}
