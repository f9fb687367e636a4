/*
 * The membership model of the spec (Appwrite's Response\Model\Membership) built from a membership
 * document of the internal collections, its team's name and its user. The caller owns the new
 * object it returns and decrefs it; the inputs are only read. Any thread.
 */
#ifndef CW_MODELS_MEMBERSHIP_H
#define CW_MODELS_MEMBERSHIP_H

#include <jansson.h>
#include <stdbool.h>

/* team_name NULL and user NULL give "" for the names and the email. with_phone: the reads
 * (getMembership, listMemberships) show the user's phone and the user's MFA state; the writes
 * answer "" and false, as Appwrite does. */
json_t *cw_model_membership(const json_t *membership, const char *team_name, const json_t *user,
                            bool with_phone, bool mfa);

#endif
