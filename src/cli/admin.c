/* `cwrite projects …` and `cwrite keys …`: the console store from the command line. They open the
 * same SQLite file as a running server, so what they change is seen by its next request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/scopes.h"
#include "cli/cli.h"
#include "core/alloc.h"
#include "core/id.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/console.h"
#include "db/database.h"

typedef struct flags {
    const char *data, *id, *name, *project, *scopes, *expire;
    const char *positional;
} flags_t;

int cw_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

/* Reads --name VALUE pairs among those allowed (a space-separated list) and one positional. */
static int parse_flags(int argc, char **argv, const char *allowed, flags_t *f)
{
    memset(f, 0, sizeof(*f));
    f->data = getenv("CWRITE_DATA") != NULL ? getenv("CWRITE_DATA") : "./data";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (f->positional != NULL) {
                fprintf(stderr, "cwrite: unexpected argument '%s'\n", a);
                return -1;
            }
            f->positional = a;
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
        char key[32];
        if (nlen >= sizeof(key)) {
            fprintf(stderr, "cwrite: unknown option '%s'\n", a);
            return -1;
        }
        memcpy(key, name, nlen);
        key[nlen] = '\0';
        char pattern[40];
        snprintf(pattern, sizeof(pattern), " %s ", key);
        char list[128];
        snprintf(list, sizeof(list), " %s ", allowed);
        if (strstr(list, pattern) == NULL) {
            fprintf(stderr, "cwrite: unknown option '--%s' (see --help)\n", key);
            return -1;
        }
        const char *v = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (v == NULL) {
            fprintf(stderr, "cwrite: option '--%s' needs a value\n", key);
            return -1;
        }
        if (strcmp(key, "data") == 0) f->data = v;
        else if (strcmp(key, "id") == 0) f->id = v;
        else if (strcmp(key, "name") == 0) f->name = v;
        else if (strcmp(key, "project") == 0) f->project = v;
        else if (strcmp(key, "scopes") == 0) f->scopes = v;
        else if (strcmp(key, "expire") == 0) f->expire = v;
    }
    return 0;
}

static int open_store(const flags_t *f, cw_console_t **c)
{
    if (cw_console_open(f->data, c) != CW_OK) {
        fprintf(stderr, "cwrite: cannot open the console store in %s\n", f->data);
        return -1;
    }
    return 0;
}

static int print_project(const cw_project_t *p, void *arg)
{
    (void)arg;
    char ts[CW_TIME_ISO_LEN];
    cw_time_format(p->created_at, ts);
    printf("%-36s  %-30s  %s\n", p->id, p->name, ts);
    return 0;
}

static void projects_usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  cwrite projects create --id ID --name NAME [--data DIR]\n"
                 "  cwrite projects list [--data DIR]\n"
                 "  cwrite projects delete ID [--data DIR]\n"
                 "  cwrite projects get ID [--data DIR]\n"
                 "  cwrite projects auth ID [--limit N] [--duration S] [--sessions-limit N]\n"
                 "      [--password-history N] [--password-dictionary on|off]\n"
                 "      [--personal-data on|off] [--method NAME=on|off] ... [--data DIR]\n"
                 "  cwrite projects smtp ID [--enabled on|off] [--host H] ... [--data DIR]\n"
                 "  cwrite projects services ID [--service NAME=on|off] ... [--data DIR]\n\n"
                 "Manages projects in the data folder (default ./data, env CWRITE_DATA). Works\n"
                 "while `cwrite serve` runs on the same folder. `cwrite projects COMMAND --help`\n"
                 "lists a command's options.\n");
}

