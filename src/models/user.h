/*
 * The User, Account and Target models of the spec built from documents of the internal
 * collections. The caller owns the new object returned; the inputs are only read. Any thread.
 */
#ifndef CW_MODELS_USER_H
#define CW_MODELS_USER_H

#include <jansson.h>
#include <stdbool.h>

/* The Target model (providerId null when the target names no provider). */
json_t *cw_model_target(const json_t *target);

/* The User model of a user document with its target documents; with_password false gives the
 * Account model, which is the same less password, hash and hashOptions. */
json_t *cw_model_user(const json_t *user, const json_t *targets, bool with_password);

#endif
