/*
 * enrich_conformance - conformance of ev-enrich's parsers against the test
 * cases their data sets ship with.  Prints one summary line per suite and
 * the first few failures; exits 1 when a suite expected to pass fully did
 * not.
 *
 *   enrich_conformance ua REGEXES TESTS_DIR     uap-core test_ua/os/device
 *   enrich_conformance referer DB referer-tests.json
 *   enrich_conformance geo CITY.mmdb GeoIP2-City-Test.json
 *   enrich_conformance asn ASN.mmdb GeoLite2-ASN-Test.json
 *   enrich_conformance bots REGEXES crawler-user-agents.json
 *   enrich_conformance mmdb FILE               open (and check) one database
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_geo.h"
#include "ev_ua.h"
#include "ev_url.h"

#define SHOW	5

static int
same(const json_t *got, const json_t *want)
{
	if (want == NULL || json_is_null(want))
		return got == NULL || json_is_null(got);
	if (got == NULL)
		return 0;
	if (json_is_number(want) && json_is_number(got))
		return json_number_value(want) == json_number_value(got);
	return json_equal(got, want);
}

static int
ua_suite(struct ev_ua *ua, const char *dir, const char *file,
    json_t *(*fn)(const struct ev_ua *, const char *, size_t),
    const char *const *fields)
{
	char path[4096], err[512];
	json_t *root, *cases, *c;
	size_t i, k, pass = 0, total = 0, shown = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((root = ev_ua_yaml_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "enrich_conformance: %s\n", err);
		return -1;
	}
	cases = json_object_get(root, "test_cases");
	json_array_foreach(cases, i, c) {
		json_t *s = json_object_get(c, "user_agent_string"), *got;
		int ok = 1;

		if (!json_is_string(s))
			continue;
		total++;
		got = fn(ua, json_string_value(s), json_string_length(s));
		for (k = 0; fields[k] != NULL; k++)
			if (!same(json_object_get(got, fields[k]),
			    json_object_get(c, fields[k])))
				ok = 0;
		if (ok) {
			pass++;
		} else if (shown++ < SHOW) {
			char *g = json_dumps(got, JSON_COMPACT);
			char *w = json_dumps(c, JSON_COMPACT);

			printf("  FAIL %s: got %s want %s\n", file, g, w);
			free(g);
			free(w);
		}
		json_decref(got);
	}
	printf("uap-core %s: %zu/%zu cases pass (%.2f%%)\n", file, pass, total,
	    total ? 100.0 * (double)pass / (double)total : 0.0);
	json_decref(root);
	return pass == total && total > 0 ? 0 : 1;
}

static int
cmd_ua(const char *regexes, const char *dir)
{
	static const char *const ua_f[] = { "family", "major", "minor",
	    "patch", NULL };
	static const char *const os_f[] = { "family", "major", "minor",
	    "patch", "patch_minor", NULL };
	static const char *const dev_f[] = { "family", "brand", "model", NULL };
	char err[512];
	struct ev_ua *ua = ev_ua_load(regexes, NULL, 0, err, sizeof(err));
	int rc = 0;

	if (ua == NULL) {
		fprintf(stderr, "enrich_conformance: %s\n", err);
		return 2;
	}
	rc |= ua_suite(ua, dir, "test_ua.yaml", ev_ua_browser, ua_f);
	rc |= ua_suite(ua, dir, "test_os.yaml", ev_ua_os, os_f);
	rc |= ua_suite(ua, dir, "test_device.yaml", ev_ua_device, dev_f);
	ev_ua_free(ua);
	return rc ? 1 : 0;
}

static int
cmd_referer(const char *dbpath, const char *tests)
{
	char err[512];
	struct ev_referer_db *db = ev_referer_db_load(dbpath, err, sizeof(err));
	json_t *root, *c;
	json_error_t je;
	size_t i, pass = 0, total = 0, absent = 0, shown = 0;

	if (db == NULL) {
		fprintf(stderr, "enrich_conformance: %s\n", err);
		return 2;
	}
	if ((root = json_load_file(tests, 0, &je)) == NULL) {
		fprintf(stderr, "enrich_conformance: %s: %s\n", tests, je.text);
		ev_referer_db_free(db);
		return 2;
	}
	json_array_foreach(root, i, c) {
		const char *uri = json_string_value(json_object_get(c, "uri"));
		const char *src = json_string_value(json_object_get(c, "source"));
		const char *med = json_string_value(json_object_get(c, "medium"));
		struct ev_url u;
		json_t *got;
		int ok;

		total++;
		if (src != NULL && !ev_referer_db_has(db, src, med)) {
			absent++;
			continue;
		}
		if (uri == NULL || ev_url_parse(uri, strlen(uri), &u) != 0) {
			ok = 0;
			got = json_null();
		} else {
			got = ev_referer_classify(db, &u, NULL, 0, NULL, 0);
			ok = same(json_object_get(got, "medium"),
			    json_object_get(c, "medium")) &&
			    same(json_object_get(got, "source"),
			    json_object_get(c, "source")) &&
			    same(json_object_get(got, "term"),
			    json_object_get(c, "term"));
		}
		if (ok) {
			pass++;
		} else if (shown++ < SHOW) {
			char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);

			printf("  FAIL %s: got %s\n",
			    json_string_value(json_object_get(c, "spec")), g);
			free(g);
		}
		json_decref(got);
	}
	printf("referer-parser: %zu/%zu cases pass where the database has the "
	    "source and medium (%zu cases need a newer database)\n", pass, total - absent,
	    absent);
	json_decref(root);
	ev_referer_db_free(db);
	return pass == total - absent ? 0 : 1;
}

/* The first address of a network "a.b.c.d/n" or "x::/n". */
static void
net_addr(const char *net, char *out, size_t outlen)
{
	const char *sl = strchr(net, '/');
	size_t n = sl ? (size_t)(sl - net) : strlen(net);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, net, n);
	out[n] = '\0';
}

