/*
 * ev-enrich - add context to events: CSV lookups, calendar parts, page URL
 * and campaign, referrer, user agent, IP geolocation, then privacy
 * transforms (keyed hashing, IP anonymisation, dropping) and a
 * fingerprint, in that order (man/ev-enrich.1, ORDER OF ENRICHMENTS).
 *
 * The steps live in lib/ev_enrich.c; this file parses the options, loads
 * the tables and databases they name, and runs the loop.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ev_common.h"
#include "ev_enrich.h"
#include "ev_filter.h"
#include "ev_run.h"

#define PROG		"ev-enrich"
#define UAP_REGEXES	"/usr/share/uap-core/regexes.yaml"
#define REFERER_DB	"/usr/share/rubygems-integration/all/gems/" \
			"referer-parser-0.3.0/data/referers.json"
#define MAX_IP_COUNTRY	8

static const char usage[] =
"usage: ev-enrich [--anon-ip] [--anon-octets N] [--anon-segments N]\n"
"                 [--asn-db FILE] [--bot-patterns FILE] [--calendar]\n"
"                 [--campaign] [--drop FIELDS] [--fingerprint]\n"
"                 [--fingerprint-exclude FIELDS] [--geoip FILE]\n"
"                 [--hash FIELDS] [--internal-domains LIST]\n"
"                 [--ip-country FILE] [--ip-field FIELD] [--key-file FILE]\n"
"                 [--lookup [NAME=]FILE --on FIELD[=COLUMN] [--as NAME]]\n"
"                 [--lookup-allow-empty] [--lookup-missing keep | null | reject]\n"
"                 [--page-field FIELD]\n"
"                 [--referer-db FILE] [--referrer] [--referrer-field FIELD]\n"
"                 [--set 'PATH = EXPR'] [--strict] [--time-field FIELD]\n"
"                 [--tz ZONE] [--ua] [--ua-cache N] [--ua-field FIELD]\n"
"                 [--ua-regexes FILE] [--unset PATH] [--where EXPR]\n"
"                 [common options]\n"
"Add context to NDJSON events read on stdin; write them to stdout.\n"
"\n"
"  --anon-ip              zero the end of the address in --ip-field\n"
"  --anon-octets N        IPv4 octets --anon-ip zeroes (1)\n"
"  --anon-segments N      IPv6 16-bit segments --anon-ip zeroes (5)\n"
"  --as NAME              member name for the last --lookup's columns\n"
"  --asn-db FILE          MaxMind ASN database: geo.asn, geo.as_org\n"
"  --bot-patterns FILE    crawler-user-agents JSON for the ua.bot flag\n"
"  --calendar             add calendar parts of the event time in --tz\n"
"  --campaign             add page URL parts and utm_*/click-id campaign\n"
"  --drop FIELDS          remove these fields (comma-separated paths)\n"
"  --fingerprint          add a SHA-256 fingerprint of the event\n"
"  --fingerprint-exclude FIELDS  fields left out of the fingerprint\n"
"  --geoip FILE           MaxMind city or country database (.mmdb)\n"
"  --hash FIELDS          replace these fields by keyed HMAC-SHA256\n"
"  --internal-domains LIST  referrer domains that count as internal\n"
"  --ip-country FILE      CSV IP ranges low,high,CC (tor-geoipdb format)\n"
"  --ip-field FIELD       the IP address field (context.ip)\n"
"  --key-file FILE        the --hash key (else $EVKIT_HASH_KEY)\n"
"  --lookup [NAME=]FILE   join a CSV table; columns go under NAME\n"
"  --lookup-allow-empty   a reloaded table may have no rows\n"
"  --lookup-missing HOW   no row: keep (default), null, or reject\n"
"  --on FIELD[=COLUMN]    key of the last --lookup (repeat: composite)\n"
"  --page-field FIELD     the page URL field (context.page_url)\n"
"  --referer-db FILE      referer-parser referers.json or .yml\n"
"  --referrer             add referrer parts, medium, source and term\n"
"  --referrer-field FIELD the referrer field (context.referrer)\n"
"  --set 'PATH = EXPR'    set a field to an expression (evkit(7))\n"
"  --strict               reject events an enrichment cannot apply to\n"
"  --time-field FIELD     the event time field (ts)\n"
"  --tz ZONE              IANA time zone for --calendar (UTC)\n"
"  --ua                   add browser, OS, device and bot flag\n"
"  --ua-cache N           user agents kept in the LRU cache (10000)\n"
"  --ua-field FIELD       the user agent field (context.user_agent)\n"
"  --ua-regexes FILE      uap-core regexes.yaml (" UAP_REGEXES ")\n"
"  --unset PATH           remove a field (after --set)\n"
"  --where EXPR           enrich only the events where EXPR is true; pass\n"
"                         the others on unchanged (evkit(7))\n"
EV_RUN_HELP;

