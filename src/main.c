/* The `cwrite` command: picks the subcommand and hands it the rest of the line. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"

#define CWRITE_VERSION "0.1.0"

static void usage(FILE *out)
{
    fprintf(out, "cwrite %s: an Appwrite-compatible backend in one binary\n\n"
                 "Usage: cwrite COMMAND [options]\n\n"
                 "Commands:\n"
                 "  serve      run the API server (cwrite serve --help)\n"
                 "  worker     run only the job consumers (mail, webhooks)\n"
                 "  projects   create, list, show, configure and delete projects\n"
                 "  keys       create, list and delete API keys\n"
                 "  version    print the version\n\n"
                 "Each command takes --help.\n",
            CWRITE_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    /* SQLite's allocation statistics take a global lock on every allocation; nothing reads them. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cw_cli_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "worker") == 0)
        return cw_cli_worker(argc - 2, argv + 2);
    if (strcmp(cmd, "projects") == 0)
        return cw_cli_projects(argc - 2, argv + 2);
    if (strcmp(cmd, "keys") == 0)
        return cw_cli_keys(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("cwrite %s (Appwrite API %s)\n", CWRITE_VERSION, CW_APPWRITE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "cwrite: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
