/* `cwrite projects get|auth|smtp|services`: a project's settings from the command line, until the
 * console API sets them. Each change is one write of the settings object, which a running server
 * applies from its next request (the console store's generation counter). The ranges are those
 * of Appwrite's project policy routes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "db/console.h"

static const char *const services[] = {
    "account",   "avatars", "databases", "tablesdb",   "locale",    "health",
    "project",   "storage", "teams",     "users",      "vcs",       "sites",
    "functions", "proxy",   "graphql",   "migrations", "messaging", NULL};
static const char *const protocols[] = {"rest", "graphql", "websocket", NULL};

/* One --name value (or --name=value) at argv[*i]; advances *i past it. */
static int take_option(int argc, char **argv, int *i, const char **name, size_t *name_len,
                       const char **value)
{
    const char *a = argv[*i] + 2;
    const char *eq = strchr(a, '=');
    *name = a;
    *name_len = eq != NULL ? (size_t)(eq - a) : strlen(a);
    if (eq != NULL) {
        *value = eq + 1;
        return 0;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "cwrite: option '--%s' needs a value\n", a);
        return -1;
    }
    *value = argv[++*i];
    return 0;
}

static bool opt_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && strncmp(name, want, len) == 0;
}

static int parse_switch(const char *opt, const char *v, bool *out)
{
    if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0) {
        *out = false;
        return 0;
    }
    fprintf(stderr, "cwrite: --%s takes on or off, not '%s'\n", opt, v);
    return -1;
}

