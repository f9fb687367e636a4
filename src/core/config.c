#include "core/config.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define OFF(f) offsetof(cw_config_t, f)

const cw_opt_t cw_config_opts[] = {
    {"listen", "CWRITE_LISTEN", CW_OPT_STR, OFF(listen), "127.0.0.1:8080", "address to listen on, HOST:PORT"},
    {"data", "CWRITE_DATA", CW_OPT_STR, OFF(data_dir), "./data", "folder for databases and files"},
    {"threads", "CWRITE_THREADS", CW_OPT_INT, OFF(threads), "0", "event loops (0 = one per core)"},
    {"workers", "CWRITE_WORKERS", CW_OPT_INT, OFF(workers), "0", "worker threads for blocking work (0 = one per core)"},
    {"queue-max", "CWRITE_QUEUE_MAX", CW_OPT_INT, OFF(queue_max), "1024", "requests waiting for a worker before 503"},
    {"max-body", "CWRITE_MAX_BODY", CW_OPT_INT, OFF(max_body), "31457280", "largest request body in bytes"},
    {"tls-cert", "CWRITE_TLS_CERT", CW_OPT_STR, OFF(tls_cert), NULL, "PEM certificate chain; enables HTTPS and HTTP/2 over TLS"},
    {"tls-key", "CWRITE_TLS_KEY", CW_OPT_STR, OFF(tls_key), NULL, "PEM private key for --tls-cert"},
    {"log-level", "CWRITE_LOG_LEVEL", CW_OPT_STR, OFF(log_level), "info", "debug, info, warn or error"},
    {"access-log", "CWRITE_ACCESS_LOG", CW_OPT_BOOL, OFF(access_log), "1", "one line per request on stdout (1 or 0)"},
    {"env", "_APP_ENV", CW_OPT_STR, OFF(env), "production", "production or development"},
    {"locale", "_APP_LOCALE", CW_OPT_STR, OFF(locale), "en", "default locale of Locale answers"},
    {"geoip-db", "CWRITE_GEOIP_DB", CW_OPT_STR, OFF(geoip_db), NULL, "MaxMind country database (.mmdb) for GET /v1/locale"},
    {"cors-origins", "CWRITE_CORS_ORIGINS", CW_OPT_STR, OFF(cors_origins), NULL, "extra allowed browser origins, comma-separated"},
    {"antivirus", "_APP_STORAGE_ANTIVIRUS", CW_OPT_STR, OFF(antivirus), "disabled", "enabled or disabled"},
    {"clamd-host", "_APP_STORAGE_ANTIVIRUS_HOST", CW_OPT_STR, OFF(clamd_host), "127.0.0.1", "clamd host"},
    {"clamd-port", "_APP_STORAGE_ANTIVIRUS_PORT", CW_OPT_INT, OFF(clamd_port), "3310", "clamd port"},
    {"ntp-server", "CWRITE_NTP_SERVER", CW_OPT_STR, OFF(ntp_server), NULL, "SNTP server HOST[:PORT] for GET /v1/health/time (none: local time)"},
    {"shutdown-grace", "CWRITE_SHUTDOWN_GRACE", CW_OPT_INT, OFF(shutdown_grace), "10", "seconds to finish requests on SIGTERM"},
    {"openssl-key", "_APP_OPENSSL_KEY_V1", CW_OPT_STR, OFF(openssl_key), NULL, "secret that signs account JWTs (none: one made and kept in the data folder)"},
    {"smtp-host", "_APP_SMTP_HOST", CW_OPT_STR, OFF(smtp_host), NULL, "SMTP server for mail (none: mail is off)"},
    {"smtp-port", "_APP_SMTP_PORT", CW_OPT_INT, OFF(smtp_port), "25", "SMTP server port"},
    {"smtp-secure", "_APP_SMTP_SECURE", CW_OPT_STR, OFF(smtp_secure), NULL, "tls (STARTTLS), ssl (TLS from the start) or empty (plain)"},
    {"smtp-username", "_APP_SMTP_USERNAME", CW_OPT_STR, OFF(smtp_username), NULL, "SMTP user name"},
    {"smtp-password", "_APP_SMTP_PASSWORD", CW_OPT_STR, OFF(smtp_password), NULL, "SMTP password"},
    {"email-name", "_APP_SYSTEM_EMAIL_NAME", CW_OPT_STR, OFF(email_name), "cwrite", "sender name of mail"},
    {"email-address", "_APP_SYSTEM_EMAIL_ADDRESS", CW_OPT_STR, OFF(email_address), "team@localhost.test", "sender address of mail"},
    {"queue-attempts", "CWRITE_QUEUE_ATTEMPTS", CW_OPT_INT, OFF(queue_attempts), "10", "tries of a queued job (a mail) before it is kept as failed"},
    {"queue-backoff-ms", "CWRITE_QUEUE_BACKOFF_MS", CW_OPT_INT, OFF(queue_backoff_ms), "5000", "wait after a job's first failure, doubled after each next one (at most 10 minutes)"},
    {"queue-poll-ms", "CWRITE_QUEUE_POLL_MS", CW_OPT_INT, OFF(queue_poll_ms), "1000", "how often job consumers look for work queued by other processes"},
    {"consumers", "CWRITE_CONSUMERS", CW_OPT_STR, OFF(consumers), "all", "job consumers to run: all, none (serve: jobs wait in the queue for a `cwrite worker`), or a list of mails,webhooks"},
    {"abuse", "_APP_OPTIONS_ABUSE", CW_OPT_STR, OFF(abuse), "enabled", "rate limits of the routes, as Appwrite's: enabled or disabled"},
    {"console-whitelist-root", "_APP_CONSOLE_WHITELIST_ROOT", CW_OPT_STR, OFF(console_whitelist_root), "enabled", "enabled: only the first console account signs up freely (later ones are invited)"},
    {"console-whitelist-emails", "_APP_CONSOLE_WHITELIST_EMAILS", CW_OPT_STR, OFF(console_whitelist_emails), NULL, "console sign-up only for these e-mails or *@domain patterns, comma-separated"},
    {"console-whitelist-ips", "_APP_CONSOLE_WHITELIST_IPS", CW_OPT_STR, OFF(console_whitelist_ips), NULL, "console sign-up only from these IP addresses, comma-separated"},
    {"webhook-max-failed-attempts", "_APP_WEBHOOK_MAX_FAILED_ATTEMPTS", CW_OPT_INT, OFF(webhook_max_failed_attempts), "10", "consecutive failed deliveries after which a webhook is disabled"},
    {"email-security", "_APP_EMAIL_SECURITY", CW_OPT_STR, OFF(email_security), NULL, "security contact named in the User-Agent of webhook deliveries"},
    {NULL, NULL, 0, 0, NULL, NULL},
};

