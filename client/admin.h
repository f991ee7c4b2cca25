/* Command groups of sertel-admin. Each takes argv starting at the group's
 * name and returns the process exit code (0 done, 1 usage or invalid
 * input, 2 refused by the broker, 3 broker unreachable). */
#ifndef SERTEL_ADMIN_H
#define SERTEL_ADMIN_H

int admin_sop_main(int argc, char **argv);
int admin_init_main(int argc, char **argv);

#endif
