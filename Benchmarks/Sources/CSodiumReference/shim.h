#ifndef LOCKSTEP_CSODIUM_SHIM_H
#define LOCKSTEP_CSODIUM_SHIM_H
#include <sodium.h>
#endif
