/* `cwrite worker`: the job consumers alone, for a node that serves no HTTP. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/status.h"
#include "queue/queue.h"
#include "workers/consumers.h"

static const char *const worker_opts[] = {
    "data",
    "log-level",
    "smtp-host",
    "smtp-port",
    "smtp-secure",
    "smtp-username",
    "smtp-password",
    "email-name",
    "email-address",
    "queue-attempts",
    "queue-backoff-ms",
    "queue-poll-ms",
    "webhook-max-failed-attempts",
    "email-security",
    "consumers",
    NULL,
};

int cw_cli_worker(int argc, char **argv)
{
    if (cw_cli_wants_help(argc, argv)) {
        printf("Usage: cwrite worker [options]\n\n"
               "Runs the job consumers (mail, webhooks) on the data folder's queue, without the "
               "API server,\n"
               "until SIGINT or SIGTERM. Every option can also come from the environment.\n\n");
        cw_config_print_help(stdout, worker_opts);
        return 0;
    }
    cw_config_t cfg;
    cw_config_init(&cfg);
    int rc = 1;
    cw_queue_t *q = NULL;
    cw_consumers_t *consumers = NULL;
    if (cw_config_parse_args(&cfg, argc, argv, worker_opts) < 0)
        goto out;
    int level = cw_log_level_parse(cfg.log_level);
    if (level < 0) {
        fprintf(stderr, "cwrite: --log-level must be debug, info, warn or error\n");
        goto out;
    }
    cw_log_min_level = (cw_log_level_t)level;
    if (!cw_consumers_valid(cfg.consumers) || cw_consumers_none(cfg.consumers)) {
        fprintf(stderr, "cwrite: --consumers must be all or a list of mails,webhooks\n");
        goto out;
    }
    cw_queue_opts_t qo;
    cw_queue_opts_from_config(&cfg, &qo);
    if (cw_queue_open(cfg.data_dir, &qo, &q) != CW_OK) {
        fprintf(stderr, "cwrite: cannot open the job queue in %s\n", cfg.data_dir);
        goto out;
    }
    /* The signals are waited for here; the consumers never see them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (cw_consumers_start(&cfg, q, &consumers) != CW_OK) {
        fprintf(stderr, "cwrite: cannot start the job consumers\n");
        goto out;
    }
    int sig = 0;
    sigwait(&set, &sig);
    cw_log(CW_LOG_INFO, "msg=\"worker stopping\" signal=%d", sig);
    rc = 0;
out:
    cw_consumers_stop(consumers);
    cw_queue_close(q);
    cw_config_free(&cfg);
    return rc;
}
