/*
 * The spec's Project model (Appwrite's Response\Model\Project) of a project of the console
 * store: its fields, organisation and descriptive fields, the auth settings, SMTP settings,
 * services and protocols as stored, its API keys and dev keys (secrets are never shown: only
 * hashes are kept). Platforms and webhooks are written as []. Reads the store; handler's thread.
 */
#ifndef CW_SERVICES_CONSOLE_MODEL_H
#define CW_SERVICES_CONSOLE_MODEL_H

#include "core/jsonw.h"
#include "db/console.h"

void cw_console_project_model(cw_jw_t *w, cw_console_t *c, const cw_project_t *p);

#endif
