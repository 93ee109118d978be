#ifndef CSPAWNSHIM_H
#define CSPAWNSHIM_H
#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+), which Swift's Glibc module does not
/// import because spawn.h declares it only under _GNU_SOURCE: close every descriptor >= from.
int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#endif