/* Codes of the options that take an argument or do more than set a flag. */
enum {
	OPT_ANON_OCTETS = EV_OPT_FIRST_TOOL, OPT_ANON_SEGMENTS, OPT_AS,
	OPT_ASN_DB, OPT_BOT_PATTERNS, OPT_DROP, OPT_FP_EXCLUDE, OPT_GEOIP,
	OPT_HASH, OPT_INTERNAL, OPT_IP_COUNTRY, OPT_IP_FIELD, OPT_KEY_FILE,
	OPT_LOOKUP, OPT_LOOKUP_MISSING, OPT_ON, OPT_PAGE_FIELD, OPT_REFERER_DB,
	OPT_REFERRER_FIELD, OPT_TIME_FIELD, OPT_TZ, OPT_UA_CACHE, OPT_UA_FIELD,
	OPT_UA_REGEXES, OPT_SET, OPT_UNSET, OPT_WHERE
};

/* What the options name, loaded at set-up rather than kept by the steps. */
struct opts {
	const char	*tzname, *ua_regexes, *bots, *refdb, *geoip, *asndb;
	const char	*keyfile, *envkey;
	const char	*ipcountry[MAX_IP_COUNTRY];
	size_t		 nipcountry, uacache;
	int		 allow_empty;
	struct ev_filter filter;	/* --where, --set, --unset */
};

static struct ev_path *
xpath(struct ev_run *run, const char *spec)
{
	const char *es;
	struct ev_path *p = ev_path_compile(spec, &es);

	if (p == NULL)
		ev_run_usage_error(run, "bad field '%s': %s", spec, es);
	return p;
}

static void
set_path(struct ev_run *run, struct ev_path **p, const char *spec)
{
	ev_path_free(*p);
	*p = xpath(run, spec);
}

/*
 * The next non-empty item of the comma-separated list at *s, cut out in
 * place, or NULL at its end.
 */
static char *
next_item(char **s)
{
	char *item;

	while ((item = strsep(s, ",")) != NULL)
		if (*item != '\0')
			return item;
	return NULL;
}

/* A comma-separated list of paths, added to f. */
static void
add_fields(struct ev_run *run, struct ev_enrich_fields *f, const char *list)
{
	char *copy = ev_xstrdup(list), *s = copy, *item;

	while ((item = next_item(&s)) != NULL) {
		if (f->n == EV_ENRICH_MAX_FIELDS)
			ev_run_usage_error(run, "more than %d fields in one "
			    "list", EV_ENRICH_MAX_FIELDS);
		f->p[f->n++] = xpath(run, item);
	}
	free(copy);
}

/* Referrer domains that count as internal, lowercased, added to e. */
static void
add_internal(struct ev_enrich *e, const char *list)
{
	char *copy = ev_xstrdup(list), *s = copy, *item;
	size_t i;

	while ((item = next_item(&s)) != NULL) {
		for (i = 0; item[i] != '\0'; i++)
			if (item[i] >= 'A' && item[i] <= 'Z')
				item[i] = (char)(item[i] - 'A' + 'a');
		e->internal = ev_xreallocarray(e->internal, e->ninternal + 1,
		    sizeof(*e->internal));
		e->internal[e->ninternal++] = ev_xstrdup(item);
	}
	free(copy);
}

/* The default table name: the file's base name without its extension. */
static char *
table_name(const char *file)
{
	const char *b = strrchr(file, '/'), *dot;

	b = b ? b + 1 : file;
	dot = strrchr(b, '.');
	return dot && dot > b ? ev_xstrndup(b, (size_t)(dot - b)) :
	    ev_xstrdup(b);
}

