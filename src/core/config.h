/*
 * Settings of the server and the commands: defaults, then the environment (Appwrite's _APP_* names
 * where Appwrite has one, CWRITE_* otherwise), then command-line flags. Filled once at start on the
 * main thread; read-only afterwards, so any thread may read it.
 */
#ifndef CW_CORE_CONFIG_H
#define CW_CORE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef struct cw_config {
    char *listen;        /* HOST:PORT */
    char *data_dir;
    int threads;         /* event loops; 0 = one per core */
    int workers;         /* blocking worker threads; 0 = one per core */
    int queue_max;       /* jobs waiting for a worker before new ones get 503 */
    long max_body;       /* bytes */
    char *tls_cert;
    char *tls_key;
    char *log_level;
    int access_log;
    char *env;           /* "production" or "development" */
    char *locale;        /* default locale */
    char *geoip_db;      /* MaxMind database for GET /locale */
    char *cors_origins;  /* comma-separated extra allowed origins */
    char *antivirus;     /* "enabled" or "disabled" */
    char *clamd_host;
    int clamd_port;
    char *ntp_server;    /* HOST[:PORT] asked by GET /v1/health/time; NULL or "" = none */
    int shutdown_grace;  /* seconds to finish in-flight requests */
    char *openssl_key;   /* signs account JWTs; serve fills it from the data folder when unset */
    char *smtp_host;     /* NULL or "": no mail unless a project brings its own SMTP */
    int smtp_port;
    char *smtp_secure;   /* "" plain, "tls" STARTTLS, "ssl" TLS from the start (as Appwrite) */
    char *smtp_username;
    char *smtp_password;
    char *email_name;    /* sender's display name */
    char *email_address; /* sender's address */
    int queue_attempts;  /* tries of a job before it is dead */
    int queue_backoff_ms; /* wait after a job's first failure, doubled each time */
    int queue_poll_ms;   /* how often consumers look for jobs of other processes */
    char *consumers;     /* "all", "none" or a comma-separated list of queues to consume */
    char *abuse;         /* "disabled" turns the routes' rate limits off; anything else keeps them */
    char *console_whitelist_root;   /* "enabled": console sign-up stops after the first account */
    char *console_whitelist_emails; /* comma-separated e-mails or *@domain; NULL or "": anyone */
    char *console_whitelist_ips;    /* comma-separated addresses; NULL or "": any */
    int webhook_max_failed_attempts; /* consecutive failed deliveries that disable a webhook */
    char *email_security; /* named in the User-Agent of webhook deliveries */
} cw_config_t;

typedef enum cw_opt_kind { CW_OPT_STR, CW_OPT_INT, CW_OPT_BOOL } cw_opt_kind_t;

typedef struct cw_opt {
    const char *flag; /* "listen" for --listen */
    const char *env;
    cw_opt_kind_t kind;
    size_t offset;
    const char *def;
    const char *help;
} cw_opt_t;

/* The options of `cwrite serve`; the other commands use the ones they name. */
extern const cw_opt_t cw_config_opts[];

/* Sets defaults, then the environment. */
void cw_config_init(cw_config_t *c);
/* Consumes the recognised --flag VALUE / --flag=VALUE pairs of argv among the names given
 * (NULL = all); unknown flags are an error. Returns 0, or -1 with a message on stderr. */
int cw_config_parse_args(cw_config_t *c, int argc, char **argv, const char *const *only);
void cw_config_print_help(FILE *out, const char *const *only);
void cw_config_free(cw_config_t *c);

#endif
