// Strata's bundled example: reads its arguments and environment, writes a file in a preopened
// directory and reads it back. Built to wasm32-wasi by the project's build with clang-19.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  printf("hello from Strata's example, %d argument(s):\n", argc - 1);
  for (int i = 1; i < argc; ++i) printf("  argv[%d] = %s\n", i, argv[i]);
  const char* who = getenv("GREETING_NAME");
  printf("GREETING_NAME = %s\n", who ? who : "(not set)");

  const char* path = "strata-example.txt";
  FILE* f = fopen(path, "w");
  if (!f) {
    printf("no writable preopened directory (run with --dir .)\n");
    return 0;
  }
  fprintf(f, "written by the guest\n");
  fclose(f);
  char line[64] = {0};
  f = fopen(path, "r");
  if (f && fgets(line, sizeof line, f)) printf("read back: %s", line);
  if (f) fclose(f);
  remove(path);
  return 0;
}