static void
add_lookup(struct ev_run *run, struct ev_enrich *e, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name, *file;

	if (e->nlk == EV_ENRICH_MAX_LOOKUPS)
		ev_run_usage_error(run, "more than %d --lookup tables",
		    EV_ENRICH_MAX_LOOKUPS);
	if (eq != NULL && memchr(arg, '/', (size_t)(eq - arg)) == NULL) {
		name = ev_xstrndup(arg, (size_t)(eq - arg));
		file = ev_xstrdup(eq + 1);
	} else {
		file = ev_xstrdup(arg);
		name = table_name(file);
	}
	if (*name == '\0' || *file == '\0')
		ev_run_usage_error(run, "--lookup '%s': expected "
		    "[NAME=]FILE", arg);
	e->lk[e->nlk] = ev_lookup_new(name, file);
	e->lk_count[e->nlk].name = e->lk[e->nlk]->name;
	e->nlk++;
	free(name);
	free(file);
}

static long long
number(struct ev_run *run, const char *opt, const char *arg, long long min,
    long long max)
{
	const char *es;
	long long v = ev_strtonum(arg, min, max, &es);

	if (es != NULL)
		ev_run_usage_error(run, "%s '%s': %s (%lld-%lld)", opt, arg, es,
		    min, max);
	return v;
}

/*
 * The argument the option getopt_long just returned was spelled with:
 * "--key-file=X" is one argument, "--key-file X" two.
 */
static const char *
option_text(char **argv)
{
	if (optind >= 2 && optarg == argv[optind - 1])
		return argv[optind - 2];
	return argv[optind - 1];
}

/*
 * Options that carry a secret are taken only when spelled in full.
 * getopt_long takes any unique prefix, so "--key SECRET", meant as the
 * key itself, would be read as --key-file and the secret quoted in the
 * error.  The refusal names the option as typed, never its argument.
 */
static void
secret_option(struct ev_run *run, char **argv, const char *name)
{
	const char *t = option_text(argv);
	size_t n;

	if (strncmp(t, "--", 2) == 0)
		t += 2;
	n = strcspn(t, "=");
	if (n == strlen(name) && strncmp(t, name, n) == 0)
		return;
	ev_run_usage_error(run, "'--%.*s' stands for --%s, which carries a "
	    "secret: give it in full", (int)n, t, name);
}

/*
 * getopt_long's own messages quote "--opt=value" whole, which would show
 * a secret given to a misspelt option; say what is wrong with the name
 * alone.
 */
static void
bad_option(struct ev_run *run, char **argv, int c)
{
	const char *t = argv[optind - 1 > 0 ? optind - 1 : 0];
	int n = (int)strcspn(t, "=");

	if (c == ':')
		ev_run_usage_error(run, "option '%.*s' needs an argument", n,
		    t);
	if (optopt > 0 && optopt < 0x80 && strncmp(t, "--", 2) != 0)
		ev_run_usage_error(run, "unknown option '-%c'", optopt);
	if (optopt > 0)
		ev_run_usage_error(run, "option '%.*s' takes no argument", n,
		    t);
	ev_run_usage_error(run, "unknown or ambiguous option '%.*s'", n, t);
}

/*
 * Read the --hash key from a file; -1 (said) when it cannot be used.
 * Messages name the option, not the path: whatever was given to
 * --key-file may be the secret itself.
 */
static int
read_key_file(struct ev_enrich *e, const char *path)
{
	char err[1024];
	struct stat st;
	size_t n = strlen(path);

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
		ev_warn("--key-file is readable by group or others (mode "
		    "%04o); make it private with chmod 600",
		    (unsigned)(st.st_mode & 07777));
	if (ev_privacy_read_key(path, &e->key, &e->keylen, err,
	    sizeof(err)) == 0)
		return 0;
	if (strncmp(err, path, n) == 0 && strncmp(err + n, ": ", 2) == 0)
		ev_warn("--key-file: %s", err + n + 2);
	else
		ev_warn("--key-file: the key file cannot be used");
	return -1;
}

/*
 * The options into e and o, checked; a bad one ends the run (exit 2).
 * Options that only switch a step on set its flag through getopt_long.
 */
