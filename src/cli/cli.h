/* The `cwrite` subcommands. Each takes the arguments after its name and returns an exit code. */
#ifndef CW_CLI_CLI_H
#define CW_CLI_CLI_H

int cw_cli_serve(int argc, char **argv);
int cw_cli_projects(int argc, char **argv);
int cw_cli_keys(int argc, char **argv);
int cw_cli_worker(int argc, char **argv);

/* 1 when argv holds -h or --help. */
int cw_cli_wants_help(int argc, char **argv);

#endif
