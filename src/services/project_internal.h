/*
 * What the files of the project service share (project.c, project_keys.c, project_platforms.c,
 * project_policies.c, project_oauth2.c, project_templates.c): the target project of a route, the
 * Project model, settings edits and in-memory lists. Handler's thread.
 */
#ifndef CW_SERVICES_PROJECT_INTERNAL_H
#define CW_SERVICES_PROJECT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "db/console.h"
#include "http/router.h"

/* The project a route acts on: the request's own project on /v1/project/…, the one the console
 * resolver allows on the /v1/projects/{projectId}/… aliases. 0 with *out borrowed for the
 * request, or -1 with the error written. */
int cw__project_target(cw_ctx_t *ctx, const cw_project_t **out);

/* Runs a settings edit (see cw_console_project_setting_edit). 0, or -1 with the error written:
 * 404 project_not_found, a storage error, or edit's own error (edit returns CW_EINVAL after
 * writing it into the response). */
int cw__project_edit(cw_ctx_t *ctx, const cw_project_t *p, cw_project_setting_t which,
                     cw_setting_edit_cb edit, void *arg);

/* Answers 200 with the Project model of project id as stored now. */
void cw__project_respond(cw_ctx_t *ctx, const char *id);
/* The Project model of p (a new reference). */
json_t *cw__project_model(cw_ctx_t *ctx, const cw_project_t *p);

/* Answers 200 with {"total": n, "<plural>": [...]} from items (stolen), after the route's
 * `queries` (filters equal/notEqual on the model's fields, limit, offset, cursorAfter/Before by
 * $id or id_field) and `total` parameters. */
void cw__project_list(cw_ctx_t *ctx, json_t *items, const char *plural, const char *id_field);

/* Answers with a model built as a json_t (stolen). */
void cw__project_json(cw_ctx_t *ctx, int status, json_t *model);

/* ISO-8601 of a time in ms, into the request's arena. */
const char *cw__project_time(cw_ctx_t *ctx, int64_t ms);

/* An ID parameter (custom: "unique()" makes one), copied into the arena. 0, or -1 with the error
 * written. */
int cw__project_arg_id(cw_ctx_t *ctx, const char *name, bool custom, const char **out);
/* An e-mail parameter (lowercased); allow_empty lets "" through. *out NULL when absent. */
int cw__project_arg_email(cw_ctx_t *ctx, const char *name, bool required, bool allow_empty,
                          const char **out);
/* A parameter given as JSON null or not at all. */
bool cw__project_arg_absent(cw_ctx_t *ctx, const char *name);
/* Writes the error of a failed store call (404 with not_found for CW_ENOTFOUND, else 500). */
void cw__project_store_error(cw_ctx_t *ctx, int rc, cw_err_t not_found);

/* The handlers of the other files, for the route table of project.c. */
void cw__project_keys_list(cw_ctx_t *ctx);
void cw__project_keys_create(cw_ctx_t *ctx);
void cw__project_keys_ephemeral(cw_ctx_t *ctx);
void cw__project_keys_get(cw_ctx_t *ctx);
void cw__project_keys_update(cw_ctx_t *ctx);
void cw__project_keys_delete(cw_ctx_t *ctx);
json_t *cw__project_keys_models(cw_ctx_t *ctx, const cw_project_t *p);

void cw__project_platforms_list(cw_ctx_t *ctx);
void cw__project_platforms_create(cw_ctx_t *ctx);
void cw__project_platforms_update(cw_ctx_t *ctx);
void cw__project_platforms_get(cw_ctx_t *ctx);
void cw__project_platforms_delete(cw_ctx_t *ctx);
json_t *cw__project_platform_model(const json_t *stored);
/* The Platform model as a client before 1.9.0 knows it (Appwrite's response filter V21): the
 * platform's identifier under `key`, with `store` and `hostname` always there. Takes m and
 * returns it. */
json_t *cw__project_platform_in_format(cw_ctx_t *ctx, json_t *m);

void cw__project_policies_list(cw_ctx_t *ctx);
void cw__project_policies_get(cw_ctx_t *ctx);
void cw__project_policies_update(cw_ctx_t *ctx);

void cw__project_oauth2_list(cw_ctx_t *ctx);
void cw__project_oauth2_get(cw_ctx_t *ctx);
void cw__project_oauth2_update(cw_ctx_t *ctx);
/* The 1.9 Project model's oAuthProviders: [{key, name, appId, secret: "", enabled}, …]. */
json_t *cw__project_oauth2_providers(const cw_project_t *p);

void cw__project_templates_list(cw_ctx_t *ctx);
void cw__project_templates_get(cw_ctx_t *ctx);
void cw__project_templates_update(cw_ctx_t *ctx);
void cw__project_templates_delete(cw_ctx_t *ctx);

#endif