int cw_cli_projects(int argc, char **argv)
{
    if (argc >= 1 && (strcmp(argv[0], "get") == 0 || strcmp(argv[0], "auth") == 0 ||
                      strcmp(argv[0], "smtp") == 0 || strcmp(argv[0], "services") == 0))
        return cw_cli_project_settings(argv[0], argc - 1, argv + 1);
    if (argc < 1 || cw_cli_wants_help(argc, argv)) {
        projects_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *cmd = argv[0];
    flags_t f;
    cw_console_t *c = NULL;
    int rc = 1;
    if (strcmp(cmd, "create") == 0) {
        if (parse_flags(argc - 1, argv + 1, "data id name", &f) < 0)
            return 2;
        if (f.id == NULL || f.name == NULL) {
            fprintf(stderr, "cwrite: projects create needs --id and --name\n");
            return 2;
        }
        if (!cw_id_valid(cw_str(f.id), CW_ID_MAX_LEN) || strcmp(f.id, "console") == 0) {
            fprintf(stderr, "cwrite: project ID '%s' is invalid: use 1-36 of a-z, A-Z, 0-9, '.', "
                            "'-', '_', not starting with '.', '-' or '_' (and not 'console')\n", f.id);
            return 2;
        }
        if (strlen(f.name) == 0 || strlen(f.name) > 128) {
            fprintf(stderr, "cwrite: the project name must be 1 to 128 characters\n");
            return 2;
        }
        if (open_store(&f, &c) < 0)
            return 1;
        int r = cw_console_project_create(c, f.id, f.name);
        if (r == CW_EEXIST)
            fprintf(stderr, "cwrite: a project with ID '%s' already exists\n", f.id);
        else if (r == CW_OK)
            printf("%s\n", f.id), rc = 0;
    } else if (strcmp(cmd, "list") == 0) {
        if (parse_flags(argc - 1, argv + 1, "data", &f) < 0)
            return 2;
        if (open_store(&f, &c) < 0)
            return 1;
        rc = cw_console_project_each(c, print_project, NULL) == CW_OK ? 0 : 1;
    } else if (strcmp(cmd, "delete") == 0) {
        if (parse_flags(argc - 1, argv + 1, "data", &f) < 0)
            return 2;
        if (f.positional == NULL) {
            fprintf(stderr, "cwrite: projects delete needs the project ID\n");
            return 2;
        }
        if (open_store(&f, &c) < 0)
            return 1;
        int r = cw_console_project_delete(c, f.positional);
        if (r == CW_ENOTFOUND)
            fprintf(stderr, "cwrite: no project with ID '%s'\n", f.positional);
        if (r == CW_OK && cw_db_remove(f.data, f.positional) != CW_OK)
            fprintf(stderr, "cwrite: project deleted, but its database files could not all be removed\n");
        rc = r == CW_OK ? 0 : 1;
    } else {
        fprintf(stderr, "cwrite: unknown projects command '%s'\n", cmd);
        projects_usage(stderr);
        return 2;
    }
    cw_console_close(c);
    return rc;
}

static int print_key(const cw_key_t *k, void *arg)
{
    (void)arg;
    char created[CW_TIME_ISO_LEN], expire[CW_TIME_ISO_LEN] = "never";
    cw_time_format(k->created_at, created);
    if (k->expire != 0)
        cw_time_format(k->expire, expire);
    printf("%-20s  %-24s  scopes=%zu  created=%s  expire=%s\n", k->id, k->name, k->nscopes, created, expire);
    return 0;
}

static void keys_usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  cwrite keys create --project ID --name NAME --scopes all|SCOPE,SCOPE,... [--expire DATETIME] [--data DIR]\n"
                 "  cwrite keys list --project ID [--data DIR]\n"
                 "  cwrite keys delete --project ID KEY_ID [--data DIR]\n\n"
                 "`keys create` prints the new secret alone on stdout; it is shown only once.\n"
                 "DATETIME is ISO 8601, e.g. 2027-01-31T00:00:00Z.\n");
}

/* Splits "a,b,c" into a NULL-terminated list of known scopes; "all" is every scope. */
static const char **parse_scopes(const char *s, char **storage)
{
    if (strcmp(s, "all") == 0) {
        *storage = NULL;
        return (const char **)cw_scopes_all;
    }
    char *copy = cw_strdup(s);
    size_t cap = 8, n = 0;
    const char **list = cw_calloc(cap, sizeof(char *));
    for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
        if (!cw_scope_known(cw_str(tok))) {
            fprintf(stderr, "cwrite: unknown scope '%s'\n", tok);
            free(list);
            free(copy);
            return NULL;
        }
        if (n + 1 == cap)
            list = cw_realloc(list, (cap *= 2) * sizeof(char *));
        list[n++] = tok;
    }
    list[n] = NULL;
    *storage = copy;
    return list;
}

int cw_cli_keys(int argc, char **argv)
{
    if (argc < 1 || cw_cli_wants_help(argc, argv)) {
        keys_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *cmd = argv[0];
    flags_t f;
    cw_console_t *c = NULL;
    int rc = 1;
    if (parse_flags(argc - 1, argv + 1, "data project name scopes expire", &f) < 0)
        return 2;
    if (f.project == NULL) {
        fprintf(stderr, "cwrite: keys %s needs --project\n", cmd);
        return 2;
    }
    if (strcmp(cmd, "create") == 0) {
        if (f.name == NULL || f.scopes == NULL) {
            fprintf(stderr, "cwrite: keys create needs --name and --scopes\n");
            return 2;
        }
        int64_t expire = 0;
        if (f.expire != NULL && cw_time_parse(cw_str(f.expire), &expire) < 0) {
            fprintf(stderr, "cwrite: --expire '%s' is not an ISO 8601 date\n", f.expire);
            return 2;
        }
        char *storage = NULL;
        const char **scopes = parse_scopes(f.scopes, &storage);
        if (scopes == NULL)
            return 2;
        if (open_store(&f, &c) == 0) {
            cw_project_t p;
            char secret[CW_KEY_SECRET_LEN + 1];
            if (cw_console_project_get(c, cw_str(f.project), &p) != CW_OK) {
                fprintf(stderr, "cwrite: no project with ID '%s'\n", f.project);
            } else {
                cw_project_clear(&p);
                if (cw_console_key_create(c, f.project, f.name, scopes, expire, NULL, secret) == CW_OK) {
                    printf("%s\n", secret);
                    rc = 0;
                }
            }
        }
        if (storage != NULL) {
            free(scopes);
            free(storage);
        }
    } else if (strcmp(cmd, "list") == 0) {
        if (open_store(&f, &c) < 0)
            return 1;
        rc = cw_console_key_each(c, f.project, print_key, NULL) == CW_OK ? 0 : 1;
    } else if (strcmp(cmd, "delete") == 0) {
        if (f.positional == NULL) {
            fprintf(stderr, "cwrite: keys delete needs the key ID\n");
            return 2;
        }
        if (open_store(&f, &c) < 0)
            return 1;
        int r = cw_console_key_delete(c, f.project, f.positional);
        if (r == CW_ENOTFOUND)
            fprintf(stderr, "cwrite: no key '%s' in project '%s'\n", f.positional, f.project);
        rc = r == CW_OK ? 0 : 1;
    } else {
        fprintf(stderr, "cwrite: unknown keys command '%s'\n", cmd);
        keys_usage(stderr);
        return 2;
    }
    cw_console_close(c);
    return rc;
}
