/*
 * SIGINT/SIGTERM: the run stops, the report of what was analysed is written (marked
 * "interrupted") and the validator exits 128 + the signal (130, 143).
 *
 * The handler only records the signal and writes one byte to a self-pipe (async-signal-safe);
 * everything else happens in ordinary threads: the pool takes no new capture, the feeders
 * poll stop_fd() and close tshark's stdin (tshark then finishes what it read and flushes its
 * rows), and the main thread terminates the tshark process groups that do not end.
 * A second signal has the default action (SA_RESETHAND): it ends the validator at once.
 */
#ifndef MPTCPV_VALIDATE_STOP_H
#define MPTCPV_VALIDATE_STOP_H

#include <glib.h>

/* Install the handlers (once, before the analysis). */
void stop_install(void);
/* The signal that asked to stop, 0 while none did. */
int stop_requested(void);
/* Readable once a stop was asked (never drained): for poll() next to an input. */
int stop_fd(void);

/* tshark children, each the leader of its own process group (setpgid in the child). */
void stop_child_started(GPid pid);
void stop_child_ended(GPid pid);
/* SIGTERM to every running child's process group. */
void stop_children(void);

#endif /* MPTCPV_VALIDATE_STOP_H */
