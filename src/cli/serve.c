#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/scopes.h"
#include "auth/session.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/status.h"
#include "db/console.h"
#include "services/api.h"
#include "workers/consumers.h"

#define DEFAULT_PROJECT "default"

static int count_project(const cw_project_t *p, void *arg)
{
    (void)p;
    (*(int *)arg)++;
    return 0;
}

static int first_project(const cw_project_t *p, void *arg)
{
    snprintf(arg, 40, "%s", p->id);
    return 1;
}

/* On the first start of an empty data folder, make a project and a key with every scope so the
 * newcomer can talk to the server at once; later starts only say where things are. */
static int bootstrap(const cw_config_t *cfg)
{
    cw_console_t *c;
    if (cw_console_open(cfg->data_dir, &c) != CW_OK)
        return -1;
    int n = 0;
    int rc = cw_console_project_each(c, count_project, &n);
    const char *scheme = cfg->tls_cert != NULL ? "https" : "http";
    if (rc == CW_OK && n == 0) {
        char secret[CW_KEY_SECRET_LEN + 1];
        rc = cw_console_project_create(c, DEFAULT_PROJECT, "Default");
        if (rc == CW_OK)
            rc = cw_console_key_create(c, DEFAULT_PROJECT, "Default key", cw_scopes_all, 0, NULL,
                                       secret);
        if (rc == CW_OK) {
            printf("cwrite is ready.\n"
                   "  Endpoint:   %s://%s/v1\n"
                   "  Project ID: %s\n"
                   "  API key:    %s\n"
                   "The key is shown this once; keep it. Make more with `cwrite keys create`.\n",
                   scheme, cfg->listen, DEFAULT_PROJECT, secret);
        }
    } else if (rc == CW_OK) {
        char first[40] = "";
        cw_console_project_each(c, first_project, first);
        printf("cwrite is ready.\n"
               "  Endpoint:   %s://%s/v1\n"
               "  Project ID: %s%s\n"
               "List keys with `cwrite keys list --project %s --data %s`.\n",
               scheme, cfg->listen, first, n > 1 ? " (and others: `cwrite projects list`)" : "",
               first, cfg->data_dir);
    }
    fflush(stdout);
    cw_console_close(c);
    return rc == CW_OK ? 0 : -1;
}

int cw_cli_serve(int argc, char **argv)
{
    if (cw_cli_wants_help(argc, argv)) {
        printf("Usage: cwrite serve [options]\n\n"
               "Runs the API server. Every option can also come from the environment.\n\n");
        cw_config_print_help(stdout, NULL);
        return 0;
    }
    cw_config_t cfg;
    cw_config_init(&cfg);
    int rc = 1;
    if (cw_config_parse_args(&cfg, argc, argv, NULL) < 0)
        goto out;
    int level = cw_log_level_parse(cfg.log_level);
    if (level < 0) {
        fprintf(stderr, "cwrite: --log-level must be debug, info, warn or error\n");
        goto out;
    }
    cw_log_min_level = (cw_log_level_t)level;
    if (!cw_consumers_valid(cfg.consumers)) {
        fprintf(stderr, "cwrite: --consumers must be all, none or a list of mails,webhooks\n");
        goto out;
    }
    if (bootstrap(&cfg) < 0) {
        fprintf(stderr, "cwrite: cannot prepare the data folder %s\n", cfg.data_dir);
        goto out;
    }
    char *jwt_key;
    if (cw_session_server_key(cfg.openssl_key, cfg.data_dir, &jwt_key) != 0) {
        fprintf(stderr, "cwrite: cannot read or make the JWT key in %s\n", cfg.data_dir);
        goto out;
    }
    free(cfg.openssl_key);
    cfg.openssl_key = jwt_key;
    cw_app_t app;
    cw_api_init(&app, &cfg);
    /* The job consumers run beside the server and stop after it: a job one was doing when the
     * signal came goes back to the queue. With --consumers none the jobs wait in the queue for a
     * `cwrite worker`. */
    cw_consumers_t *consumers = NULL;
    if (cw_api_queue(&app) != NULL)
        cw_consumers_start(&cfg, cw_api_queue(&app), &consumers);
    rc = cw_server_run(&cfg, &app) == 0 ? 0 : 1;
    cw_consumers_stop(consumers);
    cw_api_destroy(&app);
out:
    cw_config_free(&cfg);
    return rc;
}
