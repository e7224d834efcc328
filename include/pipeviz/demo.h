/*
 * demo.h - the lecture demos: every example of the pipes notes as a
 * pipeline pipeviz can launch (pipeviz --demo NAME).  Demos that need C
 * are small programs built from demos/ and installed beside pipeviz.
 */
#ifndef PIPEVIZ_DEMO_H
#define PIPEVIZ_DEMO_H

#include <stdio.h>

/* Print "NAME  what it shows" for every demo. */
void demo_list(FILE *);

/*
 * The pipeline that runs demo name, newly allocated, or NULL with *err
 * set (unknown name, programs not found).  A demo that works in a scratch
 * directory makes one and sets *dir to it (the stages run there; pipeviz
 * itself stays where it is); demo_cleanup() removes it.  *dir is NULL
 * otherwise.
 */
char *demo_pipeline(const char *name, const char **dir, char **err);
void demo_cleanup(void);

#endif