static int
cmd_geo(const char *db, const char *expect, int asn)
{
	char err[512], ip[64];
	struct ev_geo *g = ev_geo_new();
	json_t *root, *e, *rec;
	json_error_t je;
	const char *net;
	size_t i, pass = 0, total = 0, shown = 0;

	if ((asn ? ev_geo_open_asn(g, db, err, sizeof(err)) :
	    ev_geo_open_city(g, db, err, sizeof(err))) != 0) {
		fprintf(stderr, "enrich_conformance: %s\n", err);
		ev_geo_free(g);
		return 2;
	}
	if ((root = json_load_file(expect, 0, &je)) == NULL) {
		fprintf(stderr, "enrich_conformance: %s: %s\n", expect, je.text);
		ev_geo_free(g);
		return 2;
	}
	json_array_foreach(root, i, e) {
		json_object_foreach(e, net, rec) {
			json_t *got = NULL, *want = json_object();
			json_t *sub = json_object_get(rec, "subdivisions");
			json_t *loc = json_object_get(rec, "location");
			int ok;

			total++;
			net_addr(net, ip, sizeof(ip));
			if (asn) {
				json_object_set(want, "asn", json_object_get(rec,
				    "autonomous_system_number"));
				json_object_set(want, "as_org", json_object_get(
				    rec, "autonomous_system_organization"));
			} else {
				json_object_set(want, "country",
				    json_object_get(json_object_get(rec,
				    "country"), "iso_code"));
				json_object_set(want, "region", json_object_get(
				    json_array_get(sub, 0), "iso_code"));
				json_object_set(want, "city", json_object_get(
				    json_object_get(json_object_get(rec, "city"),
				    "names"), "en"));
				json_object_set(want, "latitude",
				    json_object_get(loc, "latitude"));
				json_object_set(want, "longitude",
				    json_object_get(loc, "longitude"));
				json_object_set(want, "time_zone",
				    json_object_get(loc, "time_zone"));
			}
			ev_geo_lookup(g, ip, &got);
			{
				const char *k;
				json_t *v;

				ok = 1;
				json_object_foreach(want, k, v)
					if (!same(json_object_get(got, k), v))
						ok = 0;
				/* Nothing beyond what is expected. */
				json_object_foreach(got, k, v)
					if (json_object_get(want, k) == NULL)
						ok = 0;
			}
			if (ok) {
				pass++;
			} else if (shown++ < SHOW) {
				char *gs = json_dumps(got, JSON_COMPACT |
				    JSON_ENCODE_ANY);
				char *ws = json_dumps(want, JSON_COMPACT);

				printf("  FAIL %s: got %s want %s\n", net,
				    gs ? gs : "null", ws);
				free(gs);
				free(ws);
			}
			json_decref(got);
			json_decref(want);
		}
	}
	printf("maxmind %s: %zu/%zu networks give the expected fields\n",
	    strrchr(expect, '/') ? strrchr(expect, '/') + 1 : expect, pass,
	    total);
	json_decref(root);
	ev_geo_free(g);
	return pass == total && total > 0 ? 0 : 1;
}

static int
cmd_bots(const char *regexes, const char *crawlers)
{
	char err[512];
	struct ev_ua *ua = ev_ua_load(regexes, crawlers, 0, err, sizeof(err));
	json_t *root, *e, *inst, *s;
	json_error_t je;
	size_t i, j, pass = 0, total = 0;

	if (ua == NULL) {
		fprintf(stderr, "enrich_conformance: %s\n", err);
		return 2;
	}
	root = json_load_file(crawlers, 0, &je);
	json_array_foreach(root, i, e) {
		inst = json_object_get(e, "instances");
		json_array_foreach(inst, j, s) {
			total++;
			pass += ev_ua_is_bot(ua, json_string_value(s),
			    json_string_length(s));
		}
	}
	printf("crawler-user-agents: %zu/%zu instances flagged as bots "
	    "(%zu patterns)\n", pass, total, ev_ua_patterns(ua));
	json_decref(root);
	ev_ua_free(ua);
	return pass == total ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char err[512];

	ev_set_progname("enrich_conformance");
	if (argc == 4 && strcmp(argv[1], "ua") == 0)
		return cmd_ua(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "referer") == 0)
		return cmd_referer(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "geo") == 0)
		return cmd_geo(argv[2], argv[3], 0);
	if (argc == 4 && strcmp(argv[1], "asn") == 0)
		return cmd_geo(argv[2], argv[3], 1);
	if (argc == 4 && strcmp(argv[1], "bots") == 0)
		return cmd_bots(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "mmdb") == 0) {
		struct ev_geo *g = ev_geo_new();
		int rc = ev_geo_open_city(g, argv[2], err, sizeof(err));

		if (rc != 0)
			printf("error: %s\n", err);
		else
			printf("ok\n");
		ev_geo_free(g);
		return rc ? 1 : 0;
	}
	fprintf(stderr, "usage: enrich_conformance ua|referer|geo|asn|bots "
	    "ARGS (see the source)\n");
	return 2;
}