static void
parse_options(struct ev_run *run, struct ev_enrich *e, struct opts *o,
    int argc, char **argv)
{
	const struct option longopts[] = {
		{ "anon-ip", no_argument, &e->anon_ip, 1 },
		{ "anon-octets", required_argument, NULL, OPT_ANON_OCTETS },
		{ "anon-segments", required_argument, NULL, OPT_ANON_SEGMENTS },
		{ "as", required_argument, NULL, OPT_AS },
		{ "asn-db", required_argument, NULL, OPT_ASN_DB },
		{ "bot-patterns", required_argument, NULL, OPT_BOT_PATTERNS },
		{ "calendar", no_argument, &e->calendar, 1 },
		{ "campaign", no_argument, &e->campaign, 1 },
		{ "drop", required_argument, NULL, OPT_DROP },
		{ "fingerprint", no_argument, &e->fingerprint, 1 },
		{ "fingerprint-exclude", required_argument, NULL, OPT_FP_EXCLUDE },
		{ "geoip", required_argument, NULL, OPT_GEOIP },
		{ "hash", required_argument, NULL, OPT_HASH },
		{ "internal-domains", required_argument, NULL, OPT_INTERNAL },
		{ "ip-country", required_argument, NULL, OPT_IP_COUNTRY },
		{ "ip-field", required_argument, NULL, OPT_IP_FIELD },
		{ "key-file", required_argument, NULL, OPT_KEY_FILE },
		{ "lookup", required_argument, NULL, OPT_LOOKUP },
		{ "lookup-allow-empty", no_argument, &o->allow_empty, 1 },
		{ "lookup-missing", required_argument, NULL, OPT_LOOKUP_MISSING },
		{ "on", required_argument, NULL, OPT_ON },
		{ "page-field", required_argument, NULL, OPT_PAGE_FIELD },
		{ "referer-db", required_argument, NULL, OPT_REFERER_DB },
		{ "referrer", no_argument, &e->referrer, 1 },
		{ "referrer-field", required_argument, NULL, OPT_REFERRER_FIELD },
		{ "set", required_argument, NULL, OPT_SET },
		{ "strict", no_argument, &e->strict, 1 },
		{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "ua", no_argument, &e->ua_on, 1 },
		{ "ua-cache", required_argument, NULL, OPT_UA_CACHE },
		{ "ua-field", required_argument, NULL, OPT_UA_FIELD },
		{ "ua-regexes", required_argument, NULL, OPT_UA_REGEXES },
		{ "unset", required_argument, NULL, OPT_UNSET },
		{ "where", required_argument, NULL, OPT_WHERE },
		EV_RUN_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const missing[] = { "keep", "null", "reject",
	    NULL };
	static const enum ev_enrich_missing missing_of[] = {
	    EV_ENRICH_MISSING_KEEP, EV_ENRICH_MISSING_NULL,
	    EV_ENRICH_MISSING_REJECT };
	struct ev_lookup *last;
	const char *ce;
	char err[1024];
	long long check;
	size_t i;
	int c, k;

	memset(o, 0, sizeof(*o));
	ev_filter_init(&o->filter);
	o->tzname = "UTC";
	o->uacache = 10000;
	opterr = 0;	/* bad_option says what is wrong */
	while ((c = ev_run_getopt(run, argc, argv, ":hV", longopts)) != -1) {
		last = e->nlk > 0 ? e->lk[e->nlk - 1] : NULL;
		switch (c) {
		case 0:		/* a flag, set */
			break;
		case OPT_ANON_OCTETS:
			e->anon_octets = (int)number(run, "--anon-octets",
			    optarg, 1, 4);
			break;
		case OPT_ANON_SEGMENTS:
			e->anon_segments = (int)number(run, "--anon-segments",
			    optarg, 1, 8);
			break;
		case OPT_AS:
			if (last == NULL)
				ev_run_usage_error(run, "--as comes after "
				    "the --lookup it names");
			if (*optarg == '\0')
				ev_run_usage_error(run, "--as: empty name");
			free(last->name);
			last->name = ev_xstrdup(optarg);
			e->lk_count[e->nlk - 1].name = last->name;
			break;
		case OPT_ASN_DB:
			o->asndb = optarg;
			break;
		case OPT_BOT_PATTERNS:
			o->bots = optarg;
			e->ua_on = 1;
			break;
		case OPT_DROP:
			add_fields(run, &e->drop, optarg);
			break;
		case OPT_FP_EXCLUDE:
			add_fields(run, &e->fp_exclude, optarg);
			e->fingerprint = 1;
			break;
		case OPT_GEOIP:
			o->geoip = optarg;
			break;
		case OPT_HASH:
			add_fields(run, &e->hash, optarg);
			break;
		case OPT_INTERNAL:
			add_internal(e, optarg);
			break;
		case OPT_IP_COUNTRY:
			if (o->nipcountry == MAX_IP_COUNTRY)
				ev_run_usage_error(run, "too many "
				    "--ip-country files");
			o->ipcountry[o->nipcountry++] = optarg;
			break;
		case OPT_IP_FIELD:
			set_path(run, &e->ip_path, optarg);
			break;
		case OPT_KEY_FILE:
			secret_option(run, argv, "key-file");
			o->keyfile = optarg;
			break;
		case OPT_LOOKUP:
			add_lookup(run, e, optarg);
			break;
		case OPT_LOOKUP_MISSING:
			if ((k = ev_word_index(optarg, missing)) < 0)
				ev_run_usage_error(run, "--lookup-missing "
				    "'%s': expected keep, null or reject",
				    optarg);
			e->missing = missing_of[k];
			break;
		case OPT_ON:
			if (last == NULL)
				ev_run_usage_error(run, "--on comes after "
				    "the --lookup it keys");
			if (ev_lookup_add_key(last, optarg, err,
			    sizeof(err)) != 0)
				ev_run_usage_error(run, "--on %s", err);
			break;
		case OPT_PAGE_FIELD:
			set_path(run, &e->page_path, optarg);
			break;
		case OPT_REFERER_DB:
			o->refdb = optarg;
			e->referrer = 1;
			break;
		case OPT_REFERRER_FIELD:
			set_path(run, &e->ref_path, optarg);
			break;
		case OPT_TIME_FIELD:
			set_path(run, &e->time_path, optarg);
			break;
		case OPT_TZ:
			o->tzname = optarg;
			e->calendar = 1;
			break;
		case OPT_UA_CACHE:
			o->uacache = (size_t)number(run, "--ua-cache", optarg,
			    0, 100000000);
			break;
		case OPT_UA_FIELD:
			set_path(run, &e->ua_path, optarg);
			break;
		case OPT_UA_REGEXES:
			o->ua_regexes = optarg;
			e->ua_on = 1;
			break;
		case OPT_SET:
		case OPT_UNSET:
		case OPT_WHERE:
			if (ev_filter_add(&o->filter, c == OPT_SET ? "--set" :
			    c == OPT_UNSET ? "--unset" : "--where", optarg, err,
			    sizeof(err)) != 0)
				ev_run_usage_error(run, "%s", err);
			break;
		case '?':
		case ':':
			bad_option(run, argv, c);
			break;
		default:
			ev_run_usage_error(run, "unknown option");
		}
	}
	ev_run_no_operands(run, argc, argv);
	if (ev_filter_compile(&o->filter, e->time_path, err, sizeof(err)) != 0)
		ev_run_usage_error(run, "%s", err);
	for (i = 0; i < e->nlk; i++)
		if (e->lk[i]->nkeys == 0)
			ev_run_usage_error(run, "--lookup %s needs --on "
			    "FIELD[=COLUMN]", e->lk[i]->file);
	if (e->calendar && (e->tz = ev_tz_open(o->tzname)) == NULL)
		ev_run_usage_error(run, "--tz '%s': unknown time zone",
		    o->tzname);
	/* How often the tables' files are looked at, for tests and tuning. */
	if ((ce = getenv("EVKIT_LOOKUP_CHECK_MS")) != NULL && *ce != '\0') {
		check = number(run, "EVKIT_LOOKUP_CHECK_MS", ce, 0, 86400000);
		for (i = 0; i < e->nlk; i++)
			e->lk[i]->check_every = (ev_us_t)check * 1000;
	}
	o->envkey = getenv("EVKIT_HASH_KEY");
	if (e->hash.n > 0 && o->keyfile == NULL &&
	    (o->envkey == NULL || *o->envkey == '\0'))
		ev_run_usage_error(run, "--hash needs a key: "
		    "--key-file FILE or the EVKIT_HASH_KEY variable");
	if (e->hash.n == 0 && o->keyfile != NULL)
		ev_run_usage_error(run, "--key-file without --hash");
}

/*
 * Load the tables, databases and key the options name, before any input
 * is read; -1 (said) when one cannot be used.
 */
static int
setup(struct ev_enrich *e, const struct opts *o)
{
	char err[1024];
	size_t i;

	for (i = 0; i < e->nlk; i++) {
		if (ev_lookup_load(e->lk[i], err, sizeof(err)) != 0)
			goto bad;
		e->lk[i]->allow_empty = o->allow_empty;
	}
	if (e->referrer && (e->refdb = ev_referer_db_load(o->refdb ?
	    o->refdb : REFERER_DB, err, sizeof(err))) == NULL) {
		ev_warn("%s (install ruby-referer-parser or give "
		    "--referer-db FILE)", err);
		return -1;
	}
	if (e->ua_on && (e->ua = ev_ua_load(o->ua_regexes ? o->ua_regexes :
	    UAP_REGEXES, o->bots, o->uacache, err, sizeof(err))) == NULL)
		goto bad;
	if (o->geoip != NULL || o->asndb != NULL || o->nipcountry > 0) {
		e->geo = ev_geo_new();
		if (o->geoip != NULL &&
		    ev_geo_open_city(e->geo, o->geoip, err, sizeof(err)) != 0)
			goto bad;
		if (o->asndb != NULL &&
		    ev_geo_open_asn(e->geo, o->asndb, err, sizeof(err)) != 0)
			goto bad;
		for (i = 0; i < o->nipcountry; i++)
			if (ev_geo_load_ranges(e->geo, o->ipcountry[i], err,
			    sizeof(err)) != 0)
				goto bad;
	}
	if (e->hash.n > 0 && o->keyfile != NULL)
		return read_key_file(e, o->keyfile);
	if (e->hash.n > 0 && ev_privacy_key_from(o->envkey, &e->key,
	    &e->keylen, err, sizeof(err)) != 0)
		goto bad;
	return 0;
bad:
	ev_warn("%s", err);
	return -1;
}

int
main(int argc, char **argv)
{
	struct ev_run run;
	struct ev_enrich e;
	struct opts o;
	struct ev_line line;
	struct ev_rec rec;
	json_t *errs;
	int status, k;

	ev_set_argv0_base(argv);
	ev_run_init(&run, PROG, usage);
	run.usage_more = EV_EXPR_HELP;
	ev_enrich_init(&e);
	parse_options(&run, &e, &o, argc, argv);

	if (setup(&e, &o) != 0) {
		status = EV_EXIT_USAGE;
		goto out;
	}
	ev_run_open(&run);

	ev_rec_init(&rec);
	while (ev_run_next(&run, &line, -1) == EV_LINE_OK) {
		if (e.nlk > 0)
			ev_enrich_reload(&e, ev_run_take_reload());
		if (ev_rec_parse(&rec, line.data, line.len) != 0) {
			ev_run_reject_parse(&run, &line, rec.err);
			continue;
		}
		if (!ev_rec_is_object(&rec)) {
			ev_run_reject(&run, &line, "parse",
			    ev_run_error(NULL, "an event is a JSON object"));
			continue;
		}
		if ((k = ev_filter_where(&o.filter, &rec, &errs)) <= 0) {
			if (k < 0)
				ev_run_reject(&run, &line, "where", errs);
			else
				ev_run_pass(&run, &rec);
			continue;
		}
		/* Privacy last, so nothing above sees less than the event. */
		if ((errs = ev_enrich_context(&e, &rec)) != NULL ||
		    (errs = ev_filter_apply(&o.filter, &rec)) != NULL ||
		    (errs = ev_enrich_privacy(&e, &rec)) != NULL) {
			ev_run_reject(&run, &line, "enrich", errs);
			continue;
		}
		ev_run_pass(&run, &rec);
	}
	ev_rec_clear(&rec);
	ev_run_stat(&run, "enrich", ev_enrich_stats(&e));
	if (o.filter.where_text != NULL || ev_filter_changes(&o.filter))
		ev_run_stat(&run, "expr", ev_filter_stats(&o.filter));
	status = ev_run_finish(&run);
out:
	ev_run_release(&run);
	ev_enrich_free(&e);
	ev_filter_free(&o.filter);
	return status;
}
