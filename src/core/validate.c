#include "core/validate.h"

#include <string.h>

bool cw_valid_email(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n == 0 || n > CW_EMAIL_MAX || at == NULL || at == s || strchr(at + 1, '@') != NULL)
        return false;
    const char *dom = at + 1, *dot = strrchr(dom, '.');
    if (dot == NULL || dot == dom || dot[1] == '\0' || dom[0] == '.' || strstr(s, "..") != NULL)
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == '(' || c == ')' || c == ',' || c == ';' || c == '<' || c == '>' ||
            c == '[' || c == ']' || c == '\\' || c == '"' || c >= 0x7f)
            return false;
    }
    return true;
}

bool cw_valid_phone(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}
