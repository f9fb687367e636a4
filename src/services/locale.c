/* The Locale service. */
#include "services/routes.h"

const cw_route_t cw_locale_routes[] = {
    {NULL, NULL, NULL, NULL, 0},
};
const size_t cw_locale_routes_count = 0;