static int parse_range(const char *opt, const char *v, long long min, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "cwrite: --%s must be a whole number from %lld to %lld\n", opt, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

/* "NAME=on|off" → the name (up to '=') and the switch. */
static int parse_named_switch(const char *opt, const char *v, char *name, size_t cap, bool *on)
{
    const char *eq = strchr(v, '=');
    if (eq == NULL || (size_t)(eq - v) >= cap) {
        fprintf(stderr, "cwrite: --%s takes NAME=on|off, not '%s'\n", opt, v);
        return -1;
    }
    memcpy(name, v, (size_t)(eq - v));
    name[eq - v] = '\0';
    return parse_switch(opt, eq + 1, on);
}

static bool in_list(const char *const *list, const char *s)
{
    for (; *list != NULL; list++) {
        if (strcmp(*list, s) == 0)
            return true;
    }
    return false;
}

static int open_project(const char *data, const char *id, cw_console_t **c, cw_project_t *p)
{
    if (cw_console_open(data, c) != CW_OK) {
        fprintf(stderr, "cwrite: cannot open the console store in %s\n", data);
        return -1;
    }
    if (cw_console_project_get(*c, cw_str(id), p) != CW_OK) {
        fprintf(stderr, "cwrite: no project with ID '%s'\n", id);
        cw_console_close(*c);
        *c = NULL;
        return -1;
    }
    return 0;
}

static const char *onoff(bool b)
{
    return b ? "on" : "off";
}

static void print_off_list(const char *label, const json_t *obj, const char *const *names)
{
    printf("%-32s", label);
    int n = 0;
    for (const char *const *s = names; *s != NULL; s++) {
        if (json_is_false(json_object_get(obj, *s)))
            printf("%s%s", n++ > 0 ? ", " : "", *s);
    }
    printf("%s\n", n == 0 ? "none" : "");
}

static const char *smtp_str(const json_t *smtp, const char *key)
{
    const char *s = json_string_value(json_object_get(smtp, key));
    return s != NULL ? s : "";
}

static void print_project(const cw_project_t *p)
{
    const cw_project_auth_t *a = &p->auth;
    char created[CW_TIME_ISO_LEN];
    cw_time_format(p->created_at, created);
    printf("%-32s%s\n%-32s%s\n%-32s%s\n", "id", p->id, "name", p->name, "created", created);
    printf("%-32s%lld%s\n", "auth.limit", (long long)a->limit, a->limit == 0 ? " (unlimited)" : "");
    printf("%-32s%lld\n", "auth.duration", (long long)a->duration);
    printf("%-32s%lld%s\n", "auth.sessions-limit", (long long)a->max_sessions,
           a->max_sessions == 0 ? " (unlimited)" : "");
    printf("%-32s%lld%s\n", "auth.password-history", (long long)a->password_history,
           a->password_history == 0 ? " (off)" : "");
    printf("%-32s%s\n", "auth.password-dictionary", onoff(a->password_dictionary));
    printf("%-32s%s\n", "auth.personal-data", onoff(a->personal_data_check));
    printf("%-32s%s\n", "auth.session-alerts", onoff(a->session_alerts));
    printf("%-32s%s\n", "auth.invalidate-sessions", onoff(a->invalidate_sessions));
    printf("%-32s%s\n", "auth.memberships-user-name", onoff(a->memberships_user_name));
    printf("%-32s%s\n", "auth.memberships-user-email", onoff(a->memberships_user_email));
    printf("%-32s%s\n", "auth.memberships-user-id", onoff(a->memberships_user_id));
    printf("%-32s%s\n", "auth.memberships-user-phone", onoff(a->memberships_user_phone));
    printf("%-32s%s\n", "auth.memberships-mfa", onoff(a->memberships_mfa));
    for (int m = 0; m < CW_AUTH__COUNT; m++) {
        char label[48];
        snprintf(label, sizeof(label), "auth.method.%s", cw_auth_method_name(m));
        printf("%-32s%s\n", label, onoff(a->methods[m]));
    }
    static const char *const mfa_factors[] = {"totp", "email", "phone", NULL};
    for (const char *const *f = mfa_factors; *f != NULL; f++) {
        const json_t *on = json_object_get(json_object_get(p->auths, "mfaFactors"), *f);
        char label[48];
        snprintf(label, sizeof(label), "auth.mfa-factor.%s", *f);
        printf("%-32s%s\n", label, onoff(!json_is_boolean(on) || json_is_true(on)));
    }
    printf("%-32s", "auth.mock-numbers");
    for (size_t i = 0; i < a->nmock_numbers; i++)
        printf("%s%s=%s", i > 0 ? ", " : "", a->mock_numbers[i].phone, a->mock_numbers[i].otp);
    printf("%s\n", a->nmock_numbers == 0 ? "none" : "");
    printf("%-32s%s\n", "smtp.enabled", onoff(json_is_true(json_object_get(p->smtp, "enabled"))));
    static const char *const smtp_keys[] = {"host",        "username",    "senderName",
                                            "senderEmail", "replyToName", "replyToEmail",
                                            "secure",      NULL};
    for (const char *const *k = smtp_keys; *k != NULL; k++) {
        char label[48];
        snprintf(label, sizeof(label), "smtp.%s", *k);
        printf("%-32s%s\n", label, smtp_str(p->smtp, *k));
    }
    const json_t *port = json_object_get(p->smtp, "port");
    printf("%-32s", "smtp.port");
    if (json_is_integer(port))
        printf("%lld", (long long)json_integer_value(port));
    printf("\n%-32s%s\n", "smtp.password", smtp_str(p->smtp, "password")[0] ? "(set)" : "");
    print_off_list("services.off", p->services, services);
    print_off_list("protocols.off", p->protocols, protocols);
}

static void auth_usage(FILE *out)
{
    fprintf(
        out,
        "Usage: cwrite projects auth ID [OPTION VALUE]... [--data DIR]\n\n"
        "Changes the project's auth settings; what is not given stays. Applied by a running\n"
        "server from its next request.\n\n"
        "  --limit N                    most users the project may have, 0 to 10000 (0: no limit)\n"
        "  --duration SECONDS           session length, 60 to 31536000 (one year, the default)\n"
        "  --sessions-limit N           sessions kept per user, 1 to 100 (default 10); the\n"
        "                               oldest go first\n"
        "  --password-history N         earlier passwords a user may not reuse, 0 to 20 (0: off)\n"
        "  --password-dictionary on|off refuse the 10,000 most common passwords\n"
        "  --personal-data on|off       refuse passwords holding the user's ID, name, e-mail or\n"
        "                               phone\n"
        "  --session-alerts on|off      e-mail the user about each new session\n"
        "  --invalidate-sessions on|off a password change ends the user's other sessions\n"
        "  --memberships-user-name on|off, --memberships-user-email on|off,\n"
        "  --memberships-user-id on|off, --memberships-user-phone on|off,\n"
        "  --memberships-mfa on|off     membership fields shown to team members (API keys\n"
        "                               always see them)\n"
        "  --method NAME=on|off         a sign-in method; NAME: email-password, magic-url,\n"
        "                               email-otp, anonymous, invites, jwt, phone (repeatable)\n"
        "  --mfa-factor NAME=on|off     a second factor users may give; NAME: totp, email, phone\n"
        "                               (repeatable; recovery codes always stay)\n"
        "  --mock-number PHONE=OTP      a test phone number (E.164) and its 6-digit code, no SMS\n"
        "                               sent (repeatable; replaces the list)\n"
        "  --mock-numbers none          removes every mock number\n");
}

/* Applies one auth option to the auths object. Returns 0, or -1 after a message. */
static int auth_option(json_t *auths, json_t **mocks, const char *opt, size_t len, const char *v)
{
    static const struct {
        const char *opt, *key;
    } switches[] = {
        {"password-dictionary", "passwordDictionary"},
        {"personal-data", "personalDataCheck"},
        {"session-alerts", "sessionAlerts"},
        {"invalidate-sessions", "invalidateSessions"},
        {"memberships-user-name", "membershipsUserName"},
        {"memberships-user-email", "membershipsUserEmail"},
        {"memberships-user-id", "membershipsUserId"},
        {"memberships-user-phone", "membershipsUserPhone"},
        {"memberships-mfa", "membershipsMfa"},
    };
    static const struct {
        const char *opt, *key;
        long long min, max;
    } numbers[] = {
        {"limit", "limit", 0, CW_AUTH_USERS_MAX},
        {"duration", "duration", CW_AUTH_DURATION_MIN, CW_AUTH_DURATION_MAX},
        {"sessions-limit", "maxSessions", 1, CW_AUTH_SESSIONS_MAX},
        {"password-history", "passwordHistory", 0, CW_AUTH_PASSWORD_HISTORY_MAX},
    };
    char optname[40];
    snprintf(optname, sizeof(optname), "%.*s", (int)len, opt);
    for (size_t i = 0; i < sizeof(switches) / sizeof(switches[0]); i++) {
        bool on;
        if (!opt_is(opt, len, switches[i].opt))
            continue;
        if (parse_switch(optname, v, &on) < 0)
            return -1;
        json_object_set_new(auths, switches[i].key, json_boolean(on));
        return 0;
    }
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        long long n;
        if (!opt_is(opt, len, numbers[i].opt))
            continue;
        if (parse_range(optname, v, numbers[i].min, numbers[i].max, &n) < 0)
            return -1;
        json_object_set_new(auths, numbers[i].key, json_integer(n));
        return 0;
    }
    if (opt_is(opt, len, "method")) {
        char name[32];
        bool on;
        if (parse_named_switch(optname, v, name, sizeof(name), &on) < 0)
            return -1;
        int m = cw_auth_method_find(cw_str(name));
        if (m < 0) {
            fprintf(stderr, "cwrite: unknown method '%s' (see --help)\n", name);
            return -1;
        }
        json_object_set_new(auths, cw_auth_method_key(m), json_boolean(on));
        return 0;
    }
    if (opt_is(opt, len, "mfa-factor")) {
        char name[16];
        bool on;
        if (parse_named_switch(optname, v, name, sizeof(name), &on) < 0)
            return -1;
        if (strcmp(name, "totp") != 0 && strcmp(name, "email") != 0 && strcmp(name, "phone") != 0) {
            fprintf(stderr, "cwrite: unknown MFA factor '%s' (see --help)\n", name);
            return -1;
        }
        json_t *factors = json_object_get(auths, "mfaFactors");
        if (!json_is_object(factors)) {
            factors = json_object();
            json_object_set_new(auths, "mfaFactors", factors);
        }
        json_object_set_new(factors, name, json_boolean(on));
        return 0;
    }
    if (opt_is(opt, len, "mock-numbers")) {
        if (strcmp(v, "none") != 0) {
            fprintf(stderr, "cwrite: --mock-numbers takes only 'none'\n");
            return -1;
        }
        if (*mocks == NULL)
            *mocks = json_array();
        return 0;
    }
    if (opt_is(opt, len, "mock-number")) {
        const char *eq = strchr(v, '=');
        char phone[32];
        if (eq == NULL || (size_t)(eq - v) >= sizeof(phone)) {
            fprintf(stderr, "cwrite: --mock-number takes PHONE=OTP, not '%s'\n", v);
            return -1;
        }
        snprintf(phone, sizeof(phone), "%.*s", (int)(eq - v), v);
        const char *otp = eq + 1;
        bool digits = strlen(otp) == 6 && strspn(otp, "0123456789") == 6;
        if (!cw_valid_phone(phone) || !digits) {
            fprintf(stderr, "cwrite: --mock-number needs an E.164 phone (+ and up to 15 digits) "
                            "and a 6-digit code\n");
            return -1;
        }
        if (*mocks == NULL)
            *mocks = json_array();
        char now[CW_TIME_ISO_LEN];
        cw_time_format(cw_time_now_ms(), now);
        json_array_append_new(*mocks, json_pack("{s:s, s:s, s:s, s:s}", "phone", phone, "otp", otp,
                                                "$createdAt", now, "$updatedAt", now));
        return 0;
    }
    fprintf(stderr, "cwrite: unknown option '--%s' (see --help)\n", optname);
    return -1;
}

