#define _GNU_SOURCE
#include <spawn.h>
#include "CSpawnShim.h"

int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
