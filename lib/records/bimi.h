/* SPDX-License-Identifier: ISC */
/* bimi: BIMI assertion records (draft-brand-indicators-for-message-
 * identification, AuthIndicators Working Group) and the basic markers of
 * the SVG Tiny Portable/Secure profile its logos must follow. Pure
 * functions; no lookups, no fetches.
 *
 * Record grammar (draft section 4.3): a tag list as DKIM's, v=BIMI1 first
 * and exact ("receivers MUST NOT fix syntax or capitalization"); l=
 * required, empty (declination) or one https URI; a= empty or one https
 * URI; lps= true or false; avp= brand or personal (another value is
 * noted); unknown tags ignored; a repeated tag makes the record invalid.
 *
 * The SVG check is a scan, not a validating parse: it finds the root
 * element and its attributes, every element name and every attribute, in
 * one pass over the bytes, and reports what SVG Tiny PS forbids (scripts,
 * foreign objects, raster images, animation, links, event handlers,
 * external references, entity declarations) and what it requires
 * (version="1.2", baseProfile="tiny-ps", a title). */
#ifndef SA_BIMI_H
#define SA_BIMI_H

#include <stdbool.h>
#include <stddef.h>

/* The BIMI Group's size limit for the logo (SVG Tiny PS guide). */
#define BIMI_SVG_MAX 32768

/* True when a TXT record starts with the version tag v=BIMI1 (white space
 * around '=' allowed) followed by ';', white space or its end. */
bool bimi_is_record(const char *txt, size_t len);

struct bimi_record {
	bool valid;
	char error[160];
	char *l;       /* the logo URI, NULL when empty */
	char *a;       /* the evidence (VMC/CMC) URI, NULL when empty or absent */
	bool declined; /* l= and a= both empty: declination to publish */
	bool lps;      /* lps=true */
	char *avp;     /* as written, or NULL */
	char **notes;  /* unknown tags, an odd avp= */
	size_t note_count;
};

/* Parses a record (any bytes). Always fills out; release it with
 * bimi_free. Returns 0 when valid, -1 with out->error set. */
int bimi_parse(const char *txt, size_t len, struct bimi_record *out);
void bimi_free(struct bimi_record *r);

struct bimi_svg {
	bool svg;        /* the root element is <svg> */
	bool tiny_ps;    /* baseProfile="tiny-ps" on it */
	bool version_12; /* version="1.2" on it */
	bool title;      /* a <title> element */
	bool viewbox;    /* a viewBox with four numbers */
	bool square;     /* ... of equal width and height */
	char **problems; /* what the profile forbids or misses (fail) */
	size_t problem_count;
	char **notes; /* what is odd but allowed (warn): not square ... */
	size_t note_count;
};

/* Scans an SVG document (any bytes; len over BIMI_SVG_MAX is a problem
 * too). Always fills out; release it with bimi_svg_free. Returns 0 when
 * there is no problem, else -1. */
int bimi_svg_check(const char *doc, size_t len, struct bimi_svg *out);
void bimi_svg_free(struct bimi_svg *s);

#endif
