/* The route table of each service, for the router. Static data; any thread. */
#ifndef CW_SERVICES_ROUTES_H
#define CW_SERVICES_ROUTES_H

#include <stddef.h>

#include "http/router.h"

extern const cw_route_t cw_health_routes[];
extern const size_t cw_health_routes_count;
extern const cw_route_t cw_locale_routes[];
extern const size_t cw_locale_routes_count;
extern const cw_route_t cw_general_routes[];
extern const size_t cw_general_routes_count;
extern const cw_route_t cw_databases_routes[];
extern const size_t cw_databases_routes_count;
extern const cw_route_t cw_tablesdb_routes[];
extern const size_t cw_tablesdb_routes_count;
extern const cw_route_t cw_account_routes[];
extern const size_t cw_account_routes_count;
extern const cw_route_t cw_account_mfa_routes[];
extern const size_t cw_account_mfa_routes_count;
extern const cw_route_t cw_account_tokens_routes[];
extern const size_t cw_account_tokens_routes_count;
extern const cw_route_t cw_users_routes[];
extern const size_t cw_users_routes_count;
extern const cw_route_t cw_teams_routes[];
extern const size_t cw_teams_routes_count;
extern const cw_route_t cw_account_extra_routes[];
extern const size_t cw_account_extra_routes_count;
extern const cw_route_t cw_logs_routes[];
extern const size_t cw_logs_routes_count;
extern const cw_route_t cw_console_projects_routes[];
extern const size_t cw_console_projects_routes_count;
extern const cw_route_t cw_console_routes[];
extern const size_t cw_console_routes_count;

extern const cw_route_t cw_account_oauth2_routes[];
extern const size_t cw_account_oauth2_routes_count;
extern const cw_route_t cw_webhooks_routes[];
extern const size_t cw_webhooks_routes_count;
extern const cw_route_t cw_project_routes[];
extern const size_t cw_project_routes_count;

#endif