static void smtp_usage(FILE *out)
{
    fprintf(out,
            "Usage: cwrite projects smtp ID [OPTION VALUE]... [--data DIR]\n\n"
            "Sets the project's own SMTP server for its mails (what is not given stays; an empty\n"
            "value clears). Enabled, it needs --host, --port and --sender-email.\n\n"
            "  --enabled on|off   --host HOST   --port N   --username USER   --password PASS\n"
            "  --sender-name NAME   --sender-email EMAIL   --reply-to-name NAME\n"
            "  --reply-to-email EMAIL   --secure tls|ssl|none\n");
}

static int smtp_option(json_t *smtp, const char *opt, size_t len, const char *v)
{
    static const struct {
        const char *opt, *key;
        bool email;
    } texts[] = {
        {"host", "host", false},
        {"username", "username", false},
        {"password", "password", false},
        {"sender-name", "senderName", false},
        {"sender-email", "senderEmail", true},
        {"reply-to-name", "replyToName", false},
        {"reply-to-email", "replyToEmail", true},
    };
    char optname[40];
    snprintf(optname, sizeof(optname), "%.*s", (int)len, opt);
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (!opt_is(opt, len, texts[i].opt))
            continue;
        if (strlen(v) > 256 || (texts[i].email && v[0] != '\0' && !cw_valid_email(v))) {
            fprintf(stderr, "cwrite: --%s is not valid\n", optname);
            return -1;
        }
        json_object_set_new(smtp, texts[i].key, json_string(v));
        return 0;
    }
    if (opt_is(opt, len, "enabled")) {
        bool on;
        if (parse_switch(optname, v, &on) < 0)
            return -1;
        json_object_set_new(smtp, "enabled", json_boolean(on));
        return 0;
    }
    if (opt_is(opt, len, "port")) {
        long long n;
        if (parse_range(optname, v, 1, 65535, &n) < 0)
            return -1;
        json_object_set_new(smtp, "port", json_integer(n));
        return 0;
    }
    if (opt_is(opt, len, "secure")) {
        if (strcmp(v, "tls") != 0 && strcmp(v, "ssl") != 0 && strcmp(v, "none") != 0 &&
            v[0] != '\0') {
            fprintf(stderr, "cwrite: --secure takes tls, ssl or none\n");
            return -1;
        }
        json_object_set_new(smtp, "secure", json_string(strcmp(v, "none") == 0 ? "" : v));
        return 0;
    }
    fprintf(stderr, "cwrite: unknown option '--%s' (see --help)\n", optname);
    return -1;
}

