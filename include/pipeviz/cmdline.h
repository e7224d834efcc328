/*
 * cmdline.h - command lines rebuilt from what processes show: argv quoted
 * as a shell would need it, and a pipeline as the line that would start
 * it ("yes | tr y n | sleep 600").  Pure; the result may hold any byte a
 * process put in its argv, so it is sanitized where it is printed.
 */
#ifndef PIPEVIZ_CMDLINE_H
#define PIPEVIZ_CMDLINE_H

#include <stddef.h>

#include "pipeviz/snapshot.h"

/* Longest line made; a longer one ends in "...". */
#define CMDLINE_MAX 4096

/*
 * argv joined by blanks, each word that holds anything but letters,
 * digits and _@%+=:,./- in single quotes (a quote in it as '\''), an empty
 * word as ''.  Allocated.
 */
char *cmdline_quote_argv(char *const *argv);

/*
 * The pipeline s shows: its processes whose parent it does not show (the
 * others are their children: a stage's own work), in the order their
 * pipes and sockets join them, fd 1 of one to fd 0 of the next, with " | "
 * between them and "; " between parts no pipe joins.  A process without
 * an argv (a zombie) shows as [comm].  Allocated.
 */
char *cmdline_pipeline(const struct snapshot *s);

#endif
