/*
 * The ceiling of the sign-in benchmark (bench/accounts.sh): the password check an email sign-in
 * makes, done straight on libargon2 with the parameters cwrite gives new passwords
 * (CW_PASSWORD_ARGON2_* in src/auth/password.h), so that cwrite's sign-ins per second have a
 * same-run upper bound. No HTTP, no JSON, no session written: what is left is what argon2 costs
 * on this machine.
 *
 *   argon2_ceiling params
 *       prints the parameters, "argon2id m=<KiB> t=<passes> p=<lanes>".
 *   argon2_ceiling run THREADS WARMUP SECONDS [verify|hash]
 *       THREADS threads (as cwrite's workers) run the operation back to back for WARMUP seconds
 *       unmeasured, then SECONDS measured. verify (the default) checks a password against a PHC
 *       string made once, as a sign-in does (argon2_verify recomputes the hash from the string's
 *       parameters: one argon2 hash); hash makes a PHC string with a fresh 16-byte salt, as a
 *       sign-up or a password change does.
 *
 * Prints one line of key=value fields on stdout, as bench/sqlite_ceiling.c does: ops/s,
 * per-operation latency percentiles, CPU time per operation (user + system of the whole process)
 * and peak RSS.
 */
#include <argon2.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "auth/password.h"

/* As src/auth/password.c writes new hashes: PHP's password_hash salt, a 32-byte hash. */
#define SALT_LEN 16
#define HASH_LEN 32
#define ENCODED_MAX 256

static const char password[] = "bench-password-0001";

typedef struct worker {
    pthread_t thread;
    uint64_t rng;
    uint32_t *lat; /* measured latencies, ns (saturating) */
    size_t nlat, cap;
    uint64_t ops, errors;
} worker_t;

static bool verify_mode = true;
static char stored[ENCODED_MAX];
static atomic_int phase; /* 0 warm-up, 1 measured, 2 stop */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(uint64_t *s)
{
    /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A PHC string of the password with the given salt, as cwrite stores it. */
static int hash_encoded(const unsigned char *salt, char *out, size_t n)
{
    return argon2id_hash_encoded(CW_PASSWORD_ARGON2_TIME, CW_PASSWORD_ARGON2_MEMORY,
                                 CW_PASSWORD_ARGON2_THREADS, password, sizeof(password) - 1, salt,
                                 SALT_LEN, HASH_LEN, out, n);
}

static int run_op(worker_t *w)
{
    if (verify_mode) {
        int rc = argon2_verify(stored, password, sizeof(password) - 1, Argon2_id);
        return rc == ARGON2_OK ? 0 : -1;
    }
    unsigned char salt[SALT_LEN];
    for (size_t i = 0; i < SALT_LEN; i += 8) {
        uint64_t r = rnd(&w->rng);
        memcpy(salt + i, &r, 8);
    }
    char out[ENCODED_MAX];
    return hash_encoded(salt, out, sizeof(out)) == ARGON2_OK ? 0 : -1;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    while (atomic_load_explicit(&phase, memory_order_relaxed) == 0)
        run_op(w);
    while (atomic_load_explicit(&phase, memory_order_relaxed) == 1) {
        uint64_t t0 = now_ns();
        int rc = run_op(w);
        uint64_t dt = now_ns() - t0;
        if (atomic_load_explicit(&phase, memory_order_relaxed) != 1)
            break;
        if (rc != 0)
            w->errors++;
        w->ops++;
        if (w->nlat == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 1 << 12;
            w->lat = realloc(w->lat, w->cap * sizeof(*w->lat));
            if (w->lat == NULL) {
                fprintf(stderr, "argon2_ceiling: out of memory\n");
                exit(1);
            }
        }
        w->lat[w->nlat++] = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
    }
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int usage(void)
{
    fprintf(stderr, "usage: argon2_ceiling params\n"
                    "       argon2_ceiling run THREADS WARMUP SECONDS [verify|hash]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "params") == 0) {
        printf("argon2id m=%d t=%d p=%d\n", CW_PASSWORD_ARGON2_MEMORY, CW_PASSWORD_ARGON2_TIME,
               CW_PASSWORD_ARGON2_THREADS);
        return 0;
    }
    if (argc < 5 || strcmp(argv[1], "run") != 0)
        return usage();
    int nthreads = atoi(argv[2]);
    double warmup = atof(argv[3]), secs = atof(argv[4]);
    if (argc > 5 && strcmp(argv[5], "hash") == 0)
        verify_mode = false;
    else if (argc > 5 && strcmp(argv[5], "verify") != 0)
        return usage();
    if (nthreads < 1 || nthreads > 256 || warmup < 0 || secs <= 0)
        return usage();

    /* The stored hash a sign-in checks against; its salt need not be secret here. */
    unsigned char salt[SALT_LEN];
    uint64_t seed = now_ns() | 1;
    for (size_t i = 0; i < SALT_LEN; i += 8) {
        uint64_t r = rnd(&seed);
        memcpy(salt + i, &r, 8);
    }
    int rc = hash_encoded(salt, stored, sizeof(stored));
    if (rc != ARGON2_OK) {
        fprintf(stderr, "argon2_ceiling: %s\n", argon2_error_message(rc));
        return 1;
    }

    worker_t *ws = calloc((size_t)nthreads, sizeof(*ws));
    if (ws == NULL)
        return 1;
    for (int i = 0; i < nthreads; i++) {
        ws[i].rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) ^ (uint64_t)now_ns();
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0)
            return 1;
    }
    usleep((useconds_t)(warmup * 1e6));
    double cpu0 = cpu_s(), t0 = now_s();
    atomic_store(&phase, 1);
    usleep((useconds_t)(secs * 1e6));
    atomic_store(&phase, 2);
    double elapsed = now_s() - t0, cpu = cpu_s() - cpu0;
    for (int i = 0; i < nthreads; i++)
        pthread_join(ws[i].thread, NULL);

    uint64_t ops = 0, errors = 0;
    size_t n = 0;
    for (int i = 0; i < nthreads; i++) {
        ops += ws[i].ops;
        errors += ws[i].errors;
        n += ws[i].nlat;
    }
    uint32_t *all = malloc((n ? n : 1) * sizeof(*all));
    if (all == NULL)
        return 1;
    size_t k = 0;
    for (int i = 0; i < nthreads; i++) {
        memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof(*all));
        k += ws[i].nlat;
    }
    qsort(all, n, sizeof(*all), cmp_u32);
    double p50 = n ? all[n / 2] / 1e6 : 0, p99 = n ? all[n * 99 / 100] / 1e6 : 0;
    printf("ceiling op=%s threads=%d m_kib=%d t=%d p=%d secs=%.2f ops=%" PRIu64 " errors=%" PRIu64
           " ops_s=%.1f p50_ms=%.3f p99_ms=%.3f cpu_us_op=%.1f max_rss_kb=%ld\n",
           verify_mode ? "verify" : "hash", nthreads, CW_PASSWORD_ARGON2_MEMORY,
           CW_PASSWORD_ARGON2_TIME, CW_PASSWORD_ARGON2_THREADS, elapsed, ops, errors, ops / elapsed,
           p50, p99, ops ? cpu * 1e6 / (double)ops : 0, max_rss_kb());
    for (int i = 0; i < nthreads; i++)
        free(ws[i].lat);
    free(ws);
    free(all);
    return errors > 0 ? 1 : 0;
}