static void services_usage(FILE *out)
{
    fprintf(out,
            "Usage: cwrite projects services ID [--service NAME=on|off]... "
            "[--protocol NAME=on|off]... [--data DIR]\n\n"
            "Turns services and protocols of the project on or off (all on by default).\n"
            "Services: account avatars databases tablesdb locale health project storage teams\n"
            "users vcs sites functions proxy graphql migrations messaging.\n"
            "Protocols: rest graphql websocket.\n");
}

static int services_option(json_t *svc, json_t *proto, const char *opt, size_t len, const char *v)
{
    bool is_service = opt_is(opt, len, "service");
    if (!is_service && !opt_is(opt, len, "protocol")) {
        fprintf(stderr, "cwrite: unknown option '--%.*s' (see --help)\n", (int)len, opt);
        return -1;
    }
    char name[32];
    bool on;
    if (parse_named_switch(is_service ? "service" : "protocol", v, name, sizeof(name), &on) < 0)
        return -1;
    if (!in_list(is_service ? services : protocols, name)) {
        fprintf(stderr, "cwrite: unknown %s '%s' (see --help)\n",
                is_service ? "service" : "protocol", name);
        return -1;
    }
    json_object_set_new(is_service ? svc : proto, name, json_boolean(on));
    return 0;
}

