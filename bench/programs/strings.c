// String processing: generate text, then tokenize, count word frequencies, search substrings, case-map and sort.
// bench: full=1280 quick=4 simd
#include <ctype.h>

#include "bench.h"

static const char* const kSyllables[16] = {"ka", "lo", "mir", "sa", "te", "on", "vu", "ri",
                                           "be", "dax", "qu", "el", "no", "pi", "zor", "a"};

enum { kBuckets = 1 << 14 };

typedef struct {
  const char* word;
  uint32_t len, count;
} Entry;

static uint32_t hashWord(const char* s, uint32_t len) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static size_t countOccurrences(const char* text, size_t n, const char* pat) {
  size_t m = strlen(pat), count = 0;
  for (size_t i = 0; i + m <= n; i++) {
    size_t j = 0;
    while (j < m && text[i + j] == pat[j]) j++;
    count += j == m;
  }
  return count;
}

static int compareEntries(const void* a, const void* b) {
  const Entry* x = a;
  const Entry* y = b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  uint32_t m = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->word, y->word, m);
  return c != 0 ? c : (int)x->len - (int)y->len;
}

int main(int argc, char** argv) {
  long kib = bench_scale(argc, argv, 1280);
  size_t size = (size_t)kib * 1024;
  char* text = malloc(size + 64);
  uint64_t seed = 5;
  size_t n = 0;
  while (n < size) {
    int syllables = 1 + (int)(bench_rand(&seed) % 3);
    for (int s = 0; s < syllables; s++)
      for (const char* p = kSyllables[bench_rand(&seed) % 16]; *p; p++) text[n++] = *p;
    text[n++] = bench_rand(&seed) % 11 == 0 ? '\n' : ' ';
  }
  text[n] = 0;
  static Entry table[kBuckets];
  uint64_t sum = 0;
  bench_start();
  size_t distinct = 0, words = 0;
  for (size_t i = 0; i < n;) {  // tokenize and count
    while (i < n && !isalpha((unsigned char)text[i])) i++;
    size_t start = i;
    while (i < n && isalpha((unsigned char)text[i])) i++;
    if (i == start) break;
    uint32_t len = (uint32_t)(i - start), h = hashWord(text + start, len) & (kBuckets - 1);
    while (table[h].word && (table[h].len != len || memcmp(table[h].word, text + start, len) != 0))
      h = (h + 1) & (kBuckets - 1);
    if (!table[h].word) table[h] = (Entry){text + start, len, 0}, distinct++;
    table[h].count++, words++;
  }
  sum = bench_mix(sum, countOccurrences(text, n, "kalo"));
  sum = bench_mix(sum, countOccurrences(text, n, "zor a"));
  char* upper = malloc(n + 1);
  for (int round = 0; round < 4; round++) {
    for (size_t i = 0; i < n; i++) upper[i] = (char)toupper((unsigned char)text[i]);
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {  // reverse in place
      char t = upper[i];
      upper[i] = upper[j], upper[j] = t;
    }
    sum = bench_mix(sum, hashWord(upper, (uint32_t)n));
  }
  Entry* sorted = malloc(sizeof(Entry) * distinct);
  for (size_t i = 0, k = 0; i < kBuckets; i++)
    if (table[i].word) sorted[k++] = table[i];
  qsort(sorted, distinct, sizeof(Entry), compareEntries);
  bench_end();
  for (size_t i = 0; i < distinct; i++) sum = bench_mix(sum, hashWord(sorted[i].word, sorted[i].len) + sorted[i].count);
  printf("%zu words, %zu distinct, most frequent \"%.*s\" x%u\n", words, distinct, (int)sorted[0].len, sorted[0].word,
         sorted[0].count);
  bench_report("strings", kib, sum);
  free(text), free(upper), free(sorted);
  return 0;
}
