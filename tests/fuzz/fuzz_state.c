/*
 * libFuzzer harness: loading state files.  The first byte chooses what the
 * rest (JSON text) is loaded as:
 *   0  a whole state file through ev_state_load (the envelope checks);
 *   1  an ev-window engine (ev_win_load) under one of four window kinds
 *      with every kind of aggregate;
 *   2  ev-detect models (ev_detect_model_load) under one of five methods;
 *   3  an ev-validate dedupe set (ev_dedupe_restore).
 * A whole state file given to 1-3 is unwrapped ("data", then "engine" or
 * each of "series"[].model), so the seeds are real state files.  What
 * loads must then work: saved and loaded again it saves the same, the
 * windows close, the models score points, the set answers.  Any crash,
 * sanitizer report or round-trip difference aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ev_agg.h"
#include "ev_dedupe.h"
#include "ev_detect.h"
#include "ev_state.h"
#include "ev_window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AGGS "count,sum(v),avg(v),min(v),max(v),stddev(v),distinct(u)," \
	"approx_distinct(u),p95(v),top(u, 3),first(u),last(u)"

static void
sink(void *arg, const char *rec, size_t len)
{
	size_t *n = arg;

	*n += len;
	if (len > 0 && rec[0] != '{')
		abort();
}

static void
envelope(const uint8_t *p, size_t n)
{
	static char path[64];
	json_t *got = NULL;
	char err[256];
	FILE *f;

	if (path[0] == '\0') {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fuzz_state.XXXXXX");
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
	}
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (fwrite(p, 1, n, f) != n || fclose(f) != 0)
		abort();
	switch (ev_state_load(path, "ev-window", "settings", &got, err,
	    sizeof(err))) {
	case EV_STATE_OK:
		if (got == NULL)
			abort();
		break;
	case EV_STATE_BAD:
		if (got != NULL || err[0] == '\0')
			abort();
		break;
	case EV_STATE_MISSING:
		abort();	/* the file is there */
	}
	json_decref(got);
}

static struct ev_win *
window_new(struct ev_win_cfg *cfg, struct ev_agg_set *aggs, int kind,
    size_t *emitted)
{
	static char event[] = "event";
	static char *names[] = { event };
	char err[256];

	ev_agg_set_init(aggs, 4, 0.01);	/* as the seeds: --hll-precision 4 */
	if (ev_agg_parse(aggs, AGGS, err, sizeof(err)) != 0)
		abort();
	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = (enum ev_win_kind)kind;
	cfg->size = 60 * EV_US_PER_SEC;
	cfg->every = 20 * EV_US_PER_SEC;
	cfg->gap = 30 * EV_US_PER_SEC;
	cfg->allowed = kind == EV_WIN_TUMBLE ? 10 * EV_US_PER_SEC : 0;
	cfg->aggs = aggs;
	cfg->nby = 1;
	cfg->by_names = names;
	return ev_win_new(cfg, sink, emitted);
}

static void
window(const json_t *v, int kind)
{
	struct ev_win_cfg cfg, cfg2;
	struct ev_agg_set aggs, aggs2;
	struct ev_win *w, *w2;
	size_t emitted = 0, emitted2 = 0;
	json_t *s1, *s2;
	char err[256];
	ev_us_t wm;

	w = window_new(&cfg, &aggs, kind, &emitted);
	if (ev_win_load(w, v, err, sizeof(err)) == 0) {
		s1 = ev_win_save(w);
		w2 = window_new(&cfg2, &aggs2, kind, &emitted2);
		if (ev_win_load(w2, s1, err, sizeof(err)) != 0)
			abort();	/* what was saved must load */
		s2 = ev_win_save(w2);
		if (!json_equal(s1, s2))
			abort();
		json_decref(s1);
		json_decref(s2);
		ev_win_free(w2);
		ev_agg_set_free(&aggs2);
		ev_win_next_close(w, &wm);
		if (ev_win_get_watermark(w, &wm) && wm < INT64_MAX / 2)
			ev_win_watermark(w, wm + 90 * EV_US_PER_SEC);
		ev_win_close_all(w);
	}
	ev_win_free(w);
	ev_agg_set_free(&aggs);
}

static void
model(const json_t *v, int method)
{
	struct ev_detect_params p;
	struct ev_detect_model *m, *m2;
	struct ev_detect_score sc;
	struct ev_detect_point pt;
	json_t *s1, *s2;
	int i;

	ev_detect_params_default(&p);
	p.method = (enum ev_detect_method)method;
	m = ev_detect_model_new(&p);
	if (ev_detect_model_load(m, v) == 0) {
		s1 = ev_detect_model_save(m);
		m2 = ev_detect_model_new(&p);
		if (ev_detect_model_load(m2, s1) != 0)
			abort();
		s2 = ev_detect_model_save(m2);
		if (!json_equal(s1, s2))
			abort();
		json_decref(s1);
		json_decref(s2);
		ev_detect_model_free(m2);
		for (i = 0; i < 30; i++) {
			pt.value = (double)(i % 7) * 10;
			pt.local_hours = 490000 + i;
			pt.step_hours = 1;
			ev_detect_model_step(m, &pt, &sc);
		}
	}
	ev_detect_model_free(m);
}

static void
dedupe(const json_t *v)
{
	struct ev_dedupe *d = ev_dedupe_new(600 * EV_US_PER_SEC, 1000);

	if (ev_dedupe_restore(d, v) == 0) {
		json_t *s = ev_dedupe_save(d);

		json_decref(s);
		ev_dedupe_check(d, "a", 1, 0);
		ev_dedupe_check(d, "a", 1, 1);
		ev_dedupe_count(d);
	}
	ev_dedupe_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc, *v, *s;
	json_error_t e;
	size_t i;
	int sel;

	if (size < 1)
		return 0;
	sel = data[0];
	if ((sel & 3) == 0) {
		envelope(data + 1, size - 1);
		return 0;
	}
	doc = json_loadb((const char *)data + 1, size - 1, 0, &e);
	if (doc == NULL)
		return 0;
	v = json_object_get(doc, "data") ? json_object_get(doc, "data") : doc;
	switch (sel & 3) {
	case 1:
		window(json_object_get(v, "engine") ?
		    json_object_get(v, "engine") : v, (sel >> 2) % 4);
		break;
	case 2:
		if (json_is_array(json_object_get(v, "series"))) {
			json_array_foreach(json_object_get(v, "series"), i, s)
				model(json_object_get(s, "model"),
				    (sel >> 2) % 5);
		} else {
			model(v, (sel >> 2) % 5);
		}
		break;
	case 3:
		dedupe(v);
		break;
	}
	json_decref(doc);
	return 0;
}