int cw_cli_project_settings(const char *cmd, int argc, char **argv)
{
    bool get = strcmp(cmd, "get") == 0, auth = strcmp(cmd, "auth") == 0,
         smtp = strcmp(cmd, "smtp") == 0;
    if (cw_cli_wants_help(argc, argv)) {
        if (get)
            printf("Usage: cwrite projects get ID [--data DIR]\n\n"
                   "Shows the project and its auth, SMTP (not the password), service and protocol "
                   "settings.\n");
        else if (auth)
            auth_usage(stdout);
        else if (smtp)
            smtp_usage(stdout);
        else
            services_usage(stdout);
        return 0;
    }
    const char *data = getenv("CWRITE_DATA") != NULL ? getenv("CWRITE_DATA") : "./data";
    const char *id = NULL;
    /* First pass: the ID and --data, so the current settings can be read. */
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0) {
            if (id != NULL) {
                fprintf(stderr, "cwrite: unexpected argument '%s'\n", argv[i]);
                return 2;
            }
            id = argv[i];
            continue;
        }
        const char *name, *v;
        size_t len;
        if (take_option(argc, argv, &i, &name, &len, &v) < 0)
            return 2;
        if (opt_is(name, len, "data"))
            data = v;
    }
    if (id == NULL) {
        fprintf(stderr, "cwrite: projects %s needs the project ID (see --help)\n", cmd);
        return 2;
    }
    cw_console_t *c = NULL;
    cw_project_t p = {0};
    if (open_project(data, id, &c, &p) < 0)
        return 1;
    int rc = 2;
    json_t *auths = json_deep_copy(p.auths), *smtp_obj = json_deep_copy(p.smtp);
    json_t *svc = json_deep_copy(p.services), *proto = json_deep_copy(p.protocols);
    json_t *mocks = NULL;
    int changes = 0;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0)
            continue;
        const char *name, *v;
        size_t len;
        take_option(argc, argv, &i, &name, &len, &v);
        if (opt_is(name, len, "data"))
            continue;
        int r = get    ? (fprintf(stderr, "cwrite: projects get takes only --data\n"), -1)
                : auth ? auth_option(auths, &mocks, name, len, v)
                : smtp ? smtp_option(smtp_obj, name, len, v)
                       : services_option(svc, proto, name, len, v);
        if (r < 0)
            goto out;
        changes++;
    }
    if (mocks != NULL)
        json_object_set(auths, "mockNumbers", mocks);
    if (smtp && json_is_true(json_object_get(smtp_obj, "enabled"))) {
        static const char *const required[] = {"host", "port", "senderEmail", NULL};
        for (const char *const *k = required; *k != NULL; k++) {
            const json_t *f = json_object_get(smtp_obj, *k);
            if (f == NULL || (json_is_string(f) && json_string_length(f) == 0)) {
                fprintf(stderr, "cwrite: enabled SMTP needs %s\n", *k);
                goto out;
            }
        }
    }
    rc = 1;
    int w = CW_OK;
    if (changes > 0 && auth)
        w = cw_console_project_setting_set(c, id, CW_PROJECT_AUTHS, auths);
    else if (changes > 0 && smtp)
        w = cw_console_project_setting_set(c, id, CW_PROJECT_SMTP, smtp_obj);
    else if (changes > 0 && !get) {
        w = cw_console_project_setting_set(c, id, CW_PROJECT_SERVICES, svc);
        if (w == CW_OK)
            w = cw_console_project_setting_set(c, id, CW_PROJECT_PROTOCOLS, proto);
    }
    if (w != CW_OK) {
        fprintf(stderr, "cwrite: could not save the settings\n");
        goto out;
    }
    if (changes > 0) {
        cw_project_clear(&p);
        if (cw_console_project_get(c, cw_str(id), &p) != CW_OK)
            goto out;
    }
    print_project(&p);
    rc = 0;
out:
    json_decref(mocks);
    json_decref(auths);
    json_decref(smtp_obj);
    json_decref(svc);
    json_decref(proto);
    cw_project_clear(&p);
    cw_console_close(c);
    return rc;
}