static void set_value(cw_config_t *c, const cw_opt_t *o, const char *v)
{
    char *base = (char *)c;
    switch (o->kind) {
    case CW_OPT_STR: {
        char **slot = (char **)(base + o->offset);
        free(*slot);
        *slot = v == NULL ? NULL : cw_strdup(v);
        break;
    }
    case CW_OPT_INT:
        if (o->offset == OFF(max_body))
            *(long *)(base + o->offset) = v == NULL ? 0 : strtol(v, NULL, 10);
        else
            *(int *)(base + o->offset) = v == NULL ? 0 : atoi(v);
        break;
    case CW_OPT_BOOL:
        *(int *)(base + o->offset) =
            v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
                          strcmp(v, "enabled") == 0);
        break;
    }
}

void cw_config_init(cw_config_t *c)
{
    memset(c, 0, sizeof(*c));
    for (const cw_opt_t *o = cw_config_opts; o->flag != NULL; o++) {
        const char *env = getenv(o->env);
        set_value(c, o, env != NULL && env[0] != '\0' ? env : o->def);
    }
}

static int allowed(const char *flag, const char *const *only)
{
    if (only == NULL)
        return 1;
    for (; *only != NULL; only++) {
        if (strcmp(*only, flag) == 0)
            return 1;
    }
    return 0;
}

static int is_numeric(const char *v)
{
    if (*v == '\0')
        return 0;
    for (; *v; v++) {
        if (*v < '0' || *v > '9')
            return 0;
    }
    return 1;
}

int cw_config_parse_args(cw_config_t *c, int argc, char **argv, const char *const *only)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "cwrite: unexpected argument '%s'\n", a);
            return -1;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
        const cw_opt_t *o;
        for (o = cw_config_opts; o->flag != NULL; o++) {
            if (strlen(o->flag) == nlen && strncmp(o->flag, name, nlen) == 0 &&
                allowed(o->flag, only))
                break;
        }
        if (o->flag == NULL) {
            fprintf(stderr, "cwrite: unknown option '--%.*s' (see --help)\n", (int)nlen, name);
            return -1;
        }
        const char *v;
        if (eq != NULL) {
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            fprintf(stderr, "cwrite: option '--%s' needs a value\n", o->flag);
            return -1;
        }
        if (o->kind == CW_OPT_INT && !is_numeric(v)) {
            fprintf(stderr, "cwrite: option '--%s' takes a number, not '%s'\n", o->flag, v);
            return -1;
        }
        set_value(c, o, v);
    }
    return 0;
}

void cw_config_print_help(FILE *out, const char *const *only)
{
    for (const cw_opt_t *o = cw_config_opts; o->flag != NULL; o++) {
        if (!allowed(o->flag, only))
            continue;
        char left[64];
        snprintf(left, sizeof(left), "--%s %s", o->flag,
                 o->kind == CW_OPT_STR ? "VALUE" : "N");
        fprintf(out, "  %-26s %s", left, o->help);
        if (o->def != NULL)
            fprintf(out, " [%s]", o->def);
        fprintf(out, " (env %s)\n", o->env);
    }
}

void cw_config_free(cw_config_t *c)
{
    for (const cw_opt_t *o = cw_config_opts; o->flag != NULL; o++) {
        if (o->kind == CW_OPT_STR) {
            char **slot = (char **)((char *)c + o->offset);
            free(*slot);
            *slot = NULL;
        }
    }
}
